package io.creditstream.cluster.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.minicluster.MiniClusterConfiguration;
import org.junit.jupiter.api.Test;

/**
 * The reporter serves Flink's metrics in Flink's format, on loopback unless its {@code host} option
 * names another interface.
 */
class LoopbackPrometheusReporterTest {

    @Test
    void aMiniClustersMetricsAreServedOnLoopbackOnly() throws Exception {
        Configuration config = new Configuration();
        config.setString(
                "metrics.reporter.prom.factory.class",
                LoopbackPrometheusReporterFactory.class.getName());
        int first = freePort();
        // A range, as on a cluster: should the free port be taken meanwhile, the next one serves.
        config.setString("metrics.reporter.prom.port", first + "-" + (first + 20));
        config.setString("rest.bind-port", "0");
        MiniCluster cluster =
                new MiniCluster(
                        new MiniClusterConfiguration.Builder()
                                .setConfiguration(config)
                                .setNumTaskManagers(1)
                                .setNumSlotsPerTaskManager(1)
                                .build());
        cluster.start();
        try {
            int port = first;
            String text = scrape("127.0.0.1", port);
            while (text == null && port < first + 20) {
                text = scrape("127.0.0.1", ++port);
            }
            assertThat(text).as("a reporter in %d-%d", first, first + 20).isNotNull();
            // Flink's own names and labels, as the dashboard and alerts query them.
            assertThat(text).contains("flink_jobmanager_Status_JVM_Memory_Heap_Used");
            assertThat(text).contains("# TYPE flink_jobmanager_Status_JVM_Memory_Heap_Used gauge");

            Optional<InetAddress> external = nonLoopbackAddress();
            if (external.isPresent()) {
                assertRefused(external.get(), port);
            }
        } finally {
            cluster.close();
        }
    }

    @Test
    void byDefaultItListensOnLoopbackOnly() throws Exception {
        LoopbackPrometheusReporter reporter = started(Map.of());
        try {
            assertThat(reporter.address().getAddress().getHostAddress()).isEqualTo("127.0.0.1");
            assertThat(httpStatus("127.0.0.1", reporter.port())).isEqualTo(200);
            // On Linux all of 127/8 reaches this machine: a wildcard bind would answer here too.
            if (canBind("127.0.0.2")) {
                assertRefused(InetAddress.getByName("127.0.0.2"), reporter.port());
            }
            Optional<InetAddress> external = nonLoopbackAddress();
            if (external.isPresent()) {
                assertRefused(external.get(), reporter.port());
            }
        } finally {
            reporter.close();
        }
    }

    @Test
    void theHostOptionChoosesTheInterface() throws Exception {
        assumeTrue(canBind("127.0.0.2"), "127.0.0.2 is not an address of this machine");
        LoopbackPrometheusReporter reporter = started(Map.of("host", "127.0.0.2"));
        try {
            assertThat(reporter.address().getAddress().getHostAddress()).isEqualTo("127.0.0.2");
            assertThat(httpStatus("127.0.0.2", reporter.port())).isEqualTo(200);
            assertRefused(InetAddress.getByName("127.0.0.1"), reporter.port());
        } finally {
            reporter.close();
        }
    }

    @Test
    void everyInterfaceOnlyWhenAskedFor() throws Exception {
        LoopbackPrometheusReporter reporter = started(Map.of("host", "0.0.0.0"));
        try {
            assertThat(reporter.address().getAddress().isAnyLocalAddress()).isTrue();
            assertThat(httpStatus("127.0.0.1", reporter.port())).isEqualTo(200);
        } finally {
            reporter.close();
        }
    }

    @Test
    void badSettingsNameTheKey() {
        LoopbackPrometheusReporterFactory factory = new LoopbackPrometheusReporterFactory();
        assertThatThrownBy(
                        () -> factory.createMetricReporter(props("host", "no-such-host.invalid")))
                .hasMessageContaining("metrics.reporter.prom.host")
                .hasMessageContaining("does not resolve");
        // TEST-NET-1 (RFC 5737): an address no interface of a test machine has.
        assertThatThrownBy(() -> factory.createMetricReporter(props("host", "192.0.2.1")))
                .hasMessageContaining("metrics.reporter.prom.host")
                .hasMessageContaining("belongs to none of its interfaces");
        assertThatThrownBy(() -> factory.createMetricReporter(props("host", " ")))
                .hasMessageContaining("metrics.reporter.prom.host")
                .hasMessageContaining("is empty");
        assertThatThrownBy(() -> factory.createMetricReporter(props("port", "nine")))
                .hasMessageContaining("metrics.reporter.prom.port");
    }

    private static LoopbackPrometheusReporter started(Map<String, String> settings) {
        Properties properties = new Properties();
        // Port 0: the system picks a free one, and the reporter reports which.
        properties.setProperty("port", "0");
        properties.putAll(settings);
        return new LoopbackPrometheusReporterFactory().createMetricReporter(properties);
    }

    private static Properties props(String key, String value) {
        Properties properties = new Properties();
        properties.setProperty(key, value);
        return properties;
    }

    private static boolean canBind(String host) {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName(host))) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static void assertRefused(InetAddress address, int port) {
        assertThatThrownBy(
                        () -> {
                            try (Socket socket = new Socket()) {
                                socket.connect(new InetSocketAddress(address, port), 5_000);
                            }
                        })
                .as("a connection to %s:%d", address.getHostAddress(), port)
                .isInstanceOf(IOException.class);
    }

    private static int httpStatus(String host, int port) throws IOException {
        HttpURLConnection connection =
                (HttpURLConnection)
                        new URL("http://" + host + ":" + port + "/metrics").openConnection();
        connection.setConnectTimeout(10_000);
        connection.setReadTimeout(60_000);
        try {
            return connection.getResponseCode();
        } finally {
            connection.disconnect();
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    /** The page on {@code port}, or null when nothing serves Flink's metrics there. */
    private static String scrape(String host, int port) {
        try {
            HttpURLConnection connection =
                    (HttpURLConnection)
                            new URL("http://" + host + ":" + port + "/metrics").openConnection();
            connection.setConnectTimeout(10_000);
            connection.setReadTimeout(60_000);
            if (connection.getResponseCode() != 200) {
                return null;
            }
            try (InputStream in = connection.getInputStream()) {
                String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
                return text.contains("flink_jobmanager") ? text : null;
            }
        } catch (IOException e) {
            return null;
        }
    }

    private static Optional<InetAddress> nonLoopbackAddress() throws IOException {
        for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
            if (!nic.isUp() || nic.isLoopback()) {
                continue;
            }
            for (InetAddress address : Collections.list(nic.getInetAddresses())) {
                if (address instanceof Inet4Address) {
                    return Optional.of(address);
                }
            }
        }
        return Optional.empty();
    }
}
