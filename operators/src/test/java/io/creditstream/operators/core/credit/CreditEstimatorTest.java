package io.creditstream.operators.core.credit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Hand-computed checks of every estimator rule of docs/ALGORITHMS.md §1–§2. */
class CreditEstimatorTest {

    private static final double EPS = 1e-6;
    private static final double TOL = 1e-9;

    // ---------------------------------------------------------------- GRPO

    @Test
    void grpoNormalisesOutcomesWithTheUnbiasedStd() {
        List<List<StepCredit>> credits =
                estimate(
                        params(Estimator.GRPO),
                        outcome("a", 1),
                        outcome("b", 0),
                        outcome("c", 0),
                        outcome("d", 1));

        double mean = (1 + 0 + 0 + 1) / 4.0;
        double std = Math.sqrt((sq(1 - mean) + sq(0 - mean) + sq(0 - mean) + sq(1 - mean)) / 3);
        assertEpisodeOnly(credits.get(0).get(0), (1 - mean) / (std + EPS));
        assertEpisodeOnly(credits.get(1).get(0), (0 - mean) / (std + EPS));
        assertEpisodeOnly(credits.get(2).get(0), (0 - mean) / (std + EPS));
        assertEpisodeOnly(credits.get(3).get(0), (1 - mean) / (std + EPS));
    }

    @Test
    void grpoWithMeanNormalisationOnlySubtractsTheMean() {
        List<List<StepCredit>> credits =
                estimate(
                        params(Estimator.GRPO).withNormalization(Normalization.MEAN),
                        outcome("a", 1),
                        outcome("b", 0),
                        outcome("c", 0),
                        outcome("d", 1));

        double mean = (1 + 0 + 0 + 1) / 4.0;
        assertEpisodeOnly(credits.get(0).get(0), 1 - mean);
        assertEpisodeOnly(credits.get(1).get(0), 0 - mean);
    }

    @Test
    void grpoScoresCarryTheInvalidActionPenalty() {
        // verl-agent's glue subtracts the penalty for GRPO too: scores {1, 1 − 0.1}.
        List<List<StepCredit>> credits =
                estimate(
                        params(Estimator.GRPO),
                        trajectory("a", 1, at("s", 1)),
                        trajectory("b", 1, invalidAt("s", 1)));

        double mean = (1 + 0.9) / 2;
        double std = Math.sqrt((sq(1 - mean) + sq(0.9 - mean)) / 1);
        assertEpisodeOnly(credits.get(0).get(0), (1 - mean) / (std + EPS));
        assertEpisodeOnly(credits.get(1).get(0), (0.9 - mean) / (std + EPS));

        List<List<StepCredit>> withoutPenalty =
                estimate(
                        params(Estimator.GRPO).withInvalidActionPenalty(0),
                        trajectory("a", 1, at("s", 1)),
                        trajectory("b", 1, invalidAt("s", 1)));
        assertThat(withoutPenalty.get(0).get(0).advantage()).isZero();
        assertThat(withoutPenalty.get(1).get(0).advantage()).isZero();
    }

    @Test
    void nonGigpoEstimatorsReportAnchorGroupsButNoStepAdvantage() {
        for (Estimator estimator :
                new Estimator[] {Estimator.GRPO, Estimator.RLOO, Estimator.DR_GRPO}) {
            List<List<StepCredit>> credits =
                    estimate(
                            params(estimator).withGamma(0.5),
                            trajectory("a", 1, at("s0", 0), at("s1", 1)),
                            trajectory("b", 0, at("s0", 0), at("x", 0), at(null, 0)));

            assertThat(credits.get(0).get(0).anchorGroupSize()).isEqualTo(2);
            assertThat(credits.get(1).get(0).anchorGroupSize()).isEqualTo(2);
            assertThat(credits.get(0).get(1).anchorGroupSize()).isEqualTo(1);
            assertThat(credits.get(1).get(2).anchorGroupSize()).isEqualTo(1);
            // Step returns are still reported: 0 + 0.5·1.
            assertThat(credits.get(0).get(0).stepReturn()).isCloseTo(0 + 0.5 * 1, within(TOL));
            for (List<StepCredit> trajectory : credits) {
                for (StepCredit credit : trajectory) {
                    assertThat(credit.stepAdvantage()).isZero();
                    assertThat(credit.advantage()).isEqualTo(credit.episodeAdvantage());
                }
            }
        }
    }

