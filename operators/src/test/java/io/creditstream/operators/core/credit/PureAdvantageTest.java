package io.creditstream.operators.core.credit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Hand-computed checks of PURE's min-form credit (docs/ALGORITHMS.md §6). */
class PureAdvantageTest {

    private static final double TOL = 1e-9;

    // Trajectory a: PR = (0.5, -0.5), solved. With T = 0.1 the weights are softmax(-5, 5).
    private static final double W0 = 1 / (1 + Math.exp(10));
    private static final double W1 = Math.exp(10) / (1 + Math.exp(10));
    private static final double R0 = 0.5 * W0;
    private static final double R1 = -0.5 * W1;
    private static final double OUTCOME_A = R0 + R1;
    // Trajectory b: PR = (0.2), unsolved: one step, weight 1, outcome 0.2.
    private static final double OUTCOME_B = 0.2;

    @Test
    void minFormWeightsStepBaselineAndVerifiableReward() {
        List<List<StepCredit>> credits = estimate(pure(), solvedA(), unsolvedB());

        // Step baselines: b_a = (0.2 / 1) / 1; b_b = (outcome_a / 2) / 1.
        // vr = (0, -1): vr'_a = 0 - (-1) = 1, vr'_b = -1 - 0 = -1.
        double g1 = (R1 - 0.2) + 1;
        double g0 = (R0 - 0.2) + (R1 - 0.2) + 1;
        assertStep(credits.get(0).get(0), g0, 1, (R0 - 0.2) + (R1 - 0.2), R0);
        assertStep(credits.get(0).get(1), g1, 1, R1 - 0.2, R1);
        double gb = (OUTCOME_B - OUTCOME_A / 2) - 1;
        assertStep(credits.get(1).get(0), gb, -1, OUTCOME_B - OUTCOME_A / 2, OUTCOME_B);
    }

    @Test
    void tokenBaselineChargesEachStepItsTokensAtTheOthersRate() {
        List<List<StepCredit>> credits =
                estimate(
                        pure().withPure(
                                        PureParams.defaults()
                                                .withBaseline(PureParams.Baseline.TOKEN)),
                        solvedA(),
                        unsolvedB());

        // L_a = (3 + 1) + (5 + 1) = 10, L_b = 4 + 1 = 5.
        // rpt_a = outcome_b / L_b = 0.04; rpt_b = outcome_a / L_a.
        double a1 = R1 - 0.04 * 5;
        double a0 = R0 - 0.04 * 3;
        assertThat(credits.get(0).get(1).advantage()).isCloseTo(a1 + 1, within(TOL));
        assertThat(credits.get(0).get(0).advantage()).isCloseTo(a0 + a1 + 1, within(TOL));
        double b0 = OUTCOME_B - OUTCOME_A / 10 * 4;
        assertThat(credits.get(1).get(0).advantage()).isCloseTo(b0 - 1, within(TOL));
    }

    @Test
    void theTokenBaselineNeedsEveryTokenCount() {
        TrajectorySample noCounts =
                new TrajectorySample("c", 1, List.of(step(0.3, null), step(0.1, null)));
        CreditParams token =
                pure().withPure(PureParams.defaults().withBaseline(PureParams.Baseline.TOKEN));

        assertThatThrownBy(() -> estimate(token, solvedA(), noCounts))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("credit.pure.baseline=token")
                .hasMessageContaining("token_count")
                .hasMessageContaining("episode c");
        // The step baseline does not read them.
        assertThat(estimate(pure(), solvedA(), noCounts)).hasSize(2);
    }

