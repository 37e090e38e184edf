package io.creditstream.streams.options;

import io.creditstream.operators.core.budget.KnapsackParams;
import io.creditstream.operators.core.budget.KnapsackSolver;
import io.creditstream.operators.core.budget.SuccessRateTracker;
import io.creditstream.operators.core.config.ConfigNames;
import io.creditstream.operators.core.credit.AnchorMemoryParams;
import io.creditstream.operators.core.credit.AnchorSimilarity;
import io.creditstream.operators.core.credit.CreditParams;
import io.creditstream.operators.core.credit.EpisodeNormScope;
import io.creditstream.operators.core.credit.Estimator;
import io.creditstream.operators.core.credit.IgpoParams;
import io.creditstream.operators.core.credit.Normalization;
import io.creditstream.operators.core.credit.PureParams;
import io.creditstream.operators.core.credit.StalenessPolicy;
import io.creditstream.operators.core.prm.EpisodeEstimator;
import io.creditstream.operators.core.prm.FeatureFamily;
import io.creditstream.operators.core.prm.OprlParams;
import io.creditstream.operators.core.prm.PrmParams;
import io.creditstream.operators.core.prm.PrmShard;
import io.creditstream.operators.core.prm.StepTermScope;
import io.creditstream.operators.core.prm.StepWeightScaling;
import io.creditstream.operators.core.prm.TrajectoryScore;
import io.creditstream.operators.flink.assembly.GroupAssembler;
import io.creditstream.operators.flink.assembly.TrajectoryAssembler;
import io.creditstream.operators.flink.batch.AdvantageBatchOperator;
import io.creditstream.operators.flink.budget.RoundAllocator;
import io.creditstream.operators.flink.budget.TaskStatsFunction;
import io.creditstream.operators.flink.credit.ShadowEstimators;
import io.creditstream.operators.flink.credit.StalenessFilter;
import io.creditstream.schemas.contract.Topics;
import io.creditstream.schemas.preflight.KafkaPreflight;
import io.creditstream.schemas.trust.SigningKeys;
import io.creditstream.schemas.trust.SnapshotGate;
import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;
import org.apache.flink.configuration.Configuration;

/**
 * Every creditstream configuration key, typed, with its default and description. Flink's own keys
 * ({@code state.backend.type}, {@code execution.checkpointing.*}, {@code parallelism.default}, …)
 * pass through the same configuration unchanged. The README's option table is generated from this
 * class ({@code ./creditstream options --markdown}).
 */
public final class CreditstreamOptions {

    // ---- Kafka and topics --------------------------------------------------------------------

    public static final ConfigOption<String> BOOTSTRAP_SERVERS =
            ConfigOptions.key("kafka.bootstrap-servers")
                    .stringType()
                    .noDefaultValue()
                    .withDescription(
                            "Kafka bootstrap servers, e.g. broker1:9092,broker2:9092. Required by"
                                    + " `run`; `demo` sets it to its embedded broker.");

    public static final ConfigOption<Boolean> CREATE_TOPICS =
            ConfigOptions.key("kafka.create-topics")
                    .booleanType()
                    .defaultValue(true)
                    .withDescription("Create absent topics at start-up (existing ones are kept).");

    public static final ConfigOption<Integer> TOPIC_PARTITIONS =
            ConfigOptions.key("kafka.topic-partitions")
                    .intType()
                    .defaultValue(2)
                    .withDescription("Partitions of the topics the job creates.");

    public static final ConfigOption<Integer> TOPIC_REPLICATION_FACTOR =
            ConfigOptions.key("kafka.topic-replication-factor")
                    .intType()
                    .defaultValue(3)
                    .withDescription(
                            "Replicas of each topic the job creates; more than the cluster's"
                                    + " brokers is refused at start. 1 only for a single"
                                    + " development broker (`demo` sets it for its embedded one).");

    public static final ConfigOption<Integer> TOPIC_MIN_INSYNC_REPLICAS =
            ConfigOptions.key("kafka.topic-min-insync-replicas")
                    .intType()
                    .noDefaultValue()
                    .withDescription(
                            "min.insync.replicas of the topics the job creates (default: 2 when"
                                    + " replicated 3 or more times, so one broker may fail without"
                                    + " losing a committed batch; else the broker's default).");

    public static final ConfigOption<String> CONSUMER_GROUP =
            ConfigOptions.key("kafka.group-id")
                    .stringType()
                    .defaultValue("creditstream")
                    .withDescription("Consumer group of the agent.steps source.");

    public static final ConfigOption<String> TRANSACTIONAL_ID_PREFIX =
            ConfigOptions.key("kafka.transactional-id-prefix")
                    .stringType()
                    .defaultValue("creditstream")
                    .withDescription(
                            "Prefix of the exactly-once sinks' transactional ids; unique per job"
                                    + " on one Kafka cluster.");

    public static final ConfigOption<Duration> TRANSACTION_TIMEOUT =
            ConfigOptions.key("kafka.transaction-timeout")
                    .durationType()
                    .noDefaultValue()
                    .withDescription(
                            "Producer transaction timeout: the longest the job may be down without"
                                    + " losing the output of its last checkpoint. Unset: the"
                                    + " broker's transaction.max.timeout.ms, read at start (the"
                                    + " embedded broker allows 7 d, a stock broker 15 min). Must"
                                    + " exceed the checkpoint interval.");

