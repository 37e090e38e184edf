package io.creditstream.operators.core.budget;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.creditstream.operators.core.budget.SuccessRateTracker.Settings;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import org.junit.jupiter.api.Test;

/** The per-task success-rate estimate of docs/ALGORITHMS.md §4, epoch by epoch. */
class SuccessRateTrackerTest {

    @Test
    void anUnseenTaskIsTheReferenceDefault() {
        assertThat(new SuccessRateTracker().state()).isEqualTo(new TaskState(false, 0.0, 0));
        // The reference answers valid for an unseen prompt when min_buffer_length is 0.
        assertThat(new SuccessRateTracker().state(new Settings(0, 16, true, true)).valid())
                .isTrue();
    }

    @Test
    void becomesValidAtEightRollouts() {
        SuccessRateTracker tracker = new SuccessRateTracker();
        tracker.addAll(1, 0, 1, 0, 1, 0, 1);
        assertThat(tracker.state().valid()).isFalse();

        tracker.add(0);

        assertThat(tracker.state()).isEqualTo(new TaskState(true, 0.5, 8));
    }

    @Test
    void minusOneCountsAsAFailure() {
        SuccessRateTracker tracker = new SuccessRateTracker();
        tracker.addAll(-1, -1, 1, 1, -1, 0, 1, 1, -1, 1);

        assertThat(tracker.state().p()).isEqualTo(0.5);
        assertThat(tracker.state().count()).isEqualTo(10);
    }

    @Test
    void rejectsOtherRewardsWithoutChangingTheState() {
        SuccessRateTracker tracker = new SuccessRateTracker();
        tracker.add(1);

        assertThatThrownBy(() -> tracker.add(0.5))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("must be -1, 0 or 1")
                .hasMessageContaining("0.5");
        assertThatThrownBy(() -> tracker.addAll(1, 1, 2)).hasMessageContaining("2.0");
        assertThatThrownBy(() -> tracker.add(Double.NaN))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(tracker.state()).isEqualTo(new TaskState(false, 1.0, 1));
    }

    @Test
    void anEpochWithSixteenRewardsIsUsedAlone() {
        SuccessRateTracker tracker = new SuccessRateTracker();
        tracker.addAll(ones(16));
        tracker.startEpoch();
        // 20 rewards, 5 successes first: the epoch mean is 5/20, the last 16 hold only 1.
        tracker.addAll(ones(5));
        tracker.addAll(zeros(15));

        assertThat(tracker.state()).isEqualTo(new TaskState(true, 0.25, 36));
    }

    @Test
    void aShortEpochUsesTheMostRecentSixteenAcrossEpochs() {
        SuccessRateTracker tracker = new SuccessRateTracker();
        tracker.addAll(ones(16));
        tracker.startEpoch();
        tracker.addAll(zeros(4));

        // This epoch's 4 failures, then the 12 latest successes of the last epoch.
        assertThat(tracker.state().p()).isEqualTo(0.75);
    }

    @Test
    void withFewerThanSixteenRewardsInAllTheMeanIsOverAllOfThem() {
        SuccessRateTracker tracker = new SuccessRateTracker();
        tracker.addAll(1, 0, 0, 1, 0, 0, 1, 0, 0, 0);

        assertThat(tracker.state().p()).isEqualTo(0.3);
    }

    @Test
    void withoutEpochEstimationTheRecentMeanIsAlwaysUsed() {
        SuccessRateTracker tracker = new SuccessRateTracker();
        tracker.addAll(ones(5));
        tracker.addAll(zeros(15));

        assertThat(tracker.state(Settings.withEpochEstimation(false)).p()).isEqualTo(1.0 / 16);
        assertThat(tracker.state(Settings.withEpochEstimation(true)).p()).isEqualTo(0.25);
    }

    @Test
    void withoutRobustEstimationAShortEpochIsUsedAlone() {
        SuccessRateTracker tracker = new SuccessRateTracker();
        tracker.addAll(ones(16));
        tracker.startEpoch();
        tracker.addAll(1, 0, 0, 0);

        assertThat(tracker.state(new Settings(8, 16, true, false)).p()).isEqualTo(0.25);
        assertThat(tracker.state().p()).isEqualTo(13.0 / 16);
    }

    @Test
    void anEpochWithoutRewardsKeepsTheLastEstimate() {
        // The reference only recomputes a prompt's estimate when it gets rewards.
        SuccessRateTracker tracker = new SuccessRateTracker();
        tracker.addAll(ones(5));
        tracker.addAll(zeros(15));
        TaskState before = tracker.state();

        tracker.startEpoch();
        tracker.startEpoch();

        assertThat(tracker.state()).isEqualTo(before);
        assertThat(before.p()).isEqualTo(0.25);
    }

    @Test
    void countsEveryRolloutAndKeepsOnlySixtyFourRecentRewards() {
        SuccessRateTracker tracker = new SuccessRateTracker();
        for (int epoch = 0; epoch < 10; epoch++) {
            tracker.startEpoch();
            tracker.addAll(ones(7));
            tracker.addAll(zeros(3));
        }

        assertThat(tracker.getCount()).isEqualTo(100);
        assertThat(tracker.getRecentCount()).isEqualTo(64);
        assertThat(tracker.getEpochCount()).isEqualTo(10);
        // Last 16, newest first: 3 failures, 7 successes, then the previous epoch's last 3 failures
        // and 3 successes. Last 64: six whole epochs (42 successes), then 3 failures and 1 success.
        assertThat(tracker.state().p()).isEqualTo(10.0 / 16);
        assertThat(tracker.state(new Settings(8, 64, false, true)).p()).isEqualTo(43.0 / 64);
    }

    @Test
    void settingsAreValidated() {
        assertThatThrownBy(() -> new Settings(-1, 16, true, true))
                .hasMessageContaining("budget.min-buffer");
        assertThatThrownBy(() -> new Settings(8, 0, true, true))
                .hasMessageContaining("budget.reward-buffer");
        assertThatThrownBy(() -> new Settings(8, 65, true, true)).hasMessageContaining("1..64");
        assertThat(Settings.defaults()).isEqualTo(new Settings(8, 16, true, true));
    }

    @Test
    void itsStateRoundTripsThroughItsAccessorsAndJavaSerialization() throws Exception {
        SuccessRateTracker tracker = new SuccessRateTracker();
        tracker.addAll(1, 0, 1, 1, 0, 1, 1, 1, 0);
        tracker.startEpoch();

        SuccessRateTracker copy = new SuccessRateTracker();
        copy.setCount(tracker.getCount());
        copy.setEpochSum(tracker.getEpochSum());
        copy.setEpochCount(tracker.getEpochCount());
        copy.setNewEpochPending(tracker.isNewEpochPending());
        copy.setRecentBits(tracker.getRecentBits());
        copy.setRecentCount(tracker.getRecentCount());
        assertThat(copy).isEqualTo(tracker).hasSameHashCodeAs(tracker);
        assertThat(copy.state()).isEqualTo(tracker.state());

        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(tracker);
        }
        try (ObjectInputStream in =
                new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
            SuccessRateTracker restored = (SuccessRateTracker) in.readObject();
            restored.add(1);
            tracker.add(1);
            assertThat(restored).isEqualTo(tracker);
            assertThat(restored.state()).isEqualTo(new TaskState(true, 0.7, 10));
        }
    }

    private static double[] ones(int count) {
        double[] rewards = new double[count];
        java.util.Arrays.fill(rewards, 1);
        return rewards;
    }

    private static double[] zeros(int count) {
        return new double[count];
    }
}
