package io.creditstream.operators.flink.credit;

import io.creditstream.operators.core.credit.GroupCreditAssigner;
import io.creditstream.operators.core.metrics.RollingWindow;
import io.creditstream.operators.flink.CreditMetrics;
import io.creditstream.schemas.AdvantageBatch;
import io.creditstream.schemas.AdvantageRecord;
import io.creditstream.schemas.internal.Trajectory;
import io.creditstream.schemas.internal.TrajectoryGroup;
import java.util.List;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.runtime.metrics.DescriptiveStatisticsHistogram;

/**
 * The credit-quality metrics every estimator operator publishes: rolling advantage
 * mean/std/abs-max, zero-variance group ratio, anchor-group size and singleton ratio (and, with
 * GiGPO's anchor memory, the singleton ratio after pooling and the anchors forgotten), records out
 * and the wall time from a group's newest step to its advantages. The anchor-memory figures are
 * registered by every estimator operator, so a dashboard sees one set of series whichever runs;
 * they stay NaN and 0 without the memory.
 */
public final class CreditQualityMetrics {
    private final RollingWindow advantages = new RollingWindow(CreditMetrics.STEP_WINDOW);
    private final RollingWindow singletonSteps = new RollingWindow(CreditMetrics.STEP_WINDOW);
    private final RollingWindow zeroVarianceGroups = new RollingWindow(CreditMetrics.GROUP_WINDOW);
    private final RollingWindow pooledSingletonSteps = new RollingWindow(CreditMetrics.STEP_WINDOW);
    private final Counter anchorsForgotten;
    private final Histogram anchorGroupSize;
    private final Histogram lastStepToAdvantage;
    private final Counter recordsOut;

    public CreditQualityMetrics(MetricGroup metrics) {
        metrics.gauge(CreditMetrics.ADVANTAGE_MEAN, advantages::mean);
        metrics.gauge(CreditMetrics.ADVANTAGE_STD, advantages::std);
        metrics.gauge(CreditMetrics.ADVANTAGE_ABS_MAX, advantages::absMax);
        metrics.gauge(CreditMetrics.ZERO_VARIANCE_GROUP_RATIO, zeroVarianceGroups::mean);
        metrics.gauge(CreditMetrics.ANCHOR_SINGLETON_RATIO, singletonSteps::mean);
        metrics.gauge(
                CreditMetrics.ANCHOR_MEMORY_SINGLETON_RATIO,
                () -> pooledSingletonSteps.size() == 0 ? Double.NaN : pooledSingletonSteps.mean());
        anchorsForgotten = metrics.counter(CreditMetrics.ANCHOR_MEMORY_FORGOTTEN);
        anchorGroupSize =
                metrics.histogram(
                        CreditMetrics.ANCHOR_GROUP_SIZE,
                        new DescriptiveStatisticsHistogram(CreditMetrics.STEP_WINDOW));
        recordsOut = metrics.counter(CreditMetrics.ADVANTAGE_RECORDS_OUT);
        lastStepToAdvantage =
                metrics.histogram(
                        CreditMetrics.LAST_STEP_TO_ADVANTAGE_MS,
                        new DescriptiveStatisticsHistogram(CreditMetrics.GROUP_WINDOW));
    }

    /** Records one group and the batch computed from it. */
    public void record(TrajectoryGroup group, AdvantageBatch batch) {
        for (AdvantageRecord record : batch.getRecords()) {
            advantages.add(record.getAdvantage());
            singletonSteps.add(record.getAnchorGroupSize() == 1 ? 1 : 0);
            anchorGroupSize.update(record.getAnchorGroupSize());
        }
        zeroVarianceGroups.add(hasZeroOutcomeVariance(group.getTrajectories()) ? 1 : 0);
        long newestEvent = newestEventTime(group.getTrajectories());
        if (newestEvent > 0) {
            lastStepToAdvantage.update(System.currentTimeMillis() - newestEvent);
        }
        recordsOut.inc(batch.getRecords().size());
    }

    /**
     * Records what GiGPO's anchor memory did to one group: {@code singletons} of its {@code rows}
     * steps were still alone after pooling, and {@code forgotten} anchors were evicted after it.
     */
    public void recordAnchorMemory(int singletons, int rows, int forgotten) {
        for (int i = 0; i < rows; i++) {
            pooledSingletonSteps.add(i < singletons ? 1 : 0);
        }
        anchorsForgotten.inc(forgotten);
    }

    /** The newest event_time_ms of the group's steps, 0 when the fleet sets none. */
    static long newestEventTime(List<Trajectory> trajectories) {
        long newest = 0;
        for (Trajectory trajectory : trajectories) {
            for (var step : trajectory.getSteps()) {
                newest = Math.max(newest, step.getEventTimeMs());
            }
        }
        return newest;
    }

    /** True when every trajectory of a group of two or more had the same outcome. */
    static boolean hasZeroOutcomeVariance(List<Trajectory> trajectories) {
        if (trajectories.size() < 2) {
            return false;
        }
        double first = GroupCreditAssigner.episodeReturn(trajectories.get(0).getSteps());
        for (int i = 1; i < trajectories.size(); i++) {
            if (GroupCreditAssigner.episodeReturn(trajectories.get(i).getSteps()) != first) {
                return false;
            }
        }
        return true;
    }
}
