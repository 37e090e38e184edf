package io.creditstream.it;

import io.creditstream.broker.EmbeddedKafkaBroker;
import io.creditstream.schemas.StepEvent;
import io.creditstream.schemas.codec.AvroCodec;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.function.Function;
import java.util.function.Predicate;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/** Producing to and reading back from the embedded broker in tests. */
final class KafkaTestSupport {
    private KafkaTestSupport() {}

    /** A fresh topic-name suffix, so every test has its own topics. */
    static String unique(String base) {
        return base + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    /**
     * The options of one test's job: fresh topics, consumer group and transactional ids on the
     * given broker, small batches and fast checkpoints.
     */
    static Map<String, String> isolatedJobOptions(EmbeddedKafkaBroker broker) {
        Map<String, String> options = isolatedJobOptions(broker.bootstrapServers());
        // One embedded broker: one replica.
        options.put("kafka.topic-replication-factor", "1");
        return options;
    }

    /**
     * {@link #isolatedJobOptions(EmbeddedKafkaBroker)} for any brokers, e.g. a cluster's: topics
     * the job creates get the default replication factor (3).
     */
    static Map<String, String> isolatedJobOptions(String bootstrapServers) {
        Map<String, String> options = new java.util.LinkedHashMap<>();
        options.put("kafka.bootstrap-servers", bootstrapServers);
        for (String topic : List.of("steps", "batches", "dlq", "requests", "budget", "snapshots")) {
            options.put("topic." + topic, unique(topic));
        }
        options.put("kafka.group-id", unique("group"));
        options.put("kafka.transactional-id-prefix", unique("tx"));
        options.put("batch.max-records", "64");
        options.put("batch.linger", "100 ms");
        options.put("execution.checkpointing.interval", "500 ms");
        options.put("parallelism.default", "2");
        return options;
    }

    /** Steps as agent.steps records: keyed by episode id, Avro single-object values. */
    static List<ProducerRecord<byte[], byte[]>> stepRecords(String topic, List<StepEvent> steps) {
        AvroCodec<StepEvent> codec = AvroCodec.of(StepEvent.class);
        List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>(steps.size());
        for (StepEvent step : steps) {
            records.add(
                    new ProducerRecord<>(
                            topic,
                            step.getEpisodeId().getBytes(StandardCharsets.UTF_8),
                            codec.encode(step)));
        }
        return records;
    }

    /**
     * A producer of raw bytes that waits for the broker's acknowledgement (acks=all), one request
     * in flight: with more, a first request that a just-created partition refuses (its leader not
     * applied yet) can be retried behind a later one the broker took, and is then refused for good
     * as out of order and dropped when its delivery timeout expires (KAFKA-15591). It lost whole
     * groups of a CI run's steps.
     */
    static KafkaProducer<byte[], byte[]> producer(EmbeddedKafkaBroker broker) {
        return producer(broker.bootstrapServers());
    }

    static KafkaProducer<byte[], byte[]> producer(String bootstrapServers) {
        return new KafkaProducer<>(
                Map.of(
                        ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                        bootstrapServers,
                        ProducerConfig.ACKS_CONFIG,
                        "all",
                        ProducerConfig.LINGER_MS_CONFIG,
                        "5",
                        ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION,
                        "1"),
                new ByteArraySerializer(),
                new ByteArraySerializer());
    }

    static void produce(
            EmbeddedKafkaBroker broker,
            String topic,
            List<ProducerRecord<byte[], byte[]>> records) {
        try (KafkaProducer<byte[], byte[]> producer = producer(broker)) {
            sendAll(producer, topic, records);
        }
    }

    /**
     * Sends the records in order and returns once the broker has acknowledged every one; a record
     * it never took fails the test here rather than showing up later as a missing advantage.
     */
    static void sendAll(
            KafkaProducer<byte[], byte[]> producer,
            String topic,
            List<ProducerRecord<byte[], byte[]>> records) {
        List<Future<RecordMetadata>> acks = new ArrayList<>(records.size());
        for (ProducerRecord<byte[], byte[]> record : records) {
            acks.add(producer.send(record));
        }
        producer.flush();
        try {
            for (Future<RecordMetadata> ack : acks) {
                ack.get();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while producing to " + topic, e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("the broker refused a record for " + topic, e);
        }
    }

    /**
     * Reads a topic with {@code read_committed} from the beginning until {@code done} holds for
     * what was read, or the deadline passes (then returns what it has, for the assertion to
     * report).
     */
    static <T extends SpecificRecord> List<T> readCommitted(
            EmbeddedKafkaBroker broker,
            String topic,
            Class<T> type,
            Predicate<List<T>> done,
            Duration deadline) {
        AvroCodec<T> codec = AvroCodec.of(type);
        List<T> values = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer =
                new KafkaConsumer<>(
                        withAdminSecurity(
                                broker,
                                Map.of(
                                        ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                                        broker.bootstrapServers(),
                                        ConsumerConfig.GROUP_ID_CONFIG,
                                        "test-" + UUID.randomUUID(),
                                        ConsumerConfig.AUTO_OFFSET_RESET_CONFIG,
                                        "earliest",
                                        ConsumerConfig.ISOLATION_LEVEL_CONFIG,
                                        "read_committed")),
                        new ByteArrayDeserializer(),
                        new ByteArrayDeserializer())) {
            consumer.subscribe(List.of(topic));
            long end = System.nanoTime() + deadline.toNanos();
            while (!done.test(values) && System.nanoTime() < end) {
                for (ConsumerRecord<byte[], byte[]> record :
                        consumer.poll(Duration.ofMillis(200))) {
                    values.add(codec.decode(record.value()));
                }
            }
        }
        return values;
    }

    /** A client's settings with the broker's super-user login added (none on a plaintext one). */
    static Map<String, Object> withAdminSecurity(
            EmbeddedKafkaBroker broker, Map<String, Object> config) {
        Map<String, Object> secured = new java.util.HashMap<>(config);
        secured.putAll(broker.adminClientProperties());
        return secured;
    }

    /**
     * A {@code read_committed} consumer of every partition of {@code topic} from offset 0: assigned
     * rather than subscribed, so no group and no rebalance. The caller closes it.
     */
    static KafkaConsumer<byte[], byte[]> committedFromStart(
            EmbeddedKafkaBroker broker, String topic) {
        return committedFromStart(broker.bootstrapServers(), topic);
    }

    static KafkaConsumer<byte[], byte[]> committedFromStart(String bootstrapServers, String topic) {
        KafkaConsumer<byte[], byte[]> consumer =
                new KafkaConsumer<>(
                        Map.of(
                                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                                bootstrapServers,
                                ConsumerConfig.ISOLATION_LEVEL_CONFIG,
                                "read_committed",
                                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG,
                                "false"),
                        new ByteArrayDeserializer(),
                        new ByteArrayDeserializer());
        List<TopicPartition> partitions =
                consumer.partitionsFor(topic).stream()
                        .map(p -> new TopicPartition(topic, p.partition()))
                        .toList();
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
        return consumer;
    }

    static <T> Predicate<List<T>> totalAtLeast(int wanted, Function<T, Integer> size) {
        return list -> list.stream().mapToInt(size::apply).sum() >= wanted;
    }
}
