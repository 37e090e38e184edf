package io.creditstream.broker;

import java.io.IOException;
import java.io.OutputStream;
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
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;
import org.apache.commons.io.FileUtils;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A KRaft Kafka cluster of separate JVM processes on loopback (three by default), each node both
 * broker and controller, for the cluster tests and for {@code creditstream kafka --brokers 3}.
 *
 * <p>Every topic is replicated to {@link #replicationFactor()} nodes (3 with three or more nodes),
 * the internal {@code __consumer_offsets} and {@code __transaction_state} included, with {@code
 * min.insync.replicas} {@link #minInsyncReplicas()} (2 with three or more nodes): one node may die
 * without losing a committed record and without stopping producers that use {@code acks=all}. With
 * three nodes the controller quorum (three voters) also survives one node.
 *
 * <p>Usage:
 *
 * <pre>{@code
 * try (KafkaCluster kafka = KafkaCluster.builder().build().start()) {
 *     kafka.createTopics(4, "agent.steps");          // RF 3, min ISR 2
 *     String servers = kafka.bootstrapServers();     // "127.0.0.1:p1,127.0.0.1:p2,127.0.0.1:p3"
 *     kafka.kill(2);                                 // SIGKILL node 2 (ids are 1..n)
 *     kafka.awaitFenced(2);                          // optional: the controller has noticed
 *     kafka.restart(2);                              // same ports, same data; returns when unfenced
 *     kafka.awaitFullyReplicated("agent.steps");     // optional: node 2 is back in every ISR
 * }
 * }</pre>
 *
 * <p>Each node runs {@link KafkaClusterNode} in {@code java -cp <this JVM's class path>}; a test's
 * class path (Surefire/Failsafe put it in {@code java.class.path}) and the launcher's shaded jar
 * both hold the broker. Why processes and not in-process brokers: a SIGKILL is the real failure (no
 * shutdown hook, no flushed buffers, sockets reset by the kernel), which an in-process broker
 * cannot imitate; the cost is a JVM start per node (~5-15 s for the cluster on two busy cores).
 * Ports are free ports on 127.0.0.1 picked once and kept for restarts (the static controller quorum
 * names them). Each node's output goes to {@code node-<id>/node.log} under {@link #dataDir()}.
 * Nodes halt when this JVM exits, even by SIGKILL (they watch their standard input).
 */
public final class KafkaCluster implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(KafkaCluster.class);

    private static final String HOST = "127.0.0.1";
    private static final String BROKER_LISTENER = "PLAINTEXT";
    private static final String CONTROLLER_LISTENER = "CONTROLLER";
    private static final String CLUSTER_ID_FILE = "cluster.id";
    private static final String READY_FILE = "ready";
    private static final String LOG_FILE = "node.log";
    private static final int LOG_TAIL_LINES = 40;

    private final int nodeCount;
    private final int firstPort;
    private final Path givenDataDir;
    private final Duration startupTimeout;
    private final List<String> jvmOptions;
    private final Map<String, String> overrides;

    private Path dataDir;
    private boolean ownsDataDir;
    private String clusterId;
    private int[] ports;
    private int[] controllerPorts;
    private Process[] processes;
    private Admin admin;
    private boolean started;
    private boolean closed;

    private KafkaCluster(Builder builder) {
        this.nodeCount = builder.nodes;
        this.firstPort = builder.firstPort;
        this.givenDataDir = builder.dataDir;
        this.startupTimeout = builder.startupTimeout;
        this.jvmOptions = List.copyOf(builder.jvmOptions);
        this.overrides = new LinkedHashMap<>(builder.overrides);
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * Starts every node and returns once an admin client sees all of them unfenced.
     *
     * @throws IllegalStateException when called twice or after close, when a node exits during the
     *     start (the message quotes its log), or when the cluster is not up within the startup
     *     timeout
     */
    public synchronized KafkaCluster start() {
        if (closed) {
            throw new IllegalStateException("This cluster was closed; build a new one to restart.");
        }
        if (started) {
            throw new IllegalStateException("Cluster already started at " + bootstrapServers());
        }
        long startNanos = System.nanoTime();
        long deadline = startNanos + startupTimeout.toNanos();
        try {
            prepareDataDir();
            pickPorts();
            processes = new Process[nodeCount];
            for (int id = 1; id <= nodeCount; id++) {
                writeNodeFiles(id);
                launch(id);
            }
            started = true;
            for (int id = 1; id <= nodeCount; id++) {
                awaitReady(id, deadline);
            }
            admin = Admin.create(adminConfig());
            awaitBrokersVisible(allIds(), deadline);
        } catch (RuntimeException | Error e) {
            stopAll(false);
            throw e;
        }
        LOG.info(
                "Kafka cluster of {} nodes up at {} (data in {}) after {} ms",
                nodeCount,
                bootstrapServers(),
                dataDir,
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos));
        return this;
    }

    /** The {@code bootstrap.servers} value for clients: every node, comma-separated. */
    public synchronized String bootstrapServers() {
        requireStarted();
        return Arrays.stream(ports).mapToObj(p -> HOST + ":" + p).collect(Collectors.joining(","));
    }

    /** The client port of node {@code nodeId} (1..n). */
    public synchronized int port(int nodeId) {
        requireStarted();
        return ports[index(nodeId)];
    }

    /** The number of nodes. */
    public int nodeCount() {
        return nodeCount;
    }

    /** The replication factor of every topic, internal ones included: min(3, nodes). */
    public int replicationFactor() {
        return Math.min(3, nodeCount);
    }

    /** {@code min.insync.replicas} of every topic: 2 when replicated three times, else 1. */
    public int minInsyncReplicas() {
        return replicationFactor() >= 3 ? 2 : 1;
    }

    /** The directory holding one {@code node-<id>} directory (config, data, log) per node. */
    public synchronized Path dataDir() {
        requireStarted();
        return dataDir;
    }

    /** The process id of a running node, e.g. for a test that signals it itself. */
    public synchronized long pid(int nodeId) {
        return requireRunning(nodeId).pid();
    }

    /** Whether node {@code nodeId}'s process is running. */
    public synchronized boolean isRunning(int nodeId) {
        requireStarted();
        Process process = processes[index(nodeId)];
        return process != null && process.isAlive();
    }

    /**
     * SIGKILLs node {@code nodeId} and waits until its process is gone. Its data stays for {@link
     * #restart}. The controller notices the loss only after the broker session times out ({@code
     * broker.session.timeout.ms}, 9 s by default); {@link #awaitFenced} waits for that.
     */
    public synchronized void kill(int nodeId) {
        Process process = requireRunning(nodeId);
        process.destroyForcibly();
        try {
            if (!process.waitFor(startupTimeout.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new IllegalStateException(
                        "Kafka node " + nodeId + " (pid " + process.pid() + ") survived SIGKILL");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while killing Kafka node " + nodeId, e);
        }
        processes[index(nodeId)] = null;
        LOG.info("Kafka node {} (port {}) killed", nodeId, ports[index(nodeId)]);
    }

    /**
     * Starts a killed node again on its old ports and data, and returns once it is up and unfenced
     * (its replicas may still be catching up: see {@link #awaitFullyReplicated}).
     */
    public synchronized void restart(int nodeId) {
        requireStarted();
        if (processes[index(nodeId)] != null && processes[index(nodeId)].isAlive()) {
            throw new IllegalStateException(
                    "Kafka node " + nodeId + " is still running; kill(" + nodeId + ") it first.");
        }
        long deadline = System.nanoTime() + startupTimeout.toNanos();
        launch(nodeId);
        awaitReady(nodeId, deadline);
        awaitBrokersVisible(Set.of(nodeId), deadline);
        LOG.info("Kafka node {} restarted on port {}", nodeId, ports[index(nodeId)]);
    }

    /**
     * Waits until the controller has fenced node {@code nodeId} (it no longer appears among the
     * cluster's brokers), i.e. its partitions have new leaders and it left every ISR.
     */
    public void awaitFenced(int nodeId) {
        index(nodeId);
        Admin client = requireAdmin();
        long deadline = System.nanoTime() + startupTimeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!visibleBrokers(client, deadline).contains(nodeId)) {
                return;
            }
            pause();
        }
        throw new IllegalStateException(
                "Kafka node " + nodeId + " was still registered after " + startupTimeout);
    }

    /**
     * Creates the topics with {@code partitions} partitions each, replication factor {@link
     * #replicationFactor()} and {@code min.insync.replicas} {@link #minInsyncReplicas()}, and waits
     * until every partition has a leader; topics that already exist are left as they are.
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
            topics.add(
                    new NewTopic(name, partitions, (short) replicationFactor())
                            .configs(
                                    Map.of(
                                            "min.insync.replicas",
                                            Integer.toString(minInsyncReplicas()))));
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
        awaitPartitions(
                client,
                List.of(names),
                deadline,
                p -> p.leader() != null && !p.leader().isEmpty(),
                "a leader");
    }

    /**
     * Waits until every partition of the topics has all its replicas in sync, e.g. after {@link
     * #restart} before killing another node.
     */
    public void awaitFullyReplicated(String... topics) {
        awaitPartitions(
                requireAdmin(),
                List.of(topics),
                System.nanoTime() + startupTimeout.toNanos(),
                p -> p.leader() != null && p.isr().size() == p.replicas().size(),
                "all replicas in sync");
    }

    /**
     * Stops every node and deletes the data directory when it was temporary. A temporary cluster is
     * SIGKILLed (its data is thrown away anyway, and a controlled shutdown of all nodes at once
     * waits on peers that are leaving); a cluster on a given directory gets SIGTERM (controlled
     * shutdown) and SIGKILL only if it has not stopped within the startup timeout.
     */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        stopAll(!ownsDataDir);
    }

    private void stopAll(boolean graceful) {
        if (admin != null) {
            admin.close(Duration.ofSeconds(5));
            admin = null;
        }
        if (processes != null) {
            for (Process process : processes) {
                if (process != null) {
                    if (graceful) {
                        process.destroy();
                    } else {
                        process.destroyForcibly();
                    }
                }
            }
            long deadline = System.nanoTime() + startupTimeout.toNanos();
            for (int i = 0; i < processes.length; i++) {
                Process process = processes[i];
                if (process == null) {
                    continue;
                }
                try {
                    if (!process.waitFor(remainingMillis(deadline), TimeUnit.MILLISECONDS)) {
                        LOG.warn("Kafka node {} did not stop in time; killing it", i + 1);
                        process.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    process.destroyForcibly();
                }
                processes[i] = null;
            }
            LOG.info("Kafka cluster at {} stopped", HOST + ":" + Arrays.toString(ports));
        }
        if (ownsDataDir && dataDir != null) {
            try {
                FileUtils.deleteDirectory(dataDir.toFile());
            } catch (IOException e) {
                LOG.warn("Could not delete the temporary Kafka directory {}", dataDir, e);
            }
            dataDir = null;
        }
    }

    private void prepareDataDir() {
        try {
            if (givenDataDir == null) {
                dataDir = Files.createTempDirectory("creditstream-kafka-cluster-");
                ownsDataDir = true;
            } else {
                dataDir = Files.createDirectories(givenDataDir.toAbsolutePath());
                ownsDataDir = false;
            }
            // One cluster id for all nodes, kept with the data so a restart on it matches the
            // formatted log directories.
            Path idFile = dataDir.resolve(CLUSTER_ID_FILE);
            if (Files.exists(idFile)) {
                clusterId = Files.readString(idFile, StandardCharsets.UTF_8).trim();
            } else {
                clusterId = Uuid.randomUuid().toString();
                Files.writeString(idFile, clusterId, StandardCharsets.UTF_8);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot prepare the Kafka data directory", e);
        }
    }

    private void pickPorts() {
        ports = new int[nodeCount];
        controllerPorts = new int[nodeCount];
        // Hold every socket until all are picked, so no two picks return the same port.
        List<ServerSocket> held = new ArrayList<>();
        try {
            for (int i = 0; i < nodeCount; i++) {
                ports[i] = firstPort == 0 ? hold(held, 0) : firstPort + i;
                controllerPorts[i] = hold(held, 0);
            }
        } finally {
            for (ServerSocket socket : held) {
                try {
                    socket.close();
                } catch (IOException e) {
                    // The port is released either way.
                }
            }
        }
    }

    private static int hold(List<ServerSocket> held, int port) {
        try {
            ServerSocket socket = new ServerSocket(port, 1, InetAddress.getByName(HOST));
            socket.setReuseAddress(true);
            held.add(socket);
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("No free port on " + HOST, e);
        }
    }

    private Path nodeDir(int nodeId) {
        return dataDir.resolve("node-" + nodeId);
    }

    private void writeNodeFiles(int nodeId) {
        Path dir = nodeDir(nodeId);
        try {
            Files.createDirectories(dir);
            try (OutputStream out = Files.newOutputStream(dir.resolve("server.properties"))) {
                serverConfig(nodeId)
                        .store(out, "Written by creditstream's KafkaCluster; rewritten on start");
            }
            Files.writeString(dir.resolve("log4j2.properties"), NODE_LOGGING);
        } catch (IOException e) {
            throw new UncheckedIOException(
                    "Cannot write the configuration of Kafka node in " + dir, e);
        }
    }

    private Properties serverConfig(int nodeId) {
        String rf = Integer.toString(replicationFactor());
        String minIsr = Integer.toString(minInsyncReplicas());
        List<String> voters = new ArrayList<>();
        for (int id = 1; id <= nodeCount; id++) {
            voters.add(id + "@" + HOST + ":" + controllerPorts[index(id)]);
        }
        String broker = BROKER_LISTENER + "://" + HOST + ":" + ports[index(nodeId)];
        String controller =
                CONTROLLER_LISTENER + "://" + HOST + ":" + controllerPorts[index(nodeId)];
        Properties p = new Properties();
        p.setProperty("process.roles", "broker,controller");
        p.setProperty("node.id", Integer.toString(nodeId));
        // A static voter set (kraft.version 0): every node is a voter, so the quorum survives the
        // loss of a minority; its ports are fixed for the cluster's life.
        p.setProperty("controller.quorum.voters", String.join(",", voters));
        p.setProperty("controller.listener.names", CONTROLLER_LISTENER);
        p.setProperty("listeners", broker + "," + controller);
        p.setProperty("advertised.listeners", broker);
        p.setProperty("inter.broker.listener.name", BROKER_LISTENER);
        p.setProperty(
                "listener.security.protocol.map",
                BROKER_LISTENER + ":PLAINTEXT," + CONTROLLER_LISTENER + ":PLAINTEXT");
        p.setProperty("log.dirs", nodeDir(nodeId).resolve("kraft-logs").toString());
        p.setProperty("offsets.topic.replication.factor", rf);
        p.setProperty("transaction.state.log.replication.factor", rf);
        p.setProperty("transaction.state.log.min.isr", minIsr);
        p.setProperty("share.coordinator.state.topic.replication.factor", rf);
        p.setProperty("share.coordinator.state.topic.min.isr", minIsr);
        p.setProperty("default.replication.factor", rf);
        p.setProperty("min.insync.replicas", minIsr);
        // A lost replica must never become leader: that is exactly the loss RF 3 is there to avoid.
        p.setProperty("unclean.leader.election.enable", "false");
        // Fewer internal partitions than the default 50 make the first group/transaction faster.
        p.setProperty("offsets.topic.num.partitions", "4");
        p.setProperty("transaction.state.log.num.partitions", "4");
        p.setProperty("group.initial.rebalance.delay.ms", "0");
        p.setProperty(
                "transaction.max.timeout.ms",
                Long.toString(EmbeddedKafkaBroker.TRANSACTION_MAX_TIMEOUT.toMillis()));
        p.setProperty("num.partitions", "1");
        p.setProperty("auto.create.topics.enable", "false");
        overrides.forEach(p::setProperty);
        return p;
    }

    /**
     * Node logging: INFO to standard output (redirected to {@code node.log}) without the config
     * dumps; enough to see elections, fencing and ISR changes after a failed test.
     */
    private static final String NODE_LOGGING =
            String.join(
                    "\n",
                    "status = warn",
                    "rootLogger.level = INFO",
                    "rootLogger.appenderRef.out.ref = Out",
                    "appender.out.name = Out",
                    "appender.out.type = Console",
                    "appender.out.layout.type = PatternLayout",
                    "appender.out.layout.pattern = %d{HH:mm:ss.SSS} %-5p %c{1} - %m%n",
                    "logger.config.name = org.apache.kafka.common.config.AbstractConfig",
                    "logger.config.level = WARN",
                    "logger.state.name = state.change.logger",
                    "logger.state.level = WARN",
                    "");

    private void launch(int nodeId) {
        Path dir = nodeDir(nodeId);
        Path ready = dir.resolve(READY_FILE);
        try {
            Files.deleteIfExists(ready);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot remove " + ready, e);
        }
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmOptions);
        command.add("-Dlog4j2.configurationFile=" + dir.resolve("log4j2.properties"));
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(KafkaClusterNode.class.getName());
        command.add(dir.resolve("server.properties").toString());
        command.add(clusterId);
        command.add(ready.toString());
        ProcessBuilder builder =
                new ProcessBuilder(command)
                        .directory(dir.toFile())
                        .redirectErrorStream(true)
                        .redirectOutput(
                                ProcessBuilder.Redirect.appendTo(dir.resolve(LOG_FILE).toFile()));
        // Standard input stays a pipe that this JVM never writes: the node halts when it closes.
        try {
            processes[index(nodeId)] = builder.start();
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot start Kafka node " + nodeId + ": " + command, e);
        }
    }

    private void awaitReady(int nodeId, long deadline) {
        Path ready = nodeDir(nodeId).resolve(READY_FILE);
        Process process = processes[index(nodeId)];
        while (System.nanoTime() < deadline) {
            if (Files.exists(ready)) {
                return;
            }
            if (!process.isAlive()) {
                throw new IllegalStateException(
                        "Kafka node "
                                + nodeId
                                + " exited with status "
                                + process.exitValue()
                                + " while starting; the end of its log ("
                                + nodeDir(nodeId).resolve(LOG_FILE)
                                + "):\n"
                                + logTail(nodeId));
            }
            pause();
        }
        throw new IllegalStateException(
                "Kafka node "
                        + nodeId
                        + " did not start within "
                        + startupTimeout
                        + "; the end of its log:\n"
                        + logTail(nodeId));
    }

    private void awaitBrokersVisible(Collection<Integer> ids, long deadline) {
        Admin client = admin;
        while (System.nanoTime() < deadline) {
            if (visibleBrokers(client, deadline).containsAll(ids)) {
                return;
            }
            pause();
        }
        throw new IllegalStateException(
                "Kafka nodes "
                        + ids
                        + " were not visible to an admin client within "
                        + startupTimeout);
    }

    private static Set<Integer> visibleBrokers(Admin client, long deadline) {
        try {
            Collection<Node> nodes =
                    client.describeCluster()
                            .nodes()
                            .get(
                                    Math.min(10_000, remainingMillis(deadline)),
                                    TimeUnit.MILLISECONDS);
            return nodes.stream().map(Node::id).collect(Collectors.toSet());
        } catch (ExecutionException | TimeoutException e) {
            return Set.of();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while describing the Kafka cluster", e);
        }
    }

    private void awaitPartitions(
            Admin client,
            List<String> names,
            long deadline,
            java.util.function.Predicate<TopicPartitionInfo> condition,
            String what) {
        Exception last = null;
        while (System.nanoTime() < deadline) {
            try {
                Map<String, TopicDescription> descriptions =
                        client.describeTopics(names)
                                .allTopicNames()
                                .get(
                                        Math.min(10_000, remainingMillis(deadline)),
                                        TimeUnit.MILLISECONDS);
                if (descriptions.values().stream()
                        .flatMap(d -> d.partitions().stream())
                        .allMatch(condition)) {
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
            pause();
        }
        throw new IllegalStateException(
                "Topics " + names + " did not have " + what + " within " + startupTimeout, last);
    }

    private String logTail(int nodeId) {
        try {
            List<String> lines = Files.readAllLines(nodeDir(nodeId).resolve(LOG_FILE));
            return String.join(
                    "\n", lines.subList(Math.max(0, lines.size() - LOG_TAIL_LINES), lines.size()));
        } catch (IOException | UncheckedIOException e) {
            return "(no log: " + e + ")";
        }
    }

    private Map<String, Object> adminConfig() {
        Map<String, Object> config = new LinkedHashMap<>();
        config.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
        config.put(AdminClientConfig.CLIENT_ID_CONFIG, "creditstream-kafka-cluster-admin");
        config.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000);
        config.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 10_000);
        config.put(AdminClientConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, 200);
        return config;
    }

    private Set<Integer> allIds() {
        Set<Integer> ids = new java.util.TreeSet<>();
        for (int id = 1; id <= nodeCount; id++) {
            ids.add(id);
        }
        return ids;
    }

    /** The polling interval of the waits above; each wait is bounded by the startup timeout. */
    private static void pause() {
        try {
            Thread.sleep(100);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while waiting for the Kafka cluster", e);
        }
    }

    private static long remainingMillis(long deadlineNanos) {
        return Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadlineNanos - System.nanoTime()));
    }

    private int index(int nodeId) {
        if (nodeId < 1 || nodeId > nodeCount) {
            throw new IllegalArgumentException(
                    "Kafka node ids are 1.." + nodeCount + ", got " + nodeId);
        }
        return nodeId - 1;
    }

    private Process requireRunning(int nodeId) {
        requireStarted();
        Process process = processes[index(nodeId)];
        if (process == null || !process.isAlive()) {
            throw new IllegalStateException(
                    "Kafka node " + nodeId + " is not running; restart(" + nodeId + ") it first.");
        }
        return process;
    }

    private synchronized Admin requireAdmin() {
        requireStarted();
        if (admin == null) {
            throw new IllegalStateException("The cluster is still starting.");
        }
        return admin;
    }

    private void requireStarted() {
        if (closed || !started) {
            throw new IllegalStateException(
                    closed ? "The Kafka cluster is closed." : "Call start() first.");
        }
    }

    /** Configures a {@link KafkaCluster}; every setting has a working default. */
    public static final class Builder {
        private int nodes = 3;
        private int firstPort;
        private Path dataDir;
        // Only a hang guard: three JVMs took up to 170 s to start on two cores at a load
        // average of 40 (other builds beside the tests); a healthy start takes 15-25 s.
        private Duration startupTimeout = Duration.ofMinutes(10);
        // Small heaps and the serial collector: three brokers share a small machine with the
        // build and the job; a test cluster holds megabytes. C1 only: on two cores the start is
        // dominated by JIT compilation, and C1 alone started the cluster 1.6-4x sooner (42-77 s
        // against 122-167 s at a load average of 23-45); the loads here need no C2 code.
        private final List<String> jvmOptions =
                new ArrayList<>(
                        List.of(
                                "-Xms64m",
                                "-Xmx512m",
                                "-XX:+UseSerialGC",
                                "-XX:TieredStopAtLevel=1"));
        private final Map<String, String> overrides = new LinkedHashMap<>();

        private Builder() {}

        /** The number of nodes (each broker and controller); 3 by default, at least 1. */
        public Builder nodes(int nodes) {
            if (nodes < 1 || nodes > 9) {
                throw new IllegalArgumentException("nodes must be 1..9, got " + nodes);
            }
            this.nodes = nodes;
            return this;
        }

        /**
         * The client port of node 1; nodes 2..n take the next ports. 0 (the default) picks free
         * ports on 127.0.0.1. Controller ports are always picked free.
         */
        public Builder firstPort(int firstPort) {
            if (firstPort < 0 || firstPort > 65_535 - 9) {
                throw new IllegalArgumentException(
                        "firstPort must be 0 (pick free ones) or 1-65526, got " + firstPort);
            }
            this.firstPort = firstPort;
            return this;
        }

        /**
         * A directory to keep the cluster's data in across restarts of the whole cluster; null (the
         * default) uses a temporary directory deleted on close.
         */
        public Builder dataDir(Path dataDir) {
            this.dataDir = dataDir;
            return this;
        }

        /** How long start, restart and the waits may take before they fail; 10 min by default. */
        public Builder startupTimeout(Duration startupTimeout) {
            if (startupTimeout == null || startupTimeout.isNegative() || startupTimeout.isZero()) {
                throw new IllegalArgumentException(
                        "startupTimeout must be positive, got " + startupTimeout);
            }
            this.startupTimeout = startupTimeout;
            return this;
        }

        /**
         * Replaces the nodes' JVM options (default {@code -Xms64m -Xmx512m -XX:+UseSerialGC
         * -XX:TieredStopAtLevel=1}); e.g. drop the last for a broker under sustained load.
         */
        public Builder jvmOptions(List<String> options) {
            jvmOptions.clear();
            jvmOptions.addAll(options);
            return this;
        }

        /** Sets or overrides one broker configuration property on every node. */
        public Builder brokerProperty(String key, String value) {
            if (key == null || key.isBlank() || value == null) {
                throw new IllegalArgumentException(
                        "Broker property needs a key and a value, got " + key + "=" + value);
            }
            overrides.put(key, value);
            return this;
        }

        public KafkaCluster build() {
            return new KafkaCluster(this);
        }
    }
}
