package io.creditstream.broker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/**
 * Starts a real three-node KRaft cluster (three JVMs), SIGKILLs nodes under a transactional
 * producer and checks that a read_committed consumer group sees every committed record exactly
 * once.
 */
class KafkaClusterTest {

    private static final int TRANSACTIONS = 20;
    private static final int RECORDS_PER_TRANSACTION = 10;

    /**
     * A hang guard only: every wait below ends on an event (records read, replicas in sync). Long,
     * because three JVMs and failovers share two cores with a build.
     */
    private static final Duration HANG_GUARD = Duration.ofMinutes(5);

    @Test
    void oneKilledNodeLosesNoCommittedRecordAndTransactionsContinue() throws Exception {
        String topic = "steps-" + UUID.randomUUID();
        String transactionalId = "cluster-test-" + UUID.randomUUID();
        try (KafkaCluster kafka = KafkaCluster.builder().build().start();
                Admin admin = admin(kafka)) {
            assertThat(kafka.bootstrapServers().split(","))
                    .hasSize(3)
                    .allSatisfy(s -> assertThat(s).startsWith("127.0.0.1:"));
            kafka.createTopics(2, topic);
            assertReplicatedThreeTimes(admin, topic);
            assertThat(topicConfig(admin, topic).get("min.insync.replicas").value()).isEqualTo("2");

            List<String> expected = new ArrayList<>();
            try (KafkaProducer<String, String> producer =
                    transactionalProducer(kafka, transactionalId)) {
                producer.initTransactions();
                // An aborted transaction read_committed must skip.
                producer.beginTransaction();
                producer.send(new ProducerRecord<>(topic, "aborted", "aborted"));
                producer.abortTransaction();

                int half = TRANSACTIONS / 2;
                for (int t = 0; t < half; t++) {
                    commitTransaction(producer, topic, t, expected);
                }
                // The node that coordinates this producer's transactions is the hardest to lose:
                // the producer must find the new coordinator, which must recover the state from
                // the replicated __transaction_state.
                int coordinator =
                        admin.describeTransactions(List.of(transactionalId))
                                .description(transactionalId)
                                .get()
                                .coordinatorId();
                kafka.kill(coordinator);
                assertThat(kafka.isRunning(coordinator)).isFalse();
                kafka.awaitFenced(coordinator);
                for (int t = half; t < TRANSACTIONS; t++) {
                    commitTransaction(producer, topic, t, expected);
                }

                // Read by a consumer group while the node is down: __consumer_offsets must work
                // on two nodes too.
                assertThat(readCommitted(kafka, topic, "group-" + UUID.randomUUID()))
                        .containsExactlyInAnyOrderElementsOf(expected);

                kafka.restart(coordinator);
                assertThat(kafka.isRunning(coordinator)).isTrue();
                kafka.awaitFullyReplicated(topic, "__consumer_offsets", "__transaction_state");

                // The restarted node has caught up: with another node down, every record is still
                // there, and the producer still commits.
                int other = coordinator % 3 + 1;
                kafka.kill(other);
                commitTransaction(producer, topic, TRANSACTIONS, expected);
            }
            assertThat(readCommitted(kafka, topic, "group-" + UUID.randomUUID()))
                    .hasSize(TRANSACTIONS * RECORDS_PER_TRANSACTION + RECORDS_PER_TRANSACTION)
                    .containsExactlyInAnyOrderElementsOf(expected);
            assertReplicatedThreeTimes(admin, "__consumer_offsets", "__transaction_state");
        }
    }

