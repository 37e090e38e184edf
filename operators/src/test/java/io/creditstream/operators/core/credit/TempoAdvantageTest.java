package io.creditstream.operators.core.credit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Hand-computed checks of TEMPO's prefix-tree advantage (docs/ALGORITHMS.md §5). */
class TempoAdvantageTest {

    private static final double EPS = 1e-6;
    private static final double TOL = 1e-9;

    @Test
    void branchingStepsCarryThePrefixValueDifferences() {
        // Actions: a = x y u (1), b = x y v (0), c = x z (0), d = w (1).
        // mu = 0.5, unbiased sigma = sqrt(4 * 0.25 / 3) = sqrt(1/3).
        // V(x) = 1/3, V(xy) = 1/2, V(xyu) = 1, V(xyv) = 0, V(xz) = 0, V(w) = 1.
        List<List<StepCredit>> credits =
                estimate(
                        tempo(),
                        trajectory("a", 1, "x", "y", "u"),
                        trajectory("b", 0, "x", "y", "v"),
                        trajectory("c", 0, "x", "z"),
                        trajectory("d", 1, "w"));

        double d = Math.sqrt(1.0 / 3) + EPS;
        assertAdvantages(credits.get(0), 1.0 / 3 / d, 2.0 / 3 / d, 1.0 / d);
        assertAdvantages(credits.get(1), -2.0 / 3 / d, -1.0 / 3 / d, -1.0 / d);
        assertAdvantages(credits.get(2), -2.0 / 3 / d, -5.0 / 6 / d);
        assertAdvantages(credits.get(3), 1.0 / d);
        // The parts: the GRPO term (r − mu)/(sigma + eps) and the prefix-value difference.
        assertThat(credits.get(1).get(1).episodeAdvantage()).isCloseTo(-0.5 / d, within(TOL));
        assertThat(credits.get(1).get(1).stepAdvantage())
                .isCloseTo(0.5 / d - 1.0 / 3 / d, within(TOL));
    }

    @Test
    void theDifferencesTelescopeToTheGrpoTermForAUniqueSequence() {
        List<List<StepCredit>> credits =
                estimate(
                        tempo(),
                        trajectory("a", 3, "x", "y", "u"),
                        trajectory("b", 1, "x", "y", "v"),
                        trajectory("c", 2, "x", "z"),
                        trajectory("d", 0, "w"));

        for (List<StepCredit> trajectory : credits) {
            double differences = 0;
            for (StepCredit step : trajectory) {
                differences += step.stepAdvantage();
            }
            assertThat(differences).isCloseTo(trajectory.get(0).episodeAdvantage(), within(TOL));
        }
    }

    @Test
    void aStrictPrefixLeavesTheLongerBranchAtItsFirstExtraStep() {
        // a = x (1), b = x y (0): mu = 0.5, sigma = sqrt(0.5); V(x) = 0.5, V(xy) = 0.
        List<List<StepCredit>> credits =
                estimate(tempo(), trajectory("a", 1, "x"), trajectory("b", 0, "x", "y"));

        double d = Math.sqrt(0.5) + EPS;
        assertAdvantages(credits.get(0), 0.5 / d);
        assertAdvantages(credits.get(1), -0.5 / d, -1.0 / d);
    }

    @Test
    void aStepWithoutAKeyBranchesAtOnce() {
        List<List<StepCredit>> keyed =
                estimate(tempo(), trajectory("a", 1, "x"), trajectory("b", 0, "x"));
        List<List<StepCredit>> unkeyed =
                estimate(
                        tempo(),
                        new TrajectorySample("a", 1, List.of(keyedStep(null))),
                        new TrajectorySample("b", 0, List.of(keyedStep(null))));

        double d = Math.sqrt(0.5) + EPS;
        // Shared node: V = mu, so only the GRPO term remains.
        assertAdvantages(keyed.get(0), 0.5 / d);
        // Separate nodes: V = r, so the first step also gets r − mu.
        assertAdvantages(unkeyed.get(0), 1.0 / d);
        assertAdvantages(unkeyed.get(1), -1.0 / d);
    }

    @Test
    void meanNormalisationDoesNotDivide() {
        List<List<StepCredit>> credits =
                estimate(
                        tempo().withNormalization(Normalization.MEAN),
                        trajectory("a", 1, "x", "y"),
                        trajectory("b", 0, "x", "z"),
                        trajectory("c", 0.5, "w"));

        // mu = 0.5; V(x) = 0.5, V(xy) = 1, V(xz) = 0, V(w) = 0.5.
        assertAdvantages(credits.get(0), 0.5, 1.0);
        assertAdvantages(credits.get(1), -0.5, -1.0);
        assertAdvantages(credits.get(2), 0.0);
    }

