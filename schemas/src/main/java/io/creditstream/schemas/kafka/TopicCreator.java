package io.creditstream.schemas.kafka;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;

/**
 * Creates the topics that do not exist yet; existing topics are left as they are. The one
 * implementation behind the job's {@code kafka.create-topics} and the learner's and fleet's start.
 *
 * <p>New topics take the broker's default partition count, replication factor and configuration
 * unless {@link #withPartitions}, {@link #withReplication} (the job's, the learner's and the
 * fleet's one rule, {@link TopicReplication}), {@link #withReplicationFactor} or {@link
 * #withConfigs} say otherwise. Without {@link #within} the admin client keeps Kafka's own timeouts
 * and the calls are awaited without a bound of their own. Immutable: each {@code with…} returns a
 * copy.
 *
 * <p>A call returns once every partition of the topics it created has a leader in the cluster's
 * metadata (or {@link #LEADER_WAIT} has passed): a producer that writes to a partition whose leader
 * its broker has not applied yet gets its first request refused, and an idempotent producer with
 * several requests in flight can then lose that request for good (KAFKA-15591). Waiting narrows
 * that window; the project's producers also keep one request in flight.
 */
public final class TopicCreator {
    /** The longest a call waits for the leaders of the partitions it created. */
    public static final Duration LEADER_WAIT = Duration.ofSeconds(30);

    private static final long LEADER_POLL_MILLIS = 50;

    private final String bootstrapServers;
    private final Duration timeout;
    private final Optional<Integer> partitions;
    private final Optional<Short> replicationFactor;
    private final Map<String, String> configs;
    private KafkaClientSecurity security = KafkaClientSecurity.none();

    private TopicCreator(
            String bootstrapServers,
            Duration timeout,
            Optional<Integer> partitions,
            Optional<Short> replicationFactor,
            Map<String, String> configs) {
        this.bootstrapServers = bootstrapServers;
        this.timeout = timeout;
        this.partitions = partitions;
        this.replicationFactor = replicationFactor;
        this.configs = configs;
    }

    /** The admin client connects with these security settings (the caller's own clients' ones). */
    public TopicCreator withSecurity(KafkaClientSecurity value) {
        TopicCreator copy =
                new TopicCreator(bootstrapServers, timeout, partitions, replicationFactor, configs);
        copy.security = java.util.Objects.requireNonNull(value, "security");
        return copy;
    }

    /** A creator on the cluster at {@code bootstrapServers}, with the broker's defaults. */
    public static TopicCreator on(String bootstrapServers) {
        if (bootstrapServers == null || bootstrapServers.isBlank()) {
            throw new IllegalArgumentException("bootstrap servers are required, e.g. host:9092");
        }
        return new TopicCreator(
                bootstrapServers, null, Optional.empty(), Optional.empty(), Map.of());
    }

    /**
     * Bounds every admin request and every wait by {@code value}; a broker that does not answer in
     * time fails the call with an {@link ExecutionException} caused by Kafka's {@link
     * TimeoutException}.
     */
    public TopicCreator within(Duration value) {
        if (value == null || value.isNegative() || value.isZero()) {
            throw new IllegalArgumentException("the timeout must be positive, got " + value);
        }
        return new TopicCreator(bootstrapServers, value, partitions, replicationFactor, configs)
                .withSecurity(security);
    }

    /** New topics get {@code value} partitions. */
    public TopicCreator withPartitions(int value) {
        if (value < 1) {
            throw new IllegalArgumentException("partitions must be at least 1, got " + value);
        }
        return new TopicCreator(
                        bootstrapServers, timeout, Optional.of(value), replicationFactor, configs)
                .withSecurity(security);
    }

    /** New topics get {@code value} replicas. */
    public TopicCreator withReplicationFactor(short value) {
        if (value < 1) {
            throw new IllegalArgumentException(
                    "the replication factor must be at least 1, got " + value);
        }
        return new TopicCreator(bootstrapServers, timeout, partitions, Optional.of(value), configs)
                .withSecurity(security);
    }

    /**
     * New topics get {@code value}'s replication factor and, besides the configurations given to
     * {@link #withConfigs} (before or after), its {@code min.insync.replicas}.
     */
    public TopicCreator withReplication(TopicReplication value) {
        Objects.requireNonNull(value, "replication");
        Map<String, String> merged = new HashMap<>(configs);
        merged.putAll(value.topicConfigs());
        return new TopicCreator(
                        bootstrapServers,
                        timeout,
                        partitions,
                        Optional.of((short) value.replicationFactor()),
                        Map.copyOf(merged))
                .withSecurity(security);
    }

    /**
     * New topics also get these topic configurations (e.g. {@code max.message.bytes}); a key given
     * twice keeps the later value.
     */
    public TopicCreator withConfigs(Map<String, String> value) {
        Map<String, String> merged = new HashMap<>(configs);
        merged.putAll(Objects.requireNonNull(value, "configs"));
        return new TopicCreator(
                        bootstrapServers,
                        timeout,
                        partitions,
                        replicationFactor,
                        Map.copyOf(merged))
                .withSecurity(security);
    }