    // ------------------------------------------------------------ Dr.GRPO

    @Test
    void drGrpoNeverDividesByTheStd() {
        for (Normalization normalization : Normalization.values()) {
            List<List<StepCredit>> credits =
                    estimate(
                            params(Estimator.DR_GRPO).withNormalization(normalization),
                            outcome("a", 1),
                            outcome("b", 0),
                            outcome("c", 0),
                            trajectory("d", 1, invalidAt("s", 1)));

            double mean = (1 + 0 + 0 + 0.9) / 4.0;
            assertEpisodeOnly(credits.get(0).get(0), 1 - mean);
            assertEpisodeOnly(credits.get(1).get(0), 0 - mean);
            assertEpisodeOnly(credits.get(3).get(0), 0.9 - mean);
        }
    }

    @Test
    void drGrpoSingletonKeepsTheRawScore() {
        List<List<StepCredit>> credits = estimate(params(Estimator.DR_GRPO), outcome("a", 0.8));
        assertEpisodeOnly(credits.get(0).get(0), 0.8 - 0);
    }

    // ---------------------------------------------------------------- RLOO

    @Test
    void rlooUsesTheLeaveOneOutBaseline() {
        List<List<StepCredit>> credits =
                estimate(
                        params(Estimator.RLOO),
                        outcome("a", 1),
                        outcome("b", 0),
                        outcome("c", 0),
                        outcome("d", 1));

        double mean = (1 + 0 + 0 + 1) / 4.0;
        assertEpisodeOnly(credits.get(0).get(0), 4.0 / (4 - 1) * (1 - mean));
        assertEpisodeOnly(credits.get(1).get(0), 4.0 / (4 - 1) * (0 - mean));
        // The same as the score minus the mean of the other three.
        assertEpisodeOnly(credits.get(0).get(0), 1 - (0 + 0 + 1) / 3.0);
    }

    @Test
    void rlooCountsStepRowsAndIgnoresTheNormalizationSetting() {
        for (Normalization normalization : Normalization.values()) {
            List<List<StepCredit>> credits =
                    estimate(
                            params(Estimator.RLOO).withNormalization(normalization),
                            trajectory("a", 1, at("s0", 0), at("s1", 1)),
                            trajectory("b", 0, at("s0", 0)));

            // Scope steps: X = {1, 1, 0}, n = 3.
            double mean = (1 + 1 + 0) / 3.0;
            assertEpisodeOnly(credits.get(0).get(0), 3.0 / (3 - 1) * (1 - mean));
            assertEpisodeOnly(credits.get(0).get(1), 3.0 / (3 - 1) * (1 - mean));
            assertEpisodeOnly(credits.get(1).get(0), 3.0 / (3 - 1) * (0 - mean));
        }
    }

    @Test
    void rlooSingletonIsTheRawScore() {
        assertEpisodeOnly(estimate(params(Estimator.RLOO), outcome("a", 0.8)).get(0).get(0), 0.8);
        assertEpisodeOnly(
                estimate(params(Estimator.RLOO), trajectory("a", 0.8, invalidAt("s", 0.8)))
                        .get(0)
                        .get(0),
                0.8 - 0.1);
    }

    @Test
    void rlooOverTrajectoriesUsesTheTrajectoryCount() {
        List<List<StepCredit>> credits =
                estimate(
                        params(Estimator.RLOO).withEpisodeNormScope(EpisodeNormScope.TRAJECTORIES),
                        trajectory("a", 1, at("s0", 0), at("s1", 1)),
                        trajectory("b", 0, at("s0", 0)));

        // X = {1, 0}, n = 2.
        double mean = (1 + 0) / 2.0;
        assertEpisodeOnly(credits.get(0).get(1), 2.0 / (2 - 1) * (1 - mean));
        assertEpisodeOnly(credits.get(1).get(0), 2.0 / (2 - 1) * (0 - mean));
    }

