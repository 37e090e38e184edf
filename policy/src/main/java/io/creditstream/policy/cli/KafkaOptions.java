package io.creditstream.policy.cli;

import io.creditstream.policy.service.LearnerSettings;
import io.creditstream.schemas.contract.PolicyProcess;
import io.creditstream.schemas.contract.Topics;
import java.time.Duration;
import picocli.CommandLine.Option;

/** The Kafka and experiment flags both commands take. */
final class KafkaOptions {
    @Option(
            names = PolicyProcess.BOOTSTRAP_SERVERS,
            required = true,
            paramLabel = "HOST:PORT",
            description =
                    "Kafka bootstrap servers, e.g. localhost:9092 (`creditstream kafka` runs a local"
                            + " broker).")
    String bootstrapServers;

    @Option(
            names = PolicyProcess.EXPERIMENT,
            defaultValue = LearnerSettings.DEFAULT_EXPERIMENT,
            paramLabel = "ID",
            description =
                    "Experiment id: letters, digits, '.', '_', '-' (default: ${DEFAULT-VALUE}).")
    String experiment;

    @Option(
            names = PolicyProcess.SNAPSHOTS_TOPIC,
            defaultValue = Topics.SNAPSHOTS,
            paramLabel = "TOPIC",
            description = "Policy snapshot topic (default: ${DEFAULT-VALUE}).")
    String snapshotsTopic;

    @Option(
            names = "--kafka-timeout",
            defaultValue = "30s",
            paramLabel = "DURATION",
            converter = Converters.DurationConverter.class,
            description =
                    "How long Kafka start-up calls and snapshot sends may take (default:"
                            + " ${DEFAULT-VALUE}).")
    Duration kafkaTimeout;
}
