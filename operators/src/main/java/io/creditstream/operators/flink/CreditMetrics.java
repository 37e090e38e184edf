package io.creditstream.operators.flink;

import io.creditstream.operators.core.input.DeadLetterReason;
import java.util.EnumMap;
import java.util.Map;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;

/**
 * Names of every metric the creditstream operators register. Flink's Prometheus reporter exposes
 * them as {@code flink_taskmanager_job_task_operator_<name>}; the dead-letter counter carries a
 * {@code reason} label.
 */
public final class CreditMetrics {
    public static final String EVENTS_IN = "creditEventsIn";
    public static final String DEAD_LETTERED = "creditDeadLettered";
    public static final String REASON_LABEL = "reason";

    /** Identical steps received again (open episode, or re-sent after completing): dropped. */
    public static final String DUPLICATE_STEPS = "creditDuplicateSteps";

    /** Trajectories received again for a group that already holds them: dropped. */
    public static final String DUPLICATE_TRAJECTORIES = "creditDuplicateTrajectories";

    /** Groups split into several learner batches because they exceed batch.max-bytes. */
    public static final String SPLIT_GROUPS = "creditSplitGroups";

    /** Policy snapshots ignored because their version is outside 0..2^53. */
    public static final String SNAPSHOTS_REJECTED = "creditSnapshotsRejected";

    public static final String SNAPSHOTS_UNVERIFIED = "creditSnapshotsUnverified";

    public static final String OPEN_TRAJECTORIES = "creditOpenTrajectories";
    public static final String TRAJECTORIES_COMPLETED = "creditTrajectoriesCompleted";
    public static final String OPEN_GROUPS = "creditOpenGroups";
    public static final String GROUPS_COMPLETED = "creditGroupsCompleted";
    public static final String GROUPS_PARTIAL = "creditGroupsPartial";
    public static final String GROUPS_DROPPED = "creditGroupsDropped";
    public static final String GROUP_COMPLETION_LATENCY_MS = "creditGroupCompletionLatencyMs";

    /** Wall time from a group's newest step event (event_time_ms) to its advantages. */
    public static final String LAST_STEP_TO_ADVANTAGE_MS = "creditLastStepToAdvantageMs";

    public static final String ADVANTAGE_MEAN = "creditAdvantageMean";
    public static final String ADVANTAGE_STD = "creditAdvantageStd";
    public static final String ADVANTAGE_ABS_MAX = "creditAdvantageAbsMax";
    public static final String ZERO_VARIANCE_GROUP_RATIO = "creditZeroVarianceGroupRatio";
    public static final String ANCHOR_GROUP_SIZE = "creditAnchorGroupSize";
    public static final String ANCHOR_SINGLETON_RATIO = "creditAnchorSingletonRatio";

    /** With GiGPO's anchor memory: share of steps still alone after pooling earlier groups. */
    public static final String ANCHOR_MEMORY_SINGLETON_RATIO = "creditAnchorMemorySingletonRatio";

    /** With GiGPO's anchor memory: anchors forgotten because a task held too many. */
    public static final String ANCHOR_MEMORY_FORGOTTEN = "creditAnchorMemoryForgotten";

    public static final String ADVANTAGE_RECORDS_OUT = "creditAdvantageRecordsOut";

    /** The key-value group, and Prometheus label, of a shadow estimator's metrics. */
    public static final String SHADOW_LABEL = "shadow";

    /** Mean Spearman ρ of a shadow's advantages against the primary's, per group. */
    public static final String SHADOW_RANK_CORRELATION = "creditShadowRankCorrelation";

    /** Share of steps whose shadow advantage has the primary's sign. */
    public static final String SHADOW_SIGN_AGREEMENT = "creditShadowSignAgreement";

    public static final String SHADOW_ADVANTAGE_STD = "creditShadowAdvantageStd";

    /** Share of groups in which every shadow advantage is equal (no signal from the shadow). */
    public static final String SHADOW_ZERO_VARIANCE_GROUP_RATIO =
            "creditShadowZeroVarianceGroupRatio";

    /** Groups a shadow estimator failed on (the primary's output is unaffected). */
    public static final String SHADOW_FAILURES = "creditShadowFailures";

    public static final String BATCHES_OUT = "creditBatchesOut";

    /** OPRL: the in-stream PRM's DPO loss before each update (rolling mean over groups). */
    public static final String PRM_LOSS = "creditPrmLoss";

    /** OPRL: the PRM's pair accuracy on each group before training on it (rolling mean). */
    public static final String PRM_PAIR_ACCURACY = "creditPrmPairAccuracy";

