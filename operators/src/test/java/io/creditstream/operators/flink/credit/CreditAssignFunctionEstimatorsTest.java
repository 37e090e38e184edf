package io.creditstream.operators.flink.credit;

import static io.creditstream.operators.flink.TestSteps.step;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.creditstream.operators.core.assembly.Trajectories;
import io.creditstream.operators.core.credit.CreditParams;
import io.creditstream.operators.core.credit.Estimator;
import io.creditstream.operators.core.credit.PureParams;
import io.creditstream.schemas.AdvantageBatch;
import io.creditstream.schemas.AdvantageRecord;
import io.creditstream.schemas.StepEvent;
import io.creditstream.schemas.internal.Trajectory;
import io.creditstream.schemas.internal.TrajectoryGroup;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.junit.jupiter.api.Test;

/**
 * The job's credit operator with TEMPO, PURE and IGPO: the StepEvent fields each estimator reads
 * reach its kernel, and the advantages leave in the batch (hand-computed, docs/ALGORITHMS.md
 * §5–§7).
 */
class CreditAssignFunctionEstimatorsTest {

    private static final double EPS = 1e-6;
    private static final double TOL = 1e-9;

    @Test
    void tempoBranchesOnActionsAndOnStateKeysWhereTheActionIsMissing() throws Exception {
        // Tokens: e0 = a:x a:y (1), e1 = a:x s:door (0), e2 = a:x s:door (1), e3 = s:x (0): the
        // observation x of e3 is a state, not the action x, so e3 branches off at once.
        // mu = 0.5, sigma = sqrt(1/3); V(x) = 2/3, V(x y) = 1, V(x door) = 0.5, V(s:x) = 0.
        List<Trajectory> trajectories =
                List.of(
                        trajectory("e0", 1.0, s -> s.setAction("x"), s -> s.setAction("y")),
                        trajectory("e1", 0.0, s -> s.setAction("x"), withoutAction("door")),
                        trajectory("e2", 1.0, s -> s.setAction("x"), withoutAction("door")),
                        trajectory(
                                "e3",
                                0.0,
                                s -> {
                                    s.setAction(null);
                                    s.setStateKey(null);
                                    s.setObservation("x");
                                }));

        List<AdvantageRecord> records = assign(Estimator.TEMPO, trajectories);

        double d = Math.sqrt(1.0 / 3) + EPS;
        assertThat(records)
                .extracting(AdvantageRecord::getEstimator)
                .containsOnly(Estimator.TEMPO.configName());
        assertAdvantages(
                records,
                2.0 / 3 / d,
                5.0 / 6 / d,
                -1.0 / 3 / d,
                -2.0 / 3 / d,
                2.0 / 3 / d,
                1.0 / 3 / d,
                -1.0 / d);
    }

    @Test
    void pureReadsProcessScoresAndTokenCounts() throws Exception {
        List<Trajectory> trajectories =
                List.of(
                        trajectory(
                                "e0",
                                1.0,
                                s -> {
                                    s.setProcessScore(0.5);
                                    s.setTokenCount(3);
                                }),
                        trajectory(
                                "e1",
                                0.0,
                                s -> {
                                    s.setProcessScore(-0.5);
                                    s.setTokenCount(1);
                                }));

        // Step baseline: r = (0.5, -0.5), baselines (-0.5, 0.5), vr' = (1, -1).
        List<AdvantageRecord> step =
                assign(CreditParams.defaults().withEstimator(Estimator.PURE), trajectories);
        assertAdvantages(step, 2.0, -2.0);
        assertThat(step).extracting(AdvantageRecord::getProcessReward).containsExactly(0.5, -0.5);

        // Token baseline: L = (4, 2), rpt = (-0.5 / 2, 0.5 / 4).
        List<AdvantageRecord> token =
                assign(
                        CreditParams.defaults()
                                .withEstimator(Estimator.PURE)
                                .withPure(
                                        PureParams.defaults()
                                                .withBaseline(PureParams.Baseline.TOKEN)),
                        trajectories);
        assertAdvantages(token, 0.5 + 0.25 * 3 + 1, -0.5 - 0.125 - 1);
    }

    @Test
    void igpoReadsTheAnswerBeliefOfEveryStep() throws Exception {
        List<Trajectory> trajectories =
                List.of(
                        trajectory("e0", 1.0, s -> s.setAnswerProb(0.2), s -> s.setAnswerProb(0.6)),
                        trajectory("e1", 0.0, s -> s.setAnswerProb(0.5)));

        List<AdvantageRecord> records = assign(Estimator.IGPO, trajectories);

        // Pool {0.4, 1, 0}: population variance plus 1e-8 under the root.
        double gain = 0.6 - 0.2;
        double mean = (gain + 1.0 + 0.0) / 3;
        double variance = (sq(gain - mean) + sq(1.0 - mean) + sq(0.0 - mean)) / 3;
        double std = Math.sqrt(variance + 1e-8) + EPS;
        assertAdvantages(
                records,
                (gain - mean) / std + (1.0 - mean) / std,
                (1.0 - mean) / std,
                (0.0 - mean) / std);
        assertThat(records.get(0).getProcessReward()).isCloseTo(gain, within(TOL));
        assertThat(records.get(1).getProcessReward()).isNull();
    }

    private static List<AdvantageRecord> assign(Estimator estimator, List<Trajectory> trajectories)
            throws Exception {
        return assign(CreditParams.defaults().withEstimator(estimator), trajectories);
    }

    private static List<AdvantageRecord> assign(CreditParams params, List<Trajectory> trajectories)
            throws Exception {
        try (OneInputStreamOperatorTestHarness<TrajectoryGroup, AdvantageBatch> harness =
                ProcessFunctionTestHarnesses.forProcessFunction(new CreditAssignFunction(params))) {
            harness.processElement(
                    TrajectoryGroup.newBuilder()
                            .setExperimentId("exp")
                            .setTaskId("task-1")
                            .setGroupId("g")
                            .setExpectedSize(trajectories.size())
                            .setPartial(false)
                            .setTrajectories(trajectories)
                            .build(),
                    0);
            assertThat(harness.getSideOutput(io.creditstream.operators.flink.DeadLetters.TAG))
                    .isNull();
            List<AdvantageBatch> batches = harness.extractOutputValues();
            assertThat(batches).hasSize(1);
            return batches.get(0).getRecords();
        }
    }

    /** One trajectory of the group "g" with the given outcome; each edit shapes one step. */
    @SafeVarargs
    private static Trajectory trajectory(
            String episode, double outcome, Consumer<StepEvent>... edits) {
        List<StepEvent> steps = new ArrayList<>();
        for (int i = 0; i < edits.length; i++) {
            boolean done = i == edits.length - 1;
            StepEvent s = step("g", episode, i, done, 4);
            s.setReward(0.0);
            s.setEpisodeReturn(done ? outcome : null);
            edits[i].accept(s);
            steps.add(s);
        }
        return Trajectories.of(steps);
    }

    private static Consumer<StepEvent> withoutAction(String stateKey) {
        return s -> {
            s.setAction(null);
            s.setStateKey(stateKey);
        };
    }

    private static void assertAdvantages(List<AdvantageRecord> records, double... expected) {
        assertThat(records).hasSize(expected.length);
        for (int i = 0; i < expected.length; i++) {
            assertThat(records.get(i).getAdvantage())
                    .as("record %d", i)
                    .isCloseTo(expected[i], within(TOL));
        }
    }

    private static double sq(double x) {
        return x * x;
    }
}
