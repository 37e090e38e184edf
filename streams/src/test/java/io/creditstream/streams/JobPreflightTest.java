package io.creditstream.streams;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.creditstream.broker.EmbeddedKafkaBroker;
import io.creditstream.schemas.preflight.ExitCode;
import io.creditstream.schemas.preflight.PreflightException;
import io.creditstream.streams.options.CreditstreamOptions;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.apache.flink.configuration.Configuration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** What `run` checks against a real broker before the job starts. Topic names are per test. */
class JobPreflightTest {
    private static EmbeddedKafkaBroker broker;

    @BeforeAll
    static void startBroker() {
        broker = EmbeddedKafkaBroker.builder().build().start();
    }

    @AfterAll
    static void stopBroker() {
        broker.close();
    }

    @Test
    void withTopicCreationOffEveryMissingTopicIsNamed() {
        Configuration config = config(prefix());
        config.set(CreditstreamOptions.CREATE_TOPICS, false);
        List<String> topics = JobPreflight.topics(config);
        broker.createTopics(1, topics.get(0), topics.get(1));

        assertThatThrownBy(() -> JobPreflight.check(config, 1))
                .isInstanceOfSatisfying(
                        PreflightException.class,
                        e -> {
                            assertThat(e.exitCode()).isEqualTo(ExitCode.KAFKA);
                            assertThat(e.getMessage().lines().findFirst().orElseThrow())
                                    .isEqualTo(
                                            "topics "
                                                    + String.join(
                                                            ", ", topics.subList(2, topics.size()))
                                                    + " do not exist on "
                                                    + broker.bootstrapServers()
                                                    + " and kafka.create-topics is false");
                            assertThat(e.getMessage()).contains("-Dkafka.create-topics=true");
                        });
    }

    @Test
    void theBudgetTopicsAreNeededOnlyWithTheBudget() {
        Configuration config = config(prefix());
        config.set(CreditstreamOptions.CREATE_TOPICS, false);
        config.set(CreditstreamOptions.BUDGET_ENABLED, false);
        List<String> topics = JobPreflight.topics(config);
        assertThat(topics).hasSize(4);
        broker.createTopics(2, topics.toArray(String[]::new));

        assertThat(JobPreflight.check(config, 2)).isEmpty();
    }

    @Test
    void fewerStepPartitionsThanReadersIsANoteNotAFailure() {
        Configuration config = config(prefix());
        String steps = config.get(CreditstreamOptions.TOPIC_STEPS);
        broker.createTopics(1, steps);

        assertThat(JobPreflight.check(config, 3))
                .containsExactly(
                        steps
                                + " has 1 partition and the job reads it with parallelism 3, so 2"
                                + " readers idle. The output is the same (the job uses no event"
                                + " time); give the topic 3 partitions to read it in parallel.");
        assertThat(JobPreflight.check(config, 1)).isEmpty();
        assertThat(JobPreflight.check(config, null)).isEmpty();
    }

    @Test
    void withTopicCreationOnMissingTopicsAreLeftToIt() {
        assertThat(JobPreflight.check(config(prefix()), 2)).isEmpty();
    }

    @Test
    void anUnreachableBrokerFailsWithinTheConnectTimeout() throws Exception {
        Configuration config = config(prefix());
        int port;
        try (ServerSocket socket = new ServerSocket()) {
            socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            port = socket.getLocalPort();
        }
        config.set(CreditstreamOptions.BOOTSTRAP_SERVERS, "127.0.0.1:" + port);
        config.set(CreditstreamOptions.CONNECT_TIMEOUT, Duration.ofSeconds(1));

        assertThatThrownBy(() -> JobPreflight.check(config, 1))
                .isInstanceOfSatisfying(
                        PreflightException.class,
                        e -> assertThat(e.exitCode()).isEqualTo(ExitCode.KAFKA))
                .hasMessageStartingWith(
                        "no Kafka broker answered at 127.0.0.1:"
                                + port
                                + " (kafka.bootstrap-servers) within 1 s\n")
                .hasMessageEndingWith("-Dkafka.connect-timeout=60s.");
    }

    private static String prefix() {
        return "t" + UUID.randomUUID().toString().substring(0, 8) + ".";
    }

    private static Configuration config(String prefix) {
        Configuration config = new Configuration();
        config.set(CreditstreamOptions.BOOTSTRAP_SERVERS, broker.bootstrapServers());
        config.set(CreditstreamOptions.TOPIC_STEPS, prefix + "steps");
        config.set(CreditstreamOptions.TOPIC_BATCHES, prefix + "batches");
        config.set(CreditstreamOptions.TOPIC_DLQ, prefix + "dlq");
        config.set(CreditstreamOptions.TOPIC_SNAPSHOTS, prefix + "snapshots");
        config.set(CreditstreamOptions.TOPIC_REQUESTS, prefix + "requests");
        config.set(CreditstreamOptions.TOPIC_BUDGET, prefix + "budget");
        return config;
    }
}
