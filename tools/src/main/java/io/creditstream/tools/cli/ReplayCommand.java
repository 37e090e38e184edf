package io.creditstream.tools.cli;

import io.creditstream.schemas.kafka.KafkaClientSecurity;
import io.creditstream.schemas.preflight.ExitCode;
import io.creditstream.schemas.preflight.FilePreflight;
import io.creditstream.schemas.preflight.KafkaPreflight;
import io.creditstream.schemas.preflight.PreflightException;
import io.creditstream.streams.KafkaReplay;
import io.creditstream.streams.OfflineEstimate;
import io.creditstream.streams.kafka.KafkaIo;
import io.creditstream.streams.options.CreditstreamOptions;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.flink.configuration.Configuration;
import org.apache.kafka.clients.CommonClientConfigs;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code creditstream replay}: advantages again for a range of agent.steps still in Kafka. */
@Command(
        name = "replay",
        mixinStandardHelpOptions = true,
        description = {
            "Re-read a range of agent.steps that is still within the topic's retention and"
                    + " compute its advantages again with any estimator and options, as a"
                    + " bounded Flink batch job (the same one as `estimate`). Reads"
                    + " read_committed; steps are taken in (partition, offset) order, so the same"
                    + " range and options give the same records.",
            "Groups whose steps lie partly outside the range are completed with what is inside"
                    + " it, as at the end of an `estimate` input. Records that do not decode or"
                    + " validate are reported with their partition and offset and skipped.",
            "",
            "Examples:",
            "  creditstream replay -Dkafka.bootstrap-servers=localhost:9092 --from"
                    + " 2026-12-02T10:00:00Z --to 2026-12-02T11:00:00Z --output adv.jsonl"
                    + " -Dcredit.estimator=grpo",
            "  creditstream replay -Dkafka.bootstrap-servers=localhost:9092 --from 0:1200,1:900"
                    + " --output-topic advantages.replay -Dcredit.estimator=tempo"
        })
public class ReplayCommand implements Callable<Integer> {

    @Option(
            names = "--from",
            paramLabel = "OFFSET|P:OFFSET,...|TIME",
            description =
                    "Start of the range, inclusive: an offset for every partition, offsets per"
                            + " partition (0:1200,1:900; others from their first), or an"
                            + " ISO-8601 time (the first record at or after it). Default: each"
                            + " partition's first offset.")
    String from;

    @Option(
            names = "--to",
            paramLabel = "OFFSET|P:OFFSET,...|TIME",
            description =
                    "End of the range, exclusive, in the same forms. Default: each partition's"
                            + " last committed offset when the replay starts.")
    String to;

    @Option(
            names = "--topic",
            paramLabel = "TOPIC",
            description = "The steps topic (default: the configuration's topics.steps).")
    String topic;

    @ArgGroup(multiplicity = "1")
    Destination destination;

    static final class Destination {
        @Option(
                names = "--output",
                paramLabel = "FILE",
                description =
                        "Write one AdvantageRecord JSON object per line (replaced if present).")
        Path output;

        @Option(
                names = "--output-topic",
                paramLabel = "TOPIC",
                description =
                        "Write the AdvantageRecords (Avro, keyed by group id) to this existing"
                                + " topic in one transaction.")
        String outputTopic;
    }

    @Mixin ConfigMixin config;

    @Override
    public Integer call() throws Exception {
        Configuration configuration = config.configuration();
        KafkaReplay.Range range =
                new KafkaReplay.Range(
                        topic != null ? topic : configuration.get(CreditstreamOptions.TOPIC_STEPS),
                        bound(from, "--from"),
                        bound(to, "--to"));
        if (destination.output != null) {
            FilePreflight.writableFile(destination.output, "--output");
        }
        String servers = KafkaIo.bootstrapServers(configuration);
        KafkaClientSecurity security = KafkaIo.clientSecurity(configuration);
        KafkaPreflight preflight =
                KafkaPreflight.of(
                                servers,
                                CreditstreamOptions.BOOTSTRAP_SERVERS.key(),
                                configuration.get(CreditstreamOptions.CONNECT_TIMEOUT),
                                CreditstreamOptions.CONNECT_TIMEOUT.key())
                        .withClientProperties(security.settings());
        List<String> needed = new ArrayList<>(List.of(range.topic()));
        if (destination.outputTopic != null) {
            needed.add(destination.outputTopic);
        }
        Map<String, Integer> partitions = preflight.partitions(needed);
        for (String topicName : needed) {
            if (!partitions.containsKey(topicName)) {
                throw new PreflightException(
                        ExitCode.KAFKA,
                        "topic "
                                + topicName
                                + " does not exist on "
                                + servers
                                + (topicName.equals(destination.outputTopic)
                                        ? "; create it first (replay writes only to an existing"
                                                + " topic)"
                                        : "; nothing to replay"));
            }
        }
        Map<String, Object> client = security.applyTo(new HashMap<>());
        client.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, servers);
        long start = System.nanoTime();
        KafkaReplay.Summary summary =
                KafkaReplay.run(
                        range,
                        client,
                        configuration,
                        configuration.get(CreditstreamOptions.CONNECT_TIMEOUT).multipliedBy(3),
                        System.err);
        String where;
        if (destination.output != null) {
            OfflineEstimate.write(destination.output, summary.output());
            where = destination.output.toString();
        } else {
            KafkaReplay.writeToTopic(summary.output(), destination.outputTopic, client);
            where = "topic " + destination.outputTopic;
        }
        System.err.printf(
                "replay: %d records read from %s, %d undecodable and %d invalid skipped, %d steps"
                        + " -> %d advantage records to %s (%d episodes left out) in %.1f s%n",
                summary.records(),
                range.topic(),
                summary.undecodable(),
                summary.invalid(),
                summary.steps(),
                summary.output().size(),
                where,
                summary.deadLetters(),
                (System.nanoTime() - start) / 1e9);
        return 0;
    }

    private static KafkaReplay.Bound bound(String value, String flag) {
        if (value == null) {
            return KafkaReplay.Bound.OPEN;
        }
        try {
            return KafkaReplay.Bound.parse(value, flag);
        } catch (IllegalArgumentException e) {
            throw new PreflightException(ExitCode.USAGE, e.getMessage());
        }
    }
}