    @Test
    void rlooOfEqualScoresIsExactlyZero() {
        TrajectorySample[] group = new TrajectorySample[8];
        for (int i = 0; i < group.length; i++) {
            group[i] = outcome("e" + i, 0.7);
        }
        for (List<StepCredit> trajectory : estimate(params(Estimator.RLOO), group)) {
            assertThat(trajectory.get(0).advantage()).isEqualTo(0.0);
        }
    }

    // ------------------------------------------------- episode singletons

    @Test
    void singleRowGroupKeepsTheRawScoreUnderEitherNormalization() {
        for (Estimator estimator : new Estimator[] {Estimator.GRPO, Estimator.GIGPO}) {
            StepCredit meanStd = estimate(params(estimator), outcome("a", 0.8)).get(0).get(0);
            StepCredit mean =
                    estimate(
                                    params(estimator).withNormalization(Normalization.MEAN),
                                    outcome("a", 0.8))
                            .get(0)
                            .get(0);

            assertThat(meanStd.episodeAdvantage()).isCloseTo((0.8 - 0) / (1 + EPS), within(TOL));
            assertThat(meanStd.advantage()).isCloseTo((0.8 - 0) / (1 + EPS), within(TOL));
            assertThat(mean.episodeAdvantage()).isCloseTo(0.8, within(TOL));
            assertThat(mean.advantage()).isCloseTo(0.8, within(TOL));
            // The step group is a singleton too, and that one gives 0.
            assertThat(meanStd.stepAdvantage()).isZero();
            assertThat(mean.stepAdvantage()).isZero();
        }
    }

    @Test
    void singleTrajectoryWithSeveralStepsIsNotASingletonUnderStepsScope() {
        List<List<StepCredit>> credits =
                estimate(
                        params(Estimator.GIGPO),
                        trajectory("a", 1, at("s0", 0), at("s1", 0), at("s2", 1)));

        for (StepCredit credit : credits.get(0)) {
            assertThat(credit.episodeAdvantage()).isEqualTo(0.0);
            assertThat(credit.stepAdvantage()).isEqualTo(0.0);
            assertThat(credit.advantage()).isEqualTo(0.0);
        }
    }

    @Test
    void singleTrajectoryIsASingletonUnderTrajectoriesScope() {
        List<List<StepCredit>> credits =
                estimate(
                        params(Estimator.GRPO).withEpisodeNormScope(EpisodeNormScope.TRAJECTORIES),
                        trajectory("a", 1, at("s0", 0), invalidAt("s1", 0), at("s2", 1)));

        // mean := 0, std := 1, each row with its own score.
        assertEpisodeOnly(credits.get(0).get(0), (1 - 0) / (1 + EPS));
        assertEpisodeOnly(credits.get(0).get(1), (1 - 0.1 - 0) / (1 + EPS));
        assertEpisodeOnly(credits.get(0).get(2), (1 - 0) / (1 + EPS));
    }

    // ------------------------------------------------------- all equal

    @Test
    void equalScoresGiveExactlyZeroWhereFloat32GaveNoise() {
        // §0: upstream float32 gives |A| = 0.056 for 8 × 0.7, 0.466 for 6 × 9.6, 0.007 for 8 × 0.1.
        double[][] cases = {{8, 0.7}, {6, 9.6}, {8, 0.1}};
        for (double[] c : cases) {
            TrajectorySample[] group = new TrajectorySample[(int) c[0]];
            for (int i = 0; i < group.length; i++) {
                group[i] = outcome("e" + i, c[1]);
            }
            for (Estimator estimator : CreditEstimatorTest.stateless()) {
                for (Normalization normalization : Normalization.values()) {
                    for (List<StepCredit> trajectory :
                            estimate(params(estimator).withNormalization(normalization), group)) {
                        assertThat(trajectory.get(0).episodeAdvantage()).isEqualTo(0.0);
                        assertThat(trajectory.get(0).stepAdvantage()).isEqualTo(0.0);
                        assertThat(trajectory.get(0).advantage()).isEqualTo(0.0);
                    }
                }
            }
        }
    }

