package io.creditstream.streams.options;

import io.creditstream.operators.core.credit.CreditParams;
import io.creditstream.operators.core.credit.EpisodeNormScope;
import io.creditstream.operators.core.credit.Estimator;
import io.creditstream.operators.core.credit.Normalization;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
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
                    .defaultValue(Duration.ofMinutes(10))
                    .withDescription(
                            "Producer transaction timeout; must exceed the checkpoint interval and"
                                    + " stay under the broker's transaction.max.timeout.ms.");

    public static final ConfigOption<String> TOPIC_STEPS = topic("topic.steps", "agent.steps");
    public static final ConfigOption<String> TOPIC_BATCHES =
            topic("topic.batches", "learner.batches");
    public static final ConfigOption<String> TOPIC_DLQ = topic("topic.dlq", "agent.steps.dlq");
    public static final ConfigOption<String> TOPIC_REQUESTS =
            topic("topic.requests", "rollout.requests");
    public static final ConfigOption<String> TOPIC_BUDGET = topic("topic.budget", "rollout.budget");
    public static final ConfigOption<String> TOPIC_SNAPSHOTS =
            topic("topic.snapshots", "policy.snapshots");

    // ---- Credit assignment -------------------------------------------------------------------

    public static final ConfigOption<String> ESTIMATOR =
            ConfigOptions.key(CreditParams.KEY_ESTIMATOR)
                    .stringType()
                    .defaultValue(CreditParams.DEFAULT_ESTIMATOR.configName())
                    .withDescription(
                            "Advantage estimator: grpo, gigpo, rloo or dr-grpo (oprl, tempo, pure,"
                                    + " igpo are reserved names, not yet available).");

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
                    .withDescription("Discount of the step returns used by GiGPO's step level.");

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

    // ---- Assembly, input and batching --------------------------------------------------------

    public static final ConfigOption<Duration> EPISODE_TIMEOUT =
            ConfigOptions.key("assembly.episode-timeout")
                    .durationType()
                    .defaultValue(Duration.ofMinutes(10))
                    .withDescription(
                            "An episode still incomplete this long after its first step is"
                                    + " evicted to the DLQ.");

    public static final ConfigOption<Duration> GROUP_TIMEOUT =
            ConfigOptions.key("assembly.group-timeout")
                    .durationType()
                    .defaultValue(Duration.ofMinutes(10))
                    .withDescription(
                            "A group still incomplete this long after its first trajectory is"
                                    + " emitted partial (or dropped below the minimum size).");

    public static final ConfigOption<Integer> MIN_GROUP_SIZE =
            ConfigOptions.key("assembly.min-group-size")
                    .intType()
                    .defaultValue(2)
                    .withDescription("Fewest trajectories a timed-out group needs to be emitted.");

    public static final ConfigOption<Integer> MAX_STEPS_PER_EPISODE =
            ConfigOptions.key("assembly.max-steps-per-episode")
                    .intType()
                    .defaultValue(1000)
                    .withDescription("Steps with a higher index are dead-lettered.");

    public static final ConfigOption<Integer> MAX_RECORD_BYTES =
            ConfigOptions.key("input.max-record-bytes")
                    .intType()
                    .defaultValue(1 << 20)
                    .withDescription("agent.steps values larger than this are dead-lettered.");

    public static final ConfigOption<Integer> BATCH_MAX_RECORDS =
            ConfigOptions.key("batch.max-records")
                    .intType()
                    .defaultValue(1024)
                    .withDescription(
                            "A learner batch leaves at this many advantage records (groups are"
                                    + " never split).");

    public static final ConfigOption<Duration> BATCH_LINGER =
            ConfigOptions.key("batch.linger")
                    .durationType()
                    .defaultValue(Duration.ofMillis(200))
                    .withDescription(
                            "A batch leaves at the latest this long after its first group.");

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
        return CreditParams.builder()
                .estimator(Estimator.fromConfig(config.get(ESTIMATOR)))
                .normalization(Normalization.fromConfig(config.get(NORMALIZATION)))
                .epsilon(config.get(EPSILON))
                .gamma(config.get(GAMMA))
                .stepAdvantageWeight(config.get(STEP_ADVANTAGE_WEIGHT))
                .invalidActionPenalty(config.get(INVALID_ACTION_PENALTY))
                .episodeNormScope(EpisodeNormScope.fromConfig(config.get(EPISODE_NORM_SCOPE)))
                .build();
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
}
