package io.creditstream.policy.training;

import static io.creditstream.policy.training.ClippedPolicyGradientTest.assertWeightsEqual;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.creditstream.policy.model.NetworkSpec;
import io.creditstream.policy.model.PolicyNetwork;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LearnerCheckpointTest {

    private static final NetworkSpec SPEC = NetworkSpec.keyDoorMaze(7, 11).withHiddenSize(32);
    private static final UpdateOptions OPTIONS =
            UpdateOptions.DEFAULTS.withLearningRate(1e-2).withMinibatchSize(16).withEpochs(2);

    @TempDir Path directory;

    @Test
    void restoredLearnerContinuesBitForBitAsIfItHadNeverStopped() throws IOException {
        Path file = directory.resolve("learner.ckpt");
        Map<String, Long> offsets = Map.of("learner.batches-0", 1234L, "learner.batches-1", 99L);
        try (PolicyNetwork network = PolicyNetwork.create(SPEC, 31);
                ClippedPolicyGradient learner = new ClippedPolicyGradient(network, OPTIONS, 31)) {
            for (int k = 0; k < 3; k++) {
                learner.update(TrainingBatches.randomOnPolicy(network, 40, k));
            }
            LearnerCheckpoint.save(file, learner, offsets);
            List<TrainingSample> next = TrainingBatches.randomOnPolicy(network, 40, 3);

            try (LearnerCheckpoint.Restored restored = LearnerCheckpoint.restore(file, OPTIONS)) {
                assertThat(restored.consumedOffsets()).isEqualTo(offsets);
                assertThat(restored.learner().updatesApplied()).isEqualTo(3);
                assertThat(restored.learner().optimizer().steps())
                        .isEqualTo(learner.optimizer().steps())
                        .isEqualTo(3 * 2 * 3);
                assertWeightsEqual(restored.network().weights(), network.weights());

                learner.update(next);
                restored.learner().update(next);

                assertWeightsEqual(restored.network().weights(), network.weights());
                assertThat(restored.network().weights().get("logits.weight"))
                        .isNotEqualTo(freshOptimizerAfterOneUpdate(file, next));
            }
        }
    }

    @Test
    void replacesThePreviousCheckpointAndLeavesNoTemporaryFile() throws IOException {
        Path file = directory.resolve("learner.ckpt");
        try (PolicyNetwork network = PolicyNetwork.create(SPEC, 32);
                ClippedPolicyGradient learner = new ClippedPolicyGradient(network, OPTIONS, 32)) {
            LearnerCheckpoint.save(file, learner, Map.of("p0", 1L));
            learner.update(TrainingBatches.randomOnPolicy(network, 10, 1));
            LearnerCheckpoint.save(file, learner, Map.of("p0", 2L));

            try (LearnerCheckpoint.Restored restored = LearnerCheckpoint.restore(file, OPTIONS)) {
                assertThat(restored.consumedOffsets()).containsExactly(Map.entry("p0", 2L));
                assertThat(restored.learner().updatesApplied()).isEqualTo(1);
            }
            try (Stream<Path> files = Files.list(directory)) {
                assertThat(files).containsExactly(file);
            }
        }
    }

    @Test
    void aSaveIsCompleteOnDiskWithTheDirectorySyncedAndNoTemporaryFileLeft() throws IOException {
        Path file = directory.resolve("new-dir").resolve("learner.ckpt");
        try (PolicyNetwork network = PolicyNetwork.create(SPEC, 35);
                ClippedPolicyGradient learner = new ClippedPolicyGradient(network, OPTIONS, 35)) {
            learner.update(TrainingBatches.randomOnPolicy(network, 10, 1));
            LearnerCheckpoint.save(file, learner, Map.of("p0", 7L));

            // Read back from the file alone: every byte up to the checksum is there.
            try (LearnerCheckpoint.Restored restored = LearnerCheckpoint.restore(file, OPTIONS)) {
                assertThat(restored.consumedOffsets()).containsExactly(Map.entry("p0", 7L));
                assertWeightsEqual(restored.network().weights(), network.weights());
            }
            try (Stream<Path> files = Files.list(file.getParent())) {
                assertThat(files).containsExactly(file);
            }
        }
        // The directory sync the save ends with works here, and is not silently skipped.
        LearnerCheckpoint.syncDirectory(file.getParent());
        assertThatThrownBy(() -> LearnerCheckpoint.syncDirectory(directory.resolve("missing")))
                .isInstanceOf(NoSuchFileException.class);
    }

    @Test
    void refusesACorruptedCheckpoint() throws IOException {
        Path file = directory.resolve("learner.ckpt");
        try (PolicyNetwork network = PolicyNetwork.create(SPEC, 33);
                ClippedPolicyGradient learner = new ClippedPolicyGradient(network, OPTIONS, 33)) {
            LearnerCheckpoint.save(file, learner, Map.of());
        }
        byte[] bytes = Files.readAllBytes(file);
        bytes[bytes.length / 2] ^= 0x10;
        Files.write(file, bytes);

        assertThatThrownBy(() -> LearnerCheckpoint.restore(file, OPTIONS))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("is corrupt: CRC-32");
    }

    @Test
    void optimizerStateRoundTripsExactly() throws IOException {
        try (PolicyNetwork network = PolicyNetwork.create(SPEC, 34);
                ClippedPolicyGradient learner = new ClippedPolicyGradient(network, OPTIONS, 34)) {
            learner.update(TrainingBatches.randomOnPolicy(network, 20, 1));
            ByteArrayOutputStream first = new ByteArrayOutputStream();
            learner.optimizer().writeTo(new DataOutputStream(first));

            try (AdamOptimizer copy =
                    AdamOptimizer.readFrom(
                            new DataInputStream(new ByteArrayInputStream(first.toByteArray())),
                            network)) {
                ByteArrayOutputStream second = new ByteArrayOutputStream();
                copy.writeTo(new DataOutputStream(second));

                assertThat(copy.steps()).isEqualTo(learner.optimizer().steps());
                assertThat(second.toByteArray()).isEqualTo(first.toByteArray());
            }
        }
    }

    /** The logit weights after one update from the checkpoint's weights but a fresh optimizer. */
    private static float[] freshOptimizerAfterOneUpdate(Path file, List<TrainingSample> batch)
            throws IOException {
        try (LearnerCheckpoint.Restored restored = LearnerCheckpoint.restore(file, OPTIONS);
                ClippedPolicyGradient fresh =
                        new ClippedPolicyGradient(
                                restored.network(),
                                OPTIONS,
                                new AdamOptimizer(restored.network()),
                                31,
                                3)) {
            fresh.update(batch);
            return restored.network().weights().get("logits.weight");
        }
    }
}