    @Test
    void equalStepReturnsInAnAnchorGroupGiveExactlyZeroStepAdvantage() {
        // Eight trajectories reach anchor "s" with stepR 0.7 but end with different outcomes.
        TrajectorySample[] group = new TrajectorySample[8];
        for (int i = 0; i < group.length; i++) {
            group[i] = trajectory("e" + i, i % 2, at("s", 0.7), at("end" + i, 0));
        }
        List<List<StepCredit>> credits = estimate(params(Estimator.GIGPO).withGamma(0), group);

        for (List<StepCredit> trajectory : credits) {
            assertThat(trajectory.get(0).anchorGroupSize()).isEqualTo(8);
            assertThat(trajectory.get(0).stepReturn()).isEqualTo(0.7);
            assertThat(trajectory.get(0).stepAdvantage()).isEqualTo(0.0);
            assertThat(trajectory.get(0).advantage())
                    .isEqualTo(trajectory.get(0).episodeAdvantage());
            assertThat(trajectory.get(0).episodeAdvantage()).isNotZero();
        }
    }

    @Test
    void rowsOutsideAnEqualTrajectoriesSampleUseTheFormulaWithZeroStd() {
        // Interpretation: with scope trajectories X = {1, 1} is all-equal, so its members get 0,
        // but a later penalised row (score 0.9, not in X) is normalised like upstream does it.
        CreditParams base =
                params(Estimator.GRPO).withEpisodeNormScope(EpisodeNormScope.TRAJECTORIES);
        TrajectorySample a = trajectory("a", 1, at("s0", 0), invalidAt("s1", 1));
        TrajectorySample b = trajectory("b", 1, at("s0", 1));

        List<List<StepCredit>> meanStd = estimate(base, a, b);
        assertThat(meanStd.get(0).get(0).advantage()).isEqualTo(0.0);
        assertThat(meanStd.get(1).get(0).advantage()).isEqualTo(0.0);
        assertThat(meanStd.get(0).get(1).advantage())
                .isCloseTo((0.9 - 1) / (0 + EPS), within(1e-6));

        List<List<StepCredit>> mean = estimate(base.withNormalization(Normalization.MEAN), a, b);
        assertThat(mean.get(0).get(1).advantage()).isCloseTo(0.9 - 1, within(TOL));
    }

    // ---------------------------------------------------- scope

    @Test
    void stepsScopeWeighsLongerTrajectoriesMore() {
        List<List<StepCredit>> credits =
                estimate(
                        params(Estimator.GRPO),
                        trajectory("a", 1, at("s0", 0), at("s1", 0), at("s2", 1)),
                        trajectory("b", 0, at("s0", 0)));

        // X = {1, 1, 1, 0}
        double mean = (1 + 1 + 1 + 0) / 4.0;
        double std = Math.sqrt((3 * sq(1 - mean) + sq(0 - mean)) / 3);
        for (StepCredit credit : credits.get(0)) {
            assertEpisodeOnly(credit, (1 - mean) / (std + EPS));
        }
        assertEpisodeOnly(credits.get(1).get(0), (0 - mean) / (std + EPS));
        assertThat(std).isCloseTo(0.5, within(TOL));
    }

    @Test
    void trajectoriesScopeCountsEachTrajectoryOnce() {
        List<List<StepCredit>> credits =
                estimate(
                        params(Estimator.GRPO).withEpisodeNormScope(EpisodeNormScope.TRAJECTORIES),
                        trajectory("a", 1, at("s0", 0), at("s1", 0), at("s2", 1)),
                        trajectory("b", 0, at("s0", 0)));

        // X = {1, 0}
        double mean = (1 + 0) / 2.0;
        double std = Math.sqrt((sq(1 - mean) + sq(0 - mean)) / 1);
        for (StepCredit credit : credits.get(0)) {
            assertEpisodeOnly(credit, (1 - mean) / (std + EPS));
        }
        assertEpisodeOnly(credits.get(1).get(0), (0 - mean) / (std + EPS));
    }

