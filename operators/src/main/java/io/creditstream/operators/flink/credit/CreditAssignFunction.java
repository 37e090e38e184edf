package io.creditstream.operators.flink.credit;

import io.creditstream.operators.core.credit.CreditParams;
import io.creditstream.operators.core.credit.GroupCreditAssigner;
import io.creditstream.operators.flink.DeadLetters;
import io.creditstream.schemas.AdvantageBatch;
import io.creditstream.schemas.internal.TrajectoryGroup;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Computes the advantages of one complete group with a stateless estimator (grpo, rloo, dr-grpo,
 * gigpo, tempo, pure, igpo) and publishes the credit-quality metrics. Stateless: a group carries
 * everything it needs. A group the estimator fails on is dead-lettered (see {@link GroupFailures}).
 */
public class CreditAssignFunction extends ProcessFunction<TrajectoryGroup, AdvantageBatch> {
    private static final long serialVersionUID = 1L;

    private final GroupCreditAssigner assigner;
    private final ShadowEstimators shadows;

    private transient CreditQualityMetrics metrics;
    private transient GroupFailures failures;

    public CreditAssignFunction(CreditParams params) {
        this(params, ShadowEstimators.none());
    }

    /** With shadow estimators computed on the same groups, for their metrics only. */
    public CreditAssignFunction(CreditParams params, ShadowEstimators shadows) {
        this.assigner = new GroupCreditAssigner(params);
        this.shadows = shadows;
    }

    @Override
    public void open(OpenContext openContext) {
        metrics = new CreditQualityMetrics(getRuntimeContext().getMetricGroup());
        failures = new GroupFailures(getRuntimeContext().getMetricGroup());
        shadows.open(getRuntimeContext().getMetricGroup());
    }

    @Override
    public void processElement(TrajectoryGroup group, Context ctx, Collector<AdvantageBatch> out) {
        AdvantageBatch batch =
                failures.guard(
                        group,
                        assigner::assign,
                        ctx.timerService().currentProcessingTime(),
                        letter -> ctx.output(DeadLetters.TAG, letter));
        if (batch != null) {
            metrics.record(group, batch);
            shadows.record(group, batch);
            out.collect(batch);
        }
    }
}