    /** OPRL: (positive, negative) pairs the PRM has trained on. */
    public static final String PRM_PAIRS = "creditPrmPairs";

    /** OPRL: groups that updated the PRM (those with a preference pair). */
    public static final String PRM_UPDATES = "creditPrmUpdates";

    /** OPRL: non-zero PRM weights over the shards this subtask holds. */
    public static final String PRM_LIVE_FEATURES = "creditPrmLiveFeatures";

    /** OPRL: rolling mean and std of the step rewards r_φ. */
    public static final String PRM_STEP_REWARD_MEAN = "creditPrmStepRewardMean";

    public static final String PRM_STEP_REWARD_STD = "creditPrmStepRewardStd";

    /** OPRL: the α applied to the last group's step term (warm-up and confidence included). */
    public static final String PRM_STEP_WEIGHT = "creditPrmStepWeight";

    /** OPRL: the share of steps whose reward came from the events' log-probs (rolling). */
    public static final String PRM_EXTERNAL_STEP_RATIO = "creditPrmExternalStepRatio";

    /** How many snapshot versions each trajectory lags behind the newest policy (histogram). */
    public static final String POLICY_VERSION_LAG = "creditPolicyVersionLag";

    /** Trajectories dropped for lagging more than credit.max-policy-lag versions. */
    public static final String STALE_TRAJECTORIES_DROPPED = "creditStaleTrajectoriesDropped";

    /** Steps of the trajectories dropped as stale (with the count above: their mean length). */
    public static final String STALE_TRAJECTORY_STEPS = "creditStaleTrajectorySteps";

    /**
     * Dropped stale trajectories with a positive return (a success, in a sparse-reward task such as
     * the maze): compared with the kept ones, it says whether dropping favours easy outcomes.
     */
    public static final String STALE_TRAJECTORIES_POSITIVE = "creditStaleTrajectoriesPositive";

    /** Trajectories that passed the staleness check. */
    public static final String FRESH_TRAJECTORIES = "creditFreshTrajectories";

    /** Steps of the trajectories that passed the staleness check. */
    public static final String FRESH_TRAJECTORY_STEPS = "creditFreshTrajectorySteps";

    /** Trajectories that passed the staleness check with a positive return. */
    public static final String FRESH_TRAJECTORIES_POSITIVE = "creditFreshTrajectoriesPositive";

    /**
     * The key-value group, and Prometheus label, of the length-bucket counters: the bucket's
     * inclusive upper bound in steps ({@link io.creditstream.operators.core.credit.LengthBuckets}),
     * {@code inf} for the last.
     */
    public static final String MAX_LENGTH_LABEL = "max_length";

    /**
     * Trajectories that passed the staleness check, per length bucket ({@link #MAX_LENGTH_LABEL}).
     */
    public static final String FRESH_TRAJECTORY_LENGTHS = "creditFreshTrajectoryLengths";

    /** Trajectories dropped as stale, per length bucket ({@link #MAX_LENGTH_LABEL}). */
    public static final String STALE_TRAJECTORY_LENGTHS = "creditStaleTrajectoryLengths";

    /** Groups dropped because too few fresh trajectories remained. */
    public static final String STALE_GROUPS_DROPPED = "creditStaleGroupsDropped";

    /** The newest policy snapshot version this subtask has seen (-1 before the first). */
    public static final String NEWEST_POLICY_VERSION = "creditNewestPolicyVersion";

    /**
     * Transactions the exactly-once sinks' committer could not commit (their records are lost);
     * registered by the streams module's reporting Kafka sink.
     */
    public static final String KAFKA_TRANSACTIONS_LOST = "creditKafkaTransactionsLost";

    /** Steps over which the rolling advantage and anchor statistics are computed. */
    public static final int STEP_WINDOW = 4096;

    /** Groups over which the rolling zero-variance ratio is computed. */
    public static final int GROUP_WINDOW = 256;

    private CreditMetrics() {}

    /** One dead-letter counter per reason, created up front so every series exists from start. */
    public static Map<DeadLetterReason, Counter> deadLetterCounters(MetricGroup group) {
        Map<DeadLetterReason, Counter> counters = new EnumMap<>(DeadLetterReason.class);
        for (DeadLetterReason reason : DeadLetterReason.values()) {
            counters.put(
                    reason, group.addGroup(REASON_LABEL, reason.code()).counter(DEAD_LETTERED));
        }
        return counters;
    }
}
