package io.creditstream.operators.core.budget;

import io.creditstream.operators.core.config.ConfigNames;
import java.io.Serializable;

/**
 * The settings of one Knapsack RL allocation, the keyword arguments of the reference's {@code
 * sampling_budget_by_knapsack} (docs/ALGORITHMS.md §4), validated when constructed; serializable
 * because Flink functions carry it. A round's JSON names them by {@code FIELD_*}, the job's
 * configuration by {@code KEY_*}; every error names both.
 *
 * <p>A {@code with*} call checks the whole result, including {@code max_n ≥ min_n}.
 *
 * @param n rollouts of an invalid task, and the per-task budget when no total is given; at least 1
 * @param minN rollouts every effective task (0 &lt; p &lt; 1) gets before the knapsack; not
 *     negative
 * @param maxN the knapsack's cap per task, at least {@code minN}; the leftover spreading may still
 *     exceed it
 * @param alpha confidence level of the {@link CostEstimation#PROBABILITY} cost, strictly between 0
 *     and 1
 * @param allowFallback whether budget beyond the effective tasks' estimated cost goes to the p = 0
 *     tasks
 * @param negativeN rollouts of a valid task with p = 0, not negative; null means {@code minN}, as
 *     in the reference ({@link #effectiveNegativeN()})
 * @param positiveN rollouts of a valid task with p = 1, not negative; null means {@code minN}, as
 *     in the reference ({@link #effectivePositiveN()})
 * @param totalBudget the total budget B, not negative; null means #tasks · n, as in the reference
 *     ({@link #totalBudget(int)})
 * @param costEstimation how a task's cost is estimated for the fallback test
 */