    @Test
    void trajectoriesScopeSamplesTheFirstRowButNormalisesEachRowsOwnScore() {
        List<List<StepCredit>> credits =
                estimate(
                        params(Estimator.GRPO).withEpisodeNormScope(EpisodeNormScope.TRAJECTORIES),
                        trajectory("a", 1, invalidAt("s0", 0), at("s1", 0), invalidAt("s2", 1)),
                        trajectory("b", 0, at("s0", 0)));

        // X = {first row of a = 1 − 0.1, first row of b = 0}
        double mean = (0.9 + 0) / 2.0;
        double std = Math.sqrt((sq(0.9 - mean) + sq(0 - mean)) / 1);
        assertEpisodeOnly(credits.get(0).get(0), (0.9 - mean) / (std + EPS));
        assertEpisodeOnly(credits.get(0).get(1), (1 - mean) / (std + EPS));
        assertEpisodeOnly(credits.get(0).get(2), (0.9 - mean) / (std + EPS));
        assertEpisodeOnly(credits.get(1).get(0), (0 - mean) / (std + EPS));
    }

    // ------------------------------------------------ returns, penalty

    @Test
    void stepReturnsAreDiscountedPerTrajectory() {
        List<List<StepCredit>> credits =
                estimate(
                        params(Estimator.GIGPO).withGamma(0.9),
                        trajectory("a", 1.5, at("s0", 0), at("s1", 0.5), at("s2", 1)),
                        trajectory("b", 2, at("s0", 2)));

        double g2 = 1;
        double g1 = 0.5 + 0.9 * g2;
        double g0 = 0 + 0.9 * g1;
        assertThat(credits.get(0).get(2).stepReturn()).isCloseTo(g2, within(TOL));
        assertThat(credits.get(0).get(1).stepReturn()).isCloseTo(g1, within(TOL));
        assertThat(credits.get(0).get(0).stepReturn()).isCloseTo(g0, within(TOL));
        // Trajectory b starts from 0 again: nothing leaks across trajectories.
        assertThat(credits.get(1).get(0).stepReturn()).isCloseTo(2, within(TOL));

        List<List<StepCredit>> undiscounted =
                estimate(
                        params(Estimator.GIGPO).withGamma(1),
                        trajectory("a", 1.5, at("s0", 0), at("s1", 0.5), at("s2", 1)));
        assertThat(undiscounted.get(0).get(0).stepReturn()).isCloseTo(0 + 0.5 + 1, within(TOL));

        List<List<StepCredit>> myopic =
                estimate(
                        params(Estimator.GIGPO).withGamma(0),
                        trajectory("a", 1.5, at("s0", 0), at("s1", 0.5), at("s2", 1)));
        assertThat(myopic.get(0).get(1).stepReturn()).isCloseTo(0.5, within(TOL));
    }

    @Test
    void gigpoPenaltyIsNotDiscountedBackWithMeanNormalisation() {
        List<List<StepCredit>> credits =
                estimate(
                        params(Estimator.GIGPO)
                                .withNormalization(Normalization.MEAN)
                                .withGamma(0.5),
                        penalisedA(),
                        penalisedB());

        // G_a = {0 + 0.5·0.5, 0 + 0.5·1, 1}; the penalty stays on a's step 1 only.
        double ga0 = 0 + 0.5 * (0 + 0.5 * 1);
        double ga1 = 0 + 0.5 * 1;
        double ga2 = 1;
        double stepRa1 = ga1 - 0.1;
        double gb0 = 0;
        double gb1 = 0;
        // Episode scores X = {1, 0.9, 1, 0, 0}
        double mean = (1 + 0.9 + 1 + 0 + 0) / 5;
        double meanS0 = (ga0 + gb0) / 2;
        double meanS1 = (stepRa1 + gb1) / 2;

        StepCredit a0 = credits.get(0).get(0);
        StepCredit a1 = credits.get(0).get(1);
        StepCredit a2 = credits.get(0).get(2);
        StepCredit b0 = credits.get(1).get(0);
        StepCredit b1 = credits.get(1).get(1);

        assertThat(a0.stepReturn()).isCloseTo(ga0, within(TOL));
        assertThat(a1.stepReturn()).isCloseTo(ga1, within(TOL));
        assertThat(a2.stepReturn()).isCloseTo(ga2, within(TOL));

        assertCredit(a0, 1 - mean, ga0 - meanS0, 1.0, 2);
        assertCredit(a1, 0.9 - mean, stepRa1 - meanS1, 1.0, 2);
        assertCredit(a2, 1 - mean, 0, 1.0, 1);
        assertCredit(b0, 0 - mean, gb0 - meanS0, 1.0, 2);
        assertCredit(b1, 0 - mean, gb1 - meanS1, 1.0, 2);
    }

