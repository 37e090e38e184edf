package io.creditstream.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.creditstream.broker.EmbeddedKafkaExtension;
import io.creditstream.schemas.AdvantageRecord;
import io.creditstream.schemas.StepEvent;
import io.creditstream.schemas.codec.JsonRecordCodec;
import io.creditstream.schemas.preflight.PreflightException;
import io.creditstream.streams.KafkaReplay;
import io.creditstream.streams.OfflineEstimate;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.flink.configuration.Configuration;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code creditstream replay} through a real broker: a range of agent.steps (by offset or by time)
 * computed again equals {@code estimate} over the same steps, byte for byte and run after run,
 * including OPRL, whose PRM learns in the range's order; records that do not decode are reported
 * and skipped; the output can go to a topic, in one transaction.
 */
class ReplayITCase {
    @RegisterExtension static final EmbeddedKafkaExtension KAFKA = new EmbeddedKafkaExtension();

    private static final Instant MORNING = Instant.parse("2026-12-02T09:00:00Z");
    private static final Instant NOON = Instant.parse("2026-12-02T12:00:00Z");
    private static final Duration TIMEOUT = Duration.ofMinutes(2);

    @TempDir Path dir;

    @Test
    void aReplayedRangeEqualsEstimateOverItsStepsAndRepeatsExactly() throws Exception {
        String topic = KafkaTestSupport.unique("steps");
        KAFKA.broker().createTopics(2, topic);
        List<StepEvent> morning = TestFleet.groups(new Random(11), "exp-a", 6, 4);
        List<StepEvent> noon = TestFleet.groups(new Random(12), "exp-b", 5, 4);
        List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
        records.addAll(at(MORNING, KafkaTestSupport.stepRecords(topic, morning)));
        // Garbage between the two runs of the fleet: reported and skipped.
        records.add(
                new ProducerRecord<>(
                        topic, 0, MORNING.toEpochMilli(), null, "not avro".getBytes()));
        records.addAll(at(NOON, KafkaTestSupport.stepRecords(topic, noon)));
        KafkaTestSupport.produce(KAFKA.broker(), topic, records);

        Configuration grpo = new Configuration();
        grpo.setString("credit.estimator", "grpo");
        ByteArrayOutputStream report = new ByteArrayOutputStream();
        KafkaReplay.Summary all =
                replay(topic, KafkaReplay.Bound.OPEN, KafkaReplay.Bound.OPEN, grpo, report);
        assertThat(all.records()).isEqualTo(morning.size() + noon.size() + 1);
        assertThat(all.undecodable()).isEqualTo(1);
        assertThat(report.toString(StandardCharsets.UTF_8)).contains(topic + "-0@");
        List<StepEvent> both = new ArrayList<>(morning);
        both.addAll(noon);
        assertThat(lines(all.output())).isEqualTo(estimate(both, grpo));

        // From noon on: the second run of the fleet only, found by time in both partitions.
        KafkaReplay.Summary afternoon =
                replay(
                        topic,
                        KafkaReplay.Bound.time(NOON),
                        KafkaReplay.Bound.OPEN,
                        grpo,
                        new ByteArrayOutputStream());
        assertThat(afternoon.steps()).isEqualTo(noon.size());
        assertThat(lines(afternoon.output())).isEqualTo(estimate(noon, grpo));

        // Up to noon, exclusive: the first run only.
        KafkaReplay.Summary before =
                replay(
                        topic,
                        KafkaReplay.Bound.OPEN,
                        KafkaReplay.Bound.time(NOON),
                        grpo,
                        new ByteArrayOutputStream());
        assertThat(lines(before.output())).isEqualTo(estimate(morning, grpo));

        // OPRL learns from group to group: the same range twice gives the same bytes.
        Configuration oprl = new Configuration();
        oprl.setString("credit.estimator", "oprl");
        List<String> first =
                lines(
                        replay(
                                        topic,
                                        KafkaReplay.Bound.OPEN,
                                        KafkaReplay.Bound.OPEN,
                                        oprl,
                                        new ByteArrayOutputStream())
                                .output());
        List<String> second =
                lines(
                        replay(
                                        topic,
                                        KafkaReplay.Bound.OPEN,
                                        KafkaReplay.Bound.OPEN,
                                        oprl,
                                        new ByteArrayOutputStream())
                                .output());
        assertThat(first).hasSize(both.size()).isEqualTo(second);
    }

