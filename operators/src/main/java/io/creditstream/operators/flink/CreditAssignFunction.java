package io.creditstream.operators.flink;

import io.creditstream.operators.core.GroupCreditAssigner;
import io.creditstream.operators.core.credit.CreditParams;
import io.creditstream.schemas.AdvantageBatch;
import io.creditstream.schemas.internal.TrajectoryGroup;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichMapFunction;

/**
 * Computes the advantages of one complete group with a stateless estimator (grpo, rloo, dr-grpo,
 * gigpo) and publishes the credit-quality metrics. Stateless: a group carries everything it needs.
 */
public class CreditAssignFunction extends RichMapFunction<TrajectoryGroup, AdvantageBatch> {
    private static final long serialVersionUID = 1L;

    private final GroupCreditAssigner assigner;

    private transient CreditQualityMetrics metrics;

    public CreditAssignFunction(CreditParams params) {
        this.assigner = new GroupCreditAssigner(params);
    }

    @Override
    public void open(OpenContext openContext) {
        metrics = new CreditQualityMetrics(getRuntimeContext().getMetricGroup());
    }

    @Override
    public AdvantageBatch map(TrajectoryGroup group) {
        AdvantageBatch batch = assigner.assign(group);
        metrics.record(group, batch);
        return batch;
    }
}