    public static final ConfigOption<Duration> CONNECT_TIMEOUT =
            ConfigOptions.key("kafka.connect-timeout")
                    .durationType()
                    .defaultValue(KafkaPreflight.DEFAULT_CONNECT_TIMEOUT)
                    .withDescription(
                            "How long `run` waits at start for a broker at kafka.bootstrap-servers"
                                    + " to answer before it gives up (exit status 4); raise it for"
                                    + " a broker that is still starting.");

    public static final ConfigOption<String> KAFKA_PROPERTIES_FILE =
            ConfigOptions.key("kafka.properties-file")
                    .stringType()
                    .noDefaultValue()
                    .withDescription(
                            "Java properties file of Kafka client security settings in Kafka's own"
                                    + " names (security.protocol, sasl.mechanism, sasl.jaas.config,"
                                    + " ssl.truststore.location, …), applied to every client of the"
                                    + " job; single keys can also be given as"
                                    + " kafka.client.<name>. See docs/SECURITY.md.");

    public static final ConfigOption<String> TOPIC_STEPS = topic("topic.steps", Topics.STEPS);
    public static final ConfigOption<String> TOPIC_BATCHES = topic("topic.batches", Topics.BATCHES);
    public static final ConfigOption<String> TOPIC_DLQ = topic("topic.dlq", Topics.DEAD_LETTERS);
    public static final ConfigOption<String> TOPIC_REQUESTS =
            topic("topic.requests", Topics.BUDGET_REQUESTS);
    public static final ConfigOption<String> TOPIC_BUDGET =
            topic("topic.budget", Topics.BUDGET_ANSWERS);
    public static final ConfigOption<String> TOPIC_SNAPSHOTS =
            topic("topic.snapshots", Topics.SNAPSHOTS);

    // ---- Credit assignment -------------------------------------------------------------------

    public static final ConfigOption<String> ESTIMATOR =
            ConfigOptions.key(CreditParams.KEY_ESTIMATOR)
                    .stringType()
                    .defaultValue(CreditParams.DEFAULT_ESTIMATOR.configName())
                    .withDescription(
                            "Advantage estimator: grpo, gigpo, rloo, dr-grpo, oprl, tempo, pure"
                                    + " or igpo.");

    public static final ConfigOption<String> NORMALIZATION =
            ConfigOptions.key(CreditParams.KEY_NORMALIZATION)
                    .stringType()
                    .defaultValue(CreditParams.DEFAULT_NORMALIZATION.configName())
                    .withDescription(
                            "mean-std divides by (std + epsilon) at both levels; mean only"
                                    + " subtracts the mean.");

    public static final ConfigOption<Double> EPSILON =
            ConfigOptions.key(CreditParams.KEY_EPSILON)
                    .doubleType()
                    .defaultValue(CreditParams.DEFAULT_EPSILON)
                    .withDescription("Added to the std (not inside the square root).");

    public static final ConfigOption<Double> GAMMA =
            ConfigOptions.key(CreditParams.KEY_GAMMA)
                    .doubleType()
                    .defaultValue(CreditParams.DEFAULT_GAMMA)
                    .withDescription(
                            "Discount of the step returns used by GiGPO's step level (reported by"
                                    + " every estimator as step_return).");

    public static final ConfigOption<Double> STEP_ADVANTAGE_WEIGHT =
            ConfigOptions.key(CreditParams.KEY_STEP_ADVANTAGE_WEIGHT)
                    .doubleType()
                    .defaultValue(CreditParams.DEFAULT_STEP_ADVANTAGE_WEIGHT)
                    .withDescription("Weight w of the step advantage: A = A_episode + w * A_step.");

    public static final ConfigOption<Double> INVALID_ACTION_PENALTY =
            ConfigOptions.key(CreditParams.KEY_INVALID_ACTION_PENALTY)
                    .doubleType()
                    .defaultValue(CreditParams.DEFAULT_INVALID_ACTION_PENALTY)
                    .withDescription(
                            "Subtracted from an invalid step's score and step return (not"
                                    + " discounted back).");

    public static final ConfigOption<String> EPISODE_NORM_SCOPE =
            ConfigOptions.key(CreditParams.KEY_EPISODE_NORM_SCOPE)
                    .stringType()
                    .defaultValue(CreditParams.DEFAULT_EPISODE_NORM_SCOPE.configName())
                    .withDescription(
                            "steps: episode statistics over every step row (verl-agent's default);"
                                    + " trajectories: one sample per trajectory.");

    // ---- PURE (credit.estimator=pure) and IGPO (credit.estimator=igpo) ------------------------

    public static final ConfigOption<String> PURE_BASELINE =
            ConfigOptions.key(PureParams.KEY_BASELINE)
                    .stringType()
                    .defaultValue(PureParams.DEFAULT_BASELINE.configName())
                    .withDescription(
                            "PURE leave-one-out baseline: step (the reference trainer's default)"
                                    + " or token (its example script; needs token_count on every"
                                    + " step).");

    public static final ConfigOption<String> PURE_REWARD_MODE =
            ConfigOptions.key(PureParams.KEY_REWARD_MODE)
                    .stringType()
                    .defaultValue(PureParams.DEFAULT_REWARD_MODE.configName())
                    .withDescription(
                            "PURE returns from prm-vr (process scores and the verifiable reward),"
                                    + " prm or vr.");

