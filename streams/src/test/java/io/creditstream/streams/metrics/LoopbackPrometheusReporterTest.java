package io.creditstream.streams.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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
import java.util.Optional;
import java.util.Properties;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.minicluster.MiniClusterConfiguration;
import org.junit.jupiter.api.Test;

/** The loopback reporter serves Flink's metrics in Flink's format, on loopback only. */
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

            int servingPort = port;
            Optional<InetAddress> external = nonLoopbackAddress();
            if (external.isPresent()) {
                // Refused there: nothing listens on the machine's other interfaces.
                assertThatThrownBy(
                                () -> {
                                    try (Socket socket = new Socket()) {
                                        socket.connect(
                                                new InetSocketAddress(external.get(), servingPort),
                                                5_000);
                                    }
                                })
                        .isInstanceOf(IOException.class);
            }
        } finally {
            cluster.close();
        }
    }

    @Test
    void badSettingsNameTheKey() {
        Properties host = new Properties();
        host.setProperty("host", "no-such-host.invalid");
        assertThatThrownBy(() -> new LoopbackPrometheusReporterFactory().createMetricReporter(host))
                .hasMessageContaining("metrics.reporter.<name>.host");
        Properties port = new Properties();
        port.setProperty("port", "nine");
        assertThatThrownBy(() -> new LoopbackPrometheusReporterFactory().createMetricReporter(port))
                .hasMessageContaining("metrics.reporter.<name>.port");
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
