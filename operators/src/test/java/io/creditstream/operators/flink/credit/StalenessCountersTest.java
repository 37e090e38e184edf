package io.creditstream.operators.flink.credit;

import static org.assertj.core.api.Assertions.assertThat;

import io.creditstream.operators.core.credit.LengthBuckets;
import io.creditstream.operators.core.credit.StalenessPolicy;
import io.creditstream.operators.core.prm.OprlGroups;
import io.creditstream.operators.core.prm.OprlGroups.Episode;
import io.creditstream.operators.core.prm.OprlGroups.Step;
import io.creditstream.operators.flink.CreditMetrics;
import io.creditstream.schemas.internal.Trajectory;
import io.creditstream.schemas.internal.TrajectoryGroup;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.testutils.MetricListener;
import org.junit.jupiter.api.Test;

/** Kept against dropped trajectories: count, steps, successes and the length distribution. */
class StalenessCountersTest {

    private static Episode episode(double reward, int length) {
        Step[] steps = new Step[length];
        for (int i = 0; i < length; i++) {
            steps[i] = Step.of("s" + i, "a");
        }
        return Episode.of(reward, steps);
    }

    /** Short successes and long failures, the first two of version 10, the last two of 5. */
    private static TrajectoryGroup group() {
        TrajectoryGroup group =
                OprlGroups.group("g", episode(1, 2), episode(0, 15), episode(0, 25), episode(1, 3));
        long[] versions = {10, 10, 5, 5};
        List<Trajectory> trajectories = new ArrayList<>();
        for (int i = 0; i < versions.length; i++) {
            trajectories.add(
                    Trajectory.newBuilder(group.getTrajectories().get(i))
                            .setPolicyVersion(versions[i])
                            .build());
        }
        return TrajectoryGroup.newBuilder(group).setTrajectories(trajectories).build();
    }

    private static long count(MetricListener listener, String... path) {
        return listener.getCounter(path)
                .map(Counter::getCount)
                .orElseThrow(() -> new AssertionError("no counter " + String.join("/", path)));
    }

    private static long bucket(MetricListener listener, String name, int maxLength) {
        return count(listener, CreditMetrics.MAX_LENGTH_LABEL, String.valueOf(maxLength), name);
    }

    @Test
    void staleTrajectoriesAreCountedApartFromKeptOnesWithTheirLengths() {
        MetricListener listener = new MetricListener();
        StalenessPolicy policy = new StalenessPolicy(2, 2);
        StalenessCounters counters = new StalenessCounters(listener.getMetricGroup(), 2);

        TrajectoryGroup group = group();
        counters.count(group, policy.apply(group, 10L));

        assertThat(count(listener, CreditMetrics.FRESH_TRAJECTORIES)).isEqualTo(2);
        assertThat(count(listener, CreditMetrics.FRESH_TRAJECTORY_STEPS)).isEqualTo(17);
        assertThat(count(listener, CreditMetrics.FRESH_TRAJECTORIES_POSITIVE)).isEqualTo(1);
        assertThat(count(listener, CreditMetrics.STALE_TRAJECTORY_STEPS)).isEqualTo(28);
        assertThat(count(listener, CreditMetrics.STALE_TRAJECTORIES_POSITIVE)).isEqualTo(1);
        // Kept: lengths 2 and 15; dropped: 25 and 3.
        assertThat(bucket(listener, CreditMetrics.FRESH_TRAJECTORY_LENGTHS, 2)).isEqualTo(1);
        assertThat(bucket(listener, CreditMetrics.FRESH_TRAJECTORY_LENGTHS, 16)).isEqualTo(1);
        assertThat(bucket(listener, CreditMetrics.FRESH_TRAJECTORY_LENGTHS, 25)).isZero();
        assertThat(bucket(listener, CreditMetrics.STALE_TRAJECTORY_LENGTHS, 3)).isEqualTo(1);
        assertThat(bucket(listener, CreditMetrics.STALE_TRAJECTORY_LENGTHS, 16)).isZero();
        assertThat(bucket(listener, CreditMetrics.STALE_TRAJECTORY_LENGTHS, 25)).isEqualTo(1);
        // Every bucket is registered from the start, the unbounded one included.
        assertThat(
                        count(
                                listener,
                                CreditMetrics.MAX_LENGTH_LABEL,
                                LengthBuckets.UNBOUNDED,
                                CreditMetrics.STALE_TRAJECTORY_LENGTHS))
                .isZero();
    }

    @Test
    void aGroupDroppedWholeCountsItsFreshTrajectoriesAsDroppedToo() {
        MetricListener listener = new MetricListener();
        // Four needed: with two stale, the group cannot be estimated and goes whole.
        StalenessPolicy policy = new StalenessPolicy(2, 4);
        StalenessCounters counters = new StalenessCounters(listener.getMetricGroup(), 2);

        TrajectoryGroup group = group();
        counters.count(group, policy.apply(group, 10L));

        assertThat(count(listener, CreditMetrics.FRESH_TRAJECTORIES)).isZero();
        assertThat(count(listener, CreditMetrics.STALE_TRAJECTORY_STEPS)).isEqualTo(45);
        assertThat(bucket(listener, CreditMetrics.STALE_TRAJECTORY_LENGTHS, 2)).isEqualTo(1);
        assertThat(bucket(listener, CreditMetrics.STALE_TRAJECTORY_LENGTHS, 3)).isEqualTo(1);
        assertThat(bucket(listener, CreditMetrics.STALE_TRAJECTORY_LENGTHS, 16)).isEqualTo(1);
        assertThat(bucket(listener, CreditMetrics.STALE_TRAJECTORY_LENGTHS, 25)).isEqualTo(1);
    }
}