    @Test
    void theOutputCanGoToATopicInOneTransaction() throws Exception {
        String topic = KafkaTestSupport.unique("steps");
        String out = KafkaTestSupport.unique("advantages-replay");
        KAFKA.broker().createTopics(2, topic, out);
        List<StepEvent> steps = TestFleet.groups(new Random(5), "exp", 4, 3);
        KafkaTestSupport.produce(KAFKA.broker(), topic, KafkaTestSupport.stepRecords(topic, steps));

        KafkaReplay.Summary summary =
                replay(
                        topic,
                        KafkaReplay.Bound.offset(0),
                        KafkaReplay.Bound.OPEN,
                        new Configuration(),
                        new ByteArrayOutputStream());
        KafkaReplay.writeToTopic(summary.output(), out, client());

        List<AdvantageRecord> written =
                KafkaTestSupport.readCommitted(
                        KAFKA.broker(),
                        out,
                        AdvantageRecord.class,
                        read -> read.size() >= steps.size(),
                        HangGuard.EVENT);
        assertThat(written).hasSize(steps.size());
        assertThat(lines(written)).containsExactlyInAnyOrderElementsOf(lines(summary.output()));
    }

    @Test
    void aPartitionTheTopicDoesNotHaveIsRefusedByName() {
        String topic = KafkaTestSupport.unique("steps");
        KAFKA.broker().createTopics(2, topic);
        assertThatThrownBy(
                        () ->
                                replay(
                                        topic,
                                        KafkaReplay.Bound.parse("0:0,7:3", "--from"),
                                        KafkaReplay.Bound.OPEN,
                                        new Configuration(),
                                        new ByteArrayOutputStream()))
                .isInstanceOf(PreflightException.class)
                .hasMessageContaining("--from names partition 7")
                .hasMessageContaining("partitions 0-1");
    }

    private static KafkaReplay.Summary replay(
            String topic,
            KafkaReplay.Bound from,
            KafkaReplay.Bound to,
            Configuration config,
            ByteArrayOutputStream report)
            throws Exception {
        return KafkaReplay.run(
                new KafkaReplay.Range(topic, from, to),
                client(),
                config,
                TIMEOUT,
                new PrintStream(report, true, StandardCharsets.UTF_8));
    }

    private static Map<String, Object> client() {
        return Map.of(
                CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, KAFKA.broker().bootstrapServers());
    }

    /** The lines {@code estimate} writes for these steps, through a file as a user would. */
    private List<String> estimate(List<StepEvent> steps, Configuration config) throws Exception {
        JsonRecordCodec<StepEvent> codec = JsonRecordCodec.of(StepEvent.class);
        List<String> input = new ArrayList<>();
        for (StepEvent step : steps) {
            input.add(codec.write(step));
        }
        Path in = Files.createTempFile(dir, "steps", ".jsonl");
        Path out = Files.createTempFile(dir, "advantages", ".jsonl");
        Files.write(in, input, StandardCharsets.UTF_8);
        OfflineEstimate.run(in, out, config, new PrintStream(new ByteArrayOutputStream()));
        return Files.readAllLines(out, StandardCharsets.UTF_8);
    }

    private static List<String> lines(List<AdvantageRecord> records) {
        JsonRecordCodec<AdvantageRecord> codec = JsonRecordCodec.of(AdvantageRecord.class);
        List<String> lines = new ArrayList<>();
        for (AdvantageRecord record : records) {
            lines.add(codec.write(record));
        }
        return lines;
    }

    private static List<ProducerRecord<byte[], byte[]>> at(
            Instant time, List<ProducerRecord<byte[], byte[]>> records) {
        List<ProducerRecord<byte[], byte[]>> timed = new ArrayList<>();
        for (ProducerRecord<byte[], byte[]> record : records) {
            timed.add(
                    new ProducerRecord<>(
                            record.topic(),
                            null,
                            time.toEpochMilli(),
                            record.key(),
                            record.value()));
        }
        return timed;
    }
}
