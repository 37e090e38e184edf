package io.creditstream.operators.flink.budget;

/**
 * Names of the metrics the rollout-budget operators register; Flink's Prometheus reporter exposes
 * them as {@code flink_taskmanager_job_task_operator_<name>}.
 */
public final class BudgetMetrics {
    /** Gauge: task keys this subtask has started tracking since it started (TaskStatsFunction). */
    public static final String TASKS_TRACKED = "budgetTasksTracked";

    /** Counter: task outcomes whose rewards the tracker rejected (TaskStatsFunction). */
    public static final String OUTCOMES_REJECTED = "budgetOutcomesRejected";

    /**
     * Gauge: over the last {@link #GROUP_WINDOW} groups, the samples in groups whose rewards are
     * not all equal over all samples (docs/ALGORITHMS.md §4, {@code effective_gradient_ratio}).
     */
    public static final String EFFECTIVE_GRADIENT_RATIO = "budgetEffectiveGradientRatio";

    /**
     * Gauge: over the last {@link #GROUP_WINDOW} groups, the groups with at least one reward &gt; 0
     * and one ≤ 0 over all groups (docs/ALGORITHMS.md §4, {@code effective_prompt_ratio}).
     */
    public static final String EFFECTIVE_PROMPT_RATIO = "budgetEffectivePromptRatio";

    /** Counter: rounds answered with an allocation (RoundAllocator). */
    public static final String ROUNDS_ANSWERED = "budgetRoundsAnswered";

    /**
     * Counter: rounds answered with error records, by the solver or the timeout (RoundAllocator).
     */
    public static final String ROUNDS_FAILED = "budgetRoundsFailed";

    /** Counter: replies dropped as duplicates or with a task index outside the round. */
    public static final String REPLIES_IGNORED = "budgetRepliesIgnored";

    /** Histogram: total rollouts of each answered round (RoundAllocator). */
    public static final String ROLLOUTS_PER_ROUND = "budgetRolloutsPerRound";

    /**
     * Counter: rollout.requests values that are not a BudgetRequest, skipped (registered by the
     * requests source's deserializer, under its {@value #DESERIALIZER_GROUP} metric group).
     */
    public static final String REQUESTS_MALFORMED = "budgetRequestsMalformed";

    /** The metric group Flink gives a Kafka source's deserializer. */
    public static final String DESERIALIZER_GROUP = "deserializer";

    /** Groups over which the rolling effective ratios are computed. */
    public static final int GROUP_WINDOW = 256;

    /** Samples kept by the rollouts-per-round histogram. */
    public static final int HISTOGRAM_WINDOW = 1024;

    private BudgetMetrics() {}
}
