package io.creditstream.streams.kafka;

import io.creditstream.schemas.kafka.KafkaClientSecurity;
import io.creditstream.streams.options.CreditstreamOptions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.util.TimeUtils;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.config.ConfigResource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The exactly-once sinks' transaction timeout, settled once when the job is built.
 *
 * <p>It is the longest the job may be down without losing output: the transactions a completed
 * checkpoint pre-committed are committed only when the job runs again, and the broker aborts every
 * transaction open longer than its timeout. A fixed guess is either refused by the broker (above
 * its {@code transaction.max.timeout.ms}) or gives away downtime the broker would allow, so an
 * unset {@code kafka.transaction-timeout} takes the brokers' maximum, read with the Admin client; a
 * set one is checked against it, and both against the checkpoint interval (a transaction is open
 * for a whole interval before a checkpoint can commit it).
 */
public final class TransactionTimeouts {
    /** The broker setting that caps every producer's {@code transaction.timeout.ms}. */
    public static final String BROKER_MAX_KEY = "transaction.max.timeout.ms";

    private static final Logger LOG = LoggerFactory.getLogger(TransactionTimeouts.class);
    private static final Duration LOOKUP_TIMEOUT = Duration.ofSeconds(30);

    private TransactionTimeouts() {}

    /**
     * A copy of {@code config} with {@code kafka.transaction-timeout} resolved against the brokers
     * and checked, the checkpoint interval taken from {@code config}; see {@link
     * #resolve(Configuration, Duration)}.
     */
    public static Configuration resolve(Configuration config) {
        return resolve(
                config,
                config.getOptional(CheckpointingOptions.CHECKPOINTING_INTERVAL).orElse(null));
    }

    /**
     * A copy of {@code config} with {@code kafka.transaction-timeout} set: the configured value, or
     * when unset the smallest {@code transaction.max.timeout.ms} of the cluster's brokers. Logs at
     * INFO how long the job may then be down.
     *
     * @param checkpointInterval the interval the job checkpoints at; null when checkpointing is off
     * @throws IllegalArgumentException when the configured timeout is above the brokers' maximum,
     *     when the timeout does not exceed the checkpoint interval, or when it is unset and the
     *     brokers' maximum cannot be read
     */
    public static Configuration resolve(Configuration config, Duration checkpointInterval) {
        Optional<Duration> configured = config.getOptional(CreditstreamOptions.TRANSACTION_TIMEOUT);
        String servers = KafkaIo.bootstrapServers(config);
        Optional<Duration> brokerMax;
        try {
            brokerMax =
                    Optional.of(
                            brokerMaximum(servers, LOOKUP_TIMEOUT, KafkaIo.clientSecurity(config)));
        } catch (ExecutionException | TimeoutException | IllegalStateException e) {
            if (configured.isEmpty()) {
                throw new IllegalArgumentException(
                        CreditstreamOptions.TRANSACTION_TIMEOUT.key()
                                + " is unset and the brokers' "
                                + BROKER_MAX_KEY
                                + " could not be read from "
                                + servers
                                + " ("
                                + describe(e)
                                + "): check that the brokers are up, or set "
                                + CreditstreamOptions.TRANSACTION_TIMEOUT.key()
                                + " (at most their "
                                + BROKER_MAX_KEY
                                + ")",
                        e);
            }
            LOG.warn(
                    "Could not read {} from {} ({}); using {} = {} without checking it against"
                            + " the brokers",
                    BROKER_MAX_KEY,
                    servers,
                    describe(e),
                    CreditstreamOptions.TRANSACTION_TIMEOUT.key(),
                    format(configured.get()));
            brokerMax = Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while reading " + BROKER_MAX_KEY, e);
        }
        Duration timeout = choose(configured, brokerMax, checkpointInterval);
        LOG.info(downtimeLine(timeout, configured.isPresent(), checkpointInterval));
        Configuration resolved = new Configuration(config);
        resolved.set(CreditstreamOptions.TRANSACTION_TIMEOUT, timeout);
        return resolved;
    }

    /**
     * The timeout the exactly-once sinks are built with.
     *
     * @throws IllegalStateException when nobody resolved it: the sinks never fall back to a guess
     */
    public static Duration required(Configuration config) {
        return config.getOptional(CreditstreamOptions.TRANSACTION_TIMEOUT)
                .orElseThrow(
                        () ->
                                new IllegalStateException(
                                        CreditstreamOptions.TRANSACTION_TIMEOUT.key()
                                                + " is not resolved: build the job with"
                                                + " RunJob.environment, or pass the configuration"
                                                + " through TransactionTimeouts.resolve, before"
                                                + " the exactly-once Kafka sinks are built (it"
                                                + " comes from the brokers' "
                                                + BROKER_MAX_KEY
                                                + " when unset)"));
    }

    /**
     * The smallest {@code transaction.max.timeout.ms} over the cluster's brokers: a producer may
     * land on any of them as its transaction coordinator.
     */
    public static Duration brokerMaximum(String bootstrapServers, Duration timeout)
            throws ExecutionException, TimeoutException, InterruptedException {
        return brokerMaximum(bootstrapServers, timeout, KafkaClientSecurity.none());
    }

