package io.creditstream.schemas.preflight;

import io.creditstream.schemas.kafka.KafkaAccessErrors;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.clients.admin.DescribeConsumerGroupsOptions;
import org.apache.kafka.clients.admin.DescribeTopicsOptions;
import org.apache.kafka.clients.admin.DescribeTransactionsOptions;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.GroupIdNotFoundException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.TransactionalIdNotFoundException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;

/**
 * The one connection check every command that talks to Kafka makes before it starts: the job's
 * {@code run}, the learner and the fleet (and through them the snapshot reader and the budget
 * client, which they start only afterwards).
 *
 * <p>An admin client asks the cluster to describe itself, with every request and the whole call
 * bounded by a short connect timeout, so that a wrong address ends the command within seconds with
 * one line naming the address and the setting that holds it (and a second with the likely causes
 * and how to wait longer), instead of a minute of client retries and a stack trace. Failures are
 * {@link PreflightException}s: {@link ExitCode#KAFKA}, or {@link ExitCode#USAGE} for an address
 * that is not host:port.
 *
 * <p>Immutable; each {@code with…} returns a copy.
 */
public final class KafkaPreflight {
    /** Long enough for a broker on a loaded machine to answer, short enough to fail fast. */
    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(10);

    /** What the second line of an unreachable-broker error suggests as a longer wait. */
    private static final String LONGER_WAIT = "60s";

    private final String bootstrapServers;
    private final String serversSetting;
    private final Duration timeout;
    private final String timeoutSetting;
    private final Map<String, Object> clientProperties;

    private KafkaPreflight(
            String bootstrapServers,
            String serversSetting,
            Duration timeout,
            String timeoutSetting,
            Map<String, Object> clientProperties) {
        this.bootstrapServers = bootstrapServers;
        this.serversSetting = serversSetting;
        this.timeout = timeout;
        this.timeoutSetting = timeoutSetting;
        this.clientProperties = clientProperties;
    }

    /**
     * A check of the cluster at {@code bootstrapServers}.
     *
     * @param serversSetting the option or flag the address came from, named in every message, e.g.
     *     {@code kafka.bootstrap-servers} or {@code --bootstrap-servers}
     * @param timeout the longest the check waits for a broker to answer
     * @param timeoutSetting the option or flag that sets {@code timeout}, e.g. {@code
     *     kafka.connect-timeout} or {@code --kafka-connect-timeout}, named as the way to wait
     *     longer
     */
    public static KafkaPreflight of(
            String bootstrapServers,
            String serversSetting,
            Duration timeout,
            String timeoutSetting) {
        Objects.requireNonNull(serversSetting, "serversSetting");
        Objects.requireNonNull(timeoutSetting, "timeoutSetting");
        if (bootstrapServers == null || bootstrapServers.isBlank()) {
            throw new PreflightException(
                    ExitCode.USAGE,
                    serversSetting
                            + " is not set; give the brokers as host:port, e.g. localhost:9092");
        }
        if (timeout == null || timeout.isNegative() || timeout.isZero()) {
            throw new PreflightException(
                    ExitCode.USAGE,
                    timeoutSetting
                            + " must be positive, e.g. 10s; got "
                            + (timeout == null ? "nothing" : format(timeout)));
        }
        return new KafkaPreflight(
                bootstrapServers.trim(), serversSetting, timeout, timeoutSetting, Map.of());
    }

    /**
     * The same check with the Kafka client properties the command's own clients use (security
     * settings above all), so that the check connects as they will; bootstrap servers and timeouts
     * among them are overridden by the check's.
     */
    public KafkaPreflight withClientProperties(Map<String, ?> properties) {
        return new KafkaPreflight(
                bootstrapServers,
                serversSetting,
                timeout,
                timeoutSetting,
                Map.copyOf(Objects.requireNonNull(properties, "properties")));
    }

    /** The address checked. */
    public String bootstrapServers() {
        return bootstrapServers;
    }

    /** The connect timeout. */
    public Duration timeout() {
        return timeout;
    }

    /**
     * Waits at most the connect timeout for a broker to answer.
     *
     * @return the number of brokers in the cluster
     * @throws PreflightException when none answers ({@link ExitCode#KAFKA}) or the address is
     *     malformed ({@link ExitCode#USAGE})
     */
    public int checkReachable() {
        Admin admin = admin();
        boolean answered = false;
        try {
            int brokers = describeCluster(admin);
            answered = true;
            return brokers;
        } finally {
            close(admin, answered);
        }
    }

