package io.creditstream.cluster;

import io.creditstream.cluster.metrics.LoopbackPrometheusReporterFactory;
import java.io.IOException;
import java.io.InputStream;
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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.flink.api.common.JobID;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.GlobalConfiguration;
import org.apache.flink.runtime.clusterframework.TaskExecutorProcessSpec;
import org.apache.flink.runtime.clusterframework.TaskExecutorProcessUtils;
import org.apache.flink.runtime.jobmanager.JobManagerProcessSpec;
import org.apache.flink.runtime.jobmanager.JobManagerProcessUtils;
import org.apache.flink.runtime.util.config.memory.ProcessMemoryUtils;

/**
 * A standalone Flink session cluster on this machine, each process its own JVM as Flink's {@code
 * start-cluster.sh} starts them: one JobManager ({@code StandaloneSessionClusterEntrypoint}) and
 * TaskManagers ({@code TaskManagerRunner}), on a class path of Flink jars only (the cluster
 * module's {@code target/flink-lib}), so a job runs from its uploaded jar as on a real cluster.
 *
 * <p>Everything lives under one home directory: {@code conf/config.yaml}, {@code log/}, the
 * checkpoint and savepoint directories all processes share, and {@code cluster.properties} with the
 * ports and process ids, from which {@link #attach} finds a cluster another process started. Every
 * port is picked free and bound to loopback.
 */
public final class LocalFlinkCluster implements AutoCloseable {
    public static final String JOB_MANAGER = "jobmanager";
    public static final String STATE_FILE = "cluster.properties";

    private static final String JM_MAIN =
            "org.apache.flink.runtime.entrypoint.StandaloneSessionClusterEntrypoint";
    private static final String TM_MAIN = "org.apache.flink.runtime.taskexecutor.TaskManagerRunner";

    /** Flink's JDK 17 openings (its default config.yaml's env.java.opts.all). */
    private static final List<String> JVM_OPENINGS =
            List.of(
                    "--add-exports=java.base/sun.net.util=ALL-UNNAMED",
                    "--add-exports=java.rmi/sun.rmi.registry=ALL-UNNAMED",
                    "--add-exports=java.security.jgss/sun.security.krb5=ALL-UNNAMED",
                    "--add-opens=java.base/java.lang=ALL-UNNAMED",
                    "--add-opens=java.base/java.net=ALL-UNNAMED",
                    "--add-opens=java.base/java.io=ALL-UNNAMED",
                    "--add-opens=java.base/java.nio=ALL-UNNAMED",
                    "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
                    "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED",
                    "--add-opens=java.base/java.text=ALL-UNNAMED",
                    "--add-opens=java.base/java.time=ALL-UNNAMED",
                    "--add-opens=java.base/java.util=ALL-UNNAMED",
                    "--add-opens=java.base/java.util.concurrent=ALL-UNNAMED",
                    "--add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED",
                    "--add-opens=java.base/java.util.concurrent.locks=ALL-UNNAMED");

    /** How a cluster is laid out before it starts. */
    public record Spec(
            Path home,
            Path flinkLib,
            int taskManagers,
            int slotsPerTaskManager,
            Map<String, String> extraConfig,
            boolean exitWithThisJvm) {
        public Spec {
            if (taskManagers < 1) {
                throw new IllegalArgumentException(
                        "task managers must be at least 1, got " + taskManagers);
            }
            if (slotsPerTaskManager < 1) {
                throw new IllegalArgumentException(
                        "slots per task manager must be at least 1, got " + slotsPerTaskManager);
            }
            extraConfig = Map.copyOf(extraConfig);
        }

        /**
         * Two TaskManagers of two slots whose processes end with this JVM (see {@link
         * ExitWithParent}): what tests want.
         */
        public static Spec of(Path home, Path flinkLib) {
            return new Spec(home, flinkLib, 2, 2, Map.of(), true);
        }

        public Spec withTaskManagers(int count, int slots) {
            return new Spec(home, flinkLib, count, slots, extraConfig, exitWithThisJvm);
        }

        public Spec withConfig(Map<String, String> config) {
            return new Spec(
                    home, flinkLib, taskManagers, slotsPerTaskManager, config, exitWithThisJvm);
        }

        /** Processes that keep running after this JVM exits, as {@code cluster start} wants. */
        public Spec outlivingThisJvm() {
            return new Spec(home, flinkLib, taskManagers, slotsPerTaskManager, extraConfig, false);
        }
    }

