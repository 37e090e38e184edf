package io.creditstream.operators.core.budget;

import java.io.Serializable;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;

/**
 * Knapsack RL's rollout-budget allocation, step for step the reference's {@code
 * sampling_budget_by_knapsack} and {@code solve_by_dp} (liziniu/KnapsackRL, docs/ALGORITHMS.md §4),
 * with a marginal-gain greedy for rounds too large for the exact DP.
 *
 * <h2>Steps</h2>
 *
 * <ol>
 *   <li>An invalid task gets n rollouts. A valid task with 0 &lt; p &lt; 1 gets min_n and is
 *       <em>effective</em>; p = 0 gets negative_n and p = 1 positive_n. R = B − Σ is what remains.
 *   <li>If R &gt; 0 and no task is effective, R is split (div/mod, remainder to the first) over the
 *       tasks whose float32 p is 0, invalid tasks included since the reference records their p as
 *       0.0; with none, every task is reset to n.
 *   <li>Otherwise est = Σ_effective int(min(max_n, cost)), the cost rounded to float32 first as the
 *       reference stores it. If est &lt; R and allow_fallback, R − est is split over the p = 0
 *       tasks, or over every non-effective task when there are none, and R := est.
 *   <li>The knapsack gives each effective task k ∈ {0..max_n − min_n} extra rollouts, Σk = R
 *       exactly where feasible, maximising Σ gain with gain(0) = 0 and gain(k) = V(k + min_n, p32).
 *       What the knapsack cannot place is split over the effective tasks (div/mod), which may
 *       exceed max_n.
 *   <li>Σ budgets must equal B.
 * </ol>
 *
 * <h2>Where the reference crashes</h2>
 *
 * The reference fails (an assert or an exception) on some inputs; this class throws {@link
 * IllegalArgumentException} with the reason instead: B smaller than the first step's rollouts;
 * fallback budget with every task effective (the reference divides by an empty candidate list,
 * numpy yields 0 and the budget assert fails); a reset to n that does not add up to an explicit B;
 * a probability cost of −∞ (valid p ≤ ~5.6e−17, where 1 − p rounds to 1).
 *
 * <h2>DP or greedy</h2>
 *
 * {@link Mode#DP} is the reference's DP: items in order, for each w first k = 0 when feasible, then
 * k = 1.. with a strict {@code >}, so the smallest k wins ties, backtracking from the largest
 * feasible w ≤ R. It costs about items × R × (max_n − min_n) steps. {@link Mode#GREEDY} hands out R
 * single rollouts, each to the task with the largest marginal gain gain(k+1) − gain(k) (ties to the
 * lower index), from a max-heap: O((items + R) log items). Greedy is optimal when every task's gain
 * sequence is concave in k, which holds for min_n ≥ 1 (V's success factor 1 − p^N − (1−p)^N is
 * concave in N and gain(1) = V(min_n + 1) ≥ the next increments). It differs from the DP
 *
 * <ul>
 *   <li>when gains are not concave: with min_n = 0, gain(1) = V(1, p) = 0 and gain(2) &gt; 0, so
 *       greedy spreads single rollouts where the DP would give one task two;
 *   <li>in ties: between allocations of exactly equal value the DP keeps the last task's k
 *       smallest, then the one before it, and so on; between allocations whose sums differ only by
 *       float rounding, the DP's summation order decides; greedy compares single increments and
 *       prefers the lower index. Both reach the same total value up to rounding, but tasks with
 *       identical p may swap rollouts.
 * </ul>
 *
 * {@link Mode#AUTO} runs the DP when its work estimate is at most {@link #AUTO_DP_MAX_WORK} and its
 * choice table at most {@link #AUTO_DP_MAX_CELLS} cells, the greedy otherwise.
 *
 * <h2>Floating point</h2>
 *
 * Gains are computed in double from the float32 p as the reference's numpy path does under numpy
 * &lt; 2, with {@link Math#pow}. numpy's own pow is not bit-identical across CPUs (on AVX-512
 * machines numpy 1.24 uses SVML, which is not correctly rounded), so DP choices between allocations
 * whose values differ only in the last bits may differ from a given reference run; every other step
 * is exact. When numba is installed the reference runs a numba kernel for items × R × (max_n −
 * min_n) &gt; 50,000, which computes p^N in float32; this class follows the numpy path.
 */