    @Test
    void aSingletonGroupAndAGroupOfEqualOutcomesGetZero() {
        List<List<StepCredit>> single = estimate(tempo(), trajectory("a", 0.7, "x", "y"));
        List<List<StepCredit>> equal =
                estimate(
                        tempo(),
                        trajectory("a", 0.7, "x", "y"),
                        trajectory("b", 0.7, "x", "z"),
                        trajectory("c", 0.7, "w"));

        assertAdvantages(single.get(0), 0.0, 0.0);
        for (List<StepCredit> trajectory : equal) {
            for (StepCredit step : trajectory) {
                assertThat(step.advantage()).isEqualTo(0.0);
            }
        }
    }

    @Test
    void reportsTheSharedStepReturnAndAnchorGroupSize() {
        List<List<StepCredit>> credits =
                estimate(
                        tempo().withGamma(0.5),
                        new TrajectorySample(
                                "a",
                                1,
                                List.of(
                                        new StepSample("s0", 0, false, "x", null, null, null),
                                        new StepSample("s1", 1, false, "y", null, null, null))),
                        new TrajectorySample(
                                "b",
                                0,
                                List.of(new StepSample("s0", 0, false, "x", null, null, null))));

        assertThat(credits.get(0).get(0).stepReturn()).isCloseTo(0.5, within(TOL));
        assertThat(credits.get(0).get(0).anchorGroupSize()).isEqualTo(2);
        assertThat(credits.get(0).get(0).processReward()).isNull();
    }

    @Test
    void agreesWithTheReferencesBranchFilteringOnRandomGroups() {
        // The reference walks each response position by position, keeping the responses that
        // agree so far (the "branch"), with no tree; an independent second computation.
        Random random = new Random(15);
        for (int round = 0; round < 200; round++) {
            int n = 2 + random.nextInt(7);
            List<TrajectorySample> group = new ArrayList<>();
            for (int t = 0; t < n; t++) {
                int length = 1 + random.nextInt(5);
                String[] actions = new String[length];
                for (int s = 0; s < length; s++) {
                    actions[s] = String.valueOf((char) ('a' + random.nextInt(2)));
                }
                group.add(trajectory("e" + t, random.nextInt(3) * 0.5, actions));
            }
            List<List<StepCredit>> credits = new CreditEstimator(tempo()).estimate(group);

            double[] r = new double[n];
            double mean = 0;
            for (int t = 0; t < n; t++) {
                r[t] = group.get(t).episodeReturn();
                mean += r[t] / n;
            }
            double squares = 0;
            for (double x : r) {
                squares += (x - mean) * (x - mean);
            }
            double std = Math.sqrt(squares / (n - 1));
            boolean allEqual = squares == 0;
            for (int i = 0; i < n; i++) {
                List<Integer> previous = new ArrayList<>();
                for (int k = 0; k < n; k++) {
                    previous.add(k);
                }
                List<StepSample> steps = group.get(i).steps();
                for (int j = 0; j < steps.size(); j++) {
                    List<Integer> branch = new ArrayList<>();
                    for (int k : previous) {
                        List<StepSample> other = group.get(k).steps();
                        if (j < other.size()
                                && other.get(j).actionKey().equals(steps.get(j).actionKey())) {
                            branch.add(k);
                        }
                    }
                    double expected =
                            allEqual
                                    ? 0.0
                                    : (r[i] - mean + meanOf(r, branch) - meanOf(r, previous))
                                            / (std + EPS);
                    assertThat(credits.get(i).get(j).advantage())
                            .as("round %d trajectory %d step %d", round, i, j)
                            .isCloseTo(expected, within(TOL));
                    previous = branch;
                }
            }
        }
    }

    private static double meanOf(double[] values, List<Integer> members) {
        double sum = 0;
        for (int k : members) {
            sum += values[k];
        }
        return sum / members.size();
    }

    private static CreditParams tempo() {
        return CreditParams.defaults().withEstimator(Estimator.TEMPO);
    }

    private static List<List<StepCredit>> estimate(CreditParams params, TrajectorySample... group) {
        return new CreditEstimator(params).estimate(List.of(group));
    }

    private static TrajectorySample trajectory(String id, double outcome, String... actions) {
        List<StepSample> steps = new ArrayList<>();
        for (String action : actions) {
            steps.add(keyedStep(action));
        }
        return new TrajectorySample(id, outcome, steps);
    }

    private static StepSample keyedStep(String actionKey) {
        return new StepSample(null, 0, false, actionKey, null, null, null);
    }

    private static void assertAdvantages(List<StepCredit> credits, double... expected) {
        assertThat(credits).hasSize(expected.length);
        for (int s = 0; s < expected.length; s++) {
            assertThat(credits.get(s).advantage())
                    .as("step %d", s)
                    .isCloseTo(expected[s], within(TOL));
        }
    }
}