    public static final ConfigOption<Double> PURE_TEMPERATURE =
            ConfigOptions.key(PureParams.KEY_TEMPERATURE)
                    .doubleType()
                    .defaultValue(PureParams.DEFAULT_TEMPERATURE)
                    .withDescription("T of PURE's min-form weights softmax(-PR/T); above 0.");

    public static final ConfigOption<Double> PURE_VERIFIABLE_REWARD_COEF =
            ConfigOptions.key(PureParams.KEY_VERIFIABLE_REWARD_COEF)
                    .doubleType()
                    .defaultValue(PureParams.DEFAULT_VERIFIABLE_REWARD_COEF)
                    .withDescription(
                            "Factor of PURE's verifiable reward (solved - 1, success = episode"
                                    + " return > 0, minus its leave-one-out mean).");

    public static final ConfigOption<String> IGPO_GAIN =
            ConfigOptions.key(IgpoParams.KEY_GAIN)
                    .stringType()
                    .defaultValue(IgpoParams.DEFAULT_GAIN.configName())
                    .withDescription(
                            "IGPO information gain from answer_prob: prob-diff (P_{k+1} - P_k) or"
                                    + " log-prob-diff.");

    public static final ConfigOption<String> IGPO_NORM_MODE =
            ConfigOptions.key(IgpoParams.KEY_NORM_MODE)
                    .stringType()
                    .defaultValue(IgpoParams.DEFAULT_NORM_MODE.configName())
                    .withDescription(
                            "joint: gains and outcomes normalised in one pool per group;"
                                    + " separate: in two.");

    public static final ConfigOption<Double> IGPO_GAMMA =
            ConfigOptions.key(IgpoParams.KEY_GAMMA)
                    .doubleType()
                    .defaultValue(IgpoParams.DEFAULT_GAMMA)
                    .withDescription(
                            "Discount of IGPO's turn advantages (credit.gamma does not apply to"
                                    + " IGPO).");

    public static final ConfigOption<List<String>> SHADOW_ESTIMATORS =
            ConfigOptions.key(ShadowEstimators.KEY)
                    .stringType()
                    .asList()
                    .defaultValues()
                    .withDescription(
                            "Estimators computed beside credit.estimator on the same groups, for"
                                    + " comparison metrics only (rank correlation, sign agreement,"
                                    + " std, zero-variance ratio per shadow), e.g. grpo;rloo. Not"
                                    + " oprl.");

    public static final ConfigOption<Boolean> GIGPO_SIMILARITY =
            ConfigOptions.key(AnchorSimilarity.KEY_ENABLED)
                    .booleanType()
                    .defaultValue(AnchorSimilarity.DEFAULT_ENABLED)
                    .withDescription(
                            "GiGPO: cluster anchor states by difflib similarity instead of exact"
                                    + " equality (text observations that differ in a few"
                                    + " characters share a step group).");

    public static final ConfigOption<Double> GIGPO_SIMILARITY_THRESHOLD =
            ConfigOptions.key(AnchorSimilarity.KEY_THRESHOLD)
                    .doubleType()
                    .defaultValue(AnchorSimilarity.DEFAULT_THRESHOLD)
                    .withDescription(
                            "GiGPO similarity grouping: the smallest difflib ratio, in (0, 1), with"
                                    + " which a state joins a step group.");

    public static final ConfigOption<Boolean> GIGPO_ANCHOR_MEMORY =
            ConfigOptions.key(AnchorMemoryParams.KEY_ENABLED)
                    .booleanType()
                    .defaultValue(AnchorMemoryParams.DEFAULT_ENABLED)
                    .withDescription(
                            "GiGPO: a step group also pools the step returns of the same anchor"
                                    + " state in the task's recent groups (keyed state per task),"
                                    + " so states reached once per group are no longer"
                                    + " singletons. Needs credit.estimator=gigpo and exact"
                                    + " anchors (not credit.gigpo.similarity).");

    public static final ConfigOption<Integer> GIGPO_ANCHOR_MEMORY_GROUPS =
            ConfigOptions.key(AnchorMemoryParams.KEY_GROUPS)
                    .intType()
                    .defaultValue(AnchorMemoryParams.DEFAULT_GROUPS)
                    .withDescription(
                            "GiGPO anchor memory: how many of a task's most recent earlier groups"
                                    + " are pooled (also the most summaries kept per anchor), 1 to"
                                    + " 1024.");

    public static final ConfigOption<Integer> GIGPO_ANCHOR_MEMORY_MAX_ANCHORS =
            ConfigOptions.key(AnchorMemoryParams.KEY_MAX_ANCHORS)
                    .intType()
                    .defaultValue(AnchorMemoryParams.DEFAULT_MAX_ANCHORS)
                    .withDescription(
                            "GiGPO anchor memory: the most anchor states remembered per task; past"
                                    + " it the least recently seen are forgotten first, down to"
                                    + " 1/16 below it.");

    public static final ConfigOption<Double> GIGPO_ANCHOR_MEMORY_DECAY =
            ConfigOptions.key(AnchorMemoryParams.KEY_DECAY)
                    .doubleType()
                    .defaultValue(AnchorMemoryParams.DEFAULT_DECAY)
                    .withDescription(
                            "GiGPO anchor memory: weight factor per group of age, in (0, 1]; a"
                                    + " group k groups back weighs decay^k, the current group 1.");

