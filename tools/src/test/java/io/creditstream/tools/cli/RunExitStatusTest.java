package io.creditstream.tools.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.creditstream.broker.EmbeddedKafkaBroker;
import io.creditstream.schemas.preflight.ExitCode;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code run} and {@code kafka} as a new user gets them wrong: exit status and first line of
 * stderr, from real processes against a real broker (or a port nobody listens on). Every run that
 * would start the job is stopped at its start-up line.
 */
class RunExitStatusTest {
    private static EmbeddedKafkaBroker broker;

    @TempDir Path dir;

    @BeforeAll
    static void startBroker() {
        broker = EmbeddedKafkaBroker.builder().build().start();
    }

    @AfterAll
    static void stopBroker() {
        broker.close();
    }

    @Test
    void runAgainstAPortNobodyListensOnFailsWithinTheConnectTimeout() throws Exception {
        String servers = "127.0.0.1:" + closedPort();
        long started = System.nanoTime();

        CliProcess.Result result =
                run("-Dkafka.bootstrap-servers=" + servers, "-Dkafka.connect-timeout=1s");

        assertThat(result.status()).as("%s", result).isEqualTo(ExitCode.KAFKA.code());
        assertThat(result.firstError())
                .isEqualTo(
                        "error: no Kafka broker answered at "
                                + servers
                                + " (kafka.bootstrap-servers) within 1 s");
        assertThat(result.stderr()).hasSize(2);
        assertThat(result.stderr().get(1))
                .contains("nothing listens there", "host or port", "TLS/SASL")
                .endsWith("-Dkafka.connect-timeout=60s.");
        // Kafka's own timeouts would take a minute; a JVM start on a busy machine is the rest.
        assertThat(Duration.ofNanos(System.nanoTime() - started))
                .isLessThan(Duration.ofSeconds(60));
    }

    @Test
    void runAgainstAHostThatDoesNotResolveNamesIt() throws Exception {
        CliProcess.Result result = run("-Dkafka.bootstrap-servers=broker.invalid:9092");

        assertThat(result.status()).as("%s", result).isEqualTo(ExitCode.KAFKA.code());
        assertThat(result.firstError())
                .isEqualTo(
                        "error: no host of kafka.bootstrap-servers 'broker.invalid:9092' resolves"
                                + " to an address");
    }

    @Test
    void runWithAnAddressThatIsNotHostAndPortIsAUsageError() throws Exception {
        CliProcess.Result result = run("-Dkafka.bootstrap-servers=localhost");

        assertThat(result.status()).as("%s", result).isEqualTo(ExitCode.USAGE.code());
        assertThat(result.firstError())
                .startsWith(
                        "error: kafka.bootstrap-servers 'localhost' is not a list of host:port");
    }

    @Test
    void runWithoutAnAddressIsAUsageError() throws Exception {
        CliProcess.Result result = run();

        assertThat(result.status()).as("%s", result).isEqualTo(ExitCode.USAGE.code());
        assertThat(result.firstError()).startsWith("error: kafka.bootstrap-servers is not set");
    }

    @Test
    void runWithTopicCreationOffNamesTheMissingTopics() throws Exception {
        String prefix = prefix();
        broker.createTopics(1, prefix + "steps");

        CliProcess.Result result =
                run(
                        withTopics(
                                prefix,
                                "-Dkafka.bootstrap-servers=" + broker.bootstrapServers(),
                                "-Dkafka.create-topics=false"));

        assertThat(result.status()).as("%s", result).isEqualTo(ExitCode.KAFKA.code());
        assertThat(result.firstError())
                .isEqualTo(
                        "error: topics "
                                + String.join(
                                        ", ",
                                        prefix + "batches",
                                        prefix + "dlq",
                                        prefix + "snapshots",
                                        prefix + "requests",
                                        prefix + "budget")
                                + " do not exist on "
                                + broker.bootstrapServers()
                                + " and kafka.create-topics is false");
    }

