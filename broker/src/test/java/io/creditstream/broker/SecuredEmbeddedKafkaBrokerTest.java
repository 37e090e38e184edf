package io.creditstream.broker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.resource.ResourceType;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The embedded broker with SASL_SSL (SCRAM-SHA-512, a self-signed certificate made here) and
 * KRaft's StandardAuthorizer: a granted user writes, an ungranted operation and a wrong password
 * are refused at once.
 */
class SecuredEmbeddedKafkaBrokerTest {
    private static final Duration HANG_GUARD = Duration.ofMinutes(2);

    @Test
    void saslSslWithAclsGrantsOnlyWhatWasAllowed(@TempDir Path dir) throws Exception {
        SelfSignedKeyStore tls = SelfSignedKeyStore.create(dir, "store-secret");
        try (EmbeddedKafkaBroker kafka =
                EmbeddedKafkaBroker.builder()
                        .saslScram("admin", "admin-secret")
                        .tls(tls.keyStore(), tls.trustStore(), tls.password())
                        .build()
                        .start()) {
            kafka.createTopics(1, "granted");
            kafka.createScramUser("fleet", "fleet-secret");
            kafka.allow("User:fleet", AclOperation.WRITE, ResourceType.TOPIC, "granted", false);

            Map<String, Object> fleet =
                    new HashMap<>(kafka.clientProperties("fleet", "fleet-secret"));
            assertThat(fleet).containsEntry("security.protocol", "SASL_SSL");
            fleet.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
            fleet.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, (int) HANG_GUARD.toMillis());
            try (KafkaProducer<String, String> producer =
                    new KafkaProducer<>(fleet, new StringSerializer(), new StringSerializer())) {
                assertThat(producer.send(new ProducerRecord<>("granted", "k", "v")).get().offset())
                        .isZero();
            }

            // Write was granted, Read was not.
            Map<String, Object> reader = new HashMap<>(fleet);
            reader.put(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) HANG_GUARD.toMillis());
            try (KafkaConsumer<String, String> consumer =
                    new KafkaConsumer<>(
                            reader, new StringDeserializer(), new StringDeserializer())) {
                consumer.assign(List.of(new TopicPartition("granted", 0)));
                consumer.seekToBeginning(List.of(new TopicPartition("granted", 0)));
                assertThatThrownBy(() -> consumer.poll(HANG_GUARD))
                        .isInstanceOf(TopicAuthorizationException.class);
            }

            Map<String, Object> wrong = new HashMap<>(kafka.clientProperties("fleet", "wrong"));
            wrong.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
            wrong.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, (int) HANG_GUARD.toMillis());
            long start = System.nanoTime();
            try (KafkaProducer<String, String> producer =
                    new KafkaProducer<>(wrong, new StringSerializer(), new StringSerializer())) {
                assertThatThrownBy(() -> producer.send(new ProducerRecord<>("granted", "v")).get())
                        .isInstanceOfAny(
                                SaslAuthenticationException.class, ExecutionException.class)
                        .satisfies(
                                e ->
                                        assertThat(
                                                        e instanceof SaslAuthenticationException
                                                                || e.getCause()
                                                                        instanceof
                                                                        SaslAuthenticationException)
                                                .isTrue());
            }
            // Refused on the first attempt, not after the client's retries ran out.
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(HANG_GUARD);
        }
    }
}