    public static final ConfigOption<Integer> MAX_POLICY_LAG =
            ConfigOptions.key(StalenessPolicy.KEY_MAX_POLICY_LAG)
                    .intType()
                    .defaultValue(8)
                    .withDescription(
                            "Trajectories sampled more than this many policy snapshots behind the"
                                    + " newest on policy.snapshots are dropped (counted).");

    public static final ConfigOption<String> SNAPSHOT_PUBLIC_KEY =
            ConfigOptions.key(StalenessFilter.KEY_PUBLIC_KEY)
                    .stringType()
                    .noDefaultValue()
                    .withDescription(
                            "The learner's Ed25519 public key file (X.509, PEM or DER; `learner"
                                    + " --generate-signing-key DIR` writes snapshot-signing.pub)."
                                    + " Policy snapshots not signed with its private half are"
                                    + " ignored (counted). Unset: unsigned snapshots are believed,"
                                    + " with one warning.");

    public static final ConfigOption<Long> MAX_VERSION_JUMP =
            ConfigOptions.key(StalenessFilter.KEY_MAX_VERSION_JUMP)
                    .longType()
                    .defaultValue(SnapshotGate.DEFAULT_MAX_VERSION_JUMP)
                    .withDescription(
                            "Policy snapshots more than this many versions above the newest one"
                                    + " believed are ignored (counted), signed or not.");

    // ---- OPRL and its in-stream implicit PRM (credit.estimator=oprl) -------------------------

    public static final ConfigOption<String> OPRL_EPISODE_ESTIMATOR =
            ConfigOptions.key(OprlParams.KEY_EPISODE_ESTIMATOR)
                    .stringType()
                    .defaultValue(OprlParams.DEFAULT_EPISODE_ESTIMATOR.configName())
                    .withDescription(
                            "OPRL episode advantage A^E: rloo (the paper's WebShop/Sokoban"
                                    + " setting) or grpo.");

    public static final ConfigOption<Double> OPRL_STEP_WEIGHT =
            ConfigOptions.key(OprlParams.KEY_STEP_WEIGHT)
                    .doubleType()
                    .defaultValue(OprlParams.DEFAULT_STEP_WEIGHT)
                    .withDescription("alpha in A = A^E + alpha * A^S (0 turns the step term off).");

    public static final ConfigOption<Integer> OPRL_WARMUP_GROUPS =
            ConfigOptions.key(OprlParams.KEY_WARMUP_GROUPS)
                    .intType()
                    .defaultValue(OprlParams.DEFAULT_WARMUP_GROUPS)
                    .withDescription(
                            "PRM updates before in-stream step rewards enter the advantage"
                                    + " (A = A^E until then).");

    public static final ConfigOption<String> OPRL_STEP_WEIGHT_SCALING =
            ConfigOptions.key(OprlParams.KEY_STEP_WEIGHT_SCALING)
                    .stringType()
                    .defaultValue(OprlParams.DEFAULT_STEP_WEIGHT_SCALING.configName())
                    .withDescription(
                            "constant: the paper's alpha; confidence: alpha * clamp(2 * running"
                                    + " pre-update pair accuracy - 1, 0, 1) for in-stream rewards.");

    public static final ConfigOption<String> OPRL_STEP_TERM =
            ConfigOptions.key(OprlParams.KEY_STEP_TERM)
                    .stringType()
                    .defaultValue(OprlParams.DEFAULT_STEP_TERM.configName())
                    .withDescription(
                            "all-groups (the paper) or paired-groups: only groups with both a"
                                    + " success and a failure get the step term.");

    public static final ConfigOption<Double> PRM_BETA =
            ConfigOptions.key(PrmParams.KEY_BETA)
                    .doubleType()
                    .defaultValue(PrmParams.DEFAULT_BETA)
                    .withDescription(
                            "beta of r = beta * (log pi_prm - log pi_old) and of the DPO loss.");

    public static final ConfigOption<Double> PRM_POSITIVE_THRESHOLD =
            ConfigOptions.key(PrmParams.KEY_POSITIVE_THRESHOLD)
                    .doubleType()
                    .defaultValue(PrmParams.DEFAULT_POSITIVE_THRESHOLD)
                    .withDescription(
                            "A trajectory is a DPO positive when its outcome is above this.");

    public static final ConfigOption<Double> PRM_LEARNING_RATE =
            ConfigOptions.key(PrmParams.KEY_LEARNING_RATE)
                    .doubleType()
                    .defaultValue(PrmParams.DEFAULT_LEARNING_RATE)
                    .withDescription("SGD step of the in-stream PRM's DPO update.");

    public static final ConfigOption<Double> PRM_LEARNING_RATE_DECAY_GROUPS =
            ConfigOptions.key(PrmParams.KEY_LEARNING_RATE_DECAY_GROUPS)
                    .doubleType()
                    .defaultValue(PrmParams.DEFAULT_LEARNING_RATE_DECAY_GROUPS)
                    .withDescription(
                            "N of lr / sqrt(1 + updates / N); 0 keeps the learning rate constant.");

    public static final ConfigOption<Double> PRM_L2 =
            ConfigOptions.key(PrmParams.KEY_L2)
                    .doubleType()
                    .defaultValue(PrmParams.DEFAULT_L2)
                    .withDescription("L2 penalty on the weights an update touches.");

