package io.creditstream.operators.flink;

import io.creditstream.operators.flink.budget.BudgetMetrics;
import java.util.List;

/**
 * What every metric the job's operators register means: its kind, its labels beyond Flink's scope
 * labels, its unit and where it comes from. docs/METRICS.md is rendered from this list, a test
 * keeps the list equal to the constants of {@link CreditMetrics} and {@link BudgetMetrics}, and the
 * Prometheus integration test keeps it equal to the series the running job exports.
 */
public final class JobMetricCatalog {
    /**
     * The prefix Flink's Prometheus reporter puts before an operator metric's name (the scope
     * {@code taskmanager.job.task.operator}).
     */
    public static final String OPERATOR_PREFIX = "flink_taskmanager_job_task_operator_";

    /**
     * The labels Flink's reporter puts on every operator series. All are bounded by the deployment
     * (hosts, task managers, the job, its operators and subtasks); {@code job_id} and {@code
     * task_attempt_id} change when the job is resubmitted or restarted.
     */
    public static final List<String> SCOPE_LABELS =
            List.of(
                    "host",
                    "tm_id",
                    "job_id",
                    "job_name",
                    "task_id",
                    "task_name",
                    "task_attempt_id",
                    "task_attempt_num",
                    "subtask_index",
                    "operator_id",
                    "operator_name");

    /** A Flink metric kind. */
    public enum Kind {
        /** Flink's Counter, exposed by the reporter as a Prometheus gauge that only grows. */
        COUNTER("counter (a gauge that only grows)"),
        GAUGE("gauge"),
        /**
         * Flink's Histogram over a sliding window of samples, exposed as a Prometheus summary:
         * {@code quantile} = 0.5, 0.75, 0.95, 0.98, 0.99, 0.999 and a {@code _count} series.
         */
        HISTOGRAM("summary (quantiles over a sliding window)");

        private final String description;

        Kind(String description) {
            this.description = description;
        }

        public String description() {
            return description;
        }
    }

    /**
     * One operator metric.
     *
     * @param name the name the operator registers (a constant of {@link CreditMetrics} or {@link
     *     BudgetMetrics})
     * @param kind what Flink registers
     * @param group the plain metric group it is registered under (part of the name only), or null
     * @param label a label of its own beyond the scope labels (a bounded enumeration), or null
     * @param unit the unit of its value
     * @param meaning what it measures, and which operator registers it
     */
    public record Entry(
            String name, Kind kind, String group, String label, String unit, String meaning) {

        /** An operator metric registered on the operator's own metric group. */
        public Entry(String name, Kind kind, String label, String unit, String meaning) {
            this(name, kind, null, label, unit, meaning);
        }

        /**
         * The name Prometheus shows. A metric under a key-value group ({@code reason}) has the
         * group's key in its name as well as in a label, as Flink's reporter writes it.
         */
        public String prometheusName() {
            return OPERATOR_PREFIX
                    + (group == null ? "" : group + "_")
                    + (label == null ? "" : label + "_")
                    + name;
        }
    }

    private static final String STEPS = "steps";
    private static final String GROUPS = "groups";
    private static final String TRAJECTORIES = "trajectories";
    private static final String RATIO = "ratio (0-1)";
    private static final String ADVANTAGE = "advantage units";