    @Test
    void rewardModesDropTheTermsTheyDoNotName() {
        List<List<StepCredit>> prmOnly =
                estimate(
                        pure().withPure(
                                        PureParams.defaults()
                                                .withRewardMode(PureParams.RewardMode.PRM)),
                        solvedA(),
                        unsolvedB());
        List<List<StepCredit>> vrOnly =
                estimate(
                        pure().withPure(
                                        PureParams.defaults()
                                                .withRewardMode(PureParams.RewardMode.VR)
                                                .withVerifiableRewardCoef(0.5)),
                        solvedA(),
                        unsolvedB());

        assertThat(prmOnly.get(0).get(1).advantage()).isCloseTo(R1 - 0.2, within(TOL));
        assertThat(prmOnly.get(1).get(0).episodeAdvantage()).isZero();
        assertThat(vrOnly.get(0).get(0).advantage()).isCloseTo(0.5, within(TOL));
        assertThat(vrOnly.get(0).get(1).advantage()).isCloseTo(0.5, within(TOL));
        assertThat(vrOnly.get(1).get(0).advantage()).isCloseTo(-0.5, within(TOL));
        assertThat(vrOnly.get(0).get(0).processReward()).isNull();
    }

    @Test
    void theWeightedSumApproachesTheMinimumAsTheTemperatureFalls() {
        TrajectorySample c =
                new TrajectorySample("c", 1, List.of(step(0.9, 1), step(-0.3, 1), step(0.4, 1)));
        TrajectorySample d = new TrajectorySample("d", 1, List.of(step(0.0, 1)));
        List<List<StepCredit>> credits =
                estimate(
                        pure().withPure(
                                        PureParams.defaults()
                                                .withTemperature(0.01)
                                                .withRewardMode(PureParams.RewardMode.PRM)),
                        c,
                        d);

        double outcome = 0;
        for (StepCredit step : credits.get(0)) {
            outcome += step.processReward();
        }
        assertThat(outcome).isCloseTo(-0.3, within(TOL));
        // Nearly all of the weight sits on the argmin step.
        assertThat(credits.get(0).get(2).processReward()).isCloseTo(0.0, within(TOL));
        assertThat(credits.get(0).get(0).processReward()).isCloseTo(0.0, within(TOL));
    }

    @Test
    void aMissingProcessScoreCountsAsZero() {
        TrajectorySample missing =
                new TrajectorySample("c", 0, List.of(step(null, 1), step(-1.0, 1)));
        TrajectorySample zero = new TrajectorySample("c", 0, List.of(step(0.0, 1), step(-1.0, 1)));

        List<List<StepCredit>> a = estimate(pure(), solvedA(), missing);
        List<List<StepCredit>> b = estimate(pure(), solvedA(), zero);

        for (int t = 0; t < 2; t++) {
            for (int s = 0; s < 2; s++) {
                assertThat(a.get(t).get(s).advantage()).isEqualTo(b.get(t).get(s).advantage());
            }
        }
    }

    @Test
    void aGroupOfOneHasNoBaseline() {
        List<List<StepCredit>> credits = estimate(pure(), unsolvedB());

        // vr' = vr = -1; no baseline on the process reward.
        assertThat(credits.get(0).get(0).advantage()).isCloseTo(OUTCOME_B - 1, within(TOL));
    }

    private static CreditParams pure() {
        return CreditParams.defaults().withEstimator(Estimator.PURE);
    }

    private static TrajectorySample solvedA() {
        return new TrajectorySample("a", 1, List.of(step(0.5, 3), step(-0.5, 5)));
    }

    private static TrajectorySample unsolvedB() {
        return new TrajectorySample("b", 0, List.of(step(0.2, 4)));
    }

    private static StepSample step(Double processScore, Integer tokens) {
        return new StepSample(null, 0, false, null, processScore, tokens, null);
    }

    private static List<List<StepCredit>> estimate(CreditParams params, TrajectorySample... group) {
        return new CreditEstimator(params).estimate(new ArrayList<>(List.of(group)));
    }

    private static void assertStep(
            StepCredit credit,
            double advantage,
            double verifiable,
            double processReturn,
            double reward) {
        assertThat(credit.advantage()).isCloseTo(advantage, within(TOL));
        assertThat(credit.episodeAdvantage()).isCloseTo(verifiable, within(TOL));
        assertThat(credit.stepAdvantage()).isCloseTo(processReturn, within(TOL));
        assertThat(credit.processReward()).isCloseTo(reward, within(TOL));
    }
}
