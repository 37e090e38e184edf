package io.creditstream.operators.flink.credit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.creditstream.operators.core.assembly.Trajectories;
import io.creditstream.operators.core.credit.CreditParams;
import io.creditstream.operators.core.credit.Estimator;
import io.creditstream.operators.flink.CreditMetrics;
import io.creditstream.schemas.AdvantageBatch;
import io.creditstream.schemas.StepEvent;
import io.creditstream.schemas.internal.Trajectory;
import io.creditstream.schemas.internal.TrajectoryGroup;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.testutils.MetricListener;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.junit.jupiter.api.Test;

/**
 * Shadow estimators: worked out by hand on one two-trajectory group, primary GRPO, shadow GiGPO (γ
 * 0.95, mean-std, ε 1e-6). Trajectory 1 visits s then a (rewards 0, 1), trajectory 2 visits s then
 * b (rewards 0, 0).
 *
 * <ul>
 *   <li>GRPO: outcomes {1, 0}, std √0.5: every row of trajectory 1 gets +0.5/(√0.5 + ε), of 2 the
 *       negative;
 *   <li>GiGPO: episode level over the 4 step rows {1, 1, 0, 0}, std √(1/3): ±0.5/(√(1/3) + ε); step
 *       level: s holds G = 0.95 and 0, std 0.95/√2: ±0.475/(0.95/√2 + ε); a and b are singletons
 *       (0).
 * </ul>
 *
 * Rows in order (t1 s, t1 a, t2 s, t2 b): GRPO ranks 3.5, 3.5, 1.5, 1.5; GiGPO ranks 4, 3, 1, 2, so
 * ρ = 4 / √(4 · 5); every sign agrees.
 */
class ShadowEstimatorsTest {
    private static final double EPS = 1e-6;

    @Test
    void aShadowIsMeasuredAgainstThePrimaryOnTheSameGroup() {
        MetricListener listener = new MetricListener();
        ShadowEstimators shadows =
                new ShadowEstimators(grpo(), List.of(Estimator.GIGPO, Estimator.RLOO));
        shadows.open(listener.getMetricGroup());

        // Before any group every series is NaN, so that an idle subtask does not pull averages.
        assertThat(gauge(listener, "gigpo", CreditMetrics.SHADOW_SIGN_AGREEMENT)).isNaN();
        assertThat(gauge(listener, "gigpo", CreditMetrics.SHADOW_ADVANTAGE_STD)).isNaN();
        assertThat(gauge(listener, "rloo", CreditMetrics.SHADOW_ZERO_VARIANCE_GROUP_RATIO)).isNaN();

        TrajectoryGroup group = twoTrajectories();
        AdvantageBatch primary =
                new io.creditstream.operators.core.credit.GroupCreditAssigner(grpo()).assign(group);
        shadows.record(group, primary);

        assertThat(gauge(listener, "gigpo", CreditMetrics.SHADOW_RANK_CORRELATION))
                .isCloseTo(4 / Math.sqrt(20), within(1e-12));
        assertThat(gauge(listener, "gigpo", CreditMetrics.SHADOW_SIGN_AGREEMENT)).isEqualTo(1.0);
        double episode = 0.5 / (Math.sqrt(1.0 / 3) + EPS);
        double step = 0.475 / (0.95 / Math.sqrt(2) + EPS);
        double[] gigpo = {episode + step, episode, -episode - step, -episode};
        assertThat(gauge(listener, "gigpo", CreditMetrics.SHADOW_ADVANTAGE_STD))
                .isCloseTo(populationStd(gigpo), within(1e-9));
        assertThat(gauge(listener, "gigpo", CreditMetrics.SHADOW_ZERO_VARIANCE_GROUP_RATIO))
                .isZero();
        // RLOO scales GRPO's centred outcomes: the same ranking, the same signs.
        assertThat(gauge(listener, "rloo", CreditMetrics.SHADOW_RANK_CORRELATION))
                .isCloseTo(1.0, within(1e-12));

        // A group with one outcome: GRPO and both shadows are constant, which ranks alike (1).
        TrajectoryGroup flat = group("flat", List.of(0.0, 0.0), List.of(0.0, 0.0));
        shadows.record(
                flat,
                new io.creditstream.operators.core.credit.GroupCreditAssigner(grpo()).assign(flat));
        assertThat(gauge(listener, "rloo", CreditMetrics.SHADOW_ZERO_VARIANCE_GROUP_RATIO))
                .isEqualTo(0.5);
        assertThat(gauge(listener, "rloo", CreditMetrics.SHADOW_RANK_CORRELATION))
                .isCloseTo(1.0, within(1e-12));
    }

