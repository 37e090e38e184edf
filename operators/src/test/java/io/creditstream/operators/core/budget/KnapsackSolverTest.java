package io.creditstream.operators.core.budget;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.creditstream.operators.core.budget.KnapsackSolver.Mode;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Hand-computed Knapsack RL allocations, each step of docs/ALGORITHMS.md §4; every expected budget
 * was also produced by the reference's code under numpy 1.24.
 */
class KnapsackSolverTest {

    private static final KnapsackSolver DP = new KnapsackSolver(Mode.DP);
    private static final KnapsackSolver GREEDY = new KnapsackSolver(Mode.GREEDY);

    // V(N, p) = (1 - p^N - (1-p)^N) p (1-p)^2; at p = 1/2, p(1-p)^2 = 1/8; at p = 1/4 it is 9/64.

    @Test
    void valueMatchesTheFormulaAtExactBinaryFractions() {
        assertThat(KnapsackSolver.value(3, 0.5)).isEqualTo(0.75 * 0.125);
        assertThat(KnapsackSolver.value(4, 0.5)).isEqualTo(0.875 * 0.125);
        assertThat(KnapsackSolver.value(3, 0.25)).isEqualTo(36.0 / 64 * 9 / 64);
        assertThat(KnapsackSolver.value(4, 0.25)).isCloseTo(174.0 / 256 * 9 / 64, within(1e-15));
    }

    @Test
    void valueIsZeroAtTheEndsAndForOneRollout() {
        assertThat(KnapsackSolver.value(8, 0.0)).isZero();
        assertThat(KnapsackSolver.value(8, 1.0)).isZero();
        // One rollout can never show both outcomes: 1 - p - (1 - p) = 0 exactly.
        assertThat(KnapsackSolver.value(1, 0.3)).isZero();
        // N = 0 is the reference's formula, negative; the solver never asks for it.
        assertThat(KnapsackSolver.value(0, 0.5)).isEqualTo(-0.125);
    }

    @Test
    void valueGrowsWithNTowardsTheInformationGain() {
        double previous = 0;
        for (int n = 2; n <= 128; n++) {
            double value = KnapsackSolver.value(n, 0.3);
            assertThat(value).isGreaterThanOrEqualTo(previous);
            previous = value;
        }
        assertThat(previous).isCloseTo(0.3 * 0.7 * 0.7, within(1e-15));
    }

    @Test
    void valueRejectsARateOutsideTheUnitInterval() {
        assertThatThrownBy(() -> KnapsackSolver.value(4, 1.5))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("[0, 1]");
        assertThatThrownBy(() -> KnapsackSolver.value(4, Double.NaN))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> KnapsackSolver.value(-1, 0.5))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void dpPrefersTwoModestGainsOverOneLargeOne() {
        // R = 2: (2,0) = V(4,.5) = .109375; (0,2) = V(4,.25) = .0956; (1,1) = .09375 + .0791 =
        // .1729.
        int[] budgets = DP.allocate(rates(0.5, 0.25), params(4, 2, 4).withTotalBudget(6));

        assertThat(budgets).containsExactly(3, 3);
    }

    @Test
    void onATieTheLaterTaskKeepsTheSmallerK() {
        // Equal p, R = 1: task 2 keeps k = 0 because k = 1 is only equal, not better.
        assertThat(DP.allocate(rates(0.5, 0.5), params(4, 2, 4).withTotalBudget(5)))
                .containsExactly(3, 2);
        // R = 3: (2,1) and (1,2) sum the same two gains; k = 1 comes first for task 2 and wins.
        assertThat(DP.allocate(rates(0.5, 0.5), params(4, 2, 4).withTotalBudget(7)))
                .containsExactly(4, 3);
    }

    @Test
    void leftoverBeyondTheKnapsackIsSpreadAndMayExceedMaxN() {
        // min 2 each (6), R = 14, the knapsack fits 3 × (3 - 2) = 3, the 11 left go 4, 4, 3.
        KnapsackParams params = params(4, 2, 3).withAllowFallback(false).withTotalBudget(20);

        int[] budgets = DP.allocate(rates(0.5, 0.5, 0.5), params);

        assertThat(budgets).containsExactly(7, 7, 6);
        assertThat(Arrays.stream(budgets).min().getAsInt()).isGreaterThan(3);
    }