    @Test
    void gigpoMeanStdDividesAtBothLevels() {
        List<List<StepCredit>> credits =
                estimate(params(Estimator.GIGPO).withGamma(0.5), penalisedA(), penalisedB());

        double ga0 = 0 + 0.5 * (0 + 0.5 * 1);
        double stepRa1 = 0 + 0.5 * 1 - 0.1;
        double mean = (1 + 0.9 + 1 + 0 + 0) / 5;
        double std =
                Math.sqrt(
                        (sq(1 - mean) + sq(0.9 - mean) + sq(1 - mean) + sq(0 - mean) + sq(0 - mean))
                                / 4);
        double meanS0 = (ga0 + 0) / 2;
        double stdS0 = Math.sqrt((sq(ga0 - meanS0) + sq(0 - meanS0)) / 1);
        double meanS1 = (stepRa1 + 0) / 2;
        double stdS1 = Math.sqrt((sq(stepRa1 - meanS1) + sq(0 - meanS1)) / 1);

        assertCredit(
                credits.get(0).get(0),
                (1 - mean) / (std + EPS),
                (ga0 - meanS0) / (stdS0 + EPS),
                1.0,
                2);
        assertCredit(
                credits.get(0).get(1),
                (0.9 - mean) / (std + EPS),
                (stepRa1 - meanS1) / (stdS1 + EPS),
                1.0,
                2);
        assertCredit(credits.get(0).get(2), (1 - mean) / (std + EPS), 0, 1.0, 1);
        assertCredit(
                credits.get(1).get(1),
                (0 - mean) / (std + EPS),
                (0 - meanS1) / (stdS1 + EPS),
                1.0,
                2);
    }

    // ---------------------------------------------------- anchor groups

    @Test
    void loopsWithinOneTrajectoryShareAStepGroup() {
        List<List<StepCredit>> credits =
                estimate(
                        params(Estimator.GIGPO)
                                .withNormalization(Normalization.MEAN)
                                .withGamma(0.5),
                        trajectory("a", 1, at("x", 0), at("y", 0), at("x", 0), at("z", 1)));

        double g3 = 1;
        double g2 = 0 + 0.5 * g3;
        double g1 = 0 + 0.5 * g2;
        double g0 = 0 + 0.5 * g1;
        double meanX = (g0 + g2) / 2;
        // A single trajectory under scope steps: all scores equal, A^E = 0.
        assertCredit(credits.get(0).get(0), 0, g0 - meanX, 1.0, 2);
        assertCredit(credits.get(0).get(1), 0, 0, 1.0, 1);
        assertCredit(credits.get(0).get(2), 0, g2 - meanX, 1.0, 2);
        assertCredit(credits.get(0).get(3), 0, 0, 1.0, 1);
    }

    @Test
    void anchorGroupsSpanTrajectoriesAndLoops() {
        List<List<StepCredit>> credits =
                estimate(
                        params(Estimator.GIGPO).withNormalization(Normalization.MEAN).withGamma(0),
                        trajectory("a", 0, at("x", 1), at("x", 2)),
                        trajectory("b", 0, at("y", 5), at("x", 6)));

        // gamma 0 makes G_t = r_t; the x group is {1, 2, 6}.
        double meanX = (1 + 2 + 6) / 3.0;
        assertThat(credits.get(0).get(0).stepAdvantage()).isCloseTo(1 - meanX, within(TOL));
        assertThat(credits.get(0).get(1).stepAdvantage()).isCloseTo(2 - meanX, within(TOL));
        assertThat(credits.get(1).get(1).stepAdvantage()).isCloseTo(6 - meanX, within(TOL));
        assertThat(credits.get(1).get(0).stepAdvantage()).isZero();
        assertThat(credits.get(0).get(0).anchorGroupSize()).isEqualTo(3);
        assertThat(credits.get(1).get(0).anchorGroupSize()).isEqualTo(1);
    }

