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
import org.apache.kafka.clients.admin.ScramCredentialInfo;
import org.apache.kafka.clients.admin.ScramMechanism;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.admin.UserScramCredentialUpsertion;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;
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
    private static final String SECURED_LISTENER = "CLIENTS";
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
    private final Security security;

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
        this.security = builder.security;
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
     * The Kafka client security settings (Kafka's property names) of {@code user} on this broker:
     * security protocol, SCRAM login and, with TLS, the trust store. Empty for a plaintext broker.
     */
    public Map<String, String> clientProperties(String user, String password) {
        return security == null ? Map.of() : security.clientProperties(user, password);
    }

    /** The super user's client settings (the broker's own principal); empty when plaintext. */
    public Map<String, String> adminClientProperties() {
        return security == null
                ? Map.of()
                : security.clientProperties(security.adminUser, security.adminPassword);
    }

    /**
     * Creates (or replaces) the SCRAM credential of {@code user}, and waits until the broker
     * accepts it.
     *
     * @throws IllegalStateException on a plaintext broker, or when the broker refuses
     */
    public void createScramUser(String user, String password) {
        if (security == null) {
            throw new IllegalStateException(
                    "This broker is plaintext; build it with saslScram(...) to add users.");
        }
        Admin client = requireAdmin();
        try {
            client.alterUserScramCredentials(
                            List.of(
                                    new UserScramCredentialUpsertion(
                                            user,
                                            new ScramCredentialInfo(
                                                    ScramMechanism.SCRAM_SHA_512, 8192),
                                            password)))
                    .all()
                    .get(startupTimeout.toMillis(), TimeUnit.MILLISECONDS);
            awaitVisible(
                    () ->
                            !client.describeUserScramCredentials(List.of(user))
                                    .description(user)
                                    .get(startupTimeout.toMillis(), TimeUnit.MILLISECONDS)
                                    .credentialInfos()
                                    .isEmpty(),
                    "SCRAM user " + user);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("Could not create SCRAM user " + user, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while creating user " + user, e);
        }
    }

    /**
     * Grants {@code principal} (e.g. {@code User:fleet}) {@code operation} on a resource, and waits
     * until the broker's authorizer has it.
     *
     * @param prefixed whether the grant covers every name starting with {@code name}
     */
    public void allow(
            String principal,
            AclOperation operation,
            ResourceType type,
            String name,
            boolean prefixed) {
        Admin client = requireAdmin();
        AclBinding binding =
                new AclBinding(
                        new ResourcePattern(
                                type, name, prefixed ? PatternType.PREFIXED : PatternType.LITERAL),
                        new AccessControlEntry(principal, "*", operation, AclPermissionType.ALLOW));
        try {
            client.createAcls(List.of(binding))
                    .all()
                    .get(startupTimeout.toMillis(), TimeUnit.MILLISECONDS);
            awaitVisible(
                    () ->
                            !client.describeAcls(binding.toFilter())
                                    .values()
                                    .get(startupTimeout.toMillis(), TimeUnit.MILLISECONDS)
                                    .isEmpty(),
                    "ACL " + binding);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("Could not create ACL " + binding, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while creating ACL " + binding, e);
        }
    }

    /**
     * Waits until the broker serves what {@code visible} asks for: SCRAM credentials and ACLs reach
     * the broker's authenticator and authorizer through the metadata log, a moment after the admin
     * call returns, and describing them is answered from that same broker state.
     */
    private void awaitVisible(java.util.concurrent.Callable<Boolean> visible, String what)
            throws InterruptedException, TimeoutException {
        long deadline = System.nanoTime() + startupTimeout.toNanos();
        Exception last = null;
        while (System.nanoTime() < deadline) {
            try {
                if (visible.call()) {
                    return;
                }
            } catch (InterruptedException e) {
                throw e;
            } catch (Exception e) {
                last = e;
            }
            Thread.sleep(10); // polling the broker's own state; bounded by the deadline
        }
        throw new TimeoutException(
                what + " did not become visible within " + startupTimeout + ": " + last);
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
        String listener = security == null ? BROKER_LISTENER : SECURED_LISTENER;
        String controller = CONTROLLER_LISTENER + "://" + HOST + ":" + controllerPort;
        String broker = listener + "://" + HOST + ":" + port;
        Properties p = new Properties();
        p.setProperty("process.roles", "broker,controller");
        p.setProperty("node.id", Integer.toString(NODE_ID));
        // A static voter set (kraft.version 0): the controller port may change between restarts on
        // the same directory, which a dynamic quorum would have recorded in its log.
        p.setProperty("controller.quorum.voters", NODE_ID + "@" + HOST + ":" + controllerPort);
        p.setProperty("controller.listener.names", CONTROLLER_LISTENER);
        p.setProperty("listeners", broker + "," + controller);
        p.setProperty("advertised.listeners", broker);
        p.setProperty("inter.broker.listener.name", listener);
        p.setProperty(
                "listener.security.protocol.map",
                listener
                        + ":"
                        + (security == null ? "PLAINTEXT" : security.protocol())
                        + ","
                        + CONTROLLER_LISTENER
                        + ":PLAINTEXT");
        if (security != null) {
            security.addServerConfig(p, SECURED_LISTENER.toLowerCase(java.util.Locale.ROOT));
        }
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
            List<String> args =
                    new ArrayList<>(
                            List.of("format", "-t", clusterId, "-c", configFile.toString()));
            if (security != null) {
                // The admin's SCRAM credential goes into the first metadata records: the broker
                // authenticates to itself with it (transaction markers) before any client could
                // create one.
                args.add("--add-scram");
                args.add(
                        Security.MECHANISM
                                + "=[name="
                                + security.adminUser
                                + ",password="
                                + security.adminPassword
                                + "]");
            }
            exit = StorageTool.execute(args.toArray(new String[0]), print);
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
        if (security != null) {
            config.putAll(security.clientProperties(security.adminUser, security.adminPassword));
        }
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
        private Security security;

        private Builder() {}

        /**
         * Clients must log in with SCRAM-SHA-512 (SASL_PLAINTEXT), and KRaft's StandardAuthorizer
         * allows only what an ACL grants. {@code adminUser} is the broker's own principal and a
         * super user, created when the storage is formatted; add others with {@link
         * #createScramUser} and grant them with {@link #allow}. The controller listener stays
         * plaintext on loopback (SCRAM cannot secure it), so its anonymous principal, the broker
         * talking to its own controller, is a super user as well.
         */
        public Builder saslScram(String adminUser, String adminPassword) {
            if (adminUser == null
                    || adminUser.isBlank()
                    || adminPassword == null
                    || adminPassword.isBlank()) {
                throw new IllegalArgumentException("saslScram needs an admin user and password");
            }
            this.security =
                    new Security(
                            adminUser,
                            adminPassword,
                            security == null ? null : security.keyStore,
                            security == null ? null : security.trustStore,
                            security == null ? null : security.storePassword);
            return this;
        }

        /**
         * With {@link #saslScram}: the client listener speaks TLS (SASL_SSL) with the key in {@code
         * keyStore} (PKCS12) whose certificate {@code trustStore} trusts, e.g. the pair {@link
         * SelfSignedKeyStore} makes.
         */
        public Builder tls(Path keyStore, Path trustStore, String storePassword) {
            if (security == null) {
                throw new IllegalStateException("call saslScram(...) before tls(...)");
            }
            this.security =
                    new Security(
                            security.adminUser,
                            security.adminPassword,
                            keyStore,
                            trustStore,
                            storePassword);
            return this;
        }

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
            if (dataDir != null && security != null) {
                // The admin credential is written only when the storage is formatted.
                LOG.debug("Secured broker on a kept data dir: credentials are those of its format");
            }
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

    /** SASL/SCRAM, optional TLS and ACL settings of a secured broker. */
    private static final class Security {
        static final String MECHANISM = "SCRAM-SHA-512";
        private static final String LOGIN_MODULE =
                "org.apache.kafka.common.security.scram.ScramLoginModule";

        final String adminUser;
        final String adminPassword;
        final Path keyStore;
        final Path trustStore;
        final String storePassword;

        Security(
                String adminUser,
                String adminPassword,
                Path keyStore,
                Path trustStore,
                String storePassword) {
            this.adminUser = adminUser;
            this.adminPassword = adminPassword;
            this.keyStore = keyStore;
            this.trustStore = trustStore;
            this.storePassword = storePassword;
        }

        String protocol() {
            return keyStore == null ? "SASL_PLAINTEXT" : "SASL_SSL";
        }

        void addServerConfig(Properties p, String listener) {
            p.setProperty("sasl.enabled.mechanisms", MECHANISM);
            p.setProperty("sasl.mechanism.inter.broker.protocol", MECHANISM);
            p.setProperty(
                    "listener.name."
                            + listener
                            + "."
                            + MECHANISM.toLowerCase()
                            + ".sasl.jaas.config",
                    jaas(adminUser, adminPassword));
            p.setProperty(
                    "authorizer.class.name",
                    "org.apache.kafka.metadata.authorizer.StandardAuthorizer");
            p.setProperty("super.users", "User:" + adminUser + ";User:ANONYMOUS");
            p.setProperty("allow.everyone.if.no.acl.found", "false");
            if (keyStore != null) {
                p.setProperty("ssl.keystore.type", "PKCS12");
                p.setProperty("ssl.keystore.location", keyStore.toString());
                p.setProperty("ssl.keystore.password", storePassword);
                p.setProperty("ssl.key.password", storePassword);
                // The broker's own client (transaction markers) checks its certificate too.
                p.setProperty("ssl.truststore.type", "PKCS12");
                p.setProperty("ssl.truststore.location", trustStore.toString());
                p.setProperty("ssl.truststore.password", storePassword);
            }
        }

        Map<String, String> clientProperties(String user, String password) {
            Map<String, String> c = new LinkedHashMap<>();
            c.put("security.protocol", protocol());
            c.put("sasl.mechanism", MECHANISM);
            c.put("sasl.jaas.config", jaas(user, password));
            if (trustStore != null) {
                c.put("ssl.truststore.type", "PKCS12");
                c.put("ssl.truststore.location", trustStore.toString());
                c.put("ssl.truststore.password", storePassword);
            }
            return c;
        }

        private static String jaas(String user, String password) {
            return LOGIN_MODULE
                    + " required username=\""
                    + user
                    + "\" password=\""
                    + password
                    + "\";";
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
