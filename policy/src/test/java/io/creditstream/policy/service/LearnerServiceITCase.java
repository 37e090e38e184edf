package io.creditstream.policy.service;

import static io.creditstream.policy.service.ServiceTestSupport.EXPERIMENT;
import static io.creditstream.policy.service.ServiceTestSupport.batch;
import static io.creditstream.policy.service.ServiceTestSupport.encode;
import static io.creditstream.policy.service.ServiceTestSupport.freshTopic;
import static io.creditstream.policy.service.ServiceTestSupport.junk;
import static io.creditstream.policy.service.ServiceTestSupport.pollUntilVersion;
import static io.creditstream.policy.service.ServiceTestSupport.record;
import static io.creditstream.policy.service.ServiceTestSupport.smallLearner;
import static io.creditstream.policy.service.ServiceTestSupport.smallMazeObservations;
import static io.creditstream.policy.service.ServiceTestSupport.snapshots;
import static io.creditstream.policy.service.ServiceTestSupport.versions;
import static io.creditstream.policy.service.ServiceTestSupport.writeAborted;
import static io.creditstream.policy.service.ServiceTestSupport.writeCommitted;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.creditstream.broker.EmbeddedKafkaExtension;
import io.creditstream.policy.model.PolicyNetwork;
import io.creditstream.policy.model.PolicySnapshotStore;
import io.creditstream.policy.training.LearnerCheckpoint;
import io.creditstream.schemas.AdvantageBatch;
import io.creditstream.schemas.AdvantageRecord;
import io.creditstream.schemas.PolicySnapshot;
import io.creditstream.schemas.contract.SnapshotMetrics;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** The learner against a real broker: updates, offsets, snapshots and start-up checks. */
class LearnerServiceITCase {

    @RegisterExtension static final EmbeddedKafkaExtension KAFKA = new EmbeddedKafkaExtension();

    @TempDir Path dir;

