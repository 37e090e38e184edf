package io.creditstream.policy.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.creditstream.schemas.preflight.ExitCode;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The learner, the fleet and the study as a new user gets them wrong: exit status and the first
 * line of stderr. Real files (an unwritable place is a path below a regular file, which holds for
 * root too) and a loopback port nobody listens on; no mocks.
 */
class PolicyCliExitStatusTest {
    @TempDir Path dir;

    @Test
    void learnerAgainstAPortNobodyListensOnFailsWithinItsConnectTimeout() throws Exception {
        String servers = "127.0.0.1:" + closedPort();
        long started = System.nanoTime();

        Result result =
                run(
                        "learner",
                        "--bootstrap-servers",
                        servers,
                        "--kafka-connect-timeout",
                        "1s",
                        "--store",
                        dir.resolve("store").toString());

        assertThat(result.code()).as(result.err()).isEqualTo(ExitCode.KAFKA.code());
        assertThat(result.errLines())
                .containsExactly(
                        "error: no Kafka broker answered at "
                                + servers
                                + " (--bootstrap-servers) within 1 s",
                        "Likely: nothing listens there (is the broker up?), the host or port is"
                                + " wrong, or the broker expects TLS/SASL settings this client"
                                + " lacks. For a broker that is still starting, wait longer:"
                                + " --kafka-connect-timeout 60s.");
        // --kafka-timeout (30 s) is for calls once connected; the connect check gave up after 1 s.
        assertThat(Duration.ofNanos(System.nanoTime() - started))
                .isLessThan(Duration.ofSeconds(25));
    }

    @Test
    void fleetAgainstAPortNobodyListensOnFailsTheSameWay() throws Exception {
        String servers = "127.0.0.1:" + closedPort();

        Result result =
                run("fleet", "--bootstrap-servers", servers, "--kafka-connect-timeout", "1s");

        assertThat(result.code()).as(result.err()).isEqualTo(ExitCode.KAFKA.code());
        assertThat(result.firstErr())
                .isEqualTo(
                        "error: no Kafka broker answered at "
                                + servers
                                + " (--bootstrap-servers) within 1 s");
    }

    @Test
    void aHostThatDoesNotResolveIsNamed() {
        Result learner =
                run(
                        "learner",
                        "--bootstrap-servers",
                        "broker.invalid:9092",
                        "--store",
                        dir.resolve("store").toString());
        Result fleet = run("fleet", "--bootstrap-servers", "broker.invalid:9092");

        for (Result result : List.of(learner, fleet)) {
            assertThat(result.code()).as(result.err()).isEqualTo(ExitCode.KAFKA.code());
            assertThat(result.firstErr())
                    .isEqualTo(
                            "error: no host of --bootstrap-servers 'broker.invalid:9092' resolves"
                                    + " to an address");
        }
    }

    @Test
    void anAddressThatIsNotHostAndPortOrANonPositiveConnectTimeoutIsAUsageError() {
        Result noPort = run("fleet", "--bootstrap-servers", "localhost");
        assertThat(noPort.code()).as(noPort.err()).isEqualTo(ExitCode.USAGE.code());
        assertThat(noPort.firstErr())
                .startsWith("error: --bootstrap-servers 'localhost' is not a list of host:port");

        Result zero =
                run("fleet", "--bootstrap-servers", "localhost:1", "--kafka-connect-timeout", "0s");
        assertThat(zero.code()).as(zero.err()).isEqualTo(ExitCode.USAGE.code());
        assertThat(zero.firstErr())
                .isEqualTo("error: --kafka-connect-timeout must be positive, e.g. 10s; got 0 s");
    }

    @Test
    void learnerRefusesAStoreItCannotWriteBeforeTryingKafka() throws Exception {
        Path file = Files.writeString(dir.resolve("weights"), "a file\n");

        Result result =
                run(
                        "learner",
                        "--bootstrap-servers",
                        "127.0.0.1:1",
                        "--store",
                        file.resolve("store").toString());

        assertThat(result.code()).as(result.err()).isEqualTo(ExitCode.FILES.code());
        assertThat(result.firstErr())
                .isEqualTo(
                        "error: cannot write to --store "
                                + file.resolve("store")
                                + ": "
                                + file
                                + " is a file, not a directory");
    }

