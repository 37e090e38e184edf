package io.creditstream.streams.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.creditstream.broker.EmbeddedKafkaBroker;
import io.creditstream.broker.EmbeddedKafkaExtension;
import io.creditstream.streams.RunJob;
import io.creditstream.streams.options.CreditstreamOptions;
import java.lang.reflect.Method;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.transformations.SinkTransformation;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The transaction timeout comes from the KAFKA.broker(), is checked, and reaches the producers. */
class TransactionTimeoutsTest {
    private static final Duration SEVEN_DAYS = Duration.ofDays(7);
    private static final Duration INTERVAL = Duration.ofMillis(500);

    @RegisterExtension static final EmbeddedKafkaExtension KAFKA = new EmbeddedKafkaExtension();

    @Test
    void theEmbeddedBrokerAllowsSevenDays() throws Exception {
        assertThat(EmbeddedKafkaBroker.TRANSACTION_MAX_TIMEOUT).isEqualTo(SEVEN_DAYS);
        assertThat(
                        TransactionTimeouts.brokerMaximum(
                                KAFKA.broker().bootstrapServers(), Duration.ofSeconds(10)))
                .isEqualTo(SEVEN_DAYS);
    }

    @Test
    void unsetTakesTheBrokersMaximumInACopyOfTheConfiguration() {
        Configuration config = kafka();

        Configuration resolved = TransactionTimeouts.resolve(config, INTERVAL);

        assertThat(resolved.get(CreditstreamOptions.TRANSACTION_TIMEOUT)).isEqualTo(SEVEN_DAYS);
        assertThat(config.getOptional(CreditstreamOptions.TRANSACTION_TIMEOUT)).isEmpty();
    }

    @Test
    void aSetTimeoutWithinTheBrokersMaximumIsKept() {
        Configuration config = kafka();
        config.set(CreditstreamOptions.TRANSACTION_TIMEOUT, Duration.ofMinutes(10));

        assertThat(
                        TransactionTimeouts.resolve(config, INTERVAL)
                                .get(CreditstreamOptions.TRANSACTION_TIMEOUT))
                .isEqualTo(Duration.ofMinutes(10));
    }

    @Test
    void aSetTimeoutAboveTheBrokersMaximumFailsNamingBothValuesAndTheKey() {
        Configuration config = kafka();
        config.set(CreditstreamOptions.TRANSACTION_TIMEOUT, Duration.ofDays(8));

        assertThatThrownBy(() -> TransactionTimeouts.resolve(config, INTERVAL))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("kafka.transaction-timeout is 8 d")
                .hasMessageContaining("transaction.max.timeout.ms of 7 d")
                .hasMessageContaining("Lower kafka.transaction-timeout to at most 7 d");
    }

    @Test
    void aTimeoutNotAboveTheCheckpointIntervalFails() {
        Configuration config = kafka();
        config.set(CreditstreamOptions.TRANSACTION_TIMEOUT, Duration.ofMinutes(1));

        assertThatThrownBy(() -> TransactionTimeouts.resolve(config, Duration.ofMinutes(1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("kafka.transaction-timeout (1 min)")
                .hasMessageContaining("execution.checkpointing.interval (1 min)");
        // Unset, the broker's maximum is held to the same rule, and the message says where it
        // came from and what to change instead.
        assertThatThrownBy(
                        () ->
                                TransactionTimeouts.choose(
                                        Optional.empty(),
                                        Optional.of(Duration.ofMinutes(1)),
                                        Duration.ofMinutes(2)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("transaction.max.timeout.ms (1 min)")
                .hasMessageContaining("kafka.transaction-timeout is unset")
                .hasMessageContaining("execution.checkpointing.interval (2 min)")
                .hasMessageContaining("raise transaction.max.timeout.ms on the brokers");
    }

    @Test
    void theStartLineStatesTheDowntimeTheJobSurvives() {
        assertThat(TransactionTimeouts.downtimeLine(SEVEN_DAYS, false, INTERVAL))
                .contains(
                        "transactions time out after 7 d (the brokers' transaction.max.timeout.ms):"
                                + " the job may be down up to 7 d (less about one checkpoint"
                                + " interval, 500 ms) and resume exactly-once");
    }

    @Test
    void theSinksRefuseAnUnresolvedTimeoutInsteadOfGuessing() {
        assertThatThrownBy(() -> KafkaIo.batchesSink(kafka()))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("kafka.transaction-timeout is not resolved");
    }

    @Test
    void theJobsExactlyOnceProducersGetTheBrokersMaximum() throws Exception {
        Configuration config = kafka();
        config.setString("execution.checkpointing.interval", "500 ms");

        StreamExecutionEnvironment env = RunJob.environment(config);

        List<KafkaSink<?>> sinks =
                env.getTransformations().stream()
                        .filter(t -> t instanceof SinkTransformation)
                        .map(t -> ((SinkTransformation<?, ?>) t).getSink())
                        .filter(s -> s instanceof ReportingKafkaSink)
                        .<KafkaSink<?>>map(s -> ((ReportingKafkaSink<?>) s).delegate())
                        .toList();
        assertThat(sinks).as("learner.batches and dead-letter sinks").hasSize(2);
        for (KafkaSink<?> sink : sinks) {
            assertThat(producerConfig(sink).getProperty(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG))
                    .isEqualTo(Long.toString(SEVEN_DAYS.toMillis()));
        }
    }

    private static Configuration kafka() {
        Configuration config = new Configuration();
        config.set(CreditstreamOptions.BOOTSTRAP_SERVERS, KAFKA.broker().bootstrapServers());
        return config;
    }

    /** The producer properties a KafkaSink was built with (a protected getter). */
    private static Properties producerConfig(KafkaSink<?> sink) throws Exception {
        Method getter = KafkaSink.class.getDeclaredMethod("getKafkaProducerConfig");
        getter.setAccessible(true);
        return (Properties) getter.invoke(sink);
    }
}