public final class KnapsackSolver implements Serializable {

    private static final long serialVersionUID = 1L;

    /**
     * {@link Mode#AUTO} runs the DP up to this many inner steps, estimated as effective tasks ×
     * (min(R, capacity) + 1) × min(max_n − min_n, R). The DP takes about 0.75 ns a step on the
     * 2-core development machine, so this keeps it under about 50 ms: with max_n − min_n = 126 that
     * is effective tasks × R ≈ 400,000, e.g. 250 effective tasks and R = 1,600.
     */
    public static final long AUTO_DP_MAX_WORK = 50_000_000L;

    /**
     * {@link Mode#AUTO} runs the DP only while its choice table (4 bytes a cell) stays this small.
     */
    public static final long AUTO_DP_MAX_CELLS = 4_000_000L;

    /** Which knapsack solver {@link #solve} runs. */
    public enum Mode {
        /** The DP when it fits {@link #AUTO_DP_MAX_WORK} and {@link #AUTO_DP_MAX_CELLS}. */
        AUTO,
        /** Always the reference's exact DP, however large the round. */
        DP,
        /** Always the marginal-gain greedy. */
        GREEDY
    }

    /**
     * The outcome of one allocation.
     *
     * @param budgets rollouts per task, in the order of the input; Σ = B
     * @param fallback whether fallback budget went to p = 0 (or non-effective) tasks
     * @param fallbackEffectiveRatio est / R when {@code fallback}, else 1.0, as the reference's
     *     info
     * @param solver the knapsack solver that ran ({@link Mode#DP} also when there was nothing to
     *     solve)
     */
    public record Allocation(
            int[] budgets, boolean fallback, double fallbackEffectiveRatio, Mode solver) {}

    private final Mode mode;

    /** A solver in {@link Mode#AUTO}. */
    public KnapsackSolver() {
        this(Mode.AUTO);
    }

    public KnapsackSolver(Mode mode) {
        if (mode == null) {
            throw new IllegalArgumentException("mode must be one of AUTO, DP, GREEDY, not null");
        }
        this.mode = mode;
    }

    public Mode mode() {
        return mode;
    }

    /**
     * V(N, p) = (1 − p^N − (1−p)^N) · p · (1−p)², the value of N rollouts at success rate p: the
     * probability that GRPO's gradient is non-zero times the approximate information gain; 0 when p
     * ∈ {0, 1}. The caller rounds p to float32 first where the reference does.
     */
    public static double value(int n, double p) {
        if (n < 0) {
            throw new IllegalArgumentException("N must not be negative, got " + n);
        }
        if (!(p >= 0 && p <= 1)) {
            throw new IllegalArgumentException("p must be in [0, 1], got " + p);
        }
        if (p == 0 || p == 1) {
            return 0.0;
        }
        double q = 1 - p;
        // The reference's evaluation order; (1 - p) ** 2 is correctly rounded, as q * q is.
        return (1 - Math.pow(p, n) - Math.pow(q, n)) * p * (q * q);
    }

    /** The budgets of {@link #solve}. */
    public int[] allocate(List<TaskState> states, KnapsackParams params) {
        return solve(states, params).budgets();
    }