    @Test
    void learnerRefusesACheckpointItCannotWrite() throws Exception {
        Path file = Files.writeString(dir.resolve("ckpt"), "a file\n");

        Result belowAFile =
                run(
                        "learner",
                        "--bootstrap-servers",
                        "127.0.0.1:1",
                        "--store",
                        dir.resolve("store").toString(),
                        "--checkpoint",
                        file.resolve("learner.ckpt").toString());

        assertThat(belowAFile.code()).as(belowAFile.err()).isEqualTo(ExitCode.FILES.code());
        assertThat(belowAFile.firstErr())
                .isEqualTo(
                        "error: cannot write --checkpoint "
                                + file.resolve("learner.ckpt")
                                + ": "
                                + file
                                + " is a file, not a directory");

        Result aDirectory =
                run(
                        "learner",
                        "--bootstrap-servers",
                        "127.0.0.1:1",
                        "--store",
                        dir.resolve("store").toString(),
                        "--checkpoint",
                        dir.toString());

        assertThat(aDirectory.code()).as(aDirectory.err()).isEqualTo(ExitCode.FILES.code());
        assertThat(aDirectory.firstErr())
                .isEqualTo(
                        "error: cannot write --checkpoint "
                                + dir
                                + ": it is a directory; name a file");
    }

    @Test
    void studyRefusesACurveFileItCannotWriteBeforePlaying() throws Exception {
        Path file = Files.writeString(dir.resolve("curves"), "a file\n");

        Result result =
                run("study", "--episodes", "100000", "--csv", file.resolve("curve.csv").toString());

        assertThat(result.code()).as(result.err()).isEqualTo(ExitCode.FILES.code());
        assertThat(result.firstErr())
                .isEqualTo(
                        "error: cannot write --csv "
                                + file.resolve("curve.csv")
                                + ": "
                                + file
                                + " is a file, not a directory");
        assertThat(result.out()).isEmpty();
    }

    @Test
    void studyPlotOfACurveWithoutPointsHasNothingToPlot() throws Exception {
        Path empty = Files.writeString(dir.resolve("empty.csv"), "");
        Path header =
                Files.writeString(
                        dir.resolve("header.csv"),
                        "label,episodes,success_rate,mean_episode_length,mean_abs_advantage,"
                                + "updates,wall_s\n");

        for (Path csv : List.of(empty, header)) {
            Result result =
                    run("study", "plot", csv.toString(), "--png", dir.resolve("p.png").toString());

            assertThat(result.code()).as(result.err()).isEqualTo(ExitCode.NO_INPUT.code());
            assertThat(result.firstErr())
                    .isEqualTo(
                            "error: "
                                    + csv
                                    + " holds no curve points (empty, or a header alone): nothing"
                                    + " to plot; write curves with study --csv");
            assertThat(dir.resolve("p.png")).doesNotExist();
        }

        Result missing = run("study", "plot", dir.resolve("none.csv").toString());
        assertThat(missing.code()).as(missing.err()).isEqualTo(ExitCode.USAGE.code());
        assertThat(missing.firstErr())
                .isEqualTo(
                        "error: CSV "
                                + dir.resolve("none.csv")
                                + " does not exist or is not a file");
    }

    private record Result(int code, String out, String err) {
        List<String> errLines() {
            return err.lines().toList();
        }

        String firstErr() {
            return err.lines().findFirst().orElse("");
        }
    }

    private static Result run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = PolicyCli.execute(new PrintWriter(out, true), new PrintWriter(err, true), args);
        return new Result(code, out.toString(), err.toString());
    }

    /** A loopback port that was free a moment ago and has no listener now. */
    private static int closedPort() throws IOException {
        try (ServerSocket socket = new ServerSocket()) {
            socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            return socket.getLocalPort();
        }
    }
}
