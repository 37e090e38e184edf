package io.creditstream.operators.flink.credit;

import io.creditstream.operators.core.credit.GroupCreditAssigner;
import io.creditstream.operators.core.credit.LengthBuckets;
import io.creditstream.operators.core.credit.StalenessPolicy;
import io.creditstream.operators.flink.CreditMetrics;
import io.creditstream.schemas.internal.Trajectory;
import io.creditstream.schemas.internal.TrajectoryGroup;
import java.util.List;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;

/**
 * Count, steps, positive returns and length buckets of the trajectories the staleness check kept
 * against those it dropped: dropping biases training when the ones that go stale (long, hard
 * episodes) differ from the ones that do not, and these counters say whether they do.
 */
final class StalenessCounters {
    private final int maxLag;
    private final Counter staleSteps;
    private final Counter stalePositive;
    private final Counter freshTrajectories;
    private final Counter freshSteps;
    private final Counter freshPositive;
    private final Counter[] freshByLength = new Counter[LengthBuckets.count()];
    private final Counter[] staleByLength = new Counter[LengthBuckets.count()];

    /**
     * Registers the counters on {@code metrics}; the count of dropped trajectories is the filter's
     * own ({@link CreditMetrics#STALE_TRAJECTORIES_DROPPED}).
     */
    StalenessCounters(MetricGroup metrics, int maxLag) {
        this.maxLag = maxLag;
        staleSteps = metrics.counter(CreditMetrics.STALE_TRAJECTORY_STEPS);
        stalePositive = metrics.counter(CreditMetrics.STALE_TRAJECTORIES_POSITIVE);
        freshTrajectories = metrics.counter(CreditMetrics.FRESH_TRAJECTORIES);
        freshSteps = metrics.counter(CreditMetrics.FRESH_TRAJECTORY_STEPS);
        freshPositive = metrics.counter(CreditMetrics.FRESH_TRAJECTORIES_POSITIVE);
        for (int i = 0; i < LengthBuckets.count(); i++) {
            // Every bucket from the start, so that a scrape sees zeros rather than gaps.
            MetricGroup bucket =
                    metrics.addGroup(CreditMetrics.MAX_LENGTH_LABEL, LengthBuckets.label(i));
            freshByLength[i] = bucket.counter(CreditMetrics.FRESH_TRAJECTORY_LENGTHS);
            staleByLength[i] = bucket.counter(CreditMetrics.STALE_TRAJECTORY_LENGTHS);
        }
    }

    /** Counts each trajectory of {@code group} as kept or dropped by {@code outcome}. */
    void count(TrajectoryGroup group, StalenessPolicy.Outcome outcome) {
        List<Trajectory> trajectories = group.getTrajectories();
        long[] lags = outcome.lags();
        for (int i = 0; i < trajectories.size(); i++) {
            Trajectory trajectory = trajectories.get(i);
            // A group dropped whole for keeping too few also drops its fresh trajectories.
            boolean dropped = outcome.kept() == null || (lags.length > 0 && lags[i] > maxLag);
            int steps = trajectory.getSteps().size();
            // The outcome the estimators see: a declared episode_return wins over the reward sum.
            boolean positive = GroupCreditAssigner.episodeReturn(trajectory.getSteps()) > 0;
            (dropped ? staleSteps : freshSteps).inc(steps);
            (dropped ? staleByLength : freshByLength)[LengthBuckets.bucketOf(steps)].inc();
            if (positive) {
                (dropped ? stalePositive : freshPositive).inc();
            }
            if (!dropped) {
                freshTrajectories.inc();
            }
        }
    }
}