    @Test
    void runRefusesACheckpointDirectoryItCannotWrite() throws Exception {
        Path file = Files.writeString(dir.resolve("state"), "a file\n");

        CliProcess.Result result =
                CliProcess.run(
                        dir,
                        "run",
                        "--checkpoint-dir",
                        file.resolve("checkpoints").toString(),
                        "-Dkafka.bootstrap-servers=" + broker.bootstrapServers());

        assertThat(result.status()).as("%s", result).isEqualTo(ExitCode.FILES.code());
        assertThat(result.firstError())
                .isEqualTo(
                        "error: cannot write to --checkpoint-dir "
                                + file.resolve("checkpoints")
                                + ": "
                                + file
                                + " is a file, not a directory");

        CliProcess.Result byOption =
                CliProcess.run(
                        dir,
                        "run",
                        "-Dexecution.checkpointing.dir=file://" + file.resolve("checkpoints"),
                        "-Dkafka.bootstrap-servers=" + broker.bootstrapServers());

        assertThat(byOption.status()).as("%s", byOption).isEqualTo(ExitCode.FILES.code());
        assertThat(byOption.firstError())
                .startsWith("error: cannot write to execution.checkpointing.dir ");
    }

    @Test
    void runOnAStepTopicWithFewerPartitionsThanReadersStartsWithANote() throws Exception {
        String prefix = prefix();
        broker.createTopics(1, prefix + "steps");

        try (CliProcess cli =
                CliProcess.start(
                        dir,
                        withTopics(
                                prefix,
                                "run",
                                "--checkpoint-dir",
                                dir.resolve("checkpoints").toString(),
                                "-Dkafka.bootstrap-servers=" + broker.bootstrapServers(),
                                "-Dkafka.topic-replication-factor=1",
                                "-Dkafka.transactional-id-prefix=" + prefix,
                                "-Dkafka.group-id=" + prefix,
                                "-Dparallelism.default=2"))) {
            List<String> stderr = cli.awaitStderr(line -> line.startsWith("creditstream: reading"));

            assertThat(stderr.get(0))
                    .isEqualTo(
                            "note: "
                                    + prefix
                                    + "steps has 1 partition and the job reads it with"
                                    + " parallelism 2, so 1 reader idles. The output is the same"
                                    + " (the job uses no event time); give the topic 2 partitions"
                                    + " to read it in parallel.");
        }
    }

    @Test
    void kafkaOnAPortInUseSaysSo() throws Exception {
        try (ServerSocket taken = new ServerSocket()) {
            taken.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));

            CliProcess.Result result =
                    CliProcess.run(dir, "kafka", "--port", String.valueOf(taken.getLocalPort()));

            assertThat(result.status()).as("%s", result).isEqualTo(ExitCode.IN_USE.code());
            assertThat(result.firstError())
                    .isEqualTo(
                            "error: port "
                                    + taken.getLocalPort()
                                    + " on 127.0.0.1 is in use (another broker?); choose another"
                                    + " --port, or --port 0 for a free one");
        }
    }

    @Test
    void kafkaRefusesADataDirectoryItCannotWrite() throws Exception {
        Path file = Files.writeString(dir.resolve("data"), "a file\n");

        CliProcess.Result result =
                CliProcess.run(
                        dir, "kafka", "--port", "0", "--dir", file.resolve("kafka").toString());

        assertThat(result.status()).as("%s", result).isEqualTo(ExitCode.FILES.code());
        assertThat(result.firstError())
                .isEqualTo(
                        "error: cannot write to --dir "
                                + file.resolve("kafka")
                                + ": "
                                + file
                                + " is a file, not a directory");
    }

    /** {@code run} with its own checkpoint directory and {@code options}. */
    private CliProcess.Result run(String... options) throws Exception {
        List<String> args = new ArrayList<>(List.of("run", "--checkpoint-dir"));
        args.add(dir.resolve("checkpoints").toString());
        args.addAll(List.of(options));
        return CliProcess.run(dir, args.toArray(String[]::new));
    }

    private static String[] withTopics(String prefix, String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        for (String topic : List.of("steps", "batches", "dlq", "snapshots", "requests", "budget")) {
            all.add("-Dtopic." + topic + "=" + prefix + topic);
        }
        return all.toArray(String[]::new);
    }

    private static String prefix() {
        return "t" + UUID.randomUUID().toString().substring(0, 8) + ".";
    }

    /** A loopback port that was free a moment ago and has no listener now. */
    private static int closedPort() throws IOException {
        try (ServerSocket socket = new ServerSocket()) {
            socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            return socket.getLocalPort();
        }
    }
}