    /**
     * Allocates B = total_budget (or #tasks · n) rollouts over the tasks.
     *
     * @throws IllegalArgumentException where the reference would crash, with the reason
     */
    public Allocation solve(List<TaskState> states, KnapsackParams params) {
        if (states == null || params == null) {
            throw new IllegalArgumentException("states and params must not be null");
        }
        int size = states.size();
        long total = params.totalBudget(size);
        if (total > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(
                    "total budget "
                            + total
                            + " (#tasks · n when total_budget is unset) exceeds "
                            + Integer.MAX_VALUE);
        }
        int n = params.n();
        int minN = params.minN();
        long[] budget = new long[size];
        // The reference's float32 success_rates array: 0.0 for invalid tasks, which it never fills.
        double[] p32 = new double[size];
        boolean[] effective = new boolean[size];
        float[] costs = new float[size];
        int[] eff = new int[size];
        int effCount = 0;

        // Step 1.
        for (int i = 0; i < size; i++) {
            TaskState state = states.get(i);
            if (state == null) {
                throw new IllegalArgumentException("task " + i + " has no state");
            }
            if (state.valid()) {
                double p = state.p();
                if (p > 0 && p < 1) {
                    // The reference stores the cost in a float32 array before truncating it.
                    costs[i] = (float) cost(p, params);
                    budget[i] += minN;
                    effective[i] = true;
                    eff[effCount++] = i;
                } else if (p == 0) {
                    budget[i] += params.effectiveNegativeN();
                } else {
                    budget[i] += params.effectivePositiveN();
                }
                p32[i] = state.p32();
            } else {
                budget[i] += n;
            }
        }
        long remaining = total - sum(budget);
        if (remaining < 0) {
            throw new IllegalArgumentException(
                    "total_budget "
                            + total
                            + " is smaller than the "
                            + (total - remaining)
                            + " rollouts the round needs before any allocation (n per invalid task,"
                            + " min_n per effective, negative_n / positive_n per p = 0 / 1 task);"
                            + " the reference fails its budget assert");
        }

        boolean fallback = false;
        double fallbackRatio = 1.0;
        Mode used = Mode.DP;
        if (remaining > 0 && effCount == 0) {
            // Step 2.
            int[] zeros = zeroIndices(p32);
            if (zeros.length > 0) {
                spread(budget, zeros, remaining);
            } else {
                if (total != (long) size * n) {
                    throw new IllegalArgumentException(
                            "no task is effective and none has p = 0, so every task is reset to n = "
                                    + n
                                    + ", which makes "
                                    + (long) size * n
                                    + " rollouts, not total_budget "
                                    + total
                                    + "; the reference fails its budget assert");
                }
                Arrays.fill(budget, n);
            }
        } else {
            // Step 3.
            long estimated = 0;
            for (int j = 0; j < effCount; j++) {
                int i = eff[j];
                estimated += truncatedCost(costs[i], params.maxN(), i, states.get(i).p());
            }
            long knapsackBudget = remaining;
            if (estimated < remaining && params.allowFallback()) {
                fallback = true;
                fallbackRatio = (double) estimated / remaining;
                int[] candidates = zeroIndices(p32);
                if (candidates.length == 0) {
                    candidates = nonEffectiveIndices(effective);
                }
                if (candidates.length == 0) {
                    throw new IllegalArgumentException(
                            "every task is effective, so the fallback budget "
                                    + (remaining - estimated)
                                    + " (R = "
                                    + remaining
                                    + " minus estimated cost "
                                    + estimated
                                    + ") has no task to go to; the reference divides by the empty"
                                    + " candidate list and fails its budget assert. Set"
                                    + " allow_fallback=false, or lower total_budget");
                }
                spread(budget, candidates, remaining - estimated);
                knapsackBudget = estimated;
            }
            // Step 4.
            if (knapsackBudget > 0 && effCount > 0) {
                int[] items = Arrays.copyOf(eff, effCount);
                int extraCap = params.maxN() - minN;
                used = chooseSolver(effCount, knapsackBudget, extraCap);
                int[] extra =
                        used == Mode.DP
                                ? solveDp(p32, items, minN, extraCap, (int) knapsackBudget)
                                : solveGreedy(p32, items, minN, extraCap, knapsackBudget);
                long placed = 0;
                for (int j = 0; j < effCount; j++) {
                    budget[items[j]] += extra[j];
                    placed += extra[j];
                }
                spread(budget, items, knapsackBudget - placed);
            }
        }

        // Step 5.
        long allocated = sum(budget);
        if (allocated != total) {
            throw new IllegalStateException(
                    "Budget mismatch: expected " + total + ", allocated " + allocated);
        }
        int[] result = new int[size];
        for (int i = 0; i < size; i++) {
            result[i] = (int) budget[i];
        }
        return new Allocation(result, fallback, fallbackRatio, used);
    }

