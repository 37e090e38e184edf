package io.creditstream.policy.cli;

import io.creditstream.policy.service.InvalidSettingException;
import io.creditstream.policy.service.LearnerSettings;
import io.creditstream.schemas.contract.PolicyProcess;
import io.creditstream.schemas.contract.Topics;
import io.creditstream.schemas.kafka.KafkaClientSecurity;
import io.creditstream.schemas.kafka.TopicReplication;
import io.creditstream.schemas.preflight.KafkaPreflight;
import io.creditstream.schemas.preflight.KafkaPreflight.RequiredAccess;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
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
            names = PolicyProcess.KAFKA_TIMEOUT,
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

    @Option(
            names = PolicyProcess.KAFKA_PROPERTIES,
            paramLabel = "FILE",
            description =
                    "Java properties file of Kafka client security settings in Kafka's names"
                            + " (security.protocol, sasl.mechanism, sasl.jaas.config,"
                            + " ssl.truststore.location, …), applied to every Kafka client of this"
                            + " process. See docs/SECURITY.md.")
    Path kafkaProperties;

    @Option(
            names = PolicyProcess.TOPIC_REPLICATION_FACTOR,
            defaultValue = "" + TopicReplication.DEFAULT_REPLICATION_FACTOR,
            paramLabel = "N",
            description =
                    "Replicas of each topic this process creates, as the job's"
                            + " kafka.topic-replication-factor; existing topics are kept. More than"
                            + " the cluster's live brokers is refused at start; 1 only for a single"
                            + " development broker (default: ${DEFAULT-VALUE}).")
    int topicReplicationFactor;

    @Option(
            names = PolicyProcess.TOPIC_MIN_INSYNC_REPLICAS,
            paramLabel = "N",
            description =
                    "min.insync.replicas of each topic this process creates (default: 2 when"
                            + " replicated 3 or more times, so one broker may fail without losing a"
                            + " record; else the broker's default).")
    Integer topicMinInsyncReplicas;

    /**
     * The replication of the topics this process creates.
     *
     * @throws IllegalArgumentException naming the flag that is out of range
     */
    TopicReplication topicReplication() {
        return TopicReplication.of(
                topicReplicationFactor,
                Optional.ofNullable(topicMinInsyncReplicas),
                TopicReplication.Names.POLICY_PROCESS);
    }

    /**
     * The security settings of {@code --kafka-properties}; none without it.
     *
     * @throws InvalidSettingException naming the flag and the bad key or file
     */
    KafkaClientSecurity security() {
        if (kafkaProperties == null) {
            return KafkaClientSecurity.none();
        }
        try {
            return KafkaClientSecurity.load(kafkaProperties);
        } catch (IllegalArgumentException e) {
            throw new InvalidSettingException("kafka-properties", e.getMessage(), e);
        }
    }

    /**
     * Fails fast, with the address, the flag and the likely causes, when no broker answers within
     * {@code --kafka-connect-timeout}; with security settings, also when the process's principal
     * lacks one of the {@code required} grants (naming it and how to grant it).
     *
     * @throws io.creditstream.schemas.preflight.PreflightException exit status 4 (2 for an address
     *     that is not host:port)
     */
    void checkReachable(KafkaClientSecurity security, List<RequiredAccess> required) {
        KafkaPreflight preflight =
                KafkaPreflight.of(
                                bootstrapServers,
                                PolicyProcess.BOOTSTRAP_SERVERS,
                                connectTimeout,
                                PolicyProcess.KAFKA_CONNECT_TIMEOUT)
                        .withClientProperties(security.settings());
        if (security.isEmpty()) {
            preflight.checkReachable();
        } else {
            preflight.checkAccess(required, security.principal().orElse(null));
        }
    }
}