    /**
     * One process of the cluster: its name, process id, Prometheus port and log file. Found by
     * process id, so another JVM (the launcher's {@code cluster stop}) can end it too.
     */
    public record Member(String name, long pid, int prometheusPort, Path log) {
        public boolean isAlive() {
            return process().map(ProcessHandle::isAlive).orElse(false);
        }

        /** The running process; empty once it has exited. */
        public Optional<ProcessHandle> process() {
            return ProcessHandle.of(pid);
        }
    }

    private final Path home;
    private final Path flinkLib;
    private final int restPort;
    private final int rpcPort;
    private final int blobPort;
    private final Map<String, Member> members = new LinkedHashMap<>();

    /**
     * The processes this JVM started with {@link ExitWithParent}: kept so that their standard input
     * (a pipe from here) stays open until this JVM is gone.
     */
    private final Map<String, Process> boundProcesses = new LinkedHashMap<>();

    private boolean exitWithThisJvm;
    private int nextTaskManager = 1;

    private LocalFlinkCluster(Path home, Path flinkLib, int restPort, int rpcPort, int blobPort) {
        this.home = home.toAbsolutePath();
        this.flinkLib = flinkLib.toAbsolutePath();
        this.restPort = restPort;
        this.rpcPort = rpcPort;
        this.blobPort = blobPort;
    }

    /**
     * Writes the configuration and starts the JobManager and the TaskManagers; returns once the
     * REST API answers with every TaskManager registered.
     */
    public static LocalFlinkCluster start(Spec spec, Duration timeout) throws Exception {
        requireFlinkLib(spec.flinkLib());
        Path home = spec.home().toAbsolutePath();
        if (Files.exists(home.resolve(STATE_FILE))) {
            throw new IllegalStateException(
                    "a cluster is already recorded in "
                            + home.resolve(STATE_FILE)
                            + "; stop it first, or choose another directory");
        }
        LocalFlinkCluster cluster =
                new LocalFlinkCluster(home, spec.flinkLib(), freePort(), freePort(), freePort());
        cluster.exitWithThisJvm = spec.exitWithThisJvm();
        cluster.writeConfiguration(spec);
        try {
            cluster.startJobManager();
            for (int i = 0; i < spec.taskManagers(); i++) {
                cluster.startTaskManager();
            }
            try (ClusterRest rest = cluster.rest()) {
                rest.awaitTaskManagers(spec.taskManagers(), cluster, timeout);
            }
        } catch (Exception e) {
            cluster.close();
            throw e;
        }
        return cluster;
    }

    /** The cluster recorded in {@code home}, if its state file is there. */
    public static Optional<LocalFlinkCluster> attach(Path home) throws IOException {
        Path stateFile = home.resolve(STATE_FILE);
        if (!Files.isRegularFile(stateFile)) {
            return Optional.empty();
        }
        Properties state = new Properties();
        try (InputStream in = Files.newInputStream(stateFile)) {
            state.load(in);
        }
        LocalFlinkCluster cluster =
                new LocalFlinkCluster(
                        home,
                        Path.of(state.getProperty("flink.lib")),
                        Integer.parseInt(state.getProperty("rest.port")),
                        Integer.parseInt(state.getProperty("rpc.port")),
                        Integer.parseInt(state.getProperty("blob.port")));
        cluster.nextTaskManager = Integer.parseInt(state.getProperty("next.taskmanager", "1"));
        for (String name : state.getProperty("members", "").split(",")) {
            if (name.isBlank()) {
                continue;
            }
            cluster.members.put(
                    name,
                    new Member(
                            name,
                            Long.parseLong(state.getProperty(name + ".pid")),
                            Integer.parseInt(state.getProperty(name + ".prometheus.port")),
                            cluster.logDirectory().resolve(name + ".log")));
        }
        return Optional.of(cluster);
    }

