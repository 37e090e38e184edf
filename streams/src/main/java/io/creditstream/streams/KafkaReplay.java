package io.creditstream.streams;

import io.creditstream.operators.core.input.StepValidator;
import io.creditstream.schemas.AdvantageRecord;
import io.creditstream.schemas.StepEvent;
import io.creditstream.schemas.codec.AvroCodec;
import io.creditstream.schemas.codec.StepEventCodecs;
import io.creditstream.schemas.preflight.ExitCode;
import io.creditstream.schemas.preflight.PreflightException;
import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.UUID;
import java.util.function.Consumer;
import org.apache.flink.configuration.Configuration;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * {@code creditstream replay}: re-reads a range of {@code agent.steps} that is still in Kafka and
 * computes its advantages again, with any estimator and options, as a bounded Flink batch job (the
 * same one as {@code estimate}).
 *
 * <p>The range is per partition: from a start offset (or the first offset at or after a time) to an
 * end offset, exclusive (or the first at or after a time, or the partition's last committed offset
 * when the replay starts). Reading is read_committed, so aborted writes never count. The steps are
 * taken in (partition, offset) order, which fixes OPRL's learning order too: the same range and
 * options give the same records, byte for byte.
 */
public final class KafkaReplay {

    /** What to replay: a topic and the bounds of its range. */
    public record Range(String topic, Bound from, Bound to) {
        public Range {
            Objects.requireNonNull(topic, "topic");
            Objects.requireNonNull(from, "from");
            Objects.requireNonNull(to, "to");
        }
    }

    /**
     * One end of a range: an offset for every partition, offsets per partition, a time, or open
     * (the beginning, or the end when the replay starts).
     */
    public record Bound(Long offset, Map<Integer, Long> partitionOffsets, Instant time) {
        public static final Bound OPEN = new Bound(null, Map.of(), null);

        public static Bound offset(long offset) {
            return new Bound(offset, Map.of(), null);
        }

        public static Bound offsets(Map<Integer, Long> offsets) {
            return new Bound(null, Map.copyOf(offsets), null);
        }

        public static Bound time(Instant time) {
            return new Bound(null, Map.of(), time);
        }

        /**
         * Parses {@code 1200}, {@code 0:1200,1:900} or an ISO-8601 instant such as {@code
         * 2026-12-02T10:15:00Z}.
         *
         * @throws IllegalArgumentException naming {@code flag} and the accepted forms
         */
        public static Bound parse(String value, String flag) {
            String text = value.trim();
            try {
                if (text.matches("\\d+")) {
                    return offset(Long.parseLong(text));
                }
                if (text.matches("\\d+:\\d+(,\\d+:\\d+)*")) {
                    Map<Integer, Long> offsets = new TreeMap<>();
                    for (String pair : text.split(",")) {
                        String[] parts = pair.split(":");
                        if (offsets.put(Integer.parseInt(parts[0]), Long.parseLong(parts[1]))
                                != null) {
                            throw new IllegalArgumentException("partition " + parts[0] + " twice");
                        }
                    }
                    return offsets(offsets);
                }
                return time(Instant.parse(text));
            } catch (RuntimeException e) {
                throw new IllegalArgumentException(
                        flag
                                + " must be an offset (1200), offsets per partition (0:1200,1:900)"
                                + " or an ISO-8601 time (2026-12-02T10:15:00Z), but was '"
                                + value
                                + "'",
                        e);
            }
        }
    }

    /** What one replay read and wrote. */
    public record Summary(
            long records,
            long undecodable,
            long invalid,
            long steps,
            List<AdvantageRecord> output,
            long deadLetters) {}

    private KafkaReplay() {}

    /**
     * Reads the range, then runs the estimate.
     *
     * @param clientConfig the consumer's connection settings (bootstrap servers, security)
     * @param errors where skipped records are reported
     */
    public static Summary run(
            Range range,
            Map<String, Object> clientConfig,
            Configuration jobConfig,
            Duration timeout,
            PrintStream errors)
            throws Exception {
        CreditJob.Settings settings = CreditJob.Settings.from(jobConfig);
        List<StepEvent> steps = new ArrayList<>();
        Map<String, Long> groupOrder = new HashMap<>();
        long[] counts = new long[3];
        AvroCodec<StepEvent> stepCodec = StepEventCodecs.create();
        read(
                range,
                clientConfig,
                timeout,
                record -> {
                    counts[0]++;
                    StepEvent step;
                    try {
                        step = stepCodec.decode(record.value());
                    } catch (RuntimeException e) {
                        counts[1]++;
                        errors.printf(
                                "%s-%d@%d: skipped: %s%n",
                                record.topic(),
                                record.partition(),
                                record.offset(),
                                e.getMessage());
                        return;
                    }
                    StepValidator.Verdict verdict = settings.validator().validate(step);
                    if (!verdict.valid()) {
                        counts[2]++;
                        errors.printf(
                                "%s-%d@%d: skipped: %s: %s%n",
                                record.topic(),
                                record.partition(),
                                record.offset(),
                                verdict.reason().code(),
                                verdict.detail());
                        return;
                    }
                    steps.add(step);
                    groupOrder.put(
                            OfflineEstimate.groupKey(step.getExperimentId(), step.getGroupId()),
                            (long) steps.size());
                });
        if (steps.isEmpty()) {
            return new Summary(counts[0], counts[1], counts[2], 0, List.of(), 0);
        }
        OfflineEstimate.Estimates estimates =
                OfflineEstimate.estimate(steps, groupOrder, jobConfig, settings, errors);
        return new Summary(
                counts[0],
                counts[1],
                counts[2],
                steps.size(),
                estimates.records(),
                estimates.deadLetters());
    }