    @Test
    void builderAndLifecycleRejectMisuse() {
        assertThatThrownBy(() -> KafkaCluster.builder().nodes(0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("nodes");
        assertThatThrownBy(() -> KafkaCluster.builder().firstPort(70_000))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("firstPort");
        assertThatThrownBy(() -> KafkaCluster.builder().build().bootstrapServers())
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("start()");
        KafkaCluster single = KafkaCluster.builder().nodes(1).build();
        assertThat(single.replicationFactor()).isEqualTo(1);
        assertThat(single.minInsyncReplicas()).isEqualTo(1);
        KafkaCluster three = KafkaCluster.builder().build();
        assertThat(three.replicationFactor()).isEqualTo(3);
        assertThat(three.minInsyncReplicas()).isEqualTo(2);
    }

    private static void commitTransaction(
            KafkaProducer<String, String> producer, String topic, int t, List<String> expected) {
        producer.beginTransaction();
        for (int i = 0; i < RECORDS_PER_TRANSACTION; i++) {
            String value = "t" + t + "-r" + i;
            producer.send(new ProducerRecord<>(topic, "k" + i, value));
            expected.add(value);
        }
        producer.commitTransaction();
    }

    private static void assertReplicatedThreeTimes(Admin admin, String... topics) throws Exception {
        Map<String, TopicDescription> descriptions =
                admin.describeTopics(List.of(topics)).allTopicNames().get();
        assertThat(descriptions).hasSize(topics.length);
        for (TopicDescription description : descriptions.values()) {
            for (TopicPartitionInfo partition : description.partitions()) {
                assertThat(partition.replicas())
                        .as("replicas of %s-%d", description.name(), partition.partition())
                        .hasSize(3);
            }
        }
        for (String topic : topics) {
            assertThat(topicConfig(admin, topic).get("min.insync.replicas").value())
                    .as("min.insync.replicas of %s", topic)
                    .isEqualTo("2");
        }
    }

    private static Config topicConfig(Admin admin, String topic) throws Exception {
        ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
        return admin.describeConfigs(List.of(resource)).all().get().get(resource);
    }

    private static KafkaProducer<String, String> transactionalProducer(
            KafkaCluster kafka, String transactionalId) {
        return new KafkaProducer<>(
                Map.of(
                        ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                        kafka.bootstrapServers(),
                        ProducerConfig.TRANSACTIONAL_ID_CONFIG,
                        transactionalId,
                        ProducerConfig.TRANSACTION_TIMEOUT_CONFIG,
                        600_000,
                        // Generous: a failover waits for the controller to fence the dead node.
                        ProducerConfig.MAX_BLOCK_MS_CONFIG,
                        (int) HANG_GUARD.toMillis(),
                        ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG,
                        (int) HANG_GUARD.toMillis()),
                new StringSerializer(),
                new StringSerializer());
    }

    private static Admin admin(KafkaCluster kafka) {
        return Admin.create(
                Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()));
    }

    /**
     * Reads the committed records as a consumer group up to the high watermark (not the read
     * committed end offset: commit markers may land after commitTransaction() returns), committing
     * the group's offsets, and returns the values in the order read.
     */
    private static List<String> readCommitted(KafkaCluster kafka, String topic, String group)
            throws Exception {
        List<String> values = new ArrayList<>();
        Map<String, Object> config = new HashMap<>();
        config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        config.put(ConsumerConfig.GROUP_ID_CONFIG, group);
        config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        try (KafkaConsumer<String, String> consumer =
                        new KafkaConsumer<>(
                                config, new StringDeserializer(), new StringDeserializer());
                Admin admin = admin(kafka)) {
            consumer.subscribe(List.of(topic));
            Map<TopicPartition, Long> end = highWatermarks(admin, topic);
            long deadline = System.nanoTime() + HANG_GUARD.toNanos();
            while (!reached(consumer, end)) {
                assertThat(System.nanoTime())
                        .as("read %s up to %s in time", topic, end)
                        .isLessThan(deadline);
                for (ConsumerRecord<String, String> record :
                        consumer.poll(Duration.ofMillis(200))) {
                    values.add(record.value());
                }
                consumer.commitSync();
            }
        }
        return values;
    }

    private static Map<TopicPartition, Long> highWatermarks(Admin admin, String topic)
            throws Exception {
        Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
        admin.describeTopics(List.of(topic))
                .allTopicNames()
                .get()
                .get(topic)
                .partitions()
                .forEach(
                        p ->
                                latest.put(
                                        new TopicPartition(topic, p.partition()),
                                        OffsetSpec.latest()));
        Map<TopicPartition, Long> offsets = new HashMap<>();
        // The admin's default isolation is read_uncommitted: this is the high watermark.
        admin.listOffsets(latest).all().get().forEach((tp, info) -> offsets.put(tp, info.offset()));
        return offsets;
    }

    /** True once the consumer owns every partition and has read each up to {@code end}. */
    private static boolean reached(
            KafkaConsumer<String, String> consumer, Map<TopicPartition, Long> end) {
        if (!consumer.assignment().containsAll(end.keySet())) {
            return false;
        }
        return end.entrySet().stream().allMatch(e -> consumer.position(e.getKey()) >= e.getValue());
    }
}