    @Test
    void appliesCommittedBatchesInUpdatesAndPublishesSnapshotsThatLoadAndVerify() throws Exception {
        String batches = freshTopic(KAFKA.broker(), "batches");
        String snapshotsTopic = freshTopic(KAFKA.broker(), "snapshots");
        // Never visible to a read_committed reader.
        writeAborted(KAFKA.broker(), batches, List.of(encode(batch("aborted", 100, 99))));
        List<String> observations = smallMazeObservations();
        List<AdvantageRecord> mixed = new ArrayList<>(batch("b1", 48, 2).getRecords());
        mixed.add(record("b1", 48, observations.get(0), "fly", -1.5, 0.5)); // unknown action
        mixed.add(record("b1", 49, "not a maze", "north", -1.5, 0.5)); // malformed observation
        mixed.set(0, record("b1", 0, observations.get(1), "east", null, 0.7)); // on-policy
        AdvantageBatch otherExperiment =
                AdvantageBatch.newBuilder(batch("other", 10, 3)).setExperimentId("other").build();
        writeCommitted(
                KAFKA.broker(),
                batches,
                List.of(
                        encode(batch("b0", 30, 1)),
                        encode(batch("b1", mixed)),
                        junk(),
                        encode(otherExperiment),
                        encode(batch("b2", 20, 4)),
                        encode(withMaxVersion(batch("b3", 70, 5), 4)),
                        encode(withMaxVersion(batch("b4", 40, 6), 2)),
                        encode(batch("b5", 30, 7))));

        LearnerSettings settings =
                smallLearner(KAFKA.broker(), batches, snapshotsTopic, dir).build();
        try (LearnerService learner = LearnerService.start(settings)) {
            assertThat(versions(KAFKA.broker(), snapshotsTopic)).containsExactly(0L);
            pollUntilVersion(learner, 3);

            // Whole batches, at least 64 usable samples each: b0+b1, junk+other+b2+b3, b4+b5.
            LearnerProgress progress = learner.progress();
            assertThat(progress.version()).isEqualTo(3);
            assertThat(progress.updates()).isEqualTo(3);
            assertThat(progress.samples()).isEqualTo(30 + 48 + 20 + 70 + 40 + 30);
            assertThat(progress.onPolicySamples()).isEqualTo(1);
            assertThat(progress.skippedRecords()).isEqualTo(2);
            assertThat(progress.unknownActionRecords()).isEqualTo(1);
            assertThat(progress.ignoredBatches()).isEqualTo(2);
            assertThat(progress.pendingSamples()).isZero();
            assertThat(progress.publishedVersion()).isEqualTo(3);
            assertThat(progress.lastStats()).get().extracting(s -> s.samples()).isEqualTo(70);
            // Offsets 0 (aborted) and 1 (its marker), 2..9 the batches, 10 the commit marker.
            assertThat(learner.appliedOffsets()).containsExactly(Map.entry(batches + "-0", 10L));

            List<PolicySnapshot> published = snapshots(KAFKA.broker(), snapshotsTopic);
            assertThat(published)
                    .extracting(PolicySnapshot::getVersion)
                    .containsExactly(0L, 1L, 2L, 3L);
            assertThat(published)
                    .allSatisfy(s -> assertThat(s.getExperimentId()).isEqualTo(EXPERIMENT));
            assertThat(published.get(1).getMetrics()).containsEntry("samples", 78.0);
            assertThat(published.get(2).getMetrics()).containsEntry("samples", 90.0);
            assertThat(published.get(3).getMetrics())
                    .containsEntry("samples", 70.0)
                    .containsEntry(SnapshotMetrics.PENDING_SAMPLES, 0.0)
                    .containsKeys("loss", "approx_kl", "entropy", "clip_fraction");
            // The newest policy version behind what was trained on, which a fleet paces by: none
            // yet, then b0/b1's 0, then b3's 4, which b4's older 2 does not lower.
            assertThat(published)
                    .extracting(s -> s.getMetrics().get(SnapshotMetrics.TRAINED_POLICY_VERSION))
                    .containsExactly(-1.0, 0.0, 4.0, 4.0);
            assertThat(published)
                    .allSatisfy(
                            s ->
                                    assertThat(s.getMetrics())
                                            .containsEntry(
                                                    SnapshotMetrics.BATCH_RECORDS,
                                                    (double) settings.batchRecords()));
            assertThat(progress.trainedPolicyVersion()).isEqualTo(4);
            assertThat(progress.line()).contains("trained on steps up to v4");
            // The backlog when it published: at most what the later updates trained on.
            assertThat(published.get(1).getMetrics().get(SnapshotMetrics.PENDING_SAMPLES))
                    .isBetween(0.0, 20.0 + 70 + 40 + 30);

            PolicySnapshotStore store = new PolicySnapshotStore(settings.storeDir());
            List<Map<String, float[]>> weights = new ArrayList<>();
            for (PolicySnapshot snapshot : published) {
                try (PolicyNetwork network = store.load(snapshot)) { // checks the sha256
                    assertThat(network.spec()).isEqualTo(settings.networkSpec());
                    weights.add(network.weights());
                }
            }
            try (PolicyNetwork initial = PolicyNetwork.create(settings.networkSpec(), 7)) {
                assertSameWeights(weights.get(0), initial.weights());
            }
            assertSameWeights(weights.get(3), learner.weights());
            for (int v = 1; v < weights.size(); v++) {
                assertThat(weights.get(v).get("logits.weight"))
                        .isNotEqualTo(weights.get(v - 1).get("logits.weight"));
            }

            try (LearnerCheckpoint.Restored checkpoint =
                    LearnerCheckpoint.restore(
                            settings.checkpointFile(), settings.updateOptions())) {
                assertThat(checkpoint.learner().updatesApplied()).isEqualTo(3);
                assertThat(checkpoint.consumedOffsets())
                        .containsExactly(Map.entry(batches + "-0", 10L));
                assertSameWeights(checkpoint.network().weights(), learner.weights());
            }
        }
    }