    /**
     * Writes the records to {@code topic} in one transaction, keyed by group id, as Avro
     * single-object encoded AdvantageRecords: all of them or, on failure, none for a read_committed
     * reader.
     */
    public static void writeToTopic(
            List<AdvantageRecord> records, String topic, Map<String, Object> clientConfig) {
        Map<String, Object> config = new HashMap<>(clientConfig);
        config.put(
                ProducerConfig.TRANSACTIONAL_ID_CONFIG, "creditstream-replay-" + UUID.randomUUID());
        config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        AvroCodec<AdvantageRecord> codec = AvroCodec.of(AdvantageRecord.class);
        try (KafkaProducer<String, byte[]> producer =
                new KafkaProducer<>(config, new StringSerializer(), new ByteArraySerializer())) {
            producer.initTransactions();
            producer.beginTransaction();
            for (AdvantageRecord record : records) {
                producer.send(
                        new ProducerRecord<>(topic, record.getGroupId(), codec.encode(record)));
            }
            producer.commitTransaction();
        }
    }

    /** Hands every record of the range to {@code sink}, partition by partition, in offset order. */
    private static void read(
            Range range,
            Map<String, Object> clientConfig,
            Duration timeout,
            Consumer<ConsumerRecord<byte[], byte[]>> sink) {
        Map<String, Object> config = new HashMap<>(clientConfig);
        config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        config.put(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) timeout.toMillis());
        config.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false);
        try (KafkaConsumer<byte[], byte[]> consumer =
                new KafkaConsumer<>(
                        config, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<PartitionInfo> infos = consumer.partitionsFor(range.topic(), timeout);
            if (infos == null || infos.isEmpty()) {
                throw new PreflightException(
                        ExitCode.NO_INPUT,
                        "topic " + range.topic() + " does not exist; nothing to replay");
            }
            List<TopicPartition> partitions = new ArrayList<>();
            for (PartitionInfo info : infos) {
                partitions.add(new TopicPartition(range.topic(), info.partition()));
            }
            partitions.sort((a, b) -> Integer.compare(a.partition(), b.partition()));
            Map<TopicPartition, Long> first = consumer.beginningOffsets(partitions, timeout);
            // read_committed: the end is the last stable offset, so nothing is waited for.
            Map<TopicPartition, Long> last = consumer.endOffsets(partitions, timeout);
            Map<TopicPartition, Long> starts =
                    resolve(
                            consumer,
                            range.from(),
                            partitions,
                            first,
                            first,
                            last,
                            timeout,
                            "--from");
            Map<TopicPartition, Long> ends =
                    resolve(consumer, range.to(), partitions, last, first, last, timeout, "--to");
            for (TopicPartition partition : partitions) {
                long start = starts.get(partition);
                long end = ends.get(partition);
                if (start >= end) {
                    continue;
                }
                consumer.assign(List.of(partition));
                consumer.seek(partition, start);
                while (consumer.position(partition, timeout) < end) {
                    for (ConsumerRecord<byte[], byte[]> record :
                            consumer.poll(Duration.ofMillis(500))) {
                        if (record.offset() < end) {
                            sink.accept(record);
                        }
                    }
                }
            }
        }
    }

    private static Map<TopicPartition, Long> resolve(
            KafkaConsumer<byte[], byte[]> consumer,
            Bound bound,
            List<TopicPartition> partitions,
            Map<TopicPartition, Long> open,
            Map<TopicPartition, Long> first,
            Map<TopicPartition, Long> last,
            Duration timeout,
            String flag) {
        Map<TopicPartition, Long> offsets = new HashMap<>();
        if (bound.time() != null) {
            Map<TopicPartition, Long> query = new HashMap<>();
            partitions.forEach(p -> query.put(p, bound.time().toEpochMilli()));
            Map<TopicPartition, OffsetAndTimestamp> found =
                    consumer.offsetsForTimes(query, timeout);
            for (TopicPartition partition : partitions) {
                OffsetAndTimestamp at = found.get(partition);
                // No record at or after the time: the range reaches the partition's end.
                offsets.put(
                        partition,
                        at == null
                                ? last.get(partition)
                                : Math.min(at.offset(), last.get(partition)));
            }
            return offsets;
        }
        for (TopicPartition partition : partitions) {
            Long offset =
                    bound.offset() != null
                            ? bound.offset()
                            : bound.partitionOffsets().get(partition.partition());
            if (offset == null) {
                offsets.put(partition, open.get(partition));
                continue;
            }
            if (offset < first.get(partition)) {
                throw new PreflightException(
                        ExitCode.USAGE,
                        flag
                                + " "
                                + offset
                                + " is before partition "
                                + partition.partition()
                                + "'s first offset "
                                + first.get(partition)
                                + ": older records are past the topic's retention and cannot be"
                                + " replayed; start at "
                                + first.get(partition)
                                + " or later");
            }
            offsets.put(partition, Math.min(offset, last.get(partition)));
        }
        for (Integer named : bound.partitionOffsets().keySet()) {
            if (named < 0 || named >= partitions.size()) {
                throw new PreflightException(
                        ExitCode.USAGE,
                        flag
                                + " names partition "
                                + named
                                + ", but "
                                + partitions.get(0).topic()
                                + " has partitions 0-"
                                + (partitions.size() - 1));
            }
        }
        return offsets;
    }
}