    public static final ConfigOption<Double> PRM_WEIGHT_DECAY =
            ConfigOptions.key(PrmParams.KEY_WEIGHT_DECAY)
                    .doubleType()
                    .defaultValue(PrmParams.DEFAULT_WEIGHT_DECAY)
                    .withDescription("Decoupled decay of the weights an update touches.");

    public static final ConfigOption<Integer> PRM_HASH_BITS =
            ConfigOptions.key(PrmParams.KEY_HASH_BITS)
                    .intType()
                    .defaultValue(PrmParams.DEFAULT_HASH_BITS)
                    .withDescription("Features are hashed into 2^bits buckets.");

    public static final ConfigOption<Integer> PRM_MAX_FEATURES =
            ConfigOptions.key(PrmParams.KEY_MAX_FEATURES)
                    .intType()
                    .defaultValue(PrmParams.DEFAULT_MAX_FEATURES)
                    .withDescription(
                            "Most non-zero weights per PRM; above it the smallest |w| are dropped.");

    public static final ConfigOption<Integer> PRM_NGRAM =
            ConfigOptions.key(PrmParams.KEY_NGRAM)
                    .intType()
                    .defaultValue(PrmParams.DEFAULT_NGRAM)
                    .withDescription("Action token n-grams up to this length are features.");

    public static final ConfigOption<String> PRM_SHARD =
            ConfigOptions.key(PrmParams.KEY_SHARD)
                    .stringType()
                    .defaultValue(PrmParams.DEFAULT_SHARD.configName())
                    .withDescription("Which groups share one PRM: experiment, task or global.");

    public static final ConfigOption<String> PRM_TRAJECTORY_SCORE =
            ConfigOptions.key(PrmParams.KEY_TRAJECTORY_SCORE)
                    .stringType()
                    .defaultValue(PrmParams.DEFAULT_TRAJECTORY_SCORE.configName())
                    .withDescription(
                            "Trajectory score in the DPO loss: sum of step log-ratios (the paper)"
                                    + " or their mean (length-neutral).");

    public static final ConfigOption<String> PRM_FEATURES =
            ConfigOptions.key(PrmParams.KEY_FEATURES)
                    .stringType()
                    .defaultValue(FeatureFamily.toConfig(PrmParams.DEFAULT_FEATURES))
                    .withDescription(
                            "Comma-separated feature families of the in-stream PRM: action,"
                                    + " state-action, observation-action.");

    // ---- Assembly, input and batching --------------------------------------------------------

    public static final ConfigOption<Duration> EPISODE_TIMEOUT =
            ConfigOptions.key(TrajectoryAssembler.KEY_EPISODE_TIMEOUT)
                    .durationType()
                    .defaultValue(Duration.ofMinutes(10))
                    .withDescription(
                            "An episode still incomplete this long after its first step is"
                                    + " evicted to the DLQ.");

    public static final ConfigOption<Duration> GROUP_TIMEOUT =
            ConfigOptions.key(GroupAssembler.KEY_GROUP_TIMEOUT)
                    .durationType()
                    .defaultValue(Duration.ofMinutes(10))
                    .withDescription(
                            "A group still incomplete this long after its first trajectory is"
                                    + " emitted partial (or dropped below the minimum size).");

    public static final ConfigOption<Integer> MIN_GROUP_SIZE =
            ConfigOptions.key(GroupAssembler.KEY_MIN_GROUP_SIZE)
                    .intType()
                    .defaultValue(2)
                    .withDescription("Fewest trajectories a timed-out group needs to be emitted.");

    public static final ConfigOption<Integer> MAX_STEPS_PER_EPISODE =
            ConfigOptions.key(TrajectoryAssembler.KEY_MAX_STEPS_PER_EPISODE)
                    .intType()
                    .defaultValue(1000)
                    .withDescription("Steps with a higher index are dead-lettered.");

    public static final ConfigOption<Integer> MAX_GROUP_SIZE =
            ConfigOptions.key("assembly.max-group-size")
                    .intType()
                    .defaultValue(1024)
                    .withDescription(
                            "Steps declaring a larger group_size are dead-lettered"
                                    + " (invalid-group-size).");

    public static final ConfigOption<Integer> MAX_OPEN_EPISODES =
            ConfigOptions.key(TrajectoryAssembler.KEY_MAX_OPEN_EPISODES)
                    .intType()
                    .defaultValue(1_000_000)
                    .withDescription(
                            "Open episodes one experiment may hold per trajectory-assembler"
                                    + " subtask; the first step of one more is dead-lettered"
                                    + " (too-many-open-episodes).");

    public static final ConfigOption<Duration> COMPLETED_RETENTION =
            ConfigOptions.key(TrajectoryAssembler.KEY_COMPLETED_RETENTION)
                    .durationType()
                    .defaultValue(Duration.ofHours(1))
                    .withDescription(
                            "How long the ids of completed episodes and groups are remembered, so"
                                    + " that a re-sent step or trajectory is dropped (identical) or"
                                    + " dead-lettered (conflicting) instead of counted twice.");

    public static final ConfigOption<Integer> MAX_RECORD_BYTES =
            ConfigOptions.key("input.max-record-bytes")
                    .intType()
                    .defaultValue(900 * 1024)
                    .withDescription(
                            "agent.steps values larger than this are dead-lettered; must be below"
                                    + " batch.max-bytes so that every accepted step fits a batch.");