    /** Every operator metric of the job, in the order the data flows. */
    public static final List<Entry> ENTRIES =
            List.of(
                    new Entry(
                            CreditMetrics.EVENTS_IN,
                            Kind.COUNTER,
                            null,
                            STEPS,
                            "Step events read from agent.steps and decoded (decode)."),
                    new Entry(
                            CreditMetrics.DEAD_LETTERED,
                            Kind.COUNTER,
                            CreditMetrics.REASON_LABEL,
                            "records",
                            "Records sent to agent.steps.dlq, by reason code (one series per"
                                    + " reason and operator, every reason from the start; the codes"
                                    + " are listed in docs/RELIABILITY.md)."),
                    new Entry(
                            CreditMetrics.DUPLICATE_STEPS,
                            Kind.COUNTER,
                            null,
                            STEPS,
                            "Identical steps received again and dropped (trajectory assembler)."),
                    new Entry(
                            CreditMetrics.OPEN_TRAJECTORIES,
                            Kind.GAUGE,
                            null,
                            TRAJECTORIES,
                            "Episodes with steps and no terminal step yet, on this subtask."),
                    new Entry(
                            CreditMetrics.TRAJECTORIES_COMPLETED,
                            Kind.COUNTER,
                            null,
                            TRAJECTORIES,
                            "Episodes assembled complete and sent on to their group."),
                    new Entry(
                            CreditMetrics.DUPLICATE_TRAJECTORIES,
                            Kind.COUNTER,
                            null,
                            TRAJECTORIES,
                            "Trajectories received again for a group that holds them, dropped"
                                    + " (group assembler)."),
                    new Entry(
                            CreditMetrics.OPEN_GROUPS,
                            Kind.GAUGE,
                            null,
                            GROUPS,
                            "Rollout groups with trajectories and not yet complete, on this"
                                    + " subtask."),
                    new Entry(
                            CreditMetrics.GROUPS_COMPLETED,
                            Kind.COUNTER,
                            null,
                            GROUPS,
                            "Groups completed with group_size trajectories."),
                    new Entry(
                            CreditMetrics.GROUPS_PARTIAL,
                            Kind.COUNTER,
                            null,
                            GROUPS,
                            "Groups completed by their timeout with fewer trajectories (flagged"
                                    + " partial_group)."),
                    new Entry(
                            CreditMetrics.GROUPS_DROPPED,
                            Kind.COUNTER,
                            null,
                            GROUPS,
                            "Groups dropped at their timeout with too few trajectories."),
                    new Entry(
                            CreditMetrics.GROUP_COMPLETION_LATENCY_MS,
                            Kind.HISTOGRAM,
                            null,
                            "milliseconds",
                            "Wall time from a group's first trajectory to its completion (last"
                                    + " 1,024 groups)."),
                    new Entry(
                            CreditMetrics.POLICY_VERSION_LAG,
                            Kind.HISTOGRAM,
                            null,
                            "policy versions",
                            "How many snapshot versions each trajectory lags behind the newest"
                                    + " policy the job has seen (staleness filter)."),
                    new Entry(
                            CreditMetrics.STALE_TRAJECTORIES_DROPPED,
                            Kind.COUNTER,
                            null,
                            TRAJECTORIES,
                            "Trajectories dropped for lagging more than credit.max-policy-lag"
                                    + " versions."),
                    new Entry(
                            CreditMetrics.STALE_TRAJECTORY_STEPS,
                            Kind.COUNTER,
                            null,
                            STEPS,
                            "Steps of the trajectories dropped as stale (with the count above:"
                                    + " their mean length)."),
                    new Entry(
                            CreditMetrics.STALE_TRAJECTORIES_POSITIVE,
                            Kind.COUNTER,
                            null,
                            TRAJECTORIES,
                            "Dropped stale trajectories with a positive return (a success, in a"
                                    + " sparse-reward task)."),
                    new Entry(
                            CreditMetrics.FRESH_TRAJECTORIES,
                            Kind.COUNTER,
                            null,
                            TRAJECTORIES,
                            "Trajectories that passed the staleness check."),
                    new Entry(
                            CreditMetrics.FRESH_TRAJECTORY_STEPS,
                            Kind.COUNTER,
                            null,
                            STEPS,
                            "Steps of the trajectories that passed the staleness check."),
                    new Entry(
                            CreditMetrics.FRESH_TRAJECTORIES_POSITIVE,
                            Kind.COUNTER,
                            null,
                            TRAJECTORIES,
                            "Trajectories that passed the staleness check with a positive"
                                    + " return."),
                    new Entry(
                            CreditMetrics.FRESH_TRAJECTORY_LENGTHS,
                            Kind.COUNTER,
                            CreditMetrics.MAX_LENGTH_LABEL,
                            TRAJECTORIES,
                            "Trajectories that passed the staleness check, by length: one series"
                                    + " per bucket, max_length its inclusive upper bound in steps"
                                    + " (1, 2, ... 10, 12, ... 20, 25, ... 40, 50, ... 100, 150, 200, 300, 500,"
                                    + " 1000, inf)."),
                    new Entry(
                            CreditMetrics.STALE_TRAJECTORY_LENGTHS,
                            Kind.COUNTER,
                            CreditMetrics.MAX_LENGTH_LABEL,
                            TRAJECTORIES,
                            "Trajectories dropped as stale, by length (the buckets above):"
                                    + " against the kept ones, whether dropping removes the long"
                                    + " episodes."),
                    new Entry(
                            CreditMetrics.STALE_GROUPS_DROPPED,
                            Kind.COUNTER,
                            null,
                            GROUPS,
                            "Groups dropped because too few fresh trajectories remained."),
                    new Entry(
                            CreditMetrics.SNAPSHOTS_REJECTED,
                            Kind.COUNTER,
                            null,
                            "snapshots",
                            "Policy snapshots ignored for a version outside 0..2^53 or more than"
                                    + " credit.max-version-jump above the newest believed, or"
                                    + " naming one experiment too many."),
                    new Entry(
                            CreditMetrics.SNAPSHOTS_UNVERIFIED,
                            Kind.COUNTER,
                            null,
                            "snapshots",
                            "Policy snapshots ignored because credit.snapshot-public-key is set"
                                    + " and they are unsigned or their signature does not verify."),
                    new Entry(
                            CreditMetrics.NEWEST_POLICY_VERSION,
                            Kind.GAUGE,
                            null,
                            "policy version",
                            "The newest policy snapshot version this subtask has seen (-1 before"
                                    + " the first)."),
                    new Entry(
                            CreditMetrics.ADVANTAGE_MEAN,
                            Kind.GAUGE,
                            null,
                            ADVANTAGE,
                            "Mean advantage over the last 4,096 steps (estimator)."),
                    new Entry(
                            CreditMetrics.ADVANTAGE_STD,
                            Kind.GAUGE,
                            null,
                            ADVANTAGE,
                            "Standard deviation of the advantages over the last 4,096 steps."),
                    new Entry(
                            CreditMetrics.ADVANTAGE_ABS_MAX,
                            Kind.GAUGE,
                            null,
                            ADVANTAGE,
                            "Largest |advantage| over the last 4,096 steps."),
                    new Entry(
                            CreditMetrics.ZERO_VARIANCE_GROUP_RATIO,
                            Kind.GAUGE,
                            null,
                            RATIO,
                            "Share of the last 256 groups whose trajectories all had the same"
                                    + " outcome (no episode-level signal)."),
                    new Entry(
                            CreditMetrics.SHADOW_RANK_CORRELATION,
                            Kind.GAUGE,
                            CreditMetrics.SHADOW_LABEL,
                            "correlation (-1 to 1)",
                            "Per shadow estimator (credit.shadow-estimators): Spearman rank"
                                    + " correlation of its advantages with the primary's within a"
                                    + " group, averaged over the last 256 groups (1 where both are"
                                    + " constant, 0 where only one is). Every shadow series is"
                                    + " NaN on a subtask that has credited no group yet."),
                    new Entry(
                            CreditMetrics.SHADOW_SIGN_AGREEMENT,
                            Kind.GAUGE,
                            CreditMetrics.SHADOW_LABEL,
                            RATIO,
                            "Per shadow estimator: share of the last 4,096 steps whose shadow"
                                    + " advantage has the primary's sign (negative, zero or"
                                    + " positive)."),
                    new Entry(
                            CreditMetrics.SHADOW_ADVANTAGE_STD,
                            Kind.GAUGE,
                            CreditMetrics.SHADOW_LABEL,
                            ADVANTAGE,
                            "Per shadow estimator: std of its advantages over the last 4,096"
                                    + " steps."),
                    new Entry(
                            CreditMetrics.SHADOW_ZERO_VARIANCE_GROUP_RATIO,
                            Kind.GAUGE,
                            CreditMetrics.SHADOW_LABEL,
                            RATIO,
                            "Per shadow estimator: share of the last 256 groups in which all its"
                                    + " advantages are equal, so it would give them no signal."),
                    new Entry(
                            CreditMetrics.SHADOW_FAILURES,
                            Kind.COUNTER,
                            CreditMetrics.SHADOW_LABEL,
                            GROUPS,
                            "Per shadow estimator: groups it failed on; the primary's advantages"
                                    + " are written regardless."),
                    new Entry(
                            CreditMetrics.ANCHOR_GROUP_SIZE,
                            Kind.HISTOGRAM,
                            null,
                            STEPS,
                            "Steps sharing each step's anchor state within its group (GiGPO; 1"
                                    + " for the other estimators), last 4,096 steps."),
                    new Entry(
                            CreditMetrics.ANCHOR_SINGLETON_RATIO,
                            Kind.GAUGE,
                            null,
                            RATIO,
                            "Share of the last 4,096 steps whose anchor group is the step"
                                    + " alone."),
                    new Entry(
                            CreditMetrics.ANCHOR_MEMORY_SINGLETON_RATIO,
                            Kind.GAUGE,
                            null,
                            RATIO,
                            "GiGPO with credit.gigpo.anchor-memory.enabled: share of the last"
                                    + " 4,096 steps still alone in their step group after pooling"
                                    + " the task's earlier groups (NaN without the memory)."),
                    new Entry(
                            CreditMetrics.ANCHOR_MEMORY_FORGOTTEN,
                            Kind.COUNTER,
                            null,
                            "anchors",
                            "GiGPO anchor memory: anchor states forgotten because their task"
                                    + " held more than credit.gigpo.anchor-memory.max-anchors."),
                    new Entry(
                            CreditMetrics.LAST_STEP_TO_ADVANTAGE_MS,
                            Kind.HISTOGRAM,
                            null,
                            "milliseconds",
                            "Wall time from a group's newest step (event_time_ms) to its"
                                    + " advantages (last 256 groups)."),
                    new Entry(
                            CreditMetrics.ADVANTAGE_RECORDS_OUT,
                            Kind.COUNTER,
                            null,
                            STEPS,
                            "Advantage records computed."),
                    new Entry(
                            CreditMetrics.PRM_LOSS,
                            Kind.GAUGE,
                            null,
                            "nats",
                            "OPRL: the in-stream PRM's DPO loss before each update (mean over"
                                    + " the last 256 groups)."),
                    new Entry(
                            CreditMetrics.PRM_PAIR_ACCURACY,
                            Kind.GAUGE,
                            null,
                            RATIO,
                            "OPRL: the PRM's pair accuracy on each group before training on it"
                                    + " (mean over the last 256 groups)."),
                    new Entry(
                            CreditMetrics.PRM_PAIRS,
                            Kind.COUNTER,
                            null,
                            "pairs",
                            "OPRL: (success, failure) pairs the PRM has trained on."),
                    new Entry(
                            CreditMetrics.PRM_UPDATES,
                            Kind.COUNTER,
                            null,
                            GROUPS,
                            "OPRL: groups that updated the PRM (those with a preference pair)."),
                    new Entry(
                            CreditMetrics.PRM_LIVE_FEATURES,
                            Kind.GAUGE,
                            null,
                            "features",
                            "OPRL: non-zero PRM weights over the shards this subtask holds."),
                    new Entry(
                            CreditMetrics.PRM_STEP_REWARD_MEAN,
                            Kind.GAUGE,
                            null,
                            "reward units",
                            "OPRL: mean step reward r_phi over the last 4,096 steps."),
                    new Entry(
                            CreditMetrics.PRM_STEP_REWARD_STD,
                            Kind.GAUGE,
                            null,
                            "reward units",
                            "OPRL: standard deviation of the step rewards over the last 4,096"
                                    + " steps."),
                    new Entry(
                            CreditMetrics.PRM_STEP_WEIGHT,
                            Kind.GAUGE,
                            null,
                            "weight",
                            "OPRL: the alpha applied to the last group's step term (warm-up and"
                                    + " confidence included)."),
                    new Entry(
                            CreditMetrics.PRM_EXTERNAL_STEP_RATIO,
                            Kind.GAUGE,
                            null,
                            RATIO,
                            "OPRL: share of the last 4,096 steps whose reward came from the"
                                    + " events' log-probs."),
                    new Entry(
                            CreditMetrics.BATCHES_OUT,
                            Kind.COUNTER,
                            null,
                            "batches",
                            "Advantage batches written to learner.batches (batcher)."),
                    new Entry(
                            CreditMetrics.SPLIT_GROUPS,
                            Kind.COUNTER,
                            null,
                            GROUPS,
                            "Groups split over several batches for exceeding batch.max-bytes."),
                    new Entry(
                            CreditMetrics.KAFKA_TRANSACTIONS_LOST,
                            Kind.COUNTER,
                            null,
                            "transactions",
                            "Kafka transactions of the exactly-once sinks that could not be"
                                    + " committed: their records are lost (sink committer; see"
                                    + " docs/RELIABILITY.md)."),
                    new Entry(
                            BudgetMetrics.REQUESTS_MALFORMED,
                            Kind.COUNTER,
                            BudgetMetrics.DESERIALIZER_GROUP,
                            null,
                            "records",
                            "Budgets: rollout.requests values that are not a BudgetRequest,"
                                    + " skipped (requests source)."),
                    new Entry(
                            BudgetMetrics.TASKS_TRACKED,
                            Kind.GAUGE,
                            null,
                            "tasks",
                            "Budgets: task keys this subtask has started tracking since it"
                                    + " started (task statistics)."),
                    new Entry(
                            BudgetMetrics.OUTCOMES_REJECTED,
                            Kind.COUNTER,
                            null,
                            "outcomes",
                            "Budgets: task outcomes whose rewards the success-rate tracker"
                                    + " rejected."),
                    new Entry(
                            BudgetMetrics.EFFECTIVE_GRADIENT_RATIO,
                            Kind.GAUGE,
                            null,
                            RATIO,
                            "Share of the samples of the last 256 groups that lie in groups whose"
                                    + " rewards are not all equal (docs/ALGORITHMS.md section 4)."),
                    new Entry(
                            BudgetMetrics.EFFECTIVE_PROMPT_RATIO,
                            Kind.GAUGE,
                            null,
                            RATIO,
                            "Share of the last 256 groups with at least one reward > 0 and one"
                                    + " <= 0."),
                    new Entry(
                            BudgetMetrics.ROUNDS_ANSWERED,
                            Kind.COUNTER,
                            null,
                            "rounds",
                            "Budgets: rounds answered with an allocation (round allocator)."),
                    new Entry(
                            BudgetMetrics.ROUNDS_FAILED,
                            Kind.COUNTER,
                            null,
                            "rounds",
                            "Budgets: rounds answered with error records (solver error or"
                                    + " budget.round-timeout)."),
                    new Entry(
                            BudgetMetrics.REPLIES_IGNORED,
                            Kind.COUNTER,
                            null,
                            "replies",
                            "Budgets: task replies dropped as duplicates or outside their"
                                    + " round."),
                    new Entry(
                            BudgetMetrics.ROLLOUTS_PER_ROUND,
                            Kind.HISTOGRAM,
                            null,
                            "rollouts",
                            "Budgets: total rollouts allocated per answered round (last 1,024"
                                    + " rounds)."));

    private JobMetricCatalog() {}
}