    /**
     * Creates each of {@code topics} that does not exist yet, all in one request. A topic that
     * exists, or that another client creates meanwhile, is left as it is.
     *
     * @return the topics this call created, in the order given
     * @throws ExecutionException when the cluster refuses a topic or cannot be reached; its cause
     *     is Kafka's exception (a {@link TimeoutException} when no broker answered in time)
     * @throws TooFewBrokersException when a topic is absent and the replication factor is more than
     *     the cluster's live brokers; nothing is created then
     */
    public List<String> createAbsent(Collection<String> topics)
            throws InterruptedException, ExecutionException {
        Set<String> wanted = new LinkedHashSet<>(topics);
        Map<String, Object> admin = security.applyTo(new HashMap<>());
        admin.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        if (timeout != null) {
            int millis = millis();
            admin.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, millis);
            admin.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, millis);
        }
        try (Admin client = Admin.create(admin)) {
            Set<String> existing = await(client.listTopics().names());
            List<NewTopic> missing = new ArrayList<>();
            for (String topic : wanted) {
                if (!existing.contains(topic)) {
                    missing.add(
                            new NewTopic(topic, partitions, replicationFactor).configs(configs));
                }
            }
            if (missing.isEmpty()) {
                return List.of();
            }
            requireEnoughBrokers(client);
            Map<String, KafkaFuture<Void>> results = client.createTopics(missing).values();
            List<String> created = new ArrayList<>();
            for (NewTopic topic : missing) {
                try {
                    await(results.get(topic.name()));
                    created.add(topic.name());
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof TopicExistsException)) {
                        throw e;
                    }
                }
            }
            awaitLeaders(client, created);
            return created;
        }
    }

    /**
     * Refuses, before asking for any topic, a replication factor the cluster cannot place: Kafka
     * would refuse each topic with a message that names neither the setting nor the cluster.
     */
    private void requireEnoughBrokers(Admin client)
            throws InterruptedException, ExecutionException {
        if (replicationFactor.isEmpty()) {
            return;
        }
        // Only live (unfenced) brokers are listed, which are also the only ones Kafka places on.
        int brokers = await(client.describeCluster().nodes()).size();
        if (brokers < replicationFactor.get()) {
            throw new TooFewBrokersException(bootstrapServers, replicationFactor.get(), brokers);
        }
    }

    /** A replication factor above the number of live brokers of the cluster. */
    public static final class TooFewBrokersException extends IllegalStateException {
        private static final long serialVersionUID = 1L;

        private final int replicationFactor;
        private final int brokers;

        TooFewBrokersException(String bootstrapServers, int replicationFactor, int brokers) {
            super(
                    "replication factor "
                            + replicationFactor
                            + " needs at least "
                            + replicationFactor
                            + " live brokers, but the cluster at "
                            + bootstrapServers
                            + " has "
                            + brokers);
            this.replicationFactor = replicationFactor;
            this.brokers = brokers;
        }

        public int replicationFactor() {
            return replicationFactor;
        }

        public int brokers() {
            return brokers;
        }
    }

    /**
     * Polls the metadata until every partition of {@code topics} has a leader, for at most {@link
     * #LEADER_WAIT}; then returns either way, since producers retry a partition without a leader.
     */
    private void awaitLeaders(Admin client, List<String> topics)
            throws InterruptedException, ExecutionException {
        if (topics.isEmpty()) {
            return;
        }
        long deadline = System.nanoTime() + LEADER_WAIT.toNanos();
        while (System.nanoTime() < deadline) {
            Map<String, TopicDescription> descriptions;
            try {
                descriptions = await(client.describeTopics(topics).allTopicNames());
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof UnknownTopicOrPartitionException)) {
                    throw e;
                }
                // Created, but not yet in the metadata of the broker that answered.
                descriptions = Map.of();
            }
            if (descriptions.size() == topics.size()
                    && descriptions.values().stream()
                            .flatMap(d -> d.partitions().stream())
                            .allMatch(p -> p.leader() != null && !p.leader().isEmpty())) {
                return;
            }
            Thread.sleep(LEADER_POLL_MILLIS);
        }
    }

    private <T> T await(KafkaFuture<T> future) throws InterruptedException, ExecutionException {
        if (timeout == null) {
            return future.get();
        }
        try {
            return future.get(millis(), TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            throw new ExecutionException(
                    new TimeoutException(
                            "no answer from " + bootstrapServers + " within " + timeout, e));
        }
    }

    /** Kafka takes its timeouts as int milliseconds. */
    private int millis() {
        return (int) Math.min(Integer.MAX_VALUE, timeout.toMillis());
    }
}