    public static final ConfigOption<Integer> MAX_ID_LENGTH =
            ConfigOptions.key("input.max-id-length")
                    .intType()
                    .defaultValue(256)
                    .withDescription(
                            "Longest experiment, task, group or episode id (characters); longer"
                                    + " ids, and ids with control characters, are dead-lettered"
                                    + " (invalid-id).");

    public static final ConfigOption<Integer> DLQ_MAX_PAYLOAD_BYTES =
            ConfigOptions.key("dlq.max-payload-bytes")
                    .intType()
                    .defaultValue(900 * 1024)
                    .withDescription(
                            "A dead letter's payload is cut to this many bytes (payload_bytes keeps"
                                    + " the original size), so every dead letter fits the topic.");

    public static final ConfigOption<Integer> BATCH_MAX_RECORDS =
            ConfigOptions.key(AdvantageBatchOperator.KEY_MAX_RECORDS)
                    .intType()
                    .defaultValue(1024)
                    .withDescription(
                            "A learner batch leaves at this many advantage records (a group is"
                                    + " never split for this limit).");

    public static final ConfigOption<Integer> BATCH_MAX_BYTES =
            ConfigOptions.key(AdvantageBatchOperator.KEY_MAX_BYTES)
                    .intType()
                    .defaultValue(1_000_000)
                    .withDescription(
                            "A learner batch's encoded size stays at or below this; a group larger"
                                    + " than one batch is split into consecutive parts"
                                    + " (split_group_id, split_part, split_parts). The producer's"
                                    + " max.request.size and the topics the job creates are sized"
                                    + " to match; keep it below the topic's max.message.bytes.");

    public static final ConfigOption<Duration> BATCH_LINGER =
            ConfigOptions.key(AdvantageBatchOperator.KEY_LINGER)
                    .durationType()
                    .defaultValue(Duration.ofMillis(200))
                    .withDescription(
                            "A batch leaves at the latest this long after its first group.");

    public static final ConfigOption<Boolean> BATCH_FLUSH_AT_CHECKPOINT =
            ConfigOptions.key(AdvantageBatchOperator.KEY_FLUSH_AT_CHECKPOINT)
                    .booleanType()
                    .defaultValue(true)
                    .withDescription(
                            "Pending batches also leave at every checkpoint barrier: the"
                                    + " exactly-once sink shows a batch only when a checkpoint"
                                    + " commits it, so one still lingering at the barrier would"
                                    + " wait a further interval. Set false for batches bounded"
                                    + " only by batch.max-records, batch.max-bytes and"
                                    + " batch.linger.");

    // ---- Knapsack rollout budgets ------------------------------------------------------------

    public static final ConfigOption<Boolean> BUDGET_ENABLED =
            ConfigOptions.key("budget.enabled")
                    .booleanType()
                    .defaultValue(true)
                    .withDescription(
                            "Answer rollout.requests rounds with knapsack budgets on"
                                    + " rollout.budget, from per-task success statistics.");

    public static final ConfigOption<Integer> BUDGET_N =
            ConfigOptions.key(KnapsackParams.KEY_N)
                    .intType()
                    .defaultValue(8)
                    .withDescription(
                            "Rollouts per task of a uniform round (a request's default_n wins);"
                                    + " the round's budget is tasks × n unless it gives one.");

    public static final ConfigOption<Integer> BUDGET_MIN_N =
            ConfigOptions.key(KnapsackParams.KEY_MIN_N)
                    .intType()
                    .defaultValue(KnapsackParams.DEFAULT_MIN_N)
                    .withDescription("Fewest rollouts of a task the knapsack considers (N_low).");

    public static final ConfigOption<Integer> BUDGET_MAX_N =
            ConfigOptions.key(KnapsackParams.KEY_MAX_N)
                    .intType()
                    .defaultValue(KnapsackParams.SCRIPT_MAX_N)
                    .withDescription(
                            "Most rollouts of a task the knapsack considers (the published"
                                    + " script's 128; leftover spreading may exceed it).");

    public static final ConfigOption<Double> BUDGET_ALPHA =
            ConfigOptions.key(KnapsackParams.KEY_ALPHA)
                    .doubleType()
                    .defaultValue(KnapsackParams.DEFAULT_ALPHA)
                    .withDescription("Confidence of the fallback's cost estimate.");

    public static final ConfigOption<Boolean> BUDGET_ALLOW_FALLBACK =
            ConfigOptions.key(KnapsackParams.KEY_ALLOW_FALLBACK)
                    .booleanType()
                    // Off, unlike the reference (offline rounds keep its true): in the closed
                    // loop the fallback gave most of the budget to unsolved tasks, whose
                    // all-failure groups carry no gradient, and learned slower than uniform groups
                    // (docs/BENCHMARKS.md, "Why budgets fell behind").
                    .defaultValue(false)
                    .withDescription(
                            "Give budget the effective tasks cannot use to unsolved tasks (the"
                                    + " reference's default is true; off here because in the"
                                    + " closed loop it starved the tasks that were learning).");

    public static final ConfigOption<Integer> BUDGET_NEGATIVE_N =
            ConfigOptions.key(KnapsackParams.KEY_NEGATIVE_N)
                    .intType()
                    .noDefaultValue()
                    .withDescription(
                            "Rollouts of a task whose success rate is 0, before any fallback"
                                    + " budget; unset = budget.min-n, as in the reference. Set to"
                                    + " budget.n to keep unsolved tasks at the uniform share.");