    @Test
    void keepsAnIncompleteUpdateQueuedAndPublishesEveryNthVersion() throws Exception {
        String batches = freshTopic(KAFKA.broker(), "batches");
        String snapshotsTopic = freshTopic(KAFKA.broker(), "snapshots");
        writeCommitted(
                KAFKA.broker(),
                batches,
                List.of(
                        encode(batch("b0", 40, 1)),
                        encode(batch("b1", 40, 2)),
                        encode(batch("b2", 40, 3)),
                        encode(batch("b3", 40, 4)),
                        encode(batch("b4", 40, 5))));
        LearnerSettings settings =
                smallLearner(KAFKA.broker(), batches, snapshotsTopic, dir).snapshotEvery(2).build();
        try (LearnerService learner = LearnerService.start(settings)) {
            pollUntilVersion(learner, 2);
            learner.pollOnce(Duration.ofMillis(300));

            assertThat(learner.version()).isEqualTo(2);
            assertThat(learner.progress().pendingSamples()).isEqualTo(40);
            // b4 is read but not applied: the checkpoint points at it.
            assertThat(learner.appliedOffsets()).containsExactly(Map.entry(batches + "-0", 4L));
            assertThat(versions(KAFKA.broker(), snapshotsTopic)).containsExactly(0L, 2L);
            assertThat(settings.storeDir().resolve(EXPERIMENT).resolve("policy-v1.params"))
                    .doesNotExist();
        }
    }

    @Test
    void refusesACheckpointMadeForAnotherMaze() throws Exception {
        String batches = freshTopic(KAFKA.broker(), "batches");
        String snapshotsTopic = freshTopic(KAFKA.broker(), "snapshots");
        LearnerSettings small = smallLearner(KAFKA.broker(), batches, snapshotsTopic, dir).build();
        try (LearnerService learner = LearnerService.start(small)) {
            assertThat(learner.version()).isZero();
        }
        LearnerSettings standard =
                smallLearner(KAFKA.broker(), batches, snapshotsTopic, dir)
                        .maze(Maze.STANDARD)
                        .build();

        assertThatThrownBy(() -> LearnerService.start(standard))
                .isInstanceOf(InvalidSettingException.class)
                .hasMessageContaining("3x5 maze")
                .hasMessageContaining("--maze")
                .extracting(e -> ((InvalidSettingException) e).setting())
                .isEqualTo("maze");
    }

    @Test
    void refusesToStartOverWhenTheTopicAlreadyAnnouncesNewerVersions() throws Exception {
        String batches = freshTopic(KAFKA.broker(), "batches");
        String snapshotsTopic = freshTopic(KAFKA.broker(), "snapshots");
        writeCommitted(KAFKA.broker(), batches, List.of(encode(batch("b0", 64, 1))));
        LearnerSettings settings =
                smallLearner(KAFKA.broker(), batches, snapshotsTopic, dir).build();
        try (LearnerService learner = LearnerService.start(settings)) {
            pollUntilVersion(learner, 1);
        }
        Files.delete(settings.checkpointFile()); // the checkpoint is lost, the snapshots are not

        assertThatThrownBy(() -> LearnerService.start(settings))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("already announces version 1")
                .hasMessageContaining("--checkpoint")
                .hasMessageContaining("--experiment");
    }

    @Test
    void restartsOnAnAnnouncedVersionWithoutAnnouncingItAgainAndRestoresItsArtifact()
            throws Exception {
        String batches = freshTopic(KAFKA.broker(), "batches");
        String snapshotsTopic = freshTopic(KAFKA.broker(), "snapshots");
        LearnerSettings settings =
                smallLearner(KAFKA.broker(), batches, snapshotsTopic, dir).build();
        try (LearnerService learner = LearnerService.start(settings)) {
            assertThat(learner.version()).isZero();
        }
        Path artifact = settings.storeDir().resolve(EXPERIMENT).resolve("policy-v0.params");
        byte[] published = Files.readAllBytes(artifact);
        Files.delete(artifact); // the store lost the announced artifact: it is written again
        try (LearnerService learner = LearnerService.start(settings)) {
            assertThat(learner.version()).isZero();
            assertThat(learner.progress().publishedVersion()).isZero();
        }
        assertThat(versions(KAFKA.broker(), snapshotsTopic)).containsExactly(0L);
        assertThat(Files.readAllBytes(artifact)).isEqualTo(published);
        new PolicySnapshotStore(settings.storeDir())
                .load(snapshots(KAFKA.broker(), snapshotsTopic).get(0))
                .close();
    }

    static void assertSameWeights(Map<String, float[]> actual, Map<String, float[]> expected) {
        assertThat(actual.keySet()).containsExactlyElementsOf(expected.keySet());
        expected.forEach(
                (name, values) -> assertThat(actual.get(name)).as(name).containsExactly(values));
    }

    private static AdvantageBatch withMaxVersion(AdvantageBatch batch, long version) {
        return AdvantageBatch.newBuilder(batch).setMaxPolicyVersion(version).build();
    }
}
