package io.creditstream.operators.core.credit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Hand-computed checks of IGPO's turn advantages (docs/ALGORITHMS.md §7). */
class IgpoAdvantageTest {

    private static final double EPS = 1e-6;
    private static final double FLOOR = 1e-8;
    private static final double TOL = 1e-9;

    @Test
    void jointPoolOfGainsAndOutcomesWithDiscountedTurnAdvantages() {
        // a: beliefs 0.2, 0.5, 0.4 -> gains 0.3, -0.1; outcome 1.
        // b: beliefs 0.3, 0.3 -> gain 0 becomes 1e-10; outcome 0.
        TrajectorySample a = trajectory("a", 1.0, 0.2, 0.5, 0.4);
        TrajectorySample b = trajectory("b", 0.0, 0.3, 0.3);
        double ga0 = 0.5 - 0.2;
        double ga1 = 0.4 - 0.5;
        double[] pool = {ga0, ga1, 1.0, 1e-10, 0.0};
        Norm norm = new Norm(pool);

        List<List<StepCredit>> gammaOne = estimate(igpo(), a, b);
        assertAdvantages(
                gammaOne.get(0),
                norm.of(ga0) + norm.of(ga1) + norm.of(1.0),
                norm.of(ga1) + norm.of(1.0),
                norm.of(1.0));
        assertAdvantages(gammaOne.get(1), norm.of(1e-10) + norm.of(0.0), norm.of(0.0));
        assertThat(gammaOne.get(0).get(0).processReward()).isCloseTo(ga0, within(TOL));
        assertThat(gammaOne.get(1).get(0).processReward()).isEqualTo(1e-10);
        assertThat(gammaOne.get(0).get(2).processReward()).isNull();
        assertThat(gammaOne.get(0).get(1).episodeAdvantage()).isCloseTo(norm.of(1.0), within(TOL));

        List<List<StepCredit>> half =
                estimate(igpo().withIgpo(IgpoParams.defaults().withGamma(0.5)), a, b);
        double a1 = norm.of(ga1) + 0.5 * norm.of(1.0);
        assertAdvantages(half.get(0), norm.of(ga0) + 0.5 * a1, a1, norm.of(1.0));
    }

    @Test
    void logProbDiffTakesTheDifferenceOfLogBeliefs() {
        TrajectorySample a = trajectory("a", 1.0, 0.2, 0.5);
        TrajectorySample b = trajectory("b", 0.0, 0.4);
        double gain = Math.log(0.5) - Math.log(0.2);
        Norm norm = new Norm(new double[] {gain, 1.0, 0.0});

        List<List<StepCredit>> credits =
                estimate(
                        igpo().withIgpo(
                                        IgpoParams.defaults()
                                                .withGain(IgpoParams.Gain.LOG_PROB_DIFF)),
                        a,
                        b);

        assertAdvantages(credits.get(0), norm.of(gain) + norm.of(1.0), norm.of(1.0));
        assertAdvantages(credits.get(1), norm.of(0.0));
    }

    @Test
    void aTurnWhoseNormalisedRewardIsExactlyZeroTakesTheNextBoundarysAdvantage() {
        // Pool {0.5, 1, 0}: mean 0.5 exactly, so the gain normalises to 0 and its turn is no
        // boundary: it takes the final turn's value undiscounted.
        TrajectorySample a = trajectory("a", 1.0, 0.25, 0.75);
        TrajectorySample b = trajectory("b", 0.0, 0.6);
        Norm norm = new Norm(new double[] {0.5, 1.0, 0.0});

        List<List<StepCredit>> credits =
                estimate(igpo().withIgpo(IgpoParams.defaults().withGamma(0.5)), a, b);

        assertThat(norm.of(0.5)).isZero();
        assertAdvantages(credits.get(0), norm.of(1.0), norm.of(1.0));
        assertAdvantages(credits.get(1), norm.of(0.0));
    }

    @Test
    void separateModeWithEqualOutcomesLeavesOnlyTheGains() {
        // Outcomes {1, 1} are all equal: their normalised value is 0 and the last turns get 0.
        TrajectorySample a = trajectory("a", 1.0, 0.2, 0.6);
        TrajectorySample b = trajectory("b", 1.0, 0.5, 0.4);
        Norm gains = new Norm(new double[] {0.6 - 0.2, 0.4 - 0.5});

        List<List<StepCredit>> credits =
                estimate(
                        igpo().withIgpo(
                                        IgpoParams.defaults()
                                                .withNormMode(IgpoParams.NormMode.SEPARATE)),
                        a,
                        b);

        assertAdvantages(credits.get(0), gains.of(0.6 - 0.2), 0.0);
        assertAdvantages(credits.get(1), gains.of(0.4 - 0.5), 0.0);
        assertThat(credits.get(0).get(1).episodeAdvantage()).isZero();
    }