    public static final ConfigOption<Integer> BUDGET_POSITIVE_N =
            ConfigOptions.key(KnapsackParams.KEY_POSITIVE_N)
                    .intType()
                    .noDefaultValue()
                    .withDescription(
                            "Rollouts of a task whose success rate is 1; unset = budget.min-n, as"
                                    + " in the reference.");

    public static final ConfigOption<String> BUDGET_SOLVER =
            ConfigOptions.key("budget.solver")
                    .stringType()
                    .defaultValue("auto")
                    .withDescription(
                            "auto (the exact DP while it is fast, else the marginal-gain greedy),"
                                    + " dp or greedy.");

    public static final ConfigOption<Integer> BUDGET_MIN_BUFFER =
            ConfigOptions.key(SuccessRateTracker.KEY_MIN_BUFFER)
                    .intType()
                    .defaultValue(SuccessRateTracker.DEFAULT_MIN_BUFFER)
                    .withDescription("Rollouts of a task before its success rate is trusted.");

    public static final ConfigOption<Integer> BUDGET_REWARD_BUFFER =
            ConfigOptions.key(SuccessRateTracker.KEY_REWARD_BUFFER)
                    .intType()
                    .defaultValue(SuccessRateTracker.DEFAULT_REWARD_BUFFER)
                    .withDescription(
                            "Rewards behind a success rate: this epoch's when it has this many,"
                                    + " else the most recent ones.");

    public static final ConfigOption<Boolean> BUDGET_EPOCH_ESTIMATION =
            ConfigOptions.key("budget.epoch-estimation")
                    .booleanType()
                    .defaultValue(true)
                    .withDescription(
                            "Prefer this epoch's mean; false always uses the most recent"
                                    + " rewards.");

    public static final ConfigOption<Integer> BUDGET_EPOCH_GROUPS =
            ConfigOptions.key("budget.epoch-groups")
                    .intType()
                    .defaultValue(0)
                    .withDescription(
                            "Start a new statistics epoch of a task every this many groups when"
                                    + " no newer policy version arrives; 0 = only on a new"
                                    + " policy version.");

    public static final ConfigOption<Duration> BUDGET_ROUND_TIMEOUT =
            ConfigOptions.key(RoundAllocator.KEY_ROUND_TIMEOUT)
                    .durationType()
                    .defaultValue(Duration.ofSeconds(30))
                    .withDescription(
                            "A round whose statistics are not all in by then is answered with"
                                    + " error records.");

    public static final ConfigOption<Duration> BUDGET_TASK_TTL =
            ConfigOptions.key(TaskStatsFunction.KEY_TASK_TTL)
                    .durationType()
                    .defaultValue(Duration.ofDays(7))
                    .withDescription("Statistics of a task not seen for this long are dropped.");

    private CreditstreamOptions() {}

    private static ConfigOption<String> topic(String key, String name) {
        return ConfigOptions.key(key)
                .stringType()
                .defaultValue(name)
                .withDescription("Topic name (default `" + name + "`).");
    }

    /**
     * The credit settings of a configuration, validated.
     *
     * @throws IllegalArgumentException naming the bad key and the accepted values
     */
    public static CreditParams creditParams(Configuration config) {
        return new CreditParams(
                Estimator.fromConfig(config.get(ESTIMATOR)),
                Normalization.fromConfig(config.get(NORMALIZATION)),
                config.get(EPSILON),
                config.get(GAMMA),
                config.get(STEP_ADVANTAGE_WEIGHT),
                config.get(INVALID_ACTION_PENALTY),
                EpisodeNormScope.fromConfig(config.get(EPISODE_NORM_SCOPE)),
                new PureParams(
                        PureParams.Baseline.fromConfig(config.get(PURE_BASELINE)),
                        PureParams.RewardMode.fromConfig(config.get(PURE_REWARD_MODE)),
                        config.get(PURE_TEMPERATURE),
                        config.get(PURE_VERIFIABLE_REWARD_COEF)),
                new IgpoParams(
                        IgpoParams.Gain.fromConfig(config.get(IGPO_GAIN)),
                        IgpoParams.NormMode.fromConfig(config.get(IGPO_NORM_MODE)),
                        config.get(IGPO_GAMMA)),
                new AnchorSimilarity(
                        config.get(GIGPO_SIMILARITY), config.get(GIGPO_SIMILARITY_THRESHOLD)));
    }

    /**
     * GiGPO's anchor-memory settings of a configuration, validated against its credit settings.
     *
     * @throws IllegalArgumentException naming the bad key, or both keys of a combination that does
     *     not work
     */
    public static AnchorMemoryParams anchorMemoryParams(Configuration config) {
        AnchorMemoryParams memory =
                new AnchorMemoryParams(
                        config.get(GIGPO_ANCHOR_MEMORY),
                        config.get(GIGPO_ANCHOR_MEMORY_GROUPS),
                        config.get(GIGPO_ANCHOR_MEMORY_MAX_ANCHORS),
                        config.get(GIGPO_ANCHOR_MEMORY_DECAY));
        memory.requireCompatible(creditParams(config));
        return memory;
    }