    /**
     * Checks that a broker answers, then reads the partition count of each of {@code topics} that
     * exists.
     *
     * @return the partitions of every topic of {@code topics} that exists, in the order given; an
     *     absent topic has no entry
     * @throws PreflightException as {@link #checkReachable()}, and when a topic cannot be described
     *     ({@link ExitCode#KAFKA}, e.g. not authorized)
     */
    public Map<String, Integer> partitions(Collection<String> topics) {
        Admin admin = admin();
        boolean answered = false;
        try {
            describeCluster(admin);
            Map<String, KafkaFuture<TopicDescription>> futures =
                    admin.describeTopics(
                                    topics, new DescribeTopicsOptions().timeoutMs(timeoutMillis()))
                            .topicNameValues();
            Map<String, Integer> partitions = new LinkedHashMap<>();
            for (String topic : topics) {
                try {
                    partitions.put(topic, await(futures.get(topic)).partitions().size());
                } catch (ExecutionException e) {
                    if (e.getCause() instanceof UnknownTopicOrPartitionException) {
                        continue;
                    }
                    throw failure(e.getCause(), "describing topic " + topic);
                }
            }
            answered = true;
            return partitions;
        } finally {
            close(admin, answered);
        }
    }

    /**
     * Checks that this client's principal holds every ACL of {@code required}, through the
     * authorized operations the cluster reports for each topic and group, and a describe of one
     * transactional id of each prefix: a missing grant fails here, before any data moves, with the
     * principal, the operation, the resource and the {@code kafka-acls.sh} call that grants it.
     * Topics that do not exist yet are skipped (creating them is the caller's business).
     *
     * @param principal named in the message, e.g. {@code User:fleet}; null when not known
     * @throws PreflightException {@link ExitCode#KAFKA} for the first missing grant
     */
    public void checkAccess(List<RequiredAccess> required, String principal) {
        if (required.isEmpty()) {
            return;
        }
        Admin admin = admin();
        boolean answered = false;
        try {
            describeCluster(admin);
            Map<String, List<RequiredAccess>> topics = group(required, ResourceKind.TOPIC);
            if (!topics.isEmpty()) {
                Map<String, KafkaFuture<TopicDescription>> futures =
                        admin.describeTopics(
                                        topics.keySet(),
                                        new DescribeTopicsOptions()
                                                .timeoutMs(timeoutMillis())
                                                .includeAuthorizedOperations(true))
                                .topicNameValues();
                for (Map.Entry<String, List<RequiredAccess>> topic : topics.entrySet()) {
                    Set<AclOperation> granted;
                    try {
                        granted = await(futures.get(topic.getKey())).authorizedOperations();
                    } catch (ExecutionException e) {
                        if (e.getCause() instanceof UnknownTopicOrPartitionException) {
                            continue;
                        }
                        if (e.getCause() instanceof AuthorizationException) {
                            granted = Set.of();
                        } else {
                            throw failure(e.getCause(), "describing topic " + topic.getKey());
                        }
                    }
                    requireGranted(topic.getValue(), granted, principal);
                }
            }
            Map<String, List<RequiredAccess>> groups = group(required, ResourceKind.GROUP);
            if (!groups.isEmpty()) {
                Map<String, KafkaFuture<ConsumerGroupDescription>> futures =
                        admin.describeConsumerGroups(
                                        groups.keySet(),
                                        new DescribeConsumerGroupsOptions()
                                                .timeoutMs(timeoutMillis())
                                                .includeAuthorizedOperations(true))
                                .describedGroups();
                for (Map.Entry<String, List<RequiredAccess>> g : groups.entrySet()) {
                    Set<AclOperation> granted;
                    try {
                        granted = await(futures.get(g.getKey())).authorizedOperations();
                    } catch (ExecutionException e) {
                        if (e.getCause() instanceof GroupIdNotFoundException) {
                            // Authorization is checked before the lookup: a group that does not
                            // exist yet was at least describable, and its first use creates it.
                            continue;
                        }
                        if (!(e.getCause() instanceof AuthorizationException)) {
                            throw failure(e.getCause(), "describing group " + g.getKey());
                        }
                        granted = Set.of();
                    }
                    requireGranted(g.getValue(), granted, principal);
                }
            }
            for (RequiredAccess transactional : required) {
                if (transactional.kind() != ResourceKind.TRANSACTIONAL_ID) {
                    continue;
                }
                // Describing one id of the prefix needs Describe on it, which Write implies; an
                // id that was never used answers "not found", which is a pass.
                try {
                    await(
                            admin.describeTransactions(
                                            List.of(transactional.name() + "-preflight"),
                                            new DescribeTransactionsOptions()
                                                    .timeoutMs(timeoutMillis()))
                                    .all());
                } catch (ExecutionException e) {
                    if (e.getCause() instanceof AuthorizationException) {
                        throw denied(transactional, principal, e.getCause());
                    }
                    if (!(e.getCause() instanceof TransactionalIdNotFoundException)) {
                        throw failure(
                                e.getCause(), "describing transactional ids " + transactional);
                    }
                }
            }
            answered = true;
        } finally {
            close(admin, answered);
        }
    }

