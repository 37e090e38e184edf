package io.creditstream.tools.cli;

import io.creditstream.broker.EmbeddedKafkaBroker;
import io.creditstream.broker.KafkaCluster;
import io.creditstream.schemas.contract.PolicyProcess;
import io.creditstream.schemas.preflight.ExitCode;
import io.creditstream.schemas.preflight.FilePreflight;
import io.creditstream.schemas.preflight.PreflightException;
import java.io.IOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code creditstream kafka}: a single-node KRaft broker for local development, or with {@code
 * --brokers 3} a replicated cluster of broker processes (replication factor 3, min ISR 2) for
 * trying the cluster path.
 */
@Command(
        name = "kafka",
        mixinStandardHelpOptions = true,
        description = {
            "Run a single-node Kafka broker (KRaft, in this process) until Ctrl-C, for local"
                    + " development with `run`. Not for production.",
            "With --brokers 3: three broker processes (each also a KRaft controller) on ports"
                    + " --port, --port+1, --port+2; every topic is replicated 3 times with"
                    + " min.insync.replicas 2, so one broker may die without losing data.",
            "A taken --port exits with status 3, an unwritable --dir with status 5.",
            "",
            "Example: creditstream kafka --port 9092 --dir /tmp/creditstream-kafka",
            "         creditstream kafka --brokers 3 --port 9092 --dir /tmp/creditstream-kafka3"
        })
public class KafkaCommand implements Callable<Integer> {
    @Option(
            names = "--port",
            defaultValue = "9092",
            description =
                    "Client listener port on 127.0.0.1; 0 picks a free one (default: ${DEFAULT-VALUE}).")
    int port;

    @Option(
            names = "--dir",
            paramLabel = "DIR",
            description =
                    "Data directory, kept across restarts (default: a temporary directory deleted"
                            + " on exit).")
    Path dir;

    @Option(
            names = "--brokers",
            defaultValue = "1",
            description =
                    "Number of brokers: 1 runs one in this process; 2-9 run separate broker"
                            + " processes with replication factor min(3, brokers) (default:"
                            + " ${DEFAULT-VALUE}).")
    int brokers;

    @Override
    public Integer call() throws Exception {
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("--port must be 0..65535, got " + port);
        }
        if (brokers < 1 || brokers > 9) {
            throw new IllegalArgumentException("--brokers must be 1..9, got " + brokers);
        }
        if (port != 0) {
            for (int i = 0; i < brokers; i++) {
                requireFreePort(port + i);
            }
        }
        if (brokers > 1) {
            return runCluster();
        }
        EmbeddedKafkaBroker.Builder builder = EmbeddedKafkaBroker.builder().port(port);
        if (dir != null) {
            builder.dataDir(FilePreflight.writableDirectory(dir, "--dir"));
        }
        EmbeddedKafkaBroker broker = builder.build().start();
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime()
                .addShutdownHook(
                        new Thread(
                                () -> {
                                    broker.close();
                                    stopped.countDown();
                                },
                                "kafka-shutdown"));
        System.out.println(
                "Kafka broker ready: -Dkafka.bootstrap-servers="
                        + broker.bootstrapServers()
                        // One broker holds one replica; the job's, the learner's and the
                        // fleet's default is 3.
                        + " -Dkafka.topic-replication-factor=1 (learner and fleet: "
                        + PolicyProcess.TOPIC_REPLICATION_FACTOR
                        + " 1; data in "
                        + broker.dataDir()
                        + "; Ctrl-C stops)");
        stopped.await();
        return 0;
    }

    private int runCluster() throws Exception {
        KafkaCluster.Builder builder = KafkaCluster.builder().nodes(brokers).firstPort(port);
        if (dir != null) {
            builder.dataDir(FilePreflight.writableDirectory(dir, "--dir"));
        }
        KafkaCluster cluster = builder.build().start();
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime()
                .addShutdownHook(
                        new Thread(
                                () -> {
                                    cluster.close();
                                    stopped.countDown();
                                },
                                "kafka-cluster-shutdown"));
        System.out.println(
                "Kafka cluster of "
                        + brokers
                        + " brokers ready (replication factor "
                        + cluster.replicationFactor()
                        + ", min.insync.replicas "
                        + cluster.minInsyncReplicas()
                        + "): -Dkafka.bootstrap-servers="
                        + cluster.bootstrapServers()
                        + " -Dkafka.topic-replication-factor="
                        + cluster.replicationFactor()
                        + " (data and broker logs in "
                        + cluster.dataDir()
                        + "; Ctrl-C stops)");
        stopped.await();
        return 0;
    }

    /** A broker on a taken port fails deep in its start-up; this says why, first. */
    private static void requireFreePort(int port) throws IOException {
        try (ServerSocket socket = new ServerSocket()) {
            socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
        } catch (BindException e) {
            throw new PreflightException(
                    ExitCode.IN_USE,
                    "port "
                            + port
                            + " on 127.0.0.1 is in use (another broker?); choose another --port,"
                            + " or --port 0 for a free one");
        }
    }
}