    @Test
    void invalidTasksGetNAndDoNotEnterTheKnapsack() {
        List<TaskState> states =
                List.of(
                        new TaskState(false, 0.4, 3),
                        new TaskState(true, 0.5, 16),
                        new TaskState(false, 0.9, 7));

        int[] budgets = DP.allocate(states, params(8, 2, 128).withAllowFallback(false));

        // B = 24: 8 + 2 + 8, and the effective task takes all R = 6.
        assertThat(budgets).containsExactly(8, 8, 8);
    }

    @Test
    void fallbackGoesToZeroRateTasksCountingInvalidOnesAsZero() {
        // B = 24, first pass 2 + 2 + 8 = 12, R = 12; cost(.5) = log .1 / log .5 = 3.32 -> 3.
        // 9 go to the p = 0 task and the invalid one (p recorded as 0.0): 5 and 4; R := 3.
        List<TaskState> states =
                List.of(
                        new TaskState(true, 0.5, 16),
                        new TaskState(true, 0.0, 16),
                        new TaskState(false, 0.7, 3));

        KnapsackSolver.Allocation allocation = DP.solve(states, params(8, 2, 128));

        assertThat(allocation.budgets()).containsExactly(5, 7, 12);
        assertThat(allocation.fallback()).isTrue();
        assertThat(allocation.fallbackEffectiveRatio()).isEqualTo(3.0 / 12);
    }

    @Test
    void invalidTaskCanGetMoreThanNThroughTheFallback() {
        List<TaskState> states =
                List.of(new TaskState(false, 0.5, 3), new TaskState(true, 0.5, 16));

        assertThat(DP.allocate(states, params(8, 2, 128))).containsExactly(11, 5);
    }

    @Test
    void fallbackWithoutZeroRateTasksGoesToEveryNonEffectiveTask() {
        // R = 12, est = 3: the 9 go to the p = 1 task.
        int[] budgets = DP.allocate(rates(0.5, 1.0), params(8, 2, 128));

        assertThat(budgets).containsExactly(5, 11);
    }

