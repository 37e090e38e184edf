package io.creditstream.broker;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import kafka.tools.StorageTool;
import org.apache.commons.io.FileUtils;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.utils.Time;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real single-node KRaft Kafka broker (broker and controller in one process) started inside this
 * JVM, for the demo, {@code creditstream kafka} and integration tests.
 *
 * <p>Usage: {@code try (EmbeddedKafkaBroker kafka = EmbeddedKafkaBroker.builder().build().start())
 * {...}}. Every replication factor and min ISR is 1 so that transactions and consumer groups work
 * on one node. Without a data directory the broker lives in a temporary directory that {@link
 * #close()} deletes; a given directory is formatted once and kept, so a restart on it sees the
 * earlier data.
 */
public final class EmbeddedKafkaBroker implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedKafkaBroker.class);

    /**
     * The broker's {@code transaction.max.timeout.ms}. The exactly-once sinks take the broker's
     * maximum as their transaction timeout, and that is how long the job may be down without losing
     * the output of its last checkpoint: a week covers a weekend's outage, where the stock 15 min
     * would not cover a slow restart.
     */
    public static final Duration TRANSACTION_MAX_TIMEOUT = Duration.ofDays(7);

    private static final int NODE_ID = 1;
    private static final String HOST = "127.0.0.1";
    private static final String BROKER_LISTENER = "PLAINTEXT";
    private static final String CONTROLLER_LISTENER = "CONTROLLER";
    private static final String LOG_DIR_NAME = "kraft-logs";
    private static final String CONFIG_FILE_NAME = "server.properties";

    /** Written by the storage formatter into every formatted log directory. */
    private static final String META_PROPERTIES = "meta.properties";

    /**
     * Loggers the broker writes to at INFO. A few are shared with clients (the config dump, which
     * the broker prints with ~300 settings four times per start, metrics lifecycle lines, network
     * and security); the other client loggers stay as the application configured them.
     */
    private static final List<String> BROKER_LOGGERS =
            List.of(
                    "org.apache.kafka.common.config.AbstractConfig",
                    "org.apache.kafka.common.metrics.Metrics",
                    "kafka",
                    "state.change.logger",
                    "org.apache.kafka.server",
                    "org.apache.kafka.controller",
                    "org.apache.kafka.raft",
                    "org.apache.kafka.metadata",
                    "org.apache.kafka.image",
                    "org.apache.kafka.snapshot",
                    "org.apache.kafka.storage",
                    "org.apache.kafka.coordinator",
                    "org.apache.kafka.network",
                    "org.apache.kafka.queue",
                    "org.apache.kafka.security",
                    "org.apache.kafka.common.network",
                    "org.apache.kafka.common.security",
                    "org.apache.kafka.common.utils.AppInfoParser");

    private final int requestedPort;
    private final int requestedControllerPort;
    private final Path givenDataDir;
    private final Duration startupTimeout;
    private final boolean quietLogging;
    private final Map<String, String> overrides;

    private Path dataDir;
    private boolean ownsDataDir;
    private int port;
    private int controllerPort;
    private KafkaRaftServer server;
    private Admin admin;
    private boolean closed;

    private EmbeddedKafkaBroker(Builder builder) {
        this.requestedPort = builder.port;
        this.requestedControllerPort = builder.controllerPort;
        this.givenDataDir = builder.dataDir;
        this.startupTimeout = builder.startupTimeout;
        this.quietLogging = builder.quietLogging;
        this.overrides = new LinkedHashMap<>(builder.overrides);
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * Formats the storage when needed, starts the broker and returns once an admin client sees the
     * node.
     *
     * @throws IllegalStateException when called twice or after close, or when the broker does not
     *     come up within the startup timeout
     */
    public synchronized EmbeddedKafkaBroker start() {
        if (closed) {
            throw new IllegalStateException("This broker was closed; build a new one to restart.");
        }
        if (server != null) {
            throw new IllegalStateException("Broker already started at " + bootstrapServers());
        }
        long startNanos = System.nanoTime();
        if (quietLogging) {
            BrokerLogLevels.quiet(BROKER_LOGGERS);
        }
        try {
            prepareDataDir();
            port = requestedPort == 0 ? freePort() : requestedPort;
            controllerPort = requestedControllerPort == 0 ? freePort() : requestedControllerPort;
            Properties config = serverConfig();
            Path configFile = writeConfig(config);
            formatIfNeeded(configFile);
            // doLog=false: the broker would otherwise print its ~300 config values at INFO.
            KafkaRaftServer started =
                    new KafkaRaftServer(new KafkaConfig(config, false), Time.SYSTEM);
            server = started;
            started.startup();
            admin = Admin.create(adminConfig());
            awaitNodeVisible(startNanos);
        } catch (RuntimeException | Error e) {
            closeQuietly();
            throw e;
        }
        LOG.info(
                "Kafka broker up at {} (data in {}) after {} ms",
                bootstrapServers(),
                dataDir,
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos));
        return this;
    }

    /** The {@code bootstrap.servers} value for clients, e.g. {@code 127.0.0.1:40123}. */
    public synchronized String bootstrapServers() {
        requireStarted();
        return HOST + ":" + port;
    }

    /** The port the broker listens on for clients. */
    public synchronized int port() {
        requireStarted();
        return port;
    }

    /** The directory holding the configuration file and the log directory. */
    public synchronized Path dataDir() {
        requireStarted();
        return dataDir;
    }

    /**
     * Creates the topics with {@code partitions} partitions each and replication factor 1, and
     * waits until every partition has a leader; topics that already exist are left as they are.
     */
    public void createTopics(int partitions, String... names) {
        if (partitions < 1) {
            throw new IllegalArgumentException("partitions must be at least 1, got " + partitions);
        }
        if (names == null || names.length == 0) {
            throw new IllegalArgumentException("Give at least one topic name.");
        }
        List<NewTopic> topics = new ArrayList<>();
        for (String name : names) {
            if (name == null || name.isBlank()) {
                throw new IllegalArgumentException(
                        "Topic names must not be blank: " + Arrays.toString(names));
            }
            topics.add(new NewTopic(name, partitions, (short) 1));
        }
        Admin client = requireAdmin();
        long deadline = System.nanoTime() + startupTimeout.toNanos();
        for (Map.Entry<String, KafkaFuture<Void>> created :
                client.createTopics(topics).values().entrySet()) {
            try {
                created.getValue().get(remainingMillis(deadline), TimeUnit.MILLISECONDS);
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof TopicExistsException)) {
                    throw new IllegalStateException(
                            "Could not create topic " + created.getKey(), e.getCause());
                }
            } catch (TimeoutException e) {
                throw new IllegalStateException(
                        "Timed out after " + startupTimeout + " creating topic " + created.getKey(),
                        e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("Interrupted while creating topics", e);
            }
        }
        awaitLeaders(client, List.of(names), deadline);
    }

    /**
     * Shuts the broker down, waits for it, and deletes the data directory when it was temporary.
     */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        closeQuietly();
    }

    private void closeQuietly() {
        if (admin != null) {
            admin.close(Duration.ofSeconds(5));
            admin = null;
        }
        if (server != null) {
            try {
                server.shutdown();
                server.awaitShutdown();
            } catch (RuntimeException e) {
                LOG.warn("Kafka broker at {} did not shut down cleanly", HOST + ":" + port, e);
            }
            server = null;
            LOG.info("Kafka broker at {}:{} stopped", HOST, port);
        }
        if (ownsDataDir && dataDir != null) {
            deleteRecursively(dataDir);
            dataDir = null;
        }
    }

    private void prepareDataDir() {
        try {
            if (givenDataDir == null) {
                dataDir = Files.createTempDirectory("creditstream-kafka-");
                ownsDataDir = true;
            } else {
                dataDir = Files.createDirectories(givenDataDir.toAbsolutePath());
                ownsDataDir = false;
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot create the Kafka data directory", e);
        }
    }

    private Properties serverConfig() {
        String controller = CONTROLLER_LISTENER + "://" + HOST + ":" + controllerPort;
        String broker = BROKER_LISTENER + "://" + HOST + ":" + port;
        Properties p = new Properties();
        p.setProperty("process.roles", "broker,controller");
        p.setProperty("node.id", Integer.toString(NODE_ID));
        // A static voter set (kraft.version 0): the controller port may change between restarts on
        // the same directory, which a dynamic quorum would have recorded in its log.
        p.setProperty("controller.quorum.voters", NODE_ID + "@" + HOST + ":" + controllerPort);
        p.setProperty("controller.listener.names", CONTROLLER_LISTENER);
        p.setProperty("listeners", broker + "," + controller);
        p.setProperty("advertised.listeners", broker);
        p.setProperty("inter.broker.listener.name", BROKER_LISTENER);
        p.setProperty(
                "listener.security.protocol.map",
                BROKER_LISTENER + ":PLAINTEXT," + CONTROLLER_LISTENER + ":PLAINTEXT");
        p.setProperty("log.dirs", dataDir.resolve(LOG_DIR_NAME).toString());
        // One node: every internal topic must be satisfiable with a single replica.
        p.setProperty("offsets.topic.replication.factor", "1");
        p.setProperty("transaction.state.log.replication.factor", "1");
        p.setProperty("transaction.state.log.min.isr", "1");
        p.setProperty("share.coordinator.state.topic.replication.factor", "1");
        p.setProperty("share.coordinator.state.topic.min.isr", "1");
        p.setProperty("default.replication.factor", "1");
        p.setProperty("min.insync.replicas", "1");
        // Fewer internal partitions than the default 50 make the first group/transaction faster.
        p.setProperty("offsets.topic.num.partitions", "4");
        p.setProperty("transaction.state.log.num.partitions", "4");
        p.setProperty("group.initial.rebalance.delay.ms", "0");
        p.setProperty(
                "transaction.max.timeout.ms", Long.toString(TRANSACTION_MAX_TIMEOUT.toMillis()));
        p.setProperty("num.partitions", "1");
        overrides.forEach(p::setProperty);
        return p;
    }

    private Path writeConfig(Properties config) {
        Path file = dataDir.resolve(CONFIG_FILE_NAME);
        try (OutputStream out = Files.newOutputStream(file)) {
            config.store(out, "Written by creditstream's EmbeddedKafkaBroker; rewritten on start");
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot write " + file, e);
        }
        return file;
    }

    private void formatIfNeeded(Path configFile) {
        Path logDir = dataDir.resolve(LOG_DIR_NAME);
        if (Files.exists(logDir.resolve(META_PROPERTIES))) {
            LOG.debug("Kafka storage in {} is already formatted; reusing it", logDir);
            return;
        }
        ByteArrayOutputStream output = new ByteArrayOutputStream();
        int exit;
        try (PrintStream print = new PrintStream(output, true, StandardCharsets.UTF_8)) {
            String clusterId = Uuid.randomUuid().toString();
            exit =
                    StorageTool.execute(
                            new String[] {"format", "-t", clusterId, "-c", configFile.toString()},
                            print);
        } catch (RuntimeException e) {
            throw new IllegalStateException(
                    "Formatting Kafka storage in " + logDir + " failed: " + e.getMessage(), e);
        }
        String printed = output.toString(StandardCharsets.UTF_8).trim();
        if (exit != 0) {
            throw new IllegalStateException(
                    "Formatting Kafka storage in " + logDir + " failed (" + exit + "): " + printed);
        }
        LOG.debug("Formatted Kafka storage: {}", printed);
    }

    private Map<String, Object> adminConfig() {
        Map<String, Object> config = new LinkedHashMap<>();
        config.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, HOST + ":" + port);
        config.put(AdminClientConfig.CLIENT_ID_CONFIG, "creditstream-embedded-kafka-admin");
        config.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000);
        config.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 10_000);
        config.put(AdminClientConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, 200);
        return config;
    }

    private void awaitNodeVisible(long startNanos) {
        long deadline = startNanos + startupTimeout.toNanos();
        Exception last = null;
        while (System.nanoTime() < deadline) {
            try {
                Collection<Node> nodes =
                        admin.describeCluster()
                                .nodes()
                                .get(remainingMillis(deadline), TimeUnit.MILLISECONDS);
                if (nodes.stream().anyMatch(node -> node.id() == NODE_ID)) {
                    return;
                }
            } catch (ExecutionException | TimeoutException e) {
                last = e;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("Interrupted while waiting for the broker", e);
            }
        }
        throw new IllegalStateException(
                "Kafka broker at "
                        + HOST
                        + ":"
                        + port
                        + " was not visible to an admin client within "
                        + startupTimeout
                        + "; raise the startup timeout or look at the broker log (data dir "
                        + dataDir
                        + ")",
                last);
    }

    /** Waits until the broker's own metadata has a leader for every partition of the topics. */
    private void awaitLeaders(Admin client, List<String> names, long deadline) {
        Exception last = null;
        while (System.nanoTime() < deadline) {
            try {
                Map<String, TopicDescription> descriptions =
                        client.describeTopics(names)
                                .allTopicNames()
                                .get(remainingMillis(deadline), TimeUnit.MILLISECONDS);
                boolean ready =
                        descriptions.values().stream()
                                .flatMap(d -> d.partitions().stream())
                                .allMatch(p -> p.leader() != null && !p.leader().isEmpty());
                if (ready) {
                    return;
                }
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof UnknownTopicOrPartitionException)) {
                    throw new IllegalStateException("Could not describe topics " + names, e);
                }
                last = e;
            } catch (TimeoutException e) {
                last = e;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("Interrupted while waiting for topics", e);
            }
        }
        throw new IllegalStateException(
                "Topics " + names + " had no leader within " + startupTimeout, last);
    }

    private static long remainingMillis(long deadlineNanos) {
        return Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadlineNanos - System.nanoTime()));
    }

    private synchronized Admin requireAdmin() {
        requireStarted();
        return admin;
    }

    private void requireStarted() {
        if (server == null) {
            throw new IllegalStateException(
                    closed ? "The broker is closed." : "Call start() first.");
        }
    }

    /**
     * Asks the OS for a free port. Another process could take it before the broker binds it; on
     * localhost in tests that race is rare enough, and it keeps the configured ports known up front
     * (the static controller voter needs its port before the controller starts).
     */
    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName(HOST))) {
            socket.setReuseAddress(true);
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("No free port on " + HOST, e);
        }
    }

    private static void deleteRecursively(Path root) {
        try {
            FileUtils.deleteDirectory(root.toFile());
        } catch (IOException e) {
            LOG.warn("Could not delete the temporary Kafka directory {}", root, e);
        }
    }

    /** Configures an {@link EmbeddedKafkaBroker}; every setting has a working default. */
    public static final class Builder {
        private int port;
        private int controllerPort;
        private Path dataDir;
        // Only a hang guard: a broker that cannot start fails before it. One minute was not
        // enough for the CI machine's two cores with a build beside the tests.
        private Duration startupTimeout = Duration.ofMinutes(5);
        private boolean quietLogging = true;
        private final Map<String, String> overrides = new LinkedHashMap<>();

        private Builder() {}

        /** The client port; 0 (the default) picks a free port on 127.0.0.1. */
        public Builder port(int port) {
            this.port = checkPort("port", port);
            return this;
        }

        /** The controller (KRaft quorum) port; 0 (the default) picks a free port. */
        public Builder controllerPort(int controllerPort) {
            this.controllerPort = checkPort("controllerPort", controllerPort);
            return this;
        }

        /**
         * A directory to keep the broker's data in across restarts; null (the default) uses a
         * temporary directory deleted on close.
         */
        public Builder dataDir(Path dataDir) {
            this.dataDir = dataDir;
            return this;
        }

        /** How long {@link #start()} and {@link #createTopics} wait; 5 min by default. */
        public Builder startupTimeout(Duration startupTimeout) {
            if (startupTimeout == null || startupTimeout.isNegative() || startupTimeout.isZero()) {
                throw new IllegalArgumentException(
                        "startupTimeout must be positive, got " + startupTimeout);
            }
            this.startupTimeout = startupTimeout;
            return this;
        }

        /**
         * Whether to raise the broker's own loggers to WARN (the default) when Log4j 2 is the
         * logging backend; its INFO output is hundreds of lines per start.
         */
        public Builder quietLogging(boolean quietLogging) {
            this.quietLogging = quietLogging;
            return this;
        }

        /** Sets or overrides one broker configuration property (server.properties key). */
        public Builder brokerProperty(String key, String value) {
            if (key == null || key.isBlank() || value == null) {
                throw new IllegalArgumentException(
                        "Broker property needs a key and a value, got " + key + "=" + value);
            }
            overrides.put(key, value);
            return this;
        }

        public EmbeddedKafkaBroker build() {
            if (port != 0 && port == controllerPort) {
                throw new IllegalArgumentException(
                        "port and controllerPort must differ, both are " + port);
            }
            return new EmbeddedKafkaBroker(this);
        }

        private static int checkPort(String name, int value) {
            if (value < 0 || value > 65_535) {
                throw new IllegalArgumentException(
                        name + " must be 0 (pick a free one) or 1-65535, got " + value);
            }
            return value;
        }
    }

    /**
     * Raises broker loggers to WARN through Log4j 2 when it is the backend, and otherwise does
     * nothing.
     */
    private static final class BrokerLogLevels {
        private BrokerLogLevels() {}

        static void quiet(List<String> loggers) {
            try {
                Map<String, org.apache.logging.log4j.Level> levels = new LinkedHashMap<>();
                for (String logger : loggers) {
                    org.apache.logging.log4j.Level effective =
                            org.apache.logging.log4j.LogManager.getLogger(logger).getLevel();
                    // Never make a logger chattier: one already at WARN, ERROR or OFF stays.
                    if (effective.isLessSpecificThan(org.apache.logging.log4j.Level.INFO)) {
                        levels.put(logger, org.apache.logging.log4j.Level.WARN);
                    }
                }
                org.apache.logging.log4j.core.config.Configurator.setLevel(levels);
            } catch (LinkageError | RuntimeException e) {
                // Another SLF4J backend (or none): its own configuration decides.
                LOG.debug("Could not quiet broker loggers: {}", e.toString());
            }
        }
    }
}