    /** The kinds of resource {@link #checkAccess} checks. */
    public enum ResourceKind {
        TOPIC("topic"),
        GROUP("group"),
        TRANSACTIONAL_ID("transactional-id");

        private final String aclName;

        ResourceKind(String aclName) {
            this.aclName = aclName;
        }

        /** As {@code kafka-acls.sh} names it ({@code --topic}, {@code --group}, …). */
        public String aclName() {
            return aclName;
        }
    }

    /**
     * One grant a client needs; a transactional id is always a prefix.
     *
     * @param kind the resource kind
     * @param name the topic, group or transactional id prefix
     * @param operation the operation needed on it
     */
    public record RequiredAccess(
            ResourceKind kind, String name, KafkaAccessErrors.Operation operation) {
        public static RequiredAccess topic(String name, KafkaAccessErrors.Operation operation) {
            return new RequiredAccess(ResourceKind.TOPIC, name, operation);
        }

        public static RequiredAccess group(String name) {
            return new RequiredAccess(ResourceKind.GROUP, name, KafkaAccessErrors.Operation.READ);
        }

        public static RequiredAccess transactionalIdPrefix(String prefix) {
            return new RequiredAccess(
                    ResourceKind.TRANSACTIONAL_ID, prefix, KafkaAccessErrors.Operation.WRITE);
        }

        @Override
        public String toString() {
            return operation + " on " + kind.aclName() + " " + name;
        }
    }

    private static Map<String, List<RequiredAccess>> group(
            List<RequiredAccess> required, ResourceKind kind) {
        Map<String, List<RequiredAccess>> byName = new LinkedHashMap<>();
        for (RequiredAccess access : required) {
            if (access.kind() == kind) {
                byName.computeIfAbsent(access.name(), n -> new ArrayList<>()).add(access);
            }
        }
        return byName;
    }

    private void requireGranted(
            List<RequiredAccess> needed, Set<AclOperation> granted, String principal) {
        if (granted == null) {
            return; // the broker did not say (an old broker): the clients will find out
        }
        for (RequiredAccess access : needed) {
            AclOperation op = AclOperation.valueOf(access.operation().name());
            boolean ok = granted.contains(op) || granted.contains(AclOperation.ALL);
            if (!ok) {
                throw denied(access, principal, null);
            }
        }
    }

    private PreflightException denied(RequiredAccess access, String principal, Throwable cause) {
        return new PreflightException(
                ExitCode.KAFKA,
                KafkaAccessErrors.missingAcl(
                                principal,
                                access.operation(),
                                access.kind().aclName(),
                                access.name(),
                                access.kind() == ResourceKind.TRANSACTIONAL_ID)
                        + " (cluster "
                        + bootstrapServers
                        + ")",
                cause);
    }

    // ---- internals ---------------------------------------------------------------------------