    /** The solver {@link Mode#AUTO} (or this solver's fixed mode) picks for a knapsack. */
    Mode chooseSolver(int items, long knapsackBudget, int extraCap) {
        if (mode != Mode.AUTO) {
            return mode;
        }
        return dpFits(items, knapsackBudget, extraCap) ? Mode.DP : Mode.GREEDY;
    }

    /**
     * Whether {@link Mode#AUTO} runs the DP for {@code items} effective tasks, a knapsack budget R
     * and max_n − min_n = {@code extraCap}.
     */
    public static boolean dpFits(int items, long knapsackBudget, int extraCap) {
        long usable = Math.min(knapsackBudget, (long) items * Math.max(extraCap, 0));
        // Doubles, because the products overflow long for absurd rounds.
        double cells = (double) items * (usable + 1);
        double work = cells * Math.max(1, Math.min(extraCap, usable));
        return knapsackBudget <= Integer.MAX_VALUE - 1
                && cells <= AUTO_DP_MAX_CELLS
                && work <= AUTO_DP_MAX_WORK;
    }

    private static double cost(double p, KnapsackParams params) {
        switch (params.costEstimation()) {
            case PROBABILITY:
                // Python's max(p, 1 - p) returns p unless 1 - p is strictly larger.
                double larger = (1 - p) > p ? 1 - p : p;
                return Math.log(1 - params.alpha()) / Math.log(larger);
            case EXPECTATION:
                return 1 / (p * (1 - p)) - 1;
            default:
                throw new IllegalStateException("unhandled " + params.costEstimation());
        }
    }

    /** The reference's {@code int(min(max_n, cost))}. */
    private static long truncatedCost(float cost, int maxN, int task, double p) {
        if (Float.isNaN(cost) || cost == Float.NEGATIVE_INFINITY) {
            throw new IllegalArgumentException(
                    "task "
                            + task
                            + " has p = "
                            + p
                            + ", so small that 1 − p rounds to 1 and its probability cost is "
                            + cost
                            + "; the reference fails converting it to an integer. Use"
                            + " cost_estimation=expectation or report p as 0");
        }
        // Compared in double: int → float would round a large max_n.
        return (double) cost < maxN ? (long) cost : maxN;
    }

    /**
     * The reference's DP over the effective tasks {@code items}.
     *
     * @return extra rollouts per item, Σ = min(R, items × extraCap)
     */
    static int[] solveDp(double[] p32, int[] items, int minN, int extraCap, int knapsackBudget) {
        int count = items.length;
        int[] extra = new int[count];
        if (extraCap <= 0 || knapsackBudget <= 0) {
            return extra;
        }
        // Every w up to i × extraCap is reachable after i items, so that is where the table ends
        // and
        // the largest feasible w ≤ R is min(R, count × extraCap).
        int usable = (int) Math.min(knapsackBudget, (long) count * extraCap);
        // No item can take more than min(extraCap, usable), however large max_n is.
        int kCap = Math.min(extraCap, usable);
        double[] previous = new double[usable + 1];
        double[] current = new double[usable + 1];
        int[][] choice = new int[count][];
        Map<Double, double[]> gainsByP = new HashMap<>();
        previous[0] = 0.0;
        int previousHigh = 0;
        for (int i = 0; i < count; i++) {
            double[] gains = gainsByP.computeIfAbsent(p32[items[i]], p -> gains(p, minN, kCap));
            int high = (int) Math.min(usable, (long) (i + 1) * extraCap);
            int[] chosen = new int[high + 1];
            for (int w = 0; w <= high; w++) {
                double best = Double.NEGATIVE_INFINITY;
                int bestK = -1;
                if (w <= previousHigh) {
                    best = previous[w];
                    bestK = 0;
                }
                int kHigh = Math.min(extraCap, w);
                for (int k = Math.max(1, w - previousHigh); k <= kHigh; k++) {
                    double candidate = previous[w - k] + gains[k];
                    if (candidate > best) {
                        best = candidate;
                        bestK = k;
                    }
                }
                current[w] = best;
                chosen[w] = bestK;
            }
            choice[i] = chosen;
            double[] swap = previous;
            previous = current;
            current = swap;
            previousHigh = high;
        }
        int w = usable;
        for (int i = count - 1; i >= 0; i--) {
            int k = choice[i][w];
            extra[i] = k;
            w -= k;
        }
        return extra;
    }

