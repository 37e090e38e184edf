package io.creditstream.policy.fleet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.creditstream.schemas.PolicySnapshot;
import io.creditstream.schemas.contract.SnapshotMetrics;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LearnerPacingTest {

    @Test
    void countsTheStepsOfVersionsNewerThanTheLearnerTrainedOnWhereverTheyAre() {
        LearnerPacing pacing = new LearnerPacing(1_000);
        pacing.follow(trained(0, -1));
        pacing.sent(0, 600);
        assertThat(pacing.stepsAhead()).isEqualTo(600);
        assertThat(pacing.mustWait()).isFalse();
        pacing.sent(0, 500);
        assertThat(pacing.mustWait()).isTrue();

        // v1 trained on v0's steps: none of the 1,100 counts any more.
        pacing.follow(trained(1, 0));
        assertThat(pacing.stepsAhead()).isZero();
        pacing.sent(1, 1_200);
        assertThat(pacing.mustWait()).isTrue();
    }

    @Test
    void aNewerSnapshotTrainedOnOlderStepsKeepsTheFleetWaiting() {
        // The demo's backlog: the learner publishes a version per batch while the steps sent
        // since its last snapshot are still in the job and the topic. Its queue is empty each
        // time it publishes, yet it has not trained on any of v1's steps.
        LearnerPacing pacing = new LearnerPacing(1_000);
        pacing.follow(trained(1, 0, 0));
        pacing.sent(1, 1_200);
        for (long version = 2; version <= 5; version++) {
            pacing.follow(trained(version, 0, 0));
            assertThat(pacing.stepsAhead()).as("v%d", version).isEqualTo(1_200);
            assertThat(pacing.mustWait()).as("v%d", version).isTrue();
        }
        pacing.follow(trained(6, 1, 300));
        assertThat(pacing.mustWait()).isFalse();
        assertThat(pacing.stepsAhead()).isZero();
    }

    @Test
    void stepsPlayedWithAVersionAlreadyTrainedPastDoNotCount() {
        LearnerPacing pacing = new LearnerPacing(1_000);
        pacing.follow(trained(4, 3));
        pacing.sent(2, 5_000); // a worker that could not load a newer snapshot
        pacing.sent(4, 100);
        assertThat(pacing.stepsAhead()).isEqualTo(100);
    }

    @Test
    void withoutATrainedVersionTheReportedBacklogPlusTheStepsSentSinceCount() {
        LearnerPacing pacing = new LearnerPacing(1_000);
        pacing.follow(legacy(0, 0));
        pacing.sent(0, 900);
        assertThat(pacing.mustWait()).isFalse();
        pacing.sent(0, 100);
        assertThat(pacing.mustWait()).isTrue();

        pacing.follow(legacy(1, 150));
        assertThat(pacing.stepsAhead()).isEqualTo(150);
        pacing.sent(1, 850);
        assertThat(pacing.mustWait()).isTrue();
        assertThat(pacing.describe()).contains("reported backlog").contains("limit 1,000");
    }

    @Test
    void saysSoWhenTheLearnerHasTrainedOnNothingYet() {
        LearnerPacing pacing = new LearnerPacing(256);
        pacing.follow(trained(0, -1));
        pacing.sent(0, 480);
        assertThat(pacing.describe())
                .startsWith("480 steps sent and the learner has trained on none yet (limit 256)");
    }

    @Test
    void zeroNeverWaits() {
        LearnerPacing pacing = new LearnerPacing(0);
        pacing.follow(trained(0, -1));
        pacing.sent(0, 1_000_000);
        assertThat(pacing.mustWait()).isFalse();
        assertThatThrownBy(() -> new LearnerPacing(-1))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void saysWhatItWaitsForAndBlamesALimitBelowTheLearnersBatch() {
        LearnerPacing pacing = new LearnerPacing(500);
        Map<String, Double> metrics = new HashMap<>();
        metrics.put(SnapshotMetrics.TRAINED_POLICY_VERSION, 6.0);
        metrics.put(SnapshotMetrics.PENDING_SAMPLES, 480.0);
        metrics.put(SnapshotMetrics.BATCH_RECORDS, 2_048.0);
        pacing.follow(snapshot(7, metrics));
        pacing.sent(7, 520);

        assertThat(pacing.describe())
                .contains("520 steps sent with versions after v6")
                .contains("limit 500")
                .contains("newest snapshot v7")
                .contains("held 480 samples")
                .contains("an update takes 2,048");
        assertThat(pacing.diagnosis())
                .contains("--max-steps-ahead 500 is below the learner's batch of 2,048")
                .contains("at least 4,096");

        LearnerPacing enough = new LearnerPacing(4_096);
        enough.follow(snapshot(7, metrics));
        assertThat(enough.diagnosis()).contains("has not delivered them");
    }

    private static PolicySnapshot trained(long version, long trainedVersion) {
        return trained(version, trainedVersion, 0);
    }

    private static PolicySnapshot trained(long version, long trainedVersion, double pending) {
        return snapshot(
                version,
                Map.of(
                        SnapshotMetrics.TRAINED_POLICY_VERSION,
                        (double) trainedVersion,
                        SnapshotMetrics.PENDING_SAMPLES,
                        pending));
    }

    private static PolicySnapshot legacy(long version, double pending) {
        return snapshot(version, Map.of(SnapshotMetrics.PENDING_SAMPLES, pending));
    }

    private static PolicySnapshot snapshot(long version, Map<String, Double> metrics) {
        return new PolicySnapshot(
                "e", version, 0L, "file:/x", "0", Map.copyOf(metrics), null, null);
    }
}