    /** As {@link #brokerMaximum(String, Duration)}, connecting with {@code security}. */
    public static Duration brokerMaximum(
            String bootstrapServers, Duration timeout, KafkaClientSecurity security)
            throws ExecutionException, TimeoutException, InterruptedException {
        Properties props = security.applyTo(new Properties());
        props.setProperty(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        String millis = String.valueOf(timeout.toMillis());
        props.setProperty(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, millis);
        props.setProperty(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, millis);
        long deadline = System.nanoTime() + timeout.toNanos();
        try (Admin admin = Admin.create(props)) {
            Collection<Node> nodes =
                    admin.describeCluster()
                            .nodes()
                            .get(remainingMillis(deadline), TimeUnit.MILLISECONDS);
            List<ConfigResource> brokers = new ArrayList<>();
            for (Node node : nodes) {
                brokers.add(new ConfigResource(ConfigResource.Type.BROKER, node.idString()));
            }
            Map<ConfigResource, Config> configs =
                    admin.describeConfigs(brokers)
                            .all()
                            .get(remainingMillis(deadline), TimeUnit.MILLISECONDS);
            Duration smallest = null;
            for (Config config : configs.values()) {
                ConfigEntry entry = config.get(BROKER_MAX_KEY);
                if (entry == null || entry.value() == null) {
                    continue;
                }
                Duration max = Duration.ofMillis(Long.parseLong(entry.value().trim()));
                if (smallest == null || max.compareTo(smallest) < 0) {
                    smallest = max;
                }
            }
            if (smallest == null) {
                throw new IllegalStateException(
                        "none of the brokers " + nodes + " reported " + BROKER_MAX_KEY);
            }
            return smallest;
        }
    }

    /**
     * The rule: the configured timeout, else the brokers' maximum; never above the brokers' maximum
     * (the producers' InitProducerId would be refused) and always above the checkpoint interval.
     */
    static Duration choose(
            Optional<Duration> configured,
            Optional<Duration> brokerMax,
            Duration checkpointInterval) {
        String key = CreditstreamOptions.TRANSACTION_TIMEOUT.key();
        Duration timeout = configured.or(() -> brokerMax).orElseThrow();
        if (configured.isPresent() && brokerMax.isPresent()) {
            if (timeout.compareTo(brokerMax.get()) > 0) {
                throw new IllegalArgumentException(
                        key
                                + " is "
                                + format(timeout)
                                + ", above the brokers' "
                                + BROKER_MAX_KEY
                                + " of "
                                + format(brokerMax.get())
                                + ": the brokers would refuse the exactly-once producers. Lower "
                                + key
                                + " to at most "
                                + format(brokerMax.get())
                                + " (or leave it unset to use the brokers' maximum), or raise "
                                + BROKER_MAX_KEY
                                + " on the brokers");
            }
        }
        if (timeout.toMillis() > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(
                    key
                            + " is "
                            + format(timeout)
                            + ", above the largest transaction.timeout.ms a Kafka producer takes ("
                            + Integer.MAX_VALUE
                            + " ms); lower "
                            + key);
        }
        if (checkpointInterval != null && timeout.compareTo(checkpointInterval) <= 0) {
            String source =
                    configured.isPresent()
                            ? key + " (" + format(timeout) + ")"
                            : "the brokers' "
                                    + BROKER_MAX_KEY
                                    + " ("
                                    + format(timeout)
                                    + "), taken because "
                                    + key
                                    + " is unset,";
            throw new IllegalArgumentException(
                    "the transaction timeout must exceed the checkpoint interval, but "
                            + source
                            + " does not exceed "
                            + CheckpointingOptions.CHECKPOINTING_INTERVAL.key()
                            + " ("
                            + format(checkpointInterval)
                            + "): every transaction would be aborted before a checkpoint commits"
                            + " it. Lower "
                            + CheckpointingOptions.CHECKPOINTING_INTERVAL.key()
                            + (configured.isPresent()
                                    ? " or raise " + key
                                    : " or raise " + BROKER_MAX_KEY + " on the brokers"));
        }
        return timeout;
    }

    /**
     * The line that tells an operator how long an outage the job survives. The exact margin is the
     * timeout less the age of the newest pre-committed transaction at the crash, which is about one
     * checkpoint interval.
     */
    static String downtimeLine(Duration timeout, boolean configured, Duration checkpointInterval) {
        String source =
                configured
                        ? CreditstreamOptions.TRANSACTION_TIMEOUT.key()
                        : "the brokers' " + BROKER_MAX_KEY;
        String less =
                checkpointInterval == null
                        ? ""
                        : " (less about one checkpoint interval, "
                                + format(checkpointInterval)
                                + ")";
        return "Kafka transactions time out after "
                + format(timeout)
                + " ("
                + source
                + "): the job may be down up to "
                + format(timeout)
                + less
                + " and resume exactly-once; after a longer outage the output of its last"
                + " checkpoint is lost";
    }

    private static String format(Duration duration) {
        return TimeUtils.formatWithHighestUnit(duration);
    }

    private static String describe(Exception e) {
        Throwable cause =
                e instanceof ExecutionException && e.getCause() != null ? e.getCause() : e;
        return cause.getClass().getSimpleName() + ": " + cause.getMessage();
    }

    private static long remainingMillis(long deadlineNanos) {
        return Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadlineNanos - System.nanoTime()));
    }
}
