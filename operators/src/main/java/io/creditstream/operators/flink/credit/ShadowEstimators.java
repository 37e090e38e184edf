package io.creditstream.operators.flink.credit;

import io.creditstream.operators.core.credit.CreditParams;
import io.creditstream.operators.core.credit.Estimator;
import io.creditstream.operators.core.credit.GroupCreditAssigner;
import io.creditstream.operators.core.credit.ShadowComparison;
import io.creditstream.operators.core.metrics.RollingWindow;
import io.creditstream.operators.flink.CreditMetrics;
import io.creditstream.schemas.AdvantageBatch;
import io.creditstream.schemas.AdvantageRecord;
import io.creditstream.schemas.internal.TrajectoryGroup;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The estimators a user compares with the primary on the live stream ({@code
 * credit.shadow-estimators}): each computes its advantages for every group the primary credits, and
 * only metrics come out — rank correlation and sign agreement with the primary, its own advantage
 * std and zero-variance group ratio, one series per shadow under the label {@code shadow}. The
 * primary's output never depends on them; a shadow that fails on a group is counted and skipped.
 */
public final class ShadowEstimators implements Serializable {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(ShadowEstimators.class);

    public static final String KEY = "credit.shadow-estimators";

    private final List<GroupCreditAssigner> assigners = new ArrayList<>();
    private transient List<Shadow> shadows;

    /**
     * Shadows of {@code primary}'s settings with another estimator each.
     *
     * @throws IllegalArgumentException naming {@link #KEY} for OPRL (it needs the PRM's keyed
     *     state), the primary itself or an estimator listed twice
     */
    public ShadowEstimators(CreditParams primary, List<Estimator> estimators) {
        for (Estimator estimator : estimators) {
            if (estimator == Estimator.OPRL) {
                throw new IllegalArgumentException(
                        KEY
                                + " cannot include oprl: its process-reward model learns from the"
                                + " groups it credits, so it runs only as credit.estimator");
            }
            if (estimator == primary.estimator()) {
                throw new IllegalArgumentException(
                        KEY
                                + " names "
                                + estimator.configName()
                                + ", which is already credit.estimator; list other estimators");
            }
            if (estimators.indexOf(estimator) != estimators.lastIndexOf(estimator)) {
                throw new IllegalArgumentException(
                        KEY + " names " + estimator.configName() + " more than once");
            }
            assigners.add(new GroupCreditAssigner(primary.withEstimator(estimator)));
        }
    }

    /** No shadows. */
    public static ShadowEstimators none() {
        return new ShadowEstimators(CreditParams.defaults(), List.of());
    }

    public boolean isEmpty() {
        return assigners.isEmpty();
    }

    /** Registers every shadow's metrics; call from the operator's {@code open}. */
    public void open(MetricGroup operatorMetrics) {
        shadows = new ArrayList<>(assigners.size());
        for (GroupCreditAssigner assigner : assigners) {
            shadows.add(
                    new Shadow(
                            assigner,
                            operatorMetrics.addGroup(
                                    CreditMetrics.SHADOW_LABEL,
                                    assigner.params().estimator().configName())));
        }
    }

    /** Computes every shadow on {@code group} and compares it with the primary's {@code batch}. */
    public void record(TrajectoryGroup group, AdvantageBatch batch) {
        if (shadows == null || shadows.isEmpty()) {
            return;
        }
        double[] primary = advantages(batch);
        for (Shadow shadow : shadows) {
            shadow.record(group, primary);
        }
    }

    private static double[] advantages(AdvantageBatch batch) {
        List<AdvantageRecord> records = batch.getRecords();
        double[] values = new double[records.size()];
        for (int i = 0; i < values.length; i++) {
            values[i] = records.get(i).getAdvantage();
        }
        return values;
    }

    private static final class Shadow {
        private final GroupCreditAssigner assigner;
        private final RollingWindow rankCorrelation = new RollingWindow(CreditMetrics.GROUP_WINDOW);
        private final RollingWindow signAgreement = new RollingWindow(CreditMetrics.STEP_WINDOW);
        private final RollingWindow advantages = new RollingWindow(CreditMetrics.STEP_WINDOW);
        private final RollingWindow constantGroups = new RollingWindow(CreditMetrics.GROUP_WINDOW);
        private final Counter failures;

        Shadow(GroupCreditAssigner assigner, MetricGroup metrics) {
            this.assigner = assigner;
            // NaN, not 0, before a subtask has seen a group: with parallelism above the number
            // of busy subtasks (OPRL's shards) an idle subtask's 0 would drag averages down;
            // the dashboard drops NaN samples.
            metrics.gauge(CreditMetrics.SHADOW_RANK_CORRELATION, () -> meanOrNaN(rankCorrelation));
            metrics.gauge(CreditMetrics.SHADOW_SIGN_AGREEMENT, () -> meanOrNaN(signAgreement));
            metrics.gauge(
                    CreditMetrics.SHADOW_ADVANTAGE_STD,
                    () -> advantages.size() == 0 ? Double.NaN : advantages.std());
            metrics.gauge(
                    CreditMetrics.SHADOW_ZERO_VARIANCE_GROUP_RATIO,
                    () -> meanOrNaN(constantGroups));
            failures = metrics.counter(CreditMetrics.SHADOW_FAILURES);
        }

        private static double meanOrNaN(RollingWindow window) {
            return window.size() == 0 ? Double.NaN : window.mean();
        }

        void record(TrajectoryGroup group, double[] primary) {
            double[] shadow;
            try {
                shadow = ShadowEstimators.advantages(assigner.assign(group));
            } catch (RuntimeException e) {
                failures.inc();
                LOG.debug(
                        "shadow estimator {} failed on group {}",
                        assigner.params().estimator().configName(),
                        group.getGroupId(),
                        e);
                return;
            }
            ShadowComparison comparison = ShadowComparison.of(primary, shadow);
            if (!Double.isNaN(comparison.rankCorrelation())) {
                rankCorrelation.add(comparison.rankCorrelation());
            }
            for (int i = 0; i < shadow.length; i++) {
                // Which rows agree does not matter to the window's mean, only how many.
                signAgreement.add(i < comparison.agreeingSigns() ? 1 : 0);
                advantages.add(shadow[i]);
            }
            constantGroups.add(comparison.shadowConstant() ? 1 : 0);
        }
    }
}