    @Test
    void nullAnchorKeysAreAlwaysSingletons() {
        List<List<StepCredit>> credits =
                estimate(
                        params(Estimator.GIGPO).withGamma(0),
                        trajectory("a", 1, at(null, 1), at("s", 1)),
                        trajectory("b", 0, at(null, 0), at("s", 0)));

        assertThat(credits.get(0).get(0).anchorGroupSize()).isEqualTo(1);
        assertThat(credits.get(1).get(0).anchorGroupSize()).isEqualTo(1);
        assertThat(credits.get(0).get(0).stepAdvantage()).isZero();
        assertThat(credits.get(1).get(0).stepAdvantage()).isZero();
        // The same rewards under a real shared key do form a group.
        assertThat(credits.get(0).get(1).anchorGroupSize()).isEqualTo(2);
        double mean = (1 + 0) / 2.0;
        double std = Math.sqrt((sq(1 - mean) + sq(0 - mean)) / 1);
        assertThat(credits.get(0).get(1).stepAdvantage())
                .isCloseTo((1 - mean) / (std + EPS), within(TOL));
    }

    @Test
    void stepWeightScalesOnlyTheStepAdvantage() {
        TrajectorySample a = trajectory("a", 1, at("s", 1));
        TrajectorySample b = trajectory("b", 0, at("s", 0));
        TrajectorySample c = trajectory("c", 0, at("s", 0.5));
        for (double w : new double[] {0, 0.5, 2, -1}) {
            List<List<StepCredit>> credits =
                    estimate(
                            params(Estimator.GIGPO)
                                    .withNormalization(Normalization.MEAN)
                                    .withGamma(0)
                                    .withStepAdvantageWeight(w),
                            a,
                            b,
                            c);

            double meanE = (1 + 0 + 0) / 3.0;
            double meanS = (1 + 0 + 0.5) / 3.0;
            assertCredit(credits.get(0).get(0), 1 - meanE, 1 - meanS, w, 3);
            assertCredit(credits.get(2).get(0), 0 - meanE, 0.5 - meanS, w, 3);
        }
    }

    // ------------------------------------------------------ input shape

