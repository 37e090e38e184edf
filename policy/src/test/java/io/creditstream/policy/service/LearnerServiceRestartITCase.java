package io.creditstream.policy.service;

import static io.creditstream.policy.service.LearnerServiceITCase.assertSameWeights;
import static io.creditstream.policy.service.ServiceTestSupport.batch;
import static io.creditstream.policy.service.ServiceTestSupport.encode;
import static io.creditstream.policy.service.ServiceTestSupport.freshTopic;
import static io.creditstream.policy.service.ServiceTestSupport.junk;
import static io.creditstream.policy.service.ServiceTestSupport.pollUntilVersion;
import static io.creditstream.policy.service.ServiceTestSupport.smallLearner;
import static io.creditstream.policy.service.ServiceTestSupport.snapshots;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.creditstream.broker.EmbeddedKafkaExtension;
import io.creditstream.policy.model.PolicyNetwork;
import io.creditstream.policy.model.PolicySnapshotStore;
import io.creditstream.policy.service.LearnerService.CrashPoint;
import io.creditstream.policy.service.LearnerService.SimulatedCrash;
import io.creditstream.policy.training.LearnerCheckpoint;
import io.creditstream.schemas.PolicySnapshot;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A learner that crashes somewhere in the save-and-publish sequence after an update and is
 * restarted from its checkpoint ends exactly where an uninterrupted learner over the same batches
 * ends: same weights bit for bit, each record applied once, each version announced once.
 */
class LearnerServiceRestartITCase {

    /** Usable samples per update: b0+b1, junk+b2+b3, b4+b5 (updates take whole batches). */
    private static final int[] UPDATE_SIZES = {30 + 50, 20 + 70, 40 + 30};

    @RegisterExtension static final EmbeddedKafkaExtension KAFKA = new EmbeddedKafkaExtension();
    private static String batches;
    private static Reference reference;

    @TempDir Path dir;

    private record Reference(Map<String, float[]> weights, Map<String, Long> offsets) {}

    @BeforeAll
    static void writeBatchesAndRunWithoutInterruption(@TempDir Path referenceDir) throws Exception {
        batches = freshTopic(KAFKA.broker(), "batches");
        // Two transactions, so the restart crosses a commit marker as well as batch boundaries.
        writeCommitted(firstTransaction());
        writeCommitted(secondTransaction());
        String snapshotsTopic = freshTopic(KAFKA.broker(), "snapshots");
        try (LearnerService learner =
                LearnerService.start(
                        smallLearner(KAFKA.broker(), batches, snapshotsTopic, referenceDir)
                                .build())) {
            pollUntilVersion(learner, 3);
            assertThat(learner.progress().samples()).isEqualTo(sum(0, 3));
            reference = new Reference(learner.weights(), learner.appliedOffsets());
        }
    }