    public Path home() {
        return home;
    }

    public String restUrl() {
        return "http://127.0.0.1:" + restPort;
    }

    public int restPort() {
        return restPort;
    }

    public Path checkpointDirectory() {
        return home.resolve("checkpoints");
    }

    public Path savepointDirectory() {
        return home.resolve("savepoints");
    }

    public Path logDirectory() {
        return home.resolve("log");
    }

    public List<Member> members() {
        return List.copyOf(members.values());
    }

    public Member member(String name) {
        Member member = members.get(name);
        if (member == null) {
            throw new IllegalArgumentException(
                    "no cluster process named '" + name + "'; there are " + members.keySet());
        }
        return member;
    }

    public List<Member> taskManagers() {
        return members.values().stream().filter(m -> !m.name().equals(JOB_MANAGER)).toList();
    }

    /** A REST client of this cluster; the caller closes it. */
    public ClusterRest rest() {
        return new ClusterRest(restUrl(), restPort);
    }

    /** Starts the JobManager (again, after {@link #kill}: on the same ports, with no HA). */
    public Member startJobManager() throws IOException {
        Configuration config = loadConfiguration();
        JobManagerProcessSpec memory = JobManagerProcessUtils.processSpecFromConfig(config);
        List<String> jvm = split(JobManagerProcessUtils.generateJvmParametersStr(memory, config));
        List<String> dynamic = split(JobManagerProcessUtils.generateDynamicConfigsStr(memory));
        return launch(JOB_MANAGER, JM_MAIN, jvm, dynamic);
    }

    /** Starts one more TaskManager, named {@code taskmanager-N}. */
    public Member startTaskManager() throws IOException {
        Configuration config = loadConfiguration();
        TaskExecutorProcessSpec memory = TaskExecutorProcessUtils.processSpecFromConfig(config);
        List<String> jvm = split(ProcessMemoryUtils.generateJvmParametersStr(memory));
        List<String> dynamic = split(TaskExecutorProcessUtils.generateDynamicConfigsStr(memory));
        String name = "taskmanager-" + nextTaskManager++;
        List<String> withId = new ArrayList<>(dynamic);
        // The TaskManager's id in the REST API and the logs is its name here.
        withId.addAll(List.of("-D", "taskmanager.resource-id=" + name));
        return launch(name, TM_MAIN, jvm, withId);
    }

    /**
     * Submits a job jar as {@code flink run -d -p parallelism [-s savepoint] jar args…} does, from
     * a client JVM with Flink alone on its class path ({@link FlinkRun} says why); returns the job
     * id once the JobManager has accepted the job.
     *
     * @param savepoint a savepoint or retained checkpoint to start from; {@code null} for none
     */
    public JobID submit(Path jar, List<String> args, int parallelism, String savepoint)
            throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(JVM_OPENINGS);
        command.add("-Dlog4j.configurationFile=" + confDirectory().resolve("log4j.properties"));
        command.add("-Dlog.file=" + logDirectory().resolve("client.log"));
        command.add("-cp");
        command.add(clientClassPath());
        command.add(FlinkRun.class.getName());
        command.addAll(List.of("--rest-port", Integer.toString(restPort)));
        command.addAll(List.of("-p", Integer.toString(parallelism)));
        if (savepoint != null) {
            command.addAll(List.of("-s", savepoint));
        }
        command.add(jar.toAbsolutePath().toString());
        command.addAll(args);
        Process client = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(client.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        int exit = client.waitFor();
        Optional<String> submitted =
                output.lines()
                        .filter(l -> l.startsWith(FlinkRun.SUBMITTED))
                        .map(l -> l.substring(FlinkRun.SUBMITTED.length()).trim())
                        .findFirst();
        if (exit != 0 || submitted.isEmpty()) {
            throw new IllegalStateException(
                    "submitting " + jar + " failed (exit status " + exit + "):\n" + output);
        }
        return JobID.fromHexString(submitted.get());
    }

