package io.creditstream.broker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Starts a real single-node KRaft broker and checks topics, transactions and restarts on it. */
class EmbeddedKafkaBrokerTest {

    private static final Duration POLL_DEADLINE = Duration.ofSeconds(30);

    @Test
    void transactionalWritesAreVisibleToReadCommittedConsumersAndSurviveRestart(
            @TempDir Path dataDir) throws Exception {
        String topic = "steps-" + UUID.randomUUID();
        try (EmbeddedKafkaBroker kafka =
                EmbeddedKafkaBroker.builder().dataDir(dataDir).build().start()) {
            kafka.createTopics(2, topic);
            // Creating it again is fine: callers create their topics on every start.
            kafka.createTopics(2, topic);

            try (KafkaProducer<String, String> producer = transactionalProducer(kafka)) {
                producer.initTransactions();
                producer.beginTransaction();
                producer.send(new ProducerRecord<>(topic, "k", "aborted"));
                producer.abortTransaction();
                producer.beginTransaction();
                for (int i = 0; i < 10; i++) {
                    producer.send(new ProducerRecord<>(topic, "k" + i, "v" + i));
                }
                producer.commitTransaction();
            }

            assertThat(readCommitted(kafka.bootstrapServers(), topic))
                    .containsExactlyInAnyOrder(
                            "v0", "v1", "v2", "v3", "v4", "v5", "v6", "v7", "v8", "v9");
        }

        // The given directory is kept, and a new broker on it (on new ports) has the data.
        assertThat(dataDir.resolve("server.properties")).exists();
        try (EmbeddedKafkaBroker restarted =
                EmbeddedKafkaBroker.builder().dataDir(dataDir).build().start()) {
            try (Admin admin = admin(restarted)) {
                assertThat(admin.listTopics().names().get()).contains(topic);
            }
            assertThat(readCommitted(restarted.bootstrapServers(), topic))
                    .containsExactlyInAnyOrder(
                            "v0", "v1", "v2", "v3", "v4", "v5", "v6", "v7", "v8", "v9");
        }
    }

    @Test
    void temporaryDirectoryIsDeletedOnClose() {
        Path dir;
        try (EmbeddedKafkaBroker kafka = EmbeddedKafkaBroker.builder().build().start()) {
            dir = kafka.dataDir();
            assertThat(kafka.bootstrapServers()).startsWith("127.0.0.1:").doesNotEndWith(":9092");
            assertThat(Files.isDirectory(dir)).isTrue();
        }
        assertThat(dir).doesNotExist();
    }

    @Test
    void builderRejectsBadSettings() {
        assertThatThrownBy(() -> EmbeddedKafkaBroker.builder().port(70_000))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("port");
        assertThatThrownBy(() -> EmbeddedKafkaBroker.builder().startupTimeout(Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> EmbeddedKafkaBroker.builder().build().bootstrapServers())
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("start()");
    }

    private static KafkaProducer<String, String> transactionalProducer(EmbeddedKafkaBroker kafka) {
        return new KafkaProducer<>(
                Map.of(
                        ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                        kafka.bootstrapServers(),
                        ProducerConfig.TRANSACTIONAL_ID_CONFIG,
                        "embedded-broker-test-" + UUID.randomUUID(),
                        ProducerConfig.TRANSACTION_TIMEOUT_CONFIG,
                        60_000),
                new StringSerializer(),
                new StringSerializer());
    }

    private static Admin admin(EmbeddedKafkaBroker kafka) {
        return Admin.create(
                Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()));
    }

    /**
     * Reads the committed records of the topic up to its current high watermark. The target is the
     * high watermark, not the read_committed end offset (the last stable offset): commit markers
     * are written after commitTransaction() returns, so the LSO may still sit before the committed
     * records; a read_committed position can only pass the high watermark once every transaction
     * below it is decided.
     */
    private static List<String> readCommitted(String bootstrap, String topic) throws Exception {
        List<String> values = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer =
                new KafkaConsumer<>(
                        Map.of(
                                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                                bootstrap,
                                ConsumerConfig.ISOLATION_LEVEL_CONFIG,
                                "read_committed",
                                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG,
                                false),
                        new StringDeserializer(),
                        new StringDeserializer())) {
            List<TopicPartition> partitions =
                    consumer.partitionsFor(topic).stream()
                            .map(info -> new TopicPartition(topic, info.partition()))
                            .toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = highWatermarks(bootstrap, partitions);
            long deadline = System.nanoTime() + POLL_DEADLINE.toNanos();
            while (!reached(consumer, end)) {
                assertThat(System.nanoTime())
                        .as("read %s up to %s in time", topic, end)
                        .isLessThan(deadline);
                for (ConsumerRecord<String, String> record :
                        consumer.poll(Duration.ofMillis(200))) {
                    values.add(record.value());
                }
            }
        }
        return values;
    }

    private static Map<TopicPartition, Long> highWatermarks(
            String bootstrap, List<TopicPartition> partitions) throws Exception {
        try (Admin admin =
                Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
            partitions.forEach(tp -> latest.put(tp, OffsetSpec.latest()));
            Map<TopicPartition, Long> offsets = new HashMap<>();
            // The admin's default isolation is read_uncommitted: this is the high watermark.
            admin.listOffsets(latest)
                    .all()
                    .get()
                    .forEach((tp, info) -> offsets.put(tp, info.offset()));
            return offsets;
        }
    }

    private static boolean reached(
            KafkaConsumer<String, String> consumer, Map<TopicPartition, Long> end) {
        return end.entrySet().stream().allMatch(e -> consumer.position(e.getKey()) >= e.getValue());
    }
}
