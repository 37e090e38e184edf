package io.creditstream.policy.cli;

import io.creditstream.policy.service.LearnerSettings;
import io.creditstream.schemas.contract.PolicyProcess;
import io.creditstream.schemas.contract.Topics;
import io.creditstream.schemas.preflight.KafkaPreflight;
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

    @Option(
            names = PolicyProcess.KAFKA_CONNECT_TIMEOUT,
            defaultValue = "10s",
            paramLabel = "DURATION",
            converter = Converters.DurationConverter.class,
            description =
                    "How long the start waits for a broker at --bootstrap-servers to answer before"
                            + " it gives up with exit status 4; raise it for a broker that is still"
                            + " starting (default: ${DEFAULT-VALUE}).")
    Duration connectTimeout;

    /**
     * Fails fast, with the address, the flag and the likely causes, when no broker answers within
     * {@code --kafka-connect-timeout}.
     *
     * @throws io.creditstream.schemas.preflight.PreflightException exit status 4 (2 for an address
     *     that is not host:port)
     */
    void checkReachable() {
        KafkaPreflight.of(
                        bootstrapServers,
                        "--bootstrap-servers",
                        connectTimeout,
                        "--kafka-connect-timeout")
                .checkReachable();
    }
}