    /**
     * The shadow estimators of a configuration, parsed.
     *
     * @throws IllegalArgumentException naming the key and the accepted estimators
     */
    public static List<Estimator> shadowEstimators(Configuration config) {
        List<Estimator> shadows = new ArrayList<>();
        for (String name : config.get(SHADOW_ESTIMATORS)) {
            if (!name.isBlank()) {
                shadows.add(
                        ConfigNames.parse(
                                ShadowEstimators.KEY,
                                name,
                                Estimator.values(),
                                Estimator::configName));
            }
        }
        return shadows;
    }

    /**
     * The OPRL combination settings of a configuration, validated.
     *
     * @throws IllegalArgumentException naming the bad key and the accepted values
     */
    public static OprlParams oprlParams(Configuration config) {
        return new OprlParams(
                EpisodeEstimator.fromConfig(config.get(OPRL_EPISODE_ESTIMATOR)),
                config.get(OPRL_STEP_WEIGHT),
                Normalization.fromConfig(config.get(NORMALIZATION)),
                config.get(EPSILON),
                config.get(OPRL_WARMUP_GROUPS),
                StepWeightScaling.fromConfig(config.get(OPRL_STEP_WEIGHT_SCALING)),
                StepTermScope.fromConfig(config.get(OPRL_STEP_TERM)));
    }

    /**
     * The in-stream PRM settings of a configuration, validated.
     *
     * @throws IllegalArgumentException naming the bad key
     */
    public static PrmParams prmParams(Configuration config) {
        return new PrmParams(
                config.get(PRM_BETA),
                config.get(PRM_POSITIVE_THRESHOLD),
                config.get(PRM_LEARNING_RATE),
                config.get(PRM_L2),
                config.get(PRM_WEIGHT_DECAY),
                config.get(PRM_HASH_BITS),
                config.get(PRM_MAX_FEATURES),
                config.get(PRM_NGRAM),
                config.get(PRM_LEARNING_RATE_DECAY_GROUPS),
                PrmShard.fromConfig(config.get(PRM_SHARD)),
                TrajectoryScore.fromConfig(config.get(PRM_TRAJECTORY_SCORE)),
                FeatureFamily.parseList(config.get(PRM_FEATURES)));
    }

    /**
     * The knapsack settings of a configuration, validated.
     *
     * @throws IllegalArgumentException naming the bad key
     */
    public static KnapsackParams knapsackParams(Configuration config) {
        return new KnapsackParams(
                config.get(BUDGET_N),
                config.get(BUDGET_MIN_N),
                config.get(BUDGET_MAX_N),
                config.get(BUDGET_ALPHA),
                config.get(BUDGET_ALLOW_FALLBACK),
                config.getOptional(BUDGET_NEGATIVE_N).orElse(null),
                config.getOptional(BUDGET_POSITIVE_N).orElse(null),
                null,
                KnapsackParams.DEFAULT_COST_ESTIMATION);
    }

    /** The success-rate tracker settings of a configuration. */
    public static SuccessRateTracker.Settings trackerSettings(Configuration config) {
        return new SuccessRateTracker.Settings(
                config.get(BUDGET_MIN_BUFFER),
                config.get(BUDGET_REWARD_BUFFER),
                config.get(BUDGET_EPOCH_ESTIMATION),
                true);
    }

    /** The knapsack solver mode of a configuration. */
    public static KnapsackSolver.Mode knapsackSolver(Configuration config) {
        return ConfigNames.parse(
                BUDGET_SOLVER.key(),
                config.get(BUDGET_SOLVER),
                KnapsackSolver.Mode.values(),
                mode -> mode.name().toLowerCase(java.util.Locale.ROOT));
    }

    /** Every option declared here, in declaration order (for the docs and `--help`). */
    public static List<ConfigOption<?>> all() {
        List<ConfigOption<?>> options = new ArrayList<>();
        for (Field field : CreditstreamOptions.class.getDeclaredFields()) {
            if (Modifier.isStatic(field.getModifiers())
                    && ConfigOption.class.isAssignableFrom(field.getType())) {
                try {
                    options.add((ConfigOption<?>) field.get(null));
                } catch (IllegalAccessException e) {
                    throw new IllegalStateException(e);
                }
            }
        }
        return options;
    }

    /**
     * The gate policy snapshots pass before the job believes their version.
     *
     * @throws IllegalArgumentException naming {@value StalenessFilter#KEY_PUBLIC_KEY} when its file
     *     cannot be read or holds no Ed25519 public key
     */
    public static SnapshotGate snapshotGate(Configuration config) {
        long maxJump = config.get(MAX_VERSION_JUMP);
        if (maxJump < 1) {
            throw new IllegalArgumentException(
                    StalenessFilter.KEY_MAX_VERSION_JUMP
                            + " must be at least 1 (versions), but was "
                            + maxJump);
        }
        String keyFile = config.get(SNAPSHOT_PUBLIC_KEY);
        if (keyFile == null || keyFile.isBlank()) {
            return new SnapshotGate(null, maxJump);
        }
        try {
            return new SnapshotGate(SigningKeys.readPublicKey(Path.of(keyFile)), maxJump);
        } catch (IOException | IllegalArgumentException e) {
            throw new IllegalArgumentException(
                    StalenessFilter.KEY_PUBLIC_KEY
                            + ": cannot read an Ed25519 public key from "
                            + keyFile
                            + " ("
                            + e.getMessage()
                            + "); pass the learner's snapshot-signing.pub",
                    e);
        }
    }
}
