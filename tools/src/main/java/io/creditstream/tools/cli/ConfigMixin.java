package io.creditstream.tools.cli;

import io.creditstream.schemas.kafka.KafkaClientSecurity;
import io.creditstream.schemas.preflight.DidYouMean;
import io.creditstream.streams.kafka.KafkaIo;
import io.creditstream.streams.options.ConfigLoader;
import io.creditstream.streams.options.CreditstreamOptions;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.Configuration;
import picocli.CommandLine.Option;

/** The {@code --config FILE} and {@code -Dkey=value} options every subcommand takes. */
public class ConfigMixin {
    /** Key prefixes that belong to creditstream: a key under them must be a declared option. */
    private static final List<String> OWN_PREFIXES =
            List.of(
                    "credit.",
                    "prm.",
                    "assembly.",
                    "batch.",
                    "topic.",
                    "kafka.",
                    "input.",
                    "budget.");

    @Option(
            names = "--config",
            paramLabel = "FILE",
            description = "YAML file of options (flat dotted keys or nested maps).")
    Path configFile;

    @Option(
            names = "-D",
            paramLabel = "key=value",
            description =
                    "Set an option, e.g. -Dcredit.estimator=grpo; Flink's own keys pass through."
                            + " See `creditstream options`.")
    Map<String, String> properties = new LinkedHashMap<>();

    @Option(
            names = "--kafka-properties",
            paramLabel = "FILE",
            description =
                    "Java properties file of Kafka client security settings (security.protocol,"
                            + " sasl.*, ssl.*) for every Kafka client; the same as"
                            + " -Dkafka.properties-file=FILE. See docs/SECURITY.md.")
    Path kafkaProperties;

    /**
     * The merged configuration.
     *
     * @throws IllegalArgumentException for a misspelt creditstream key, naming the closest one
     */
    public Configuration configuration() {
        Map<String, String> overrides = new LinkedHashMap<>(properties);
        if (kafkaProperties != null) {
            overrides.put(
                    CreditstreamOptions.KAFKA_PROPERTIES_FILE.key(), kafkaProperties.toString());
        }
        Configuration config = ConfigLoader.load(configFile, overrides);
        Set<String> known =
                CreditstreamOptions.all().stream()
                        .map(ConfigOption::key)
                        .collect(Collectors.toSet());
        for (String key : config.keySet()) {
            if (key.startsWith(KafkaClientSecurity.CONFIG_PREFIX)) {
                continue; // Kafka's own client setting names, checked below
            }
            boolean own = OWN_PREFIXES.stream().anyMatch(key::startsWith);
            if (own && !known.contains(key)) {
                throw new IllegalArgumentException(
                        "unknown option '"
                                + key
                                + "'"
                                + DidYouMean.hint(key, known)
                                + "; `creditstream options` lists them all");
            }
        }
        KafkaIo.clientSecurity(config); // an unknown or misspelt Kafka setting fails here
        return config;
    }

    /**
     * The merged configuration of a command that starts its own Kafka broker in this process
     * ({@code demo}, {@code bench}, {@code soak}): a {@code kafka.bootstrap-servers} among the
     * options is overridden by that broker, which is worth a line rather than silence.
     */
    public Configuration configurationWithOwnBroker(String command) {
        Configuration merged = configuration();
        if (!KafkaIo.clientSecurity(merged).isEmpty()) {
            // Its broker listens in plaintext on loopback: the settings would only break the
            // clients, so say so instead of failing at the first connection.
            throw new IllegalArgumentException(
                    command
                            + " runs its own plaintext Kafka broker in this process, so Kafka"
                            + " client security settings (--kafka-properties, "
                            + CreditstreamOptions.KAFKA_PROPERTIES_FILE.key()
                            + ", "
                            + KafkaClientSecurity.CONFIG_PREFIX
                            + "*) do not apply; `run` and the learner and fleet commands are the"
                            + " ones for a protected cluster");
        }
        merged.getOptional(CreditstreamOptions.BOOTSTRAP_SERVERS)
                .ifPresent(
                        servers ->
                                System.err.println(
                                        "note: "
                                                + command
                                                + " runs its own Kafka broker in this process, so "
                                                + CreditstreamOptions.BOOTSTRAP_SERVERS.key()
                                                + "="
                                                + servers
                                                + " is ignored; `run` is the command for an"
                                                + " external broker"));
        return merged;
    }
}