    @Test
    void aMissingOrNonFiniteGainLeavesOnlyTheOutcome() {
        // a lacks a belief, c's log gain is -infinity: both keep only their outcome.
        TrajectorySample a =
                new TrajectorySample("a", 1.0, List.of(belief(0.2), belief(null), belief(0.4)));
        TrajectorySample b = trajectory("b", 0.0, 0.3);
        Norm norm = new Norm(new double[] {1.0, 0.0});

        List<List<StepCredit>> missing = estimate(igpo(), a, b);
        assertAdvantages(missing.get(0), norm.of(1.0), norm.of(1.0), norm.of(1.0));
        assertAdvantages(missing.get(1), norm.of(0.0));
        assertThat(missing.get(0).get(0).processReward()).isNull();

        TrajectorySample c = trajectory("c", 1.0, 0.0, 0.5);
        List<List<StepCredit>> logOfZero =
                estimate(
                        igpo().withIgpo(
                                        IgpoParams.defaults()
                                                .withGain(IgpoParams.Gain.LOG_PROB_DIFF)),
                        c,
                        b);
        assertAdvantages(logOfZero.get(0), norm.of(1.0), norm.of(1.0));
        // The same beliefs as a probability difference are a finite gain of 0.5.
        List<List<StepCredit>> probDiff = estimate(igpo(), c, b);
        Norm withGain = new Norm(new double[] {0.5, 1.0, 0.0});
        assertAdvantages(probDiff.get(0), withGain.of(0.5) + withGain.of(1.0), withGain.of(1.0));
    }

    @Test
    void meanNormalisationOnlySubtractsThePoolMean() {
        TrajectorySample a = trajectory("a", 1.0, 0.2, 0.6);
        TrajectorySample b = trajectory("b", 0.0, 0.4);
        double mean = (0.4 + 1.0 + 0.0) / 3;

        List<List<StepCredit>> credits =
                estimate(igpo().withNormalization(Normalization.MEAN), a, b);

        assertAdvantages(credits.get(0), (0.6 - 0.2 - mean) + (1.0 - mean), 1.0 - mean);
        assertAdvantages(credits.get(1), 0.0 - mean);
    }

    @Test
    void aPoolOfOneNormalisesToZero() {
        assertAdvantages(estimate(igpo(), trajectory("a", 0.8, 0.3)).get(0), 0.0);
    }

    /** IGPO's group statistics: population variance plus 1e-8 under the square root. */
    private record Norm(double mean, double std) {
        Norm(double[] pool) {
            this(mean(pool), Math.sqrt(variance(pool) + FLOOR));
        }

        double of(double x) {
            return (x - mean) / (std + EPS);
        }

        private static double mean(double[] pool) {
            double sum = 0;
            for (double x : pool) {
                sum += x;
            }
            return sum / pool.length;
        }

        private static double variance(double[] pool) {
            double mean = mean(pool);
            double squares = 0;
            for (double x : pool) {
                squares += (x - mean) * (x - mean);
            }
            return squares / pool.length;
        }
    }

    private static CreditParams igpo() {
        return CreditParams.defaults().withEstimator(Estimator.IGPO);
    }

    private static TrajectorySample trajectory(String id, double outcome, double... beliefs) {
        List<StepSample> steps = new ArrayList<>();
        for (double p : beliefs) {
            steps.add(belief(p));
        }
        return new TrajectorySample(id, outcome, steps);
    }

    private static StepSample belief(Double answerProb) {
        return new StepSample(null, 0, false, null, null, null, answerProb);
    }

    private static List<List<StepCredit>> estimate(CreditParams params, TrajectorySample... group) {
        return new CreditEstimator(params).estimate(List.of(group));
    }

    private static void assertAdvantages(List<StepCredit> credits, double... expected) {
        assertThat(credits).hasSize(expected.length);
        for (int s = 0; s < expected.length; s++) {
            assertThat(credits.get(s).advantage())
                    .as("turn %d", s)
                    .isCloseTo(expected[s], within(TOL));
        }
    }
}