public record KnapsackParams(
        int n,
        int minN,
        int maxN,
        double alpha,
        boolean allowFallback,
        Integer negativeN,
        Integer positiveN,
        Integer totalBudget,
        CostEstimation costEstimation)
        implements Serializable {

    private static final long serialVersionUID = 1L;

    // JSON field names, as the reference's keyword arguments are spelled.
    public static final String FIELD_N = "n";
    public static final String FIELD_MIN_N = "min_n";
    public static final String FIELD_MAX_N = "max_n";
    public static final String FIELD_ALPHA = "alpha";
    public static final String FIELD_ALLOW_FALLBACK = "allow_fallback";
    public static final String FIELD_NEGATIVE_N = "negative_n";
    public static final String FIELD_POSITIVE_N = "positive_n";
    public static final String FIELD_TOTAL_BUDGET = "total_budget";
    public static final String FIELD_COST_ESTIMATION = "cost_estimation";

    // Configuration keys of the same settings.
    public static final String KEY_N = "budget.n";
    public static final String KEY_MIN_N = "budget.min-n";
    public static final String KEY_MAX_N = "budget.max-n";
    public static final String KEY_ALPHA = "budget.alpha";
    public static final String KEY_ALLOW_FALLBACK = "budget.allow-fallback";
    public static final String KEY_NEGATIVE_N = "budget.negative-n";
    public static final String KEY_POSITIVE_N = "budget.positive-n";
    public static final String KEY_TOTAL_BUDGET = "budget.total-budget";
    public static final String KEY_COST_ESTIMATION = "budget.cost-estimation";

    // The reference's defaults; n and max_n have none.
    public static final int DEFAULT_MIN_N = 2;
    public static final double DEFAULT_ALPHA = 0.9;
    public static final boolean DEFAULT_ALLOW_FALLBACK = true;
    public static final CostEstimation DEFAULT_COST_ESTIMATION = CostEstimation.PROBABILITY;

    /** What the published script run_knapsack_grpo_7b.sh passes as max_n; a hint, not a default. */
    public static final int SCRIPT_MAX_N = 128;

    /**
     * Checks every setting.
     *
     * @throws IllegalArgumentException naming the field and its key and saying how to fix it
     */
    public KnapsackParams {
        if (n < 1) {
            throw new IllegalArgumentException(
                    name(FIELD_N, KEY_N) + " must be at least 1, got " + n);
        }
        if (minN < 0) {
            throw new IllegalArgumentException(
                    name(FIELD_MIN_N, KEY_MIN_N) + " must not be negative, got " + minN);
        }
        if (maxN < minN) {
            throw new IllegalArgumentException(
                    name(FIELD_MAX_N, KEY_MAX_N)
                            + " must be at least "
                            + name(FIELD_MIN_N, KEY_MIN_N)
                            + " = "
                            + minN
                            + ", got "
                            + maxN);
        }
        if (!(alpha > 0 && alpha < 1)) {
            throw new IllegalArgumentException(
                    name(FIELD_ALPHA, KEY_ALPHA)
                            + " must be a confidence level strictly between 0 and 1, got "
                            + alpha);
        }
        requireNonNegative(negativeN, FIELD_NEGATIVE_N, KEY_NEGATIVE_N);
        requireNonNegative(positiveN, FIELD_POSITIVE_N, KEY_POSITIVE_N);
        requireNonNegative(totalBudget, FIELD_TOTAL_BUDGET, KEY_TOTAL_BUDGET);
        if (costEstimation == null) {
            throw new IllegalArgumentException(
                    name(FIELD_COST_ESTIMATION, KEY_COST_ESTIMATION)
                            + " must be set; accepted values: "
                            + ConfigNames.accepted(
                                    CostEstimation.values(), CostEstimation::configName));
        }
    }

    /** The reference's defaults with this n and max_n, for which it has none. */
    public static KnapsackParams of(int n, int maxN) {
        return new KnapsackParams(
                n,
                DEFAULT_MIN_N,
                maxN,
                DEFAULT_ALPHA,
                DEFAULT_ALLOW_FALLBACK,
                null,
                null,
                null,
                DEFAULT_COST_ESTIMATION);
    }

    /**
     * The settings as the reference's keyword arguments give them: null means not given, and takes
     * the default.
     *
     * @throws IllegalArgumentException when n or max_n is missing (the reference requires both) or
     *     a setting is invalid
     */
    public static KnapsackParams fromKeywordArguments(
            Integer n,
            Integer minN,
            Integer maxN,
            Double alpha,
            Boolean allowFallback,
            Integer negativeN,
            Integer positiveN,
            Integer totalBudget,
            CostEstimation costEstimation) {
        if (n == null) {
            throw new IllegalArgumentException(
                    name(FIELD_N, KEY_N)
                            + " must be set: it is the rollouts of an invalid task and, with no"
                            + " total_budget, the per-task budget (the reference takes it as a"
                            + " required argument)");
        }
        if (maxN == null) {
            // The reference's docstring promises "defaults to n", but max_n=None crashes.
            throw new IllegalArgumentException(
                    name(FIELD_MAX_N, KEY_MAX_N)
                            + " must be set: the reference sampling_budget_by_knapsack has no"
                            + " usable default (max_n=None fails in its knapsack); the published"
                            + " script uses "
                            + SCRIPT_MAX_N);
        }
        return new KnapsackParams(
                n,
                minN != null ? minN : DEFAULT_MIN_N,
                maxN,
                alpha != null ? alpha : DEFAULT_ALPHA,
                allowFallback != null ? allowFallback : DEFAULT_ALLOW_FALLBACK,
                negativeN,
                positiveN,
                totalBudget,
                costEstimation != null ? costEstimation : DEFAULT_COST_ESTIMATION);
    }

    /** Rollouts of a valid task with p = 0: {@link #negativeN()}, or {@link #minN()} unless set. */
    public int effectiveNegativeN() {
        return negativeN != null ? negativeN : minN;
    }

    /** Rollouts of a valid task with p = 1: {@link #positiveN()}, or {@link #minN()} unless set. */
    public int effectivePositiveN() {
        return positiveN != null ? positiveN : minN;
    }

    /** B for a round of {@code tasks} tasks: {@link #totalBudget()}, or #tasks · n unless set. */
    public long totalBudget(int tasks) {
        return totalBudget != null ? totalBudget : (long) tasks * n;
    }

    public KnapsackParams withN(int n) {
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

    public KnapsackParams withMinN(int minN) {
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

    public KnapsackParams withAlpha(double alpha) {
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

    public KnapsackParams withAllowFallback(boolean allowFallback) {
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

    /** Null means "min_n", as in the reference. */
    public KnapsackParams withNegativeN(Integer negativeN) {
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

    /** Null means "min_n", as in the reference. */
    public KnapsackParams withPositiveN(Integer positiveN) {
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

    /** Null means "#tasks · n", as in the reference. */
    public KnapsackParams withTotalBudget(Integer totalBudget) {
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

    public KnapsackParams withCostEstimation(CostEstimation costEstimation) {
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

    private static void requireNonNegative(Integer value, String field, String key) {
        if (value != null && value < 0) {
            throw new IllegalArgumentException(
                    name(field, key)
                            + " must not be negative, got "
                            + value
                            + " (leave it unset for the default)");
        }
    }

    private static String name(String field, String key) {
        return field + " (" + key + ")";
    }
}
