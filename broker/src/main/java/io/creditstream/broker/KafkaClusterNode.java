package io.creditstream.broker;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Properties;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import kafka.tools.StorageTool;
import org.apache.kafka.common.utils.Time;

/**
 * One node (broker and controller) of a {@link KafkaCluster}, run as its own JVM so that a test can
 * SIGKILL it. Not for direct use: {@link KafkaCluster} writes the configuration and starts it.
 *
 * <p>Arguments: {@code <server.properties> <cluster id> <ready file>}. The node formats its log
 * directory when it has no {@code meta.properties} yet (all nodes of a cluster share the cluster
 * id), starts, and once {@link KafkaRaftServer#startup()} has returned (the broker has caught up
 * with the metadata and is unfenced) writes its process id to the ready file, which the parent
 * waits for. It stops on SIGTERM (controlled shutdown) and halts at once when its standard input
 * closes, i.e. when the parent process is gone, so a killed test run leaves no broker behind.
 */
public final class KafkaClusterNode {
    /** Exit status when the arguments or the storage are wrong (the log says which). */
    static final int EXIT_BAD_SETUP = 2;

    /** Exit status when the parent process went away. */
    static final int EXIT_ORPHANED = 3;

    private KafkaClusterNode() {}

    public static void main(String[] args) throws Exception {
        if (args.length != 3) {
            System.err.println(
                    "usage: KafkaClusterNode <server.properties> <cluster id> <ready file>"
                            + " (started by io.creditstream.broker.KafkaCluster)");
            System.exit(EXIT_BAD_SETUP);
        }
        Path configFile = Path.of(args[0]);
        String clusterId = args[1];
        Path readyFile = Path.of(args[2]);
        watchParent();

        Properties config = new Properties();
        try (Reader in = Files.newBufferedReader(configFile, StandardCharsets.UTF_8)) {
            config.load(in);
        }
        formatIfNeeded(configFile, Path.of(config.getProperty("log.dirs")), clusterId);

        // doLog=false: the broker would otherwise print its ~300 config values at INFO.
        KafkaRaftServer server = new KafkaRaftServer(new KafkaConfig(config, false), Time.SYSTEM);
        Runtime.getRuntime()
                .addShutdownHook(
                        new Thread(
                                () -> {
                                    server.shutdown();
                                    server.awaitShutdown();
                                },
                                "kafka-node-shutdown"));
        server.startup();
        Path partial = readyFile.resolveSibling(readyFile.getFileName() + ".partial");
        Files.writeString(partial, Long.toString(ProcessHandle.current().pid()));
        // Atomic, so the parent never reads a half-written file.
        Files.move(partial, readyFile, StandardCopyOption.ATOMIC_MOVE);
        System.out.println("creditstream Kafka node " + config.getProperty("node.id") + " started");
        server.awaitShutdown();
    }

    private static void formatIfNeeded(Path configFile, Path logDir, String clusterId) {
        if (Files.exists(logDir.resolve("meta.properties"))) {
            return;
        }
        ByteArrayOutputStream output = new ByteArrayOutputStream();
        int exit;
        try (PrintStream print = new PrintStream(output, true, StandardCharsets.UTF_8)) {
            exit =
                    StorageTool.execute(
                            new String[] {"format", "-t", clusterId, "-c", configFile.toString()},
                            print);
        }
        String printed = output.toString(StandardCharsets.UTF_8).trim();
        System.out.println(printed);
        if (exit != 0) {
            System.err.println("Formatting " + logDir + " failed (" + exit + "): " + printed);
            System.exit(EXIT_BAD_SETUP);
        }
    }

    /**
     * The parent holds the write end of this process's standard input and never writes to it; the
     * read returns end-of-file only when the parent has exited (or was killed). Halting then skips
     * the controlled shutdown, which could wait on peers that are going away at the same time.
     */
    private static void watchParent() {
        Thread watcher =
                new Thread(
                        () -> {
                            try (InputStream in = System.in) {
                                while (in.read() >= 0) {
                                    // Nothing is ever sent; ignore stray bytes.
                                }
                            } catch (IOException e) {
                                // A broken pipe means the same as end-of-file.
                            }
                            System.err.println("Parent process gone; halting this Kafka node.");
                            Runtime.getRuntime().halt(EXIT_ORPHANED);
                        },
                        "kafka-node-parent-watch");
        watcher.setDaemon(true);
        watcher.start();
    }
}