    /**
     * Flink's jars and this module's classes: its own directory or jar, or, when it runs from the
     * launcher's shaded jar (which holds the job's dependencies too), the module's {@code
     * target/classes} beside {@code flink-lib}.
     */
    private String clientClassPath() {
        Path own;
        try {
            own =
                    Path.of(
                            FlinkRun.class
                                    .getProtectionDomain()
                                    .getCodeSource()
                                    .getLocation()
                                    .toURI());
        } catch (java.net.URISyntaxException e) {
            throw new IllegalStateException("cannot locate the cluster module's classes", e);
        }
        String name = own.getFileName().toString();
        if (!Files.isDirectory(own) && !name.startsWith("creditstream-cluster")) {
            own = flinkLib.resolveSibling("classes");
        }
        return own + java.io.File.pathSeparator + flinkLib.resolve("*");
    }

    /** SIGKILL, as a crashed machine or the OOM killer ends a process; returns once it is gone. */
    public void kill(String name, Duration timeout) {
        Member member = member(name);
        member.process().ifPresent(ProcessHandle::destroyForcibly);
        awaitExit(member, timeout);
    }

    /** Stops every process: SIGTERM, then SIGKILL for any still there after the grace period. */
    @Override
    public void close() {
        for (Member member : members.values()) {
            member.process().ifPresent(ProcessHandle::destroy);
        }
        for (Member member : members.values()) {
            try {
                awaitExit(member, Duration.ofSeconds(30));
            } catch (IllegalStateException e) {
                member.process().ifPresent(ProcessHandle::destroyForcibly);
                awaitExit(member, Duration.ofSeconds(30));
            }
        }
        try {
            Files.deleteIfExists(home.resolve(STATE_FILE));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete " + home.resolve(STATE_FILE), e);
        }
    }

    /** One line per process: name, pid, alive or exited, Prometheus port, log. */
    public String describe() {
        StringBuilder out = new StringBuilder();
        out.append("REST ").append(restUrl()).append('\n');
        for (Member m : members.values()) {
            out.append(
                    String.format(
                            "%-16s pid %-8d %-7s prometheus :%d  %s%n",
                            m.name(),
                            m.pid(),
                            m.isAlive() ? "running" : "exited",
                            m.prometheusPort(),
                            m.log()));
        }
        out.append("checkpoints ").append(checkpointDirectory()).append('\n');
        out.append("savepoints  ").append(savepointDirectory());
        return out.toString();
    }

    private static void awaitExit(Member member, Duration timeout) {
        Optional<ProcessHandle> process = member.process();
        if (process.isEmpty()) {
            return;
        }
        try {
            process.get().onExit().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted waiting for " + member.name(), e);
        } catch (Exception e) {
            throw new IllegalStateException(
                    member.name() + " (pid " + member.pid() + ") did not exit in " + timeout, e);
        }
    }