    @Test
    void creditsAreParallelToTheInput() {
        List<List<StepCredit>> credits =
                estimate(
                        params(Estimator.GIGPO),
                        trajectory("a", 1, at("s0", 0), at("s1", 1)),
                        trajectory("b", 0, at("s0", 0)),
                        trajectory("c", 1, at("s0", 0), at("s1", 0), at("s2", 1)));

        assertThat(credits).hasSize(3);
        assertThat(credits.get(0)).hasSize(2);
        assertThat(credits.get(1)).hasSize(1);
        assertThat(credits.get(2)).hasSize(3);
        assertThatThrownBy(() -> credits.get(0).clear())
                .isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void rejectsEmptyGroupsAndTrajectories() {
        CreditEstimator estimator = new CreditEstimator(CreditParams.defaults());
        assertThatThrownBy(() -> estimator.estimate(List.of()))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new TrajectorySample("a", 1, List.of()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("a");
        assertThatThrownBy(() -> new StepSample("s", Double.NaN, false))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("finite");
        assertThatThrownBy(() -> new TrajectorySample("a", Double.NaN, List.of(at("s", 0))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("finite");
    }

    @Test
    void trajectoryStepsAreCopied() {
        List<StepSample> steps = new ArrayList<>(List.of(at("s", 1)));
        TrajectorySample trajectory = new TrajectorySample("a", 1, steps);
        steps.add(at("t", 0));
        assertThat(trajectory.steps()).hasSize(1);
    }

    // ------------------------------------------------------ linear time

    @Test
    void handlesALargeGroupInLinearTime() {
        // 8 trajectories × 25,000 steps = 200,000 rows in 500 anchor groups of 400 rows each. A
        // scan per anchor group would be 10^8 steps; a hash pass is instant.
        Random random = new Random(42);
        int trajectories = 8;
        int length = 25_000;
        int anchors = 500;
        TrajectorySample[] group = new TrajectorySample[trajectories];
        for (int t = 0; t < trajectories; t++) {
            List<StepSample> steps = new ArrayList<>(length);
            double sum = 0;
            for (int s = 0; s < length; s++) {
                double reward = random.nextInt(3) - 1;
                sum += reward;
                steps.add(
                        new StepSample("state-" + (s % anchors), reward, random.nextInt(50) == 0));
            }
            group[t] = new TrajectorySample("e" + t, sum, steps);
        }

        List<List<StepCredit>> credits = estimate(params(Estimator.GIGPO), group);

        assertThat(credits).hasSize(trajectories);
        double stepAdvantageSum = 0;
        int rows = 0;
        int misgrouped = 0;
        boolean allFinite = true;
        // Plain loops rather than an assertion per row keep the test itself fast.
        for (List<StepCredit> trajectory : credits) {
            for (StepCredit credit : trajectory) {
                rows++;
                if (credit.anchorGroupSize() != trajectories * length / anchors) {
                    misgrouped++;
                }
                allFinite &= Double.isFinite(credit.advantage());
                stepAdvantageSum += credit.stepAdvantage();
            }
        }
        assertThat(rows).isEqualTo(trajectories * length);
        assertThat(misgrouped).isZero();
        assertThat(allFinite).isTrue();
        // Step advantages are centred within every anchor group, so they sum to about 0.
        assertThat(stepAdvantageSum).isCloseTo(0, within(1e-6));
    }

    // ------------------------------------------------------------ helpers

    /** a: s0 → s1 (invalid) → s2, reward 1 at the end. */
    private static TrajectorySample penalisedA() {
        return trajectory("a", 1, at("s0", 0), invalidAt("s1", 0), at("s2", 1));
    }

    /** b: s0 → s1, no reward. */
    private static TrajectorySample penalisedB() {
        return trajectory("b", 0, at("s0", 0), at("s1", 0));
    }

    private static void assertEpisodeOnly(StepCredit credit, double expected) {
        assertThat(credit.episodeAdvantage()).isCloseTo(expected, within(TOL));
        assertThat(credit.advantage()).isCloseTo(expected, within(TOL));
        assertThat(credit.stepAdvantage()).isZero();
    }

    private static void assertCredit(
            StepCredit credit, double episode, double step, double weight, int anchorGroupSize) {
        assertThat(credit.episodeAdvantage()).isCloseTo(episode, within(TOL));
        assertThat(credit.stepAdvantage()).isCloseTo(step, within(TOL));
        assertThat(credit.advantage()).isCloseTo(episode + weight * step, within(TOL));
        assertThat(credit.anchorGroupSize()).isEqualTo(anchorGroupSize);
    }

    private static CreditParams params(Estimator estimator) {
        return CreditParams.defaults().withEstimator(estimator);
    }

    private static List<List<StepCredit>> estimate(CreditParams params, TrajectorySample... group) {
        return new CreditEstimator(params).estimate(List.of(group));
    }

    /** A one-step trajectory from the shared start state whose reward is the outcome. */
    private static TrajectorySample outcome(String id, double episodeReturn) {
        return trajectory(id, episodeReturn, at("start", episodeReturn));
    }

    private static TrajectorySample trajectory(
            String id, double episodeReturn, StepSample... steps) {
        return new TrajectorySample(id, episodeReturn, List.of(steps));
    }

    private static StepSample at(String anchorKey, double reward) {
        return new StepSample(anchorKey, reward, false);
    }

    private static StepSample invalidAt(String anchorKey, double reward) {
        return new StepSample(anchorKey, reward, true);
    }

    private static double sq(double x) {
        return x * x;
    }

    /** Every estimator CreditEstimator computes (oprl keeps a PRM and has its own assigner). */
    private static Estimator[] stateless() {
        return java.util.Arrays.stream(Estimator.values())
                .filter(e -> e != Estimator.OPRL)
                .toArray(Estimator[]::new);
    }

    @Test
    void oprlIsRefusedBecauseItNeedsThePrmState() {
        assertThatThrownBy(() -> new CreditEstimator(params(Estimator.OPRL)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("OprlCreditAssigner");
    }
}