    @Test
    void shadowsNeverChangeThePrimarysOutput() throws Exception {
        List<AdvantageBatch> plain = run(new CreditAssignFunction(grpo()));
        List<AdvantageBatch> shadowed =
                run(
                        new CreditAssignFunction(
                                grpo(),
                                new ShadowEstimators(
                                        grpo(), List.of(Estimator.GIGPO, Estimator.DR_GRPO))));
        assertThat(shadowed).isEqualTo(plain).hasSize(1);
    }

    @Test
    void oprlThePrimaryItselfAndRepeatsAreRefusedByName() {
        assertThatThrownBy(() -> new ShadowEstimators(grpo(), List.of(Estimator.OPRL)))
                .hasMessageContaining(ShadowEstimators.KEY)
                .hasMessageContaining("oprl");
        assertThatThrownBy(() -> new ShadowEstimators(grpo(), List.of(Estimator.GRPO)))
                .hasMessageContaining("already credit.estimator");
        assertThatThrownBy(
                        () -> new ShadowEstimators(grpo(), List.of(Estimator.RLOO, Estimator.RLOO)))
                .hasMessageContaining("more than once");
    }

    private static List<AdvantageBatch> run(CreditAssignFunction function) throws Exception {
        try (OneInputStreamOperatorTestHarness<TrajectoryGroup, AdvantageBatch> harness =
                ProcessFunctionTestHarnesses.forProcessFunction(function)) {
            harness.processElement(twoTrajectories(), 0);
            return harness.extractOutputValues();
        }
    }

    private static CreditParams grpo() {
        return CreditParams.defaults().withEstimator(Estimator.GRPO);
    }

    private static double gauge(MetricListener listener, String shadow, String name) {
        Gauge<Double> gauge =
                listener.<Double>getGauge(CreditMetrics.SHADOW_LABEL, shadow, name)
                        .orElseThrow(() -> new AssertionError("no gauge " + shadow + "/" + name));
        return gauge.getValue();
    }

    private static double populationStd(double[] values) {
        double mean = 0;
        for (double v : values) {
            mean += v;
        }
        mean /= values.length;
        double squares = 0;
        for (double v : values) {
            squares += (v - mean) * (v - mean);
        }
        return Math.sqrt(squares / values.length);
    }

    private static TrajectoryGroup twoTrajectories() {
        TrajectoryGroup group = group("g", List.of(0.0, 1.0), List.of(0.0, 0.0));
        // States: s then a, s then b.
        group.getTrajectories().get(0).getSteps().get(1).setStateKey("a");
        group.getTrajectories().get(1).getSteps().get(1).setStateKey("b");
        return group;
    }

    /** One trajectory per list of rewards; every first step at state s. */
    @SafeVarargs
    private static TrajectoryGroup group(String groupId, List<Double>... rewards) {
        List<Trajectory> trajectories = new ArrayList<>();
        for (int t = 0; t < rewards.length; t++) {
            List<StepEvent> steps = new ArrayList<>();
            for (int i = 0; i < rewards[t].size(); i++) {
                StepEvent s =
                        io.creditstream.operators.flink.TestSteps.step(
                                groupId,
                                groupId + "-" + t,
                                i,
                                i == rewards[t].size() - 1,
                                rewards.length);
                s.setReward(rewards[t].get(i));
                s.setStateKey(i == 0 ? "s" : "later-" + t + "-" + i);
                steps.add(s);
            }
            trajectories.add(Trajectories.of(steps));
        }
        return TrajectoryGroup.newBuilder()
                .setExperimentId("exp")
                .setTaskId("task-1")
                .setGroupId(groupId)
                .setExpectedSize(rewards.length)
                .setPartial(false)
                .setTrajectories(trajectories)
                .build();
    }
}