    private Admin admin() {
        Map<String, Object> props = new HashMap<>(clientProperties);
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, timeoutMillis());
        props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, timeoutMillis());
        props.putIfAbsent(AdminClientConfig.CLIENT_ID_CONFIG, "creditstream-preflight");
        try {
            return Admin.create(props);
        } catch (KafkaException e) {
            throw creationFailure(e);
        }
    }

    /**
     * Closes the admin client; after a failure without waiting for it: a client still talking to
     * something that accepted the connection but never answered (a firewall, another protocol) can
     * take its socket timeout to close, and the command has said all it has to say.
     */
    private static void close(Admin admin, boolean answered) {
        if (answered) {
            admin.close(Duration.ZERO);
            return;
        }
        Thread closer =
                new Thread(() -> admin.close(Duration.ZERO), "creditstream-preflight-close");
        closer.setDaemon(true);
        closer.start();
    }

    private int describeCluster(Admin admin) {
        try {
            return await(
                            admin.describeCluster(
                                            new DescribeClusterOptions().timeoutMs(timeoutMillis()))
                                    .nodes())
                    .size();
        } catch (ExecutionException e) {
            throw failure(e.getCause(), "connecting");
        }
    }

    /**
     * The future's value, waiting a little longer than the admin client's own timeout (which fails
     * the call by itself when no broker answers), but never much longer.
     */
    private <T> T await(KafkaFuture<T> future) throws ExecutionException {
        try {
            return future.get(timeoutMillis() + 500L, TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            throw unreachable(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while checking Kafka", e);
        }
    }

    private PreflightException failure(Throwable cause, String doing) {
        if (cause instanceof TimeoutException) {
            return unreachable(cause);
        }
        if (cause instanceof AuthenticationException) {
            return new PreflightException(
                    ExitCode.KAFKA,
                    "the Kafka broker at "
                            + bootstrapServers
                            + " ("
                            + serversSetting
                            + ") refused the connection: "
                            + cause.getMessage()
                            + "\nCheck the Kafka client properties (--kafka-properties or"
                            + " kafka.properties-file) against the broker's listener: the user"
                            + " name and password in sasl.jaas.config, sasl.mechanism,"
                            + " security.protocol and the ssl.truststore.* settings.",
                    cause);
        }
        if (cause instanceof AuthorizationException) {
            return new PreflightException(
                    ExitCode.KAFKA,
                    "the Kafka cluster at "
                            + bootstrapServers
                            + " ("
                            + serversSetting
                            + ") denied "
                            + doing
                            + ": "
                            + cause.getMessage()
                            + "\nGrant this client's principal Describe on the cluster and its"
                            + " topics.",
                    cause);
        }
        return new PreflightException(
                ExitCode.KAFKA,
                "the Kafka cluster at "
                        + bootstrapServers
                        + " ("
                        + serversSetting
                        + ") failed "
                        + doing
                        + ": "
                        + cause.getClass().getSimpleName()
                        + ": "
                        + cause.getMessage(),
                cause);
    }

    private PreflightException unreachable(Throwable cause) {
        return new PreflightException(
                ExitCode.KAFKA,
                "no Kafka broker answered at "
                        + bootstrapServers
                        + " ("
                        + serversSetting
                        + ") within "
                        + format(timeout)
                        + "\nLikely: nothing listens there (is the broker up?), the host or port"
                        + " is wrong, or the broker expects TLS/SASL settings this client lacks."
                        + " For a broker that is still starting, wait longer: "
                        + longerWait()
                        + ".",
                cause);
    }

    /**
     * The admin client validates and resolves the bootstrap addresses when it is created: an
     * address that is not host:port is a usage error, one whose host does not resolve a Kafka
     * problem.
     */
    private PreflightException creationFailure(KafkaException e) {
        Throwable cause = e;
        while (cause != null && !(cause instanceof ConfigException)) {
            cause = cause.getCause();
        }
        String detail = cause != null ? cause.getMessage() : String.valueOf(e.getMessage());
        if (cause != null && detail != null && detail.contains("resolvable")) {
            return new PreflightException(
                    ExitCode.KAFKA,
                    "no host of "
                            + serversSetting
                            + " '"
                            + bootstrapServers
                            + "' resolves to an address\nCheck the host names (a typo, or a name"
                            + " only another network knows).",
                    e);
        }
        if (cause != null) {
            return new PreflightException(
                    ExitCode.USAGE,
                    serversSetting
                            + " '"
                            + bootstrapServers
                            + "' is not a list of host:port, e.g. localhost:9092 ("
                            + detail
                            + ")",
                    e);
        }
        return new PreflightException(
                ExitCode.KAFKA,
                "cannot create a Kafka client for "
                        + bootstrapServers
                        + " ("
                        + serversSetting
                        + "): "
                        + detail,
                e);
    }

    private String longerWait() {
        return timeoutSetting.startsWith("--")
                ? timeoutSetting + " " + LONGER_WAIT
                : "-D" + timeoutSetting + "=" + LONGER_WAIT;
    }

    private int timeoutMillis() {
        return (int) Math.min(Integer.MAX_VALUE, timeout.toMillis());
    }

    /** 10 s, 1500 ms, 2 min: the units the options are written in. */
    static String format(Duration duration) {
        long millis = duration.toMillis();
        if (millis != 0 && millis % 60_000 == 0) {
            return millis / 60_000 + " min";
        }
        if (millis % 1_000 == 0) {
            return millis / 1_000 + " s";
        }
        return millis + " ms";
    }
}
