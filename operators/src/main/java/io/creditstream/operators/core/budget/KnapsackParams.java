package io.creditstream.operators.core.budget;

import java.io.Serializable;
import java.util.Objects;
import java.util.OptionalInt;

/**
 * Immutable settings of one Knapsack RL allocation, the keyword arguments of the reference's {@code
 * sampling_budget_by_knapsack} (docs/ALGORITHMS.md §4); serializable because Flink functions carry
 * it.
 */
public final class KnapsackParams implements Serializable {

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

    public static final int DEFAULT_MIN_N = 2;
    public static final double DEFAULT_ALPHA = 0.9;
    public static final boolean DEFAULT_ALLOW_FALLBACK = true;
    public static final CostEstimation DEFAULT_COST_ESTIMATION = CostEstimation.PROBABILITY;

    /** What the published script run_knapsack_grpo_7b.sh passes as max_n; a hint, not a default. */
    public static final int SCRIPT_MAX_N = 128;

    private final int n;
    private final int minN;
    private final int maxN;
    private final double alpha;
    private final boolean allowFallback;
    private final Integer negativeN;
    private final Integer positiveN;
    private final Integer totalBudget;
    private final CostEstimation costEstimation;

    private KnapsackParams(Builder builder) {
        this.n = builder.n;
        this.minN = builder.minN;
        this.maxN = builder.maxN;
        this.alpha = builder.alpha;
        this.allowFallback = builder.allowFallback;
        this.negativeN = builder.negativeN;
        this.positiveN = builder.positiveN;
        this.totalBudget = builder.totalBudget;
        this.costEstimation = builder.costEstimation;
    }

    /** A builder holding the reference's defaults; n and max_n have none and must be set. */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder holding these settings, to derive a variant. */
    public Builder toBuilder() {
        return new Builder()
                .n(n)
                .minN(minN)
                .maxN(maxN)
                .alpha(alpha)
                .allowFallback(allowFallback)
                .negativeN(negativeN)
                .positiveN(positiveN)
                .totalBudget(totalBudget)
                .costEstimation(costEstimation);
    }

    /** Rollouts of an invalid task, and the per-task budget when no total is given. */
    public int n() {
        return n;
    }

    /** Rollouts every effective task (0 &lt; p &lt; 1) gets before the knapsack. */
    public int minN() {
        return minN;
    }

    /** The knapsack's cap per task; the leftover spreading may still exceed it. */
    public int maxN() {
        return maxN;
    }

    /** Confidence level of the {@link CostEstimation#PROBABILITY} cost. */
    public double alpha() {
        return alpha;
    }

    /** Whether budget beyond the effective tasks' estimated cost goes to the p = 0 tasks. */
    public boolean allowFallback() {
        return allowFallback;
    }

    /** Rollouts of a valid task with p = 0; {@link #minN()} unless set. */
    public int negativeN() {
        return negativeN != null ? negativeN : minN;
    }

    /** Rollouts of a valid task with p = 1; {@link #minN()} unless set. */
    public int positiveN() {
        return positiveN != null ? positiveN : minN;
    }

    /** The total budget B when set; otherwise B = #tasks · n. */
    public OptionalInt totalBudget() {
        return totalBudget != null ? OptionalInt.of(totalBudget) : OptionalInt.empty();
    }

    /** B for a round of {@code tasks} tasks. */
    public long totalBudget(int tasks) {
        return totalBudget != null ? totalBudget : (long) tasks * n;
    }

    public CostEstimation costEstimation() {
        return costEstimation;
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof KnapsackParams)) {
            return false;
        }
        KnapsackParams that = (KnapsackParams) o;
        return n == that.n
                && minN == that.minN
                && maxN == that.maxN
                && Double.compare(alpha, that.alpha) == 0
                && allowFallback == that.allowFallback
                && Objects.equals(negativeN, that.negativeN)
                && Objects.equals(positiveN, that.positiveN)
                && Objects.equals(totalBudget, that.totalBudget)
                && costEstimation == that.costEstimation;
    }

    @Override
    public int hashCode() {
        return Objects.hash(
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

    @Override
    public String toString() {
        return "KnapsackParams{n="
                + n
                + ", min_n="
                + minN
                + ", max_n="
                + maxN
                + ", alpha="
                + alpha
                + ", allow_fallback="
                + allowFallback
                + ", negative_n="
                + negativeN()
                + ", positive_n="
                + positiveN()
                + ", total_budget="
                + (totalBudget != null ? totalBudget : "#tasks*n")
                + ", cost_estimation="
                + costEstimation.configName()
                + "}";
    }

    /** Collects settings and validates them all in {@link #build()}. */
    public static final class Builder {
        private Integer n;
        private int minN = DEFAULT_MIN_N;
        private Integer maxN;
        private double alpha = DEFAULT_ALPHA;
        private boolean allowFallback = DEFAULT_ALLOW_FALLBACK;
        private Integer negativeN;
        private Integer positiveN;
        private Integer totalBudget;
        private CostEstimation costEstimation = DEFAULT_COST_ESTIMATION;

        private Builder() {}

        public Builder n(int n) {
            this.n = n;
            return this;
        }

        public Builder minN(int minN) {
            this.minN = minN;
            return this;
        }

        public Builder maxN(int maxN) {
            this.maxN = maxN;
            return this;
        }

        public Builder alpha(double alpha) {
            this.alpha = alpha;
            return this;
        }

        public Builder allowFallback(boolean allowFallback) {
            this.allowFallback = allowFallback;
            return this;
        }

        /** Null means "min_n", as in the reference. */
        public Builder negativeN(Integer negativeN) {
            this.negativeN = negativeN;
            return this;
        }

        /** Null means "min_n", as in the reference. */
        public Builder positiveN(Integer positiveN) {
            this.positiveN = positiveN;
            return this;
        }

        /** Null means "#tasks · n", as in the reference. */
        public Builder totalBudget(Integer totalBudget) {
            this.totalBudget = totalBudget;
            return this;
        }

        public Builder costEstimation(CostEstimation costEstimation) {
            this.costEstimation = costEstimation;
            return this;
        }

        /** Parses {@code probability} or {@code expectation}. */
        public Builder costEstimation(String costEstimation) {
            return costEstimation(CostEstimation.parse(FIELD_COST_ESTIMATION, costEstimation));
        }

        /**
         * Validates every setting.
         *
         * @throws IllegalArgumentException naming the field and saying how to fix it
         */
        public KnapsackParams build() {
            if (n == null) {
                throw new IllegalArgumentException(
                        name(FIELD_N, KEY_N)
                                + " must be set: it is the rollouts of an invalid task and, with no"
                                + " total_budget, the per-task budget (the reference takes it as a"
                                + " required argument)");
            }
            if (n < 1) {
                throw new IllegalArgumentException(
                        name(FIELD_N, KEY_N) + " must be at least 1, got " + n);
            }
            if (minN < 0) {
                throw new IllegalArgumentException(
                        name(FIELD_MIN_N, KEY_MIN_N) + " must not be negative, got " + minN);
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
                                + " must be set; accepted values: probability, expectation");
            }
            return new KnapsackParams(this);
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
}
