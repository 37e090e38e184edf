package io.creditstream.policy.metrics;

import io.prometheus.metrics.exporter.httpserver.HTTPServer;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;

/** A process's Prometheus endpoint: {@code http://<address>:<port>/metrics}. */
public final class MetricsServer implements AutoCloseable {
    private final HTTPServer server;
    private final String url;

    private MetricsServer(HTTPServer server, String host) {
        this.server = server;
        this.url = "http://" + host + ":" + server.getPort() + "/metrics";
    }

    /**
     * Serves {@code registry} on {@code address}:{@code port}; port 0 picks a free one.
     *
     * @throws UncheckedIOException when the port cannot be bound, with the address in the message
     */
    public static MetricsServer start(String address, int port, PrometheusRegistry registry) {
        if (port < 0 || port > 65_535) {
            throw new IllegalArgumentException(
                    "--metrics-port must be 0 (a free port) or a port number, but was " + port);
        }
        try {
            InetAddress inet = InetAddress.getByName(address);
            HTTPServer server =
                    HTTPServer.builder()
                            .inetAddress(inet)
                            .port(port)
                            .registry(registry)
                            .buildAndStart();
            String host = inet.getHostAddress();
            return new MetricsServer(server, host.contains(":") ? "[" + host + "]" : host);
        } catch (IOException e) {
            throw new UncheckedIOException(
                    "cannot serve metrics on " + address + ":" + port + ": " + e.getMessage(), e);
        }
    }

    /** Where the metrics are, e.g. {@code http://127.0.0.1:9400/metrics}. */
    public String url() {
        return url;
    }

    public int port() {
        return server.getPort();
    }

    @Override
    public void close() {
        server.close();
    }
}
