package io.creditstream.schemas.preflight;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The failures that need no broker: a port nobody listens on, an address that is not host:port, a
 * host that does not resolve. Against a live broker: the streams module's JobPreflightTest.
 */
class KafkaPreflightTest {
    private static final Duration SHORT = Duration.ofSeconds(1);

    @Test
    void aPortNobodyListensOnFailsWithinTheConnectTimeoutNamingAddressSettingAndCauses()
            throws Exception {
        String servers = "127.0.0.1:" + closedPort();
        long started = System.nanoTime();

        PreflightException failure =
                failure(
                        KafkaPreflight.of(
                                servers,
                                "kafka.bootstrap-servers",
                                SHORT,
                                "kafka.connect-timeout"));

        assertThat(failure.exitCode()).isEqualTo(ExitCode.KAFKA);
        List<String> lines = failure.getMessage().lines().toList();
        assertThat(lines).hasSize(2);
        assertThat(lines.get(0))
                .isEqualTo(
                        "no Kafka broker answered at "
                                + servers
                                + " (kafka.bootstrap-servers) within 1 s");
        assertThat(lines.get(1))
                .contains("nothing listens there", "port", "TLS/SASL")
                .endsWith("wait longer: -Dkafka.connect-timeout=60s.");
        // Kafka's own default would be a minute; the check gives up after its 1 s, plus a JVM
        // on a busy machine.
        assertThat(Duration.ofNanos(System.nanoTime() - started))
                .isLessThan(Duration.ofSeconds(30));
    }

    @Test
    void aFlagIsNamedAsAFlag() throws Exception {
        PreflightException failure =
                failure(
                        KafkaPreflight.of(
                                "127.0.0.1:" + closedPort(),
                                "--bootstrap-servers",
                                Duration.ofMillis(500),
                                "--kafka-connect-timeout"));

        assertThat(failure.getMessage())
                .contains("(--bootstrap-servers) within 500 ms")
                .endsWith("wait longer: --kafka-connect-timeout 60s.");
    }

    @Test
    void anAddressThatIsNotHostAndPortIsAUsageError() {
        PreflightException failure =
                failure(
                        KafkaPreflight.of(
                                "localhost",
                                "kafka.bootstrap-servers",
                                SHORT,
                                "kafka.connect-timeout"));

        assertThat(failure.exitCode()).isEqualTo(ExitCode.USAGE);
        assertThat(failure.getMessage())
                .startsWith("kafka.bootstrap-servers 'localhost' is not a list of host:port");
    }

    @Test
    void aHostThatDoesNotResolveIsNamed() {
        // .invalid never resolves (RFC 2606).
        PreflightException failure =
                failure(
                        KafkaPreflight.of(
                                "broker.invalid:9092",
                                "--bootstrap-servers",
                                SHORT,
                                "--kafka-connect-timeout"));

        assertThat(failure.exitCode()).isEqualTo(ExitCode.KAFKA);
        assertThat(failure.getMessage().lines().findFirst().orElseThrow())
                .isEqualTo(
                        "no host of --bootstrap-servers 'broker.invalid:9092' resolves to an"
                                + " address");
    }

    @Test
    void anUnsetAddressOrANonPositiveTimeoutIsAUsageError() {
        assertThatThrownBy(() -> KafkaPreflight.of(" ", "--bootstrap-servers", SHORT, "--t"))
                .isInstanceOfSatisfying(
                        PreflightException.class,
                        e -> assertThat(e.exitCode()).isEqualTo(ExitCode.USAGE))
                .hasMessageStartingWith("--bootstrap-servers is not set");
        assertThatThrownBy(
                        () ->
                                KafkaPreflight.of(
                                        "localhost:9092",
                                        "kafka.bootstrap-servers",
                                        Duration.ZERO,
                                        "kafka.connect-timeout"))
                .isInstanceOfSatisfying(
                        PreflightException.class,
                        e -> assertThat(e.exitCode()).isEqualTo(ExitCode.USAGE))
                .hasMessageStartingWith("kafka.connect-timeout must be positive");
    }

    private static PreflightException failure(KafkaPreflight check) {
        try {
            check.checkReachable();
        } catch (PreflightException e) {
            return e;
        }
        throw new AssertionError("expected the check to fail");
    }

    /** A loopback port that was free a moment ago and has no listener now. */
    static int closedPort() throws IOException {
        try (ServerSocket socket = new ServerSocket()) {
            socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            return socket.getLocalPort();
        }
    }
}