    @Test
    void fallbackWithEveryTaskEffectiveFailsClearlyWhereTheReferenceCrashes() {
        // est = 3 + int(log .1 / log .75 = 8.004) = 11 < R = 12, and no candidate exists.
        assertThatThrownBy(() -> DP.allocate(rates(0.5, 0.25), params(8, 2, 128)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("every task is effective")
                .hasMessageContaining("allow_fallback=false");
        // Without the fallback the same round is fine.
        assertThat(DP.allocate(rates(0.5, 0.25), params(8, 2, 128).withAllowFallback(false)))
                .containsExactly(6, 10);
    }

    @Test
    void costEstimationDecidesHowMuchFallsBack() {
        List<TaskState> states = rates(0.25, 0.0);

        // probability: int(8.004) = 8, so 4 fall back and the knapsack places 8.
        assertThat(DP.allocate(states, params(8, 2, 128))).containsExactly(10, 6);
        // expectation: 1 / (.25 · .75) - 1 = 4.33 -> 4, so 8 fall back.
        assertThat(
                        DP.allocate(
                                states,
                                params(8, 2, 128).withCostEstimation(CostEstimation.EXPECTATION)))
                .containsExactly(6, 10);
    }

    @Test
    void withNoEffectiveTaskTheRemainderGoesToZeroRateAndInvalidTasks() {
        List<TaskState> states =
                List.of(
                        new TaskState(true, 0.0, 16),
                        new TaskState(true, 1.0, 16),
                        new TaskState(false, 0.3, 2));

        // 2 + 2 + 8 = 12 of 24: 6 each to the p = 0 task and the invalid one.
        assertThat(DP.allocate(states, params(8, 2, 128))).containsExactly(8, 2, 14);
    }

    @Test
    void withNoEffectiveAndNoZeroRateTaskEveryTaskIsResetToN() {
        assertThat(DP.allocate(rates(1.0, 1.0), params(8, 2, 128))).containsExactly(8, 8);
        assertThatThrownBy(
                        () -> DP.allocate(rates(1.0, 1.0), params(8, 2, 128).withTotalBudget(20)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("reset to n = 8")
                .hasMessageContaining("total_budget 20");
    }

    @Test
    void nothingLeftAndNothingEffectiveKeepsTheFirstPass() {
        assertThat(DP.allocate(rates(0.0, 1.0), params(8, 2, 128).withTotalBudget(4)))
                .containsExactly(2, 2);
    }

    @Test
    void negativeAndPositiveNReplaceMinN() {
        KnapsackParams params =
                params(8, 2, 128).withNegativeN(5).withPositiveN(1).withAllowFallback(false);

        assertThat(DP.allocate(rates(0.0, 1.0, 0.5), params)).containsExactly(5, 1, 18);
    }

    @Test
    void aBudgetBelowTheFirstPassFailsClearly() {
        List<TaskState> states = List.of(TaskState.unseen(), TaskState.unseen());

        assertThatThrownBy(() -> DP.allocate(states, params(8, 2, 128).withTotalBudget(10)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("total_budget 10 is smaller than the 16 rollouts");
    }

    @Test
    void anEmptyRoundAllocatesNothingUnlessABudgetIsDemanded() {
        assertThat(DP.allocate(List.of(), params(8, 2, 128))).isEmpty();
        assertThatThrownBy(() -> DP.allocate(List.of(), params(8, 2, 128).withTotalBudget(3)))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void costIsComputedFromTheDoubleRateNotItsFloat32Copy() {
        // p = 1370/1689: log .1 / log p is 11.000001 in float32 from the double p, 10.999999 from
        // float32 p. From the double: est = 11 < R = 12, one rollout falls back, the knapsack gets
        // 11.
        double p = 1370.0 / 1689;
        List<TaskState> states = List.of(new TaskState(true, p, 16), new TaskState(true, 0, 16));

        assertThat(DP.allocate(states, params(8, 2, 128))).containsExactly(13, 3);
    }

    @Test
    void knapsackGainsUseTheFloat32Rate() {
        // Both rates round to 1.0f, where the reference's gain is 0: a tie that task 1 wins. From
        // the doubles task 2 would have the larger (tiny) gain and take the rollout.
        List<TaskState> states =
                List.of(new TaskState(true, 1 - 1e-10, 16), new TaskState(true, 1 - 1e-9, 16));
        assertThat(states.get(0).p32()).isEqualTo(1.0);

        int[] budgets =
                DP.allocate(states, params(8, 2, 128).withAllowFallback(false).withTotalBudget(5));

        assertThat(budgets).containsExactly(3, 2);
        assertThat(KnapsackSolver.value(3, 1 - 1e-9)).isGreaterThan(0);
    }

    @Test
    void aRateThatIsZeroInFloat32IsEffectiveYetCollectsFallback() {
        // p = 1e-50 > 0 makes the task effective (min_n, expectation cost = inf -> max_n), but its
        // float32 copy is 0, so the fallback treats it as a p = 0 task: it takes 24 - 4 - 6 = 14.
        List<TaskState> states =
                List.of(new TaskState(true, 1e-50, 16), new TaskState(true, 0.5, 16));
        KnapsackParams params =
                params(8, 2, 3).withCostEstimation(CostEstimation.EXPECTATION).withTotalBudget(24);

        assertThat(DP.allocate(states, params)).containsExactly(19, 5);
    }

    @Test
    void aProbabilityCostOfMinusInfinityFailsClearly() {
        // 1 - 1e-20 == 1.0 in double: log(1) = 0 and the cost is -inf, which the reference
        // cannot convert to an integer.
        List<TaskState> states =
                List.of(new TaskState(true, 1e-20, 16), new TaskState(true, 0.5, 16));

        assertThatThrownBy(() -> DP.allocate(states, params(8, 2, 128)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("task 0")
                .hasMessageContaining("cost_estimation=expectation");
    }

    @Test
    void greedyDiffersFromTheDpWhenGainsAreNotConcave() {
        // min_n = 0 makes gain(1) = V(1, p) = 0: greedy cannot see that a second rollout pays.
        // R = 2, K = 2: DP picks (0,2) worth V(2,.4) = .069; greedy hands the first rollout to
        // task 1 on the 0-0 tie, then its V(2,.9) = .0016 increment beats task 2's 0.
        KnapsackParams params = params(8, 0, 2).withAllowFallback(false).withTotalBudget(2);
        List<TaskState> states = rates(0.9, 0.4);

        assertThat(DP.allocate(states, params)).containsExactly(0, 2);
        assertThat(GREEDY.allocate(states, params)).containsExactly(2, 0);
    }

    @Test
    void greedyBreaksTiesByIndexWhereTheDpFollowsItsSummationOrder() {
        // Reference output: among three tasks at p = 3/16 the DP gives the 13 to the middle one,
        // as its rounded sums decide; greedy gives it to the first. Same multiset, same value.
        List<TaskState> states =
                rates(0.875, 0.125, 0.0, 0.4375, 0.1875, 0.625, 0.1875, 0.5, 0.1875, 0.0625);
        List<TaskState> withNearOne = new ArrayList<>(states);
        withNearOne.add(new TaskState(true, 0.999999999999, 16));
        KnapsackParams params =
                params(8, 2, 16)
                        .withAllowFallback(false)
                        .withCostEstimation(CostEstimation.EXPECTATION);

        int[] dp = DP.allocate(withNearOne, params);
        int[] greedy = GREEDY.allocate(withNearOne, params);

        assertThat(dp).containsExactly(3, 14, 2, 7, 12, 7, 13, 7, 12, 9, 2);
        assertThat(greedy).containsExactly(3, 14, 2, 7, 13, 7, 12, 7, 12, 9, 2);
    }

    @Test
    void autoModeRunsTheDpOnSmallRoundsAndTheGreedyOnLargeOnes() {
        KnapsackSolver auto = new KnapsackSolver();
        assertThat(auto.mode()).isEqualTo(Mode.AUTO);

        KnapsackSolver.Allocation small =
                auto.solve(rates(0.5, 0.25), params(8, 2, 128).withAllowFallback(false));
        assertThat(small.solver()).isEqualTo(Mode.DP);

        List<TaskState> many = new ArrayList<>(Collections.nCopies(2_000, state(0.3)));
        KnapsackSolver.Allocation large =
                auto.solve(many, params(8, 2, 128).withAllowFallback(false));
        assertThat(large.solver()).isEqualTo(Mode.GREEDY);
        assertThat(large.budgets()).containsOnly(8);
    }

    @Test
    void dpFitsFollowsTheDocumentedWorkEstimate() {
        // 250 effective tasks, R = 1,600, K = 126: 250 × 1,601 × 126 ≈ 5.04e7 > 5e7.
        assertThat(KnapsackSolver.dpFits(250, 1_550, 126)).isTrue();
        assertThat(KnapsackSolver.dpFits(250, 1_600, 126)).isFalse();
        // K = 1 keeps the work small; the table's cell cap binds instead.
        assertThat(KnapsackSolver.dpFits(2_000, 1_999, 1)).isTrue();
        assertThat(KnapsackSolver.dpFits(4_000, 3_999, 1)).isFalse();
    }

    @Test
    void maxNEqualToMinNLeavesEverythingToTheSpreading() {
        // K = 0: no knapsack, R = 16 - 4 = 12 splits 6 and 6.
        assertThat(DP.allocate(rates(0.5, 0.3), params(8, 2, 2).withAllowFallback(false)))
                .containsExactly(8, 8);
    }

    @Test
    void rejectsMissingStates() {
        List<TaskState> states = new ArrayList<>();
        states.add(null);

        assertThatThrownBy(() -> DP.allocate(states, params(8, 2, 128)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("task 0");
        assertThatThrownBy(() -> new KnapsackSolver(null))
                .isInstanceOf(IllegalArgumentException.class);
    }

    static KnapsackParams params(int n, int minN, int maxN) {
        return KnapsackParams.of(n, maxN).withMinN(minN);
    }

    static TaskState state(double p) {
        return new TaskState(true, p, 16);
    }

    static List<TaskState> rates(double... rates) {
        List<TaskState> states = new ArrayList<>();
        for (double rate : rates) {
            states.add(state(rate));
        }
        return states;
    }
}
