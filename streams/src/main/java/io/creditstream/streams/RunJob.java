package io.creditstream.streams;

import io.creditstream.schemas.BudgetRequest;
import io.creditstream.schemas.PolicySnapshot;
import io.creditstream.schemas.internal.RawStep;
import io.creditstream.streams.kafka.KafkaIo;
import io.creditstream.streams.kafka.ReportingKafkaSink;
import io.creditstream.streams.kafka.TransactionTimeouts;
import io.creditstream.streams.options.ConfigLoader;
import io.creditstream.streams.options.CreditstreamOptions;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.CoreOptions;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * The streaming job against real Kafka. {@code ./creditstream run} calls {@link #environment};
 * {@link #main} is the entry point of the {@code -job} jar under {@code flink run}.
 */
public final class RunJob {
    public static final String JOB_NAME = "creditstream";
    public static final String UID_SOURCE = "agent-steps-source";
    public static final String UID_BATCH_SINK = "learner-batches-sink";
    public static final String UID_DLQ_SINK = "dead-letter-sink";
    public static final String UID_REQUESTS_SOURCE = "rollout-requests-source";
    public static final String UID_BUDGET_SINK = "rollout-budget-sink";
    public static final String UID_SNAPSHOTS_SOURCE = "policy-snapshots-source";

    private RunJob() {}

    /**
     * Builds the full job (source, dataflow, sinks) on an environment made from the config. The
     * exactly-once sinks' transaction timeout is resolved here against the brokers (see {@link
     * TransactionTimeouts}), with the checkpoint interval of the environment itself: on a cluster
     * that comes from its config.yaml, not from {@code config}.
     */
    public static StreamExecutionEnvironment environment(Configuration userConfig) {
        StreamExecutionEnvironment env =
                StreamExecutionEnvironment.getExecutionEnvironment(userConfig);
        Configuration config = TransactionTimeouts.resolve(userConfig, checkpointInterval(env));
        CreditJob.Settings settings = CreditJob.Settings.from(config);
        DataStream<RawStep> raw =
                env.fromSource(
                                KafkaIo.stepsSource(config),
                                WatermarkStrategy.noWatermarks(),
                                "Kafka " + config.get(CreditstreamOptions.TOPIC_STEPS))
                        .uid(UID_SOURCE);
        DataStream<BudgetRequest> requests =
                config.get(CreditstreamOptions.BUDGET_ENABLED)
                        ? env.fromSource(
                                        KafkaIo.requestsSource(config),
                                        WatermarkStrategy.noWatermarks(),
                                        "Kafka " + config.get(CreditstreamOptions.TOPIC_REQUESTS))
                                .uid(UID_REQUESTS_SOURCE)
                        : null;
        DataStream<PolicySnapshot> snapshots =
                env.fromSource(
                                KafkaIo.snapshotsSource(config),
                                WatermarkStrategy.noWatermarks(),
                                "Kafka " + config.get(CreditstreamOptions.TOPIC_SNAPSHOTS))
                        .uid(UID_SNAPSHOTS_SOURCE)
                        .setParallelism(1);
        CreditJob.Outputs outputs = CreditJob.defineWorkflow(raw, requests, snapshots, settings);
        Duration timeout = TransactionTimeouts.required(config);
        outputs.batches()
                .sinkTo(ReportingKafkaSink.of(KafkaIo.batchesSink(config), timeout))
                .uid(UID_BATCH_SINK)
                .name("Kafka " + config.get(CreditstreamOptions.TOPIC_BATCHES));
        outputs.deadLetters()
                .sinkTo(ReportingKafkaSink.of(KafkaIo.deadLetterSink(config), timeout))
                .uid(UID_DLQ_SINK)
                .name("Kafka " + config.get(CreditstreamOptions.TOPIC_DLQ));
        if (outputs.budgets() != null) {
            outputs.budgets()
                    .sinkTo(KafkaIo.budgetSink(config))
                    .uid(UID_BUDGET_SINK)
                    .name("Kafka " + config.get(CreditstreamOptions.TOPIC_BUDGET));
        }
        return env;
    }

    /** The environment's checkpoint interval; null when it does not checkpoint. */
    private static Duration checkpointInterval(StreamExecutionEnvironment env) {
        long millis = env.getCheckpointConfig().getCheckpointInterval();
        return millis > 0 ? Duration.ofMillis(millis) : null;
    }

    /**
     * Entry point for {@code flink run creditstream-…-job.jar [--config FILE] [options…]}: the
     * cluster supplies state backend and checkpoint settings from its own config.yaml.
     */
    public static void main(String[] args) throws Exception {
        Configuration config = configuration(args);
        // The cluster's configuration decides the parallelism: known here only when given.
        JobPreflight.check(config, config.getOptional(CoreOptions.DEFAULT_PARALLELISM).orElse(null))
                .forEach(note -> System.err.println("note: " + note));
        if (config.get(CreditstreamOptions.CREATE_TOPICS)) {
            KafkaIo.createAbsentTopics(config);
        }
        environment(config).execute(JOB_NAME);
    }

    /**
     * The job's configuration from its program arguments. Each option comes as {@code -Dkey=value},
     * {@code --key value} or {@code --key=value} (the forms {@code flink run} users write after the
     * jar, and that Kubernetes {@code args} lists carry); {@code --config FILE} names a YAML file
     * read first.
     */
    static Configuration configuration(String[] args) {
        Path configFile = null;
        Map<String, String> overrides = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (arg.startsWith("-D") && arg.contains("=")) {
                int eq = arg.indexOf('=');
                overrides.put(arg.substring(2, eq), arg.substring(eq + 1));
            } else if (arg.startsWith("--") && arg.length() > 2) {
                String key = arg.substring(2);
                String value;
                int eq = key.indexOf('=');
                if (eq > 0) {
                    value = key.substring(eq + 1);
                    key = key.substring(0, eq);
                } else if (i + 1 < args.length) {
                    value = args[++i];
                } else {
                    throw new IllegalArgumentException(
                            "option '" + arg + "' has no value; write " + arg + " VALUE");
                }
                if (key.equals("config")) {
                    configFile = Path.of(value);
                } else {
                    overrides.put(key, value);
                }
            } else {
                throw new IllegalArgumentException(
                        "unexpected argument '"
                                + arg
                                + "'; expected --config FILE, -Dkey=value, --key value or"
                                + " --key=value");
            }
        }
        return ConfigLoader.load(configFile, overrides);
    }
}
