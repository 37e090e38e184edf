package io.creditstream.policy.service;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.TopicExistsException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Creates the topics a service needs when they are absent, with the broker's defaults. */
public final class KafkaTopics {
    private static final Logger LOG = LoggerFactory.getLogger(KafkaTopics.class);

    private KafkaTopics() {}

    /**
     * Creates each absent topic with the broker's default partition count and replication factor;
     * existing topics are left as they are.
     *
     * @throws IllegalStateException if the broker cannot be reached within {@code timeout}, naming
     *     the flag to check
     */
    public static void ensureExist(String bootstrapServers, Duration timeout, String... topics) {
        int millis = (int) Math.min(Integer.MAX_VALUE, timeout.toMillis());
        try (Admin admin =
                Admin.create(
                        Map.of(
                                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                                bootstrapServers,
                                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG,
                                millis,
                                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG,
                                millis))) {
            Set<String> existing = admin.listTopics().names().get(millis, TimeUnit.MILLISECONDS);
            List<NewTopic> missing = new ArrayList<>();
            for (String topic : topics) {
                if (!existing.contains(topic)) {
                    missing.add(new NewTopic(topic, Optional.empty(), Optional.empty()));
                }
            }
            if (missing.isEmpty()) {
                return;
            }
            try {
                admin.createTopics(missing).all().get(millis, TimeUnit.MILLISECONDS);
                LOG.info("Created topics {} with the broker's defaults", missing);
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof TopicExistsException)) {
                    throw e;
                }
            }
        } catch (TimeoutException e) {
            throw unreachable(bootstrapServers, timeout, e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof org.apache.kafka.common.errors.TimeoutException) {
                // The admin client gave up waiting for a broker before our own timeout did.
                throw unreachable(bootstrapServers, timeout, e.getCause());
            }
            throw new IllegalStateException(
                    "cannot create topics "
                            + List.of(topics)
                            + " on "
                            + bootstrapServers
                            + ": "
                            + e.getCause().getMessage(),
                    e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while checking topics", e);
        }
    }

    /** The error for a broker that does not answer, pointing at the flag to check. */
    public static IllegalStateException unreachable(
            String bootstrapServers, Duration timeout, Throwable cause) {
        return new IllegalStateException(
                "no Kafka broker answered at "
                        + bootstrapServers
                        + " within "
                        + timeout.toSeconds()
                        + " s; check --bootstrap-servers (start a local broker with"
                        + " `creditstream kafka`)",
                cause);
    }
}
