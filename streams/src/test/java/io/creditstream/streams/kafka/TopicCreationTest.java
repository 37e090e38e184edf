package io.creditstream.streams.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.creditstream.broker.EmbeddedKafkaBroker;
import io.creditstream.broker.KafkaCluster;
import io.creditstream.schemas.contract.Topics;
import io.creditstream.schemas.kafka.TopicCreator;
import io.creditstream.streams.options.CreditstreamOptions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import org.apache.flink.configuration.Configuration;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.TimeoutException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Topic creation, shared by the job ({@link KafkaIo#createAbsentTopics}) and the learner and fleet
 * ({@link TopicCreator} with the broker's defaults): absent topics are created, existing ones kept.
 */
class TopicCreationTest {
    private static EmbeddedKafkaBroker broker;
    private static Admin admin;

    @BeforeAll
    static void startBroker() {
        broker =
                EmbeddedKafkaBroker.builder().brokerProperty("num.partitions", "3").build().start();
        admin =
                Admin.create(
                        Map.of(
                                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                                broker.bootstrapServers()));
    }

    @AfterAll
    static void stopBroker() {
        admin.close();
        broker.close();
    }

    @Test
    void theJobCreatesItsAbsentTopicsSizedForItsLargestRecordAndKeepsExistingOnes()
            throws Exception {
        Configuration config = new Configuration();
        config.set(CreditstreamOptions.BOOTSTRAP_SERVERS, broker.bootstrapServers());
        config.set(CreditstreamOptions.TOPIC_PARTITIONS, 2);
        config.set(CreditstreamOptions.TOPIC_REPLICATION_FACTOR, 1);
        String prefix = "job-";
        for (var option :
                List.of(
                        CreditstreamOptions.TOPIC_STEPS,
                        CreditstreamOptions.TOPIC_BATCHES,
                        CreditstreamOptions.TOPIC_DLQ,
                        CreditstreamOptions.TOPIC_REQUESTS,
                        CreditstreamOptions.TOPIC_BUDGET,
                        CreditstreamOptions.TOPIC_SNAPSHOTS)) {
            config.set(option, prefix + option.defaultValue());
        }
        broker.createTopics(1, prefix + Topics.STEPS);

        List<String> created = KafkaIo.createAbsentTopics(config);

        assertThat(created)
                .containsExactly(
                        prefix + Topics.BATCHES,
                        prefix + Topics.DEAD_LETTERS,
                        prefix + Topics.BUDGET_REQUESTS,
                        prefix + Topics.BUDGET_ANSWERS,
                        prefix + Topics.SNAPSHOTS);
        assertThat(partitions(prefix + Topics.STEPS)).isEqualTo(1);
        for (String topic : created) {
            assertThat(partitions(topic)).as(topic).isEqualTo(2);
            assertThat(maxMessageBytes(topic))
                    .as(topic)
                    .isEqualTo(String.valueOf(KafkaIo.maxRecordBytes(config)));
        }
        assertThat(KafkaIo.createAbsentTopics(config)).isEmpty();
    }

    @Test
    void theDefaultReplicationFactorOfThreeIsRefusedOnOneBrokerNamingTheSetting() throws Exception {
        Configuration config = jobTopics("rf-", broker.bootstrapServers());

        assertThatThrownBy(() -> KafkaIo.createAbsentTopics(config))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith(
                        "kafka.topic-replication-factor=3 cannot be met: replication factor 3"
                                + " needs at least 3 live brokers, but the cluster at "
                                + broker.bootstrapServers()
                                + " has 1.")
                .hasMessageContaining("-Dkafka.topic-replication-factor");
        // Refused before any topic was asked for.
        assertThat(
                        KafkaIo.createAbsentTopics(
                                config.clone()
                                        .set(CreditstreamOptions.TOPIC_REPLICATION_FACTOR, 1)))
                .hasSize(6);
    }

    @Test
    void outOfRangeReplicationSettingsNameTheSetting() {
        Configuration zero = jobTopics("bad-", broker.bootstrapServers());
        zero.set(CreditstreamOptions.TOPIC_REPLICATION_FACTOR, 0);
        assertThatThrownBy(() -> KafkaIo.createAbsentTopics(zero))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(
                        "kafka.topic-replication-factor must be at least 1 (3 on a production"
                                + " cluster), got 0");
        Configuration minIsr = jobTopics("bad-", broker.bootstrapServers());
        minIsr.set(CreditstreamOptions.TOPIC_MIN_INSYNC_REPLICAS, 4);
        assertThatThrownBy(() -> KafkaIo.createAbsentTopics(minIsr))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(
                        "kafka.topic-min-insync-replicas must be"
                                + " 1..kafka.topic-replication-factor (3), got 4");
        assertThat(KafkaIo.minInsyncReplicas(new Configuration())).contains(2);
        assertThat(
                        KafkaIo.minInsyncReplicas(
                                new Configuration()
                                        .set(CreditstreamOptions.TOPIC_REPLICATION_FACTOR, 2)))
                .isEmpty();
    }

    /**
     * On a real three-broker cluster the job's defaults give every topic it creates three replicas
     * and {@code min.insync.replicas} 2.
     */
    @Test
    void onAThreeBrokerClusterTheJobsTopicsGetThreeReplicasAndMinIsrTwo() throws Exception {
        try (KafkaCluster cluster = KafkaCluster.builder().build().start();
                Admin clusterAdmin =
                        Admin.create(
                                Map.of(
                                        AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                                        cluster.bootstrapServers()))) {
            Configuration config = jobTopics("", cluster.bootstrapServers());

            List<String> created = KafkaIo.createAbsentTopics(config);

            assertThat(created).hasSize(6);
            for (TopicDescription description :
                    clusterAdmin.describeTopics(created).allTopicNames().get().values()) {
                assertThat(description.partitions())
                        .allSatisfy(p -> assertThat(p.replicas()).hasSize(3));
            }
            for (String topic : created) {
                assertThat(topicConfig(clusterAdmin, topic, "min.insync.replicas"))
                        .as(topic)
                        .isEqualTo("2");
            }
        }
    }

    /** A configuration whose six topics are the defaults with {@code prefix}. */
    private static Configuration jobTopics(String prefix, String bootstrapServers) {
        Configuration config = new Configuration();
        config.set(CreditstreamOptions.BOOTSTRAP_SERVERS, bootstrapServers);
        for (var option :
                List.of(
                        CreditstreamOptions.TOPIC_STEPS,
                        CreditstreamOptions.TOPIC_BATCHES,
                        CreditstreamOptions.TOPIC_DLQ,
                        CreditstreamOptions.TOPIC_REQUESTS,
                        CreditstreamOptions.TOPIC_BUDGET,
                        CreditstreamOptions.TOPIC_SNAPSHOTS)) {
            config.set(option, prefix + option.defaultValue());
        }
        return config;
    }

    @Test
    void withoutALayoutNewTopicsTakeTheBrokersDefaults() throws Exception {
        TopicCreator creator =
                TopicCreator.on(broker.bootstrapServers()).within(Duration.ofSeconds(30));

        assertThat(creator.createAbsent(List.of("defaults-a", "defaults-b", "defaults-a")))
                .containsExactly("defaults-a", "defaults-b");
        assertThat(partitions("defaults-a")).isEqualTo(3);
        assertThat(creator.createAbsent(List.of("defaults-a"))).isEmpty();
    }

    @Test
    void anUnreachableBrokerFailsWithKafkasTimeoutWithinTheBound() {
        TopicCreator creator = TopicCreator.on("127.0.0.1:1").within(Duration.ofMillis(1500));

        long start = System.nanoTime();
        assertThatThrownBy(() -> creator.createAbsent(List.of("nowhere")))
                .isInstanceOf(ExecutionException.class)
                .cause()
                .isInstanceOf(TimeoutException.class);
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(20));
    }

    private static int partitions(String topic) throws Exception {
        TopicDescription description =
                admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic);
        return description.partitions().size();
    }

    private static String topicConfig(Admin client, String topic, String name) throws Exception {
        ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
        return client.describeConfigs(List.of(resource))
                .all()
                .get()
                .get(resource)
                .get(name)
                .value();
    }

    private static String maxMessageBytes(String topic) throws Exception {
        ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
        return admin.describeConfigs(List.of(resource))
                .all()
                .get()
                .get(resource)
                .get("max.message.bytes")
                .value();
    }
}
