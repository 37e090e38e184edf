package io.creditstream.policy.service;

import io.creditstream.schemas.kafka.KafkaClientSecurity;
import io.creditstream.schemas.kafka.TopicCreator;
import io.creditstream.schemas.kafka.TopicReplication;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The learner's and the fleet's topic creation ({@link TopicCreator}, shared with the job) and
 * their Kafka errors, worded for their command line.
 */
public final class KafkaTopics {
    private static final Logger LOG = LoggerFactory.getLogger(KafkaTopics.class);

    private KafkaTopics() {}

    /**
     * Creates each absent topic with the broker's default partition count and {@code replication}'s
     * replicas and {@code min.insync.replicas}; existing topics are left as they are.
     *
     * @throws IllegalArgumentException if the cluster has fewer live brokers than the replication
     *     factor, naming {@code --topic-replication-factor} and the fix
     * @throws IllegalStateException if the broker cannot be reached within {@code timeout}, naming
     *     the flag to check, or refuses a topic
     */
    public static void ensureExist(
            String bootstrapServers,
            Duration timeout,
            KafkaClientSecurity security,
            TopicReplication replication,
            String... topics) {
        try {
            List<String> created =
                    TopicCreator.on(bootstrapServers)
                            .within(timeout)
                            .withSecurity(security)
                            .withReplication(replication)
                            .createAbsent(List.of(topics));
            if (!created.isEmpty()) {
                LOG.info(
                        "Created topics {} with {} replicas, min.insync.replicas {}",
                        created,
                        replication.replicationFactor(),
                        replication
                                .minInsyncReplicas()
                                .map(String::valueOf)
                                .orElse("of the broker's default"));
            }
        } catch (TopicCreator.TooFewBrokersException e) {
            throw replication.cannotBeMet(e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof org.apache.kafka.common.errors.TimeoutException) {
                // No broker answered within the timeout (ours, or the admin client's own).
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