    private Member launch(String name, String mainClass, List<String> jvm, List<String> dynamic)
            throws IOException {
        Files.createDirectories(logDirectory());
        int prometheusPort = freePort();
        Path log = logDirectory().resolve(name + ".log");
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvm);
        command.addAll(JVM_OPENINGS);
        command.add("-Dlog.file=" + log);
        command.add("-Dlog4j.configurationFile=" + confDirectory().resolve("log4j.properties"));
        command.add("-cp");
        if (exitWithThisJvm) {
            command.add(clientClassPath());
            command.add(ExitWithParent.class.getName());
        } else {
            command.add(flinkLib.resolve("*").toString());
        }
        command.add(mainClass);
        command.add("--configDir");
        command.add(confDirectory().toString());
        command.addAll(dynamic);
        command.addAll(List.of("-D", "metrics.reporter.prom.port=" + prometheusPort));
        ProcessBuilder builder = new ProcessBuilder(command);
        // Everything (RocksDB, the reporter) is on the class path; an empty plugins directory
        // keeps Flink from looking for ./plugins.
        builder.environment().put("FLINK_PLUGINS_DIR", home.resolve("plugins").toString());
        Process process =
                builder.directory(home.toFile())
                        .redirectErrorStream(true)
                        .redirectOutput(logDirectory().resolve(name + ".out").toFile())
                        .start();
        if (exitWithThisJvm) {
            boundProcesses.put(name, process);
        } else {
            process.getOutputStream().close();
        }
        Member member = new Member(name, process.pid(), prometheusPort, log);
        members.put(name, member);
        writeState();
        return member;
    }

    private void writeConfiguration(Spec spec) throws IOException {
        Files.createDirectories(confDirectory());
        Files.createDirectories(checkpointDirectory());
        Files.createDirectories(savepointDirectory());
        Files.createDirectories(home.resolve("tmp"));
        Files.createDirectories(home.resolve("plugins"));
        Map<String, String> config = new LinkedHashMap<>();
        // Loopback only: the RPC and blob servers bind to the bind-hosts, REST to its address.
        config.put("jobmanager.rpc.address", "localhost");
        config.put("jobmanager.rpc.port", Integer.toString(rpcPort));
        config.put("jobmanager.bind-host", "localhost");
        config.put("blob.server.port", Integer.toString(blobPort));
        config.put("rest.address", "127.0.0.1");
        config.put("rest.bind-address", "127.0.0.1");
        config.put("rest.port", Integer.toString(restPort));
        config.put("taskmanager.host", "localhost");
        config.put("taskmanager.bind-host", "localhost");
        // 0: each TaskManager takes a free port and tells the JobManager which.
        config.put("taskmanager.rpc.port", "0");
        config.put("taskmanager.data.port", "0");
        // Six times the RPC actor system's default startup timeout (10 s): a TaskManager
        // restarted on a machine busy with builds once missed it and died before registering.
        config.put("pekko.startup-timeout", "60 s");
        config.put("taskmanager.numberOfTaskSlots", Integer.toString(spec.slotsPerTaskManager()));
        config.put("parallelism.default", "2");
        // Small enough for a laptop beside Kafka; RocksDB gets the managed memory.
        config.put("jobmanager.memory.process.size", "1024m");
        config.put("taskmanager.memory.process.size", "1536m");
        config.put("state.backend.type", "rocksdb");
        config.put("execution.checkpointing.incremental", "true");
        config.put("execution.checkpointing.interval", "10 s");
        config.put("execution.checkpointing.dir", checkpointDirectory().toUri().toString());
        config.put(
                "execution.checkpointing.savepoint-dir", savepointDirectory().toUri().toString());
        config.put(
                "execution.checkpointing.externalized-checkpoint-retention",
                "RETAIN_ON_CANCELLATION");
        config.put("restart-strategy.type", "fixed-delay");
        config.put("restart-strategy.fixed-delay.attempts", "1000");
        config.put("restart-strategy.fixed-delay.delay", "1 s");
        // A killed TaskManager refuses the heartbeat RPC at once; two refusals mark it lost, so
        // recovery does not wait for the timeout, which stays generous for a busy machine.
        config.put("heartbeat.interval", "2 s");
        config.put("heartbeat.timeout", "30 s");
        // Flink's own reporter binds every interface; ours (in flink-lib) takes a host.
        config.put(
                "metrics.reporter.prom.factory.class",
                LoopbackPrometheusReporterFactory.class.getName());
        config.put("metrics.reporter.prom.host", "127.0.0.1");
        config.put("io.tmp.dirs", home.resolve("tmp").toString());
        // RocksDB writes a LOG per state instance, by default beside Flink's logs.
        config.put("state.backend.rocksdb.log.dir", home.resolve("tmp").toString());
        config.put("web.tmpdir", home.resolve("tmp").toString());
        config.putAll(spec.extraConfig());
        StringBuilder yaml = new StringBuilder("# Written by LocalFlinkCluster.\n");
        config.forEach((k, v) -> yaml.append(k).append(": ").append(yamlQuoted(v)).append('\n'));
        Files.writeString(confDirectory().resolve("config.yaml"), yaml);
        Files.writeString(
                confDirectory().resolve("log4j.properties"),
                String.join(
                        "\n",
                        "rootLogger.level = INFO",
                        "rootLogger.appenderRef.file.ref = MainAppender",
                        "appender.main.name = MainAppender",
                        "appender.main.type = File",
                        "appender.main.append = true",
                        "appender.main.fileName = ${sys:log.file}",
                        "appender.main.layout.type = PatternLayout",
                        "appender.main.layout.pattern = %d{HH:mm:ss,SSS} %-5p %-60c %x - %m%n",
                        // A restored job aborting its previous transactions is expected.
                        "logger.fenced.name = org.apache.kafka.clients.producer.internals",
                        "logger.fenced.level = WARN",
                        ""));
    }

    private static String yamlQuoted(String value) {
        return "'" + value.replace("'", "''") + "'";
    }

    private Configuration loadConfiguration() {
        return GlobalConfiguration.loadConfiguration(confDirectory().toString());
    }

    private Path confDirectory() {
        return home.resolve("conf");
    }

    private void writeState() throws IOException {
        Properties state = new Properties();
        state.setProperty("flink.lib", flinkLib.toString());
        state.setProperty("rest.port", Integer.toString(restPort));
        state.setProperty("rpc.port", Integer.toString(rpcPort));
        state.setProperty("blob.port", Integer.toString(blobPort));
        state.setProperty("next.taskmanager", Integer.toString(nextTaskManager));
        state.setProperty("members", String.join(",", members.keySet()));
        for (Member m : members.values()) {
            state.setProperty(m.name() + ".pid", Long.toString(m.pid()));
            state.setProperty(m.name() + ".prometheus.port", Integer.toString(m.prometheusPort()));
        }
        Files.createDirectories(home);
        try (OutputStream out = Files.newOutputStream(home.resolve(STATE_FILE))) {
            state.store(out, "local Flink cluster: ports and process ids");
        }
    }

    private static void requireFlinkLib(Path flinkLib) throws IOException {
        boolean hasRuntime;
        try (Stream<Path> jars =
                Files.isDirectory(flinkLib) ? Files.list(flinkLib) : Stream.empty()) {
            hasRuntime = jars.anyMatch(p -> p.getFileName().toString().startsWith("flink-runtime"));
        }
        if (!hasRuntime) {
            throw new IllegalArgumentException(
                    "no Flink jars in "
                            + flinkLib
                            + "; build them with `mvn -B -DskipTests -pl cluster -am package`"
                            + " (they are copied to cluster/target/flink-lib)");
        }
    }

    /** A port nobody listens on now, on loopback. */
    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    private static List<String> split(String arguments) {
        return Arrays.stream(arguments.trim().split("\\s+")).filter(s -> !s.isEmpty()).toList();
    }

    /** The last lines of a member's log and console output, for a failure message. */
    public String tail(String name, int lines) {
        StringBuilder out = new StringBuilder();
        for (String suffix : List.of(".out", ".log")) {
            Path file = logDirectory().resolve(name + suffix);
            if (!Files.isRegularFile(file)) {
                continue;
            }
            try {
                List<String> all = Files.readAllLines(file, StandardCharsets.UTF_8);
                out.append("--- ").append(file).append('\n');
                all.subList(Math.max(0, all.size() - lines), all.size())
                        .forEach(l -> out.append(l).append('\n'));
            } catch (IOException | UncheckedIOException e) {
                out.append("--- ").append(file).append(": ").append(e).append('\n');
            }
        }
        return out.toString();
    }
}