    /**
     * The marginal-gain greedy over the effective tasks {@code items}.
     *
     * @return extra rollouts per item, Σ = min(R, items × extraCap)
     */
    static int[] solveGreedy(
            double[] p32, int[] items, int minN, int extraCap, long knapsackBudget) {
        int count = items.length;
        int[] extra = new int[count];
        if (extraCap <= 0 || knapsackBudget <= 0) {
            return extra;
        }
        long units = Math.min(knapsackBudget, (long) count * extraCap);
        double[] currentGain = new double[count];
        double[] nextGain = new double[count];
        double[] delta = new double[count];
        PriorityQueue<Integer> heap =
                new PriorityQueue<>(
                        Math.max(1, count),
                        (a, b) -> {
                            int byDelta = Double.compare(delta[b], delta[a]);
                            return byDelta != 0 ? byDelta : Integer.compare(a, b);
                        });
        for (int j = 0; j < count; j++) {
            nextGain[j] = gain(p32[items[j]], minN, 1);
            delta[j] = nextGain[j];
            heap.add(j);
        }
        for (long unit = 0; unit < units; unit++) {
            int j = heap.poll();
            extra[j]++;
            currentGain[j] = nextGain[j];
            if (extra[j] < extraCap) {
                nextGain[j] = gain(p32[items[j]], minN, extra[j] + 1);
                delta[j] = nextGain[j] - currentGain[j];
                heap.add(j);
            }
        }
        return extra;
    }

    /** gain(k) for k = 0..extraCap of one task, gain(0) = 0. */
    private static double[] gains(double p32, int minN, int extraCap) {
        double[] gains = new double[extraCap + 1];
        for (int k = 1; k <= extraCap; k++) {
            gains[k] = gain(p32, minN, k);
        }
        return gains;
    }

    /** The DP's gain of k ≥ 1 extra rollouts: V(k + min_n, p32), and 0 for p32 ∈ {0, 1}. */
    private static double gain(double p32, int minN, int k) {
        return value(k + minN, p32);
    }

    /** Indices whose float32 p is 0, invalid tasks included (np.where(success_rates == 0)). */
    private static int[] zeroIndices(double[] p32) {
        int[] indices = new int[p32.length];
        int count = 0;
        for (int i = 0; i < p32.length; i++) {
            if (p32[i] == 0) {
                indices[count++] = i;
            }
        }
        return Arrays.copyOf(indices, count);
    }

    private static int[] nonEffectiveIndices(boolean[] effective) {
        int[] indices = new int[effective.length];
        int count = 0;
        for (int i = 0; i < effective.length; i++) {
            if (!effective[i]) {
                indices[count++] = i;
            }
        }
        return Arrays.copyOf(indices, count);
    }

    /** Adds {@code amount} over {@code indices} by div/mod, the remainder to the first ones. */
    private static void spread(long[] budget, int[] indices, long amount) {
        if (amount <= 0 || indices.length == 0) {
            return;
        }
        long base = amount / indices.length;
        long remainder = amount % indices.length;
        for (int j = 0; j < indices.length; j++) {
            budget[indices[j]] += base + (j < remainder ? 1 : 0);
        }
    }

    private static long sum(long[] values) {
        long total = 0;
        for (long value : values) {
            total += value;
        }
        return total;
    }
}
