package io.creditstream.operators.core.budget;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.creditstream.operators.core.budget.KnapsackSolver.Mode;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** Seeded random rounds: budgets always add up, and greedy agrees with the DP where it should. */
class KnapsackSolverPropertyTest {

    private static final KnapsackSolver DP = new KnapsackSolver(Mode.DP);
    private static final KnapsackSolver GREEDY = new KnapsackSolver(Mode.GREEDY);
    private static final KnapsackSolver AUTO = new KnapsackSolver(Mode.AUTO);

    /** The only reasons a round may fail: each is a crash of the reference. */
    private static final List<String> DOCUMENTED_FAILURES =
            List.of(
                    "is smaller than the",
                    "every task is effective",
                    "every task is reset to n",
                    "probability cost is");

    @Test
    void budgetsAlwaysAddUpToTheTotalOrTheRoundFailsForADocumentedReason() {
        Random random = new Random(20251030L);
        int failures = 0;
        for (int round = 0; round < 3_000; round++) {
            List<TaskState> states = randomStates(random, random.nextInt(30));
            KnapsackParams params = randomParams(random, states.size());
            long total = params.totalBudget(states.size());
            try {
                int[] dp = DP.allocate(states, params);
                assertThat(Arrays.stream(dp).asLongStream().sum()).isEqualTo(total);
                assertThat(Arrays.stream(dp).min().orElse(0)).isNotNegative();
                assertThat(Arrays.stream(GREEDY.allocate(states, params)).asLongStream().sum())
                        .isEqualTo(total);
                assertThat(AUTO.allocate(states, params)).isEqualTo(dp);
            } catch (IllegalArgumentException e) {
                failures++;
                assertThat(DOCUMENTED_FAILURES).anyMatch(e.getMessage()::contains);
                assertThatThrownBy(() -> GREEDY.allocate(states, params))
                        .hasMessage(e.getMessage());
            }
        }
        // The generator must exercise both outcomes.
        assertThat(failures).isBetween(50, 1_500);
    }

    @Test
    void greedyEqualsTheDpOnConcaveGainsWithDistinctRates() {
        Random random = new Random(7L);
        for (int round = 0; round < 500; round++) {
            int tasks = 1 + random.nextInt(25);
            List<TaskState> states = new ArrayList<>();
            for (int i = 0; i < tasks; i++) {
                states.add(new TaskState(true, 0.01 + 0.98 * random.nextDouble(), 16));
            }
            int minN = 1 + random.nextInt(3);
            int maxN = minN + 1 + random.nextInt(40);
            KnapsackParams params =
                    KnapsackParams.of(1 + random.nextInt(16), maxN)
                            .withMinN(minN)
                            .withAllowFallback(false)
                            .withTotalBudget(
                                    tasks * minN + random.nextInt(tasks * (maxN - minN) + 1));

            assertThat(GREEDY.allocate(states, params))
                    .as("round %d", round)
                    .isEqualTo(DP.allocate(states, params));
        }
    }

    @Test
    void greedyReachesTheDpValueWhenRatesRepeat() {
        // Rates k/16 repeat, so allocations of equal value differ only in rounding; the two
        // solvers may then swap rollouts between tasks of the same rate, nothing more.
        Random random = new Random(16L);
        int swapped = 0;
        for (int round = 0; round < 300; round++) {
            int tasks = 2 + random.nextInt(30);
            List<TaskState> states = new ArrayList<>();
            for (int i = 0; i < tasks; i++) {
                states.add(new TaskState(true, (1 + random.nextInt(15)) / 16.0, 16));
            }
            int minN = 1 + random.nextInt(2);
            int maxN = minN + 4 + random.nextInt(30);
            KnapsackParams params =
                    KnapsackParams.of(8, maxN)
                            .withMinN(minN)
                            .withAllowFallback(false)
                            .withTotalBudget(
                                    tasks * minN + random.nextInt(tasks * (maxN - minN) + 1));

            int[] dp = DP.allocate(states, params);
            int[] greedy = GREEDY.allocate(states, params);

            assertThat(objective(states, greedy, minN))
                    .isCloseTo(objective(states, dp, minN), within(1e-12));
            assertThat(byRate(states, greedy)).isEqualTo(byRate(states, dp));
            if (!Arrays.equals(dp, greedy)) {
                swapped++;
            }
        }
        assertThat(swapped).isLessThan(300);
    }

    private static double objective(List<TaskState> states, int[] budgets, int minN) {
        double total = 0;
        for (int i = 0; i < budgets.length; i++) {
            if (budgets[i] > minN) {
                total += KnapsackSolver.value(budgets[i], states.get(i).p32());
            }
        }
        return total;
    }

    private static Map<Double, List<Integer>> byRate(List<TaskState> states, int[] budgets) {
        Map<Double, List<Integer>> byRate = new TreeMap<>();
        for (int i = 0; i < budgets.length; i++) {
            byRate.computeIfAbsent(states.get(i).p(), p -> new ArrayList<>()).add(budgets[i]);
        }
        byRate.values().forEach(list -> list.sort(Integer::compare));
        return byRate;
    }

    private static List<TaskState> randomStates(Random random, int size) {
        List<TaskState> states = new ArrayList<>();
        for (int i = 0; i < size; i++) {
            double kind = random.nextDouble();
            if (kind < 0.15) {
                states.add(new TaskState(false, random.nextDouble(), random.nextInt(8)));
            } else if (kind < 0.3) {
                states.add(new TaskState(true, 0.0, 16));
            } else if (kind < 0.45) {
                states.add(new TaskState(true, 1.0, 16));
            } else if (kind < 0.47) {
                states.add(new TaskState(true, 1e-20, 16));
            } else if (kind < 0.75) {
                states.add(new TaskState(true, (1 + random.nextInt(15)) / 16.0, 16));
            } else {
                states.add(new TaskState(true, random.nextDouble(), 16));
            }
        }
        return states;
    }

    private static KnapsackParams randomParams(Random random, int size) {
        int n = 1 + random.nextInt(16);
        int minN = random.nextInt(4);
        int maxN = minN + random.nextInt(random.nextBoolean() ? 4 : 130);
        double alpha = 0.05 + 0.9 * random.nextDouble();
        boolean allowFallback = random.nextDouble() < 0.7;
        CostEstimation costEstimation =
                random.nextBoolean() ? CostEstimation.PROBABILITY : CostEstimation.EXPECTATION;
        Integer negativeN = random.nextDouble() < 0.3 ? random.nextInt(6) : null;
        Integer positiveN = random.nextDouble() < 0.3 ? random.nextInt(6) : null;
        Integer totalBudget =
                random.nextDouble() < 0.4
                        ? (int) (size * n * (0.3 + 1.5 * random.nextDouble()))
                        : null;
        return new KnapsackParams(
                n,
                minN,
                maxN,
                alpha,
                allowFallback,
                negativeN,
                positiveN,
                totalBudget,
                costEstimation);
    }
}