    @ParameterizedTest(name = "crash {0} of version {1}")
    @CsvSource({
        "AFTER_UPDATE, 2",
        "AFTER_CHECKPOINT, 2",
        "AFTER_ARTIFACT, 2",
        "AFTER_CHECKPOINT, 3",
        "AFTER_UPDATE, 1"
    })
    void restartAppliesEachRecordOnceAndEndsBitIdentical(CrashPoint point, long crashVersion)
            throws Exception {
        String snapshotsTopic = freshTopic(KAFKA.broker(), "snapshots");
        LearnerSettings settings =
                smallLearner(KAFKA.broker(), batches, snapshotsTopic, dir).build();

        LearnerService first = LearnerService.start(settings);
        first.crashAt(point, crashVersion);
        assertThatThrownBy(() -> pollUntilVersion(first, 3)).isInstanceOf(SimulatedCrash.class);
        first.close(); // frees memory only: nothing is saved on close

        long durable;
        try (LearnerCheckpoint.Restored checkpoint =
                LearnerCheckpoint.restore(settings.checkpointFile(), settings.updateOptions())) {
            durable = checkpoint.learner().updatesApplied();
        }
        assertThat(durable)
                .isEqualTo(point == CrashPoint.AFTER_UPDATE ? crashVersion - 1 : crashVersion);

        try (LearnerService second = LearnerService.start(settings)) {
            assertThat(second.version()).isEqualTo(durable);
            // The restored version is announced before anything else happens.
            assertThat(second.progress().publishedVersion()).isEqualTo(durable);
            pollUntilVersion(second, 3);
            second.pollOnce(Duration.ofMillis(200));

            assertThat(second.progress().updates()).isEqualTo(3 - durable);
            assertThat(second.progress().samples()).isEqualTo(sum((int) durable, 3));
            assertThat(second.progress().pendingSamples()).isZero();
            assertSameWeights(second.weights(), reference.weights());
            assertThat(second.appliedOffsets()).isEqualTo(reference.offsets());
        }

        List<PolicySnapshot> published = snapshots(KAFKA.broker(), snapshotsTopic);
        assertThat(published)
                .extracting(PolicySnapshot::getVersion)
                .containsExactly(0L, 1L, 2L, 3L);
        PolicySnapshotStore store = new PolicySnapshotStore(settings.storeDir());
        try (PolicyNetwork last = store.load(published.get(3))) {
            assertSameWeights(last.weights(), reference.weights());
        }
        for (PolicySnapshot snapshot : published) {
            store.load(snapshot).close(); // every announced artifact is there and verifies
        }
        try (var files = Files.list(settings.storeDir().resolve(ServiceTestSupport.EXPERIMENT))) {
            assertThat(files.map(p -> p.getFileName().toString()))
                    .containsExactlyInAnyOrder(
                            "policy-v0.params",
                            "policy-v1.params",
                            "policy-v2.params",
                            "policy-v3.params",
                            "learner.ckpt");
        }
    }

    @Test
    void stopBetweenUpdatesForgetsTheQueuedBatchAndReadsItAgainOnRestart() throws Exception {
        String phased = freshTopic(KAFKA.broker(), "batches");
        ServiceTestSupport.writeCommitted(KAFKA.broker(), phased, firstTransaction());
        String snapshotsTopic = freshTopic(KAFKA.broker(), "snapshots");
        LearnerSettings settings =
                smallLearner(KAFKA.broker(), phased, snapshotsTopic, dir).build();
        try (LearnerService first = LearnerService.start(settings)) {
            pollUntilVersion(first, 1);
            first.pollOnce(Duration.ofMillis(200));

            assertThat(first.version()).isEqualTo(1);
            assertThat(first.progress().pendingSamples()).isEqualTo(20); // b2 waits for more
            // b0 and b1 applied; the junk value at offset 2 and b2 are queued.
            assertThat(first.appliedOffsets()).containsExactly(Map.entry(phased + "-0", 2L));
        }
        ServiceTestSupport.writeCommitted(KAFKA.broker(), phased, secondTransaction());

        try (LearnerService second = LearnerService.start(settings)) {
            pollUntilVersion(second, 3);

            assertThat(second.progress().samples()).isEqualTo(sum(1, 3));
            assertSameWeights(second.weights(), reference.weights());
            assertThat(second.appliedOffsets())
                    .containsExactly(
                            Map.entry(
                                    phased + "-0", reference.offsets().values().iterator().next()));
        }
        assertThat(snapshots(KAFKA.broker(), snapshotsTopic))
                .extracting(PolicySnapshot::getVersion)
                .containsExactly(0L, 1L, 2L, 3L);
    }

    private static List<byte[]> firstTransaction() {
        return List.of(
                encode(batch("b0", 30, 10)),
                encode(batch("b1", 50, 11)),
                junk(),
                encode(batch("b2", 20, 12)));
    }

    private static List<byte[]> secondTransaction() {
        return List.of(
                encode(batch("b3", 70, 13)),
                encode(batch("b4", 40, 14)),
                encode(batch("b5", 30, 15)));
    }

    private static long sum(int from, int to) {
        long total = 0;
        for (int i = from; i < to; i++) {
            total += UPDATE_SIZES[i];
        }
        return total;
    }

    private static void writeCommitted(List<byte[]> values) {
        ServiceTestSupport.writeCommitted(KAFKA.broker(), batches, values);
    }
}
