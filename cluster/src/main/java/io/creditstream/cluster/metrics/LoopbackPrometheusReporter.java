package io.creditstream.cluster.metrics;

import com.sun.net.httpserver.HttpServer;
import io.prometheus.client.CollectorRegistry;
import io.prometheus.client.exporter.HTTPServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.Field;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Iterator;
import org.apache.flink.metrics.prometheus.AbstractPrometheusReporter;
import org.apache.flink.util.PortRange;

/**
 * Flink's Prometheus reporter (same metric names, labels and text format), serving on one chosen
 * interface instead of all of them. Flink's own {@code PrometheusReporter} binds the wildcard
 * address and has no setting for it, so it would publish the job's metrics to every network the
 * machine is on.
 *
 * <p>Configured through {@link LoopbackPrometheusReporterFactory}: {@code host} (default 127.0.0.1)
 * and {@code port} (a port or range, as Flink's reporter takes it).
 */
public final class LoopbackPrometheusReporter extends AbstractPrometheusReporter {

    private final HTTPServer server;
    private final InetSocketAddress address;

    LoopbackPrometheusReporter(InetAddress host, PortRange ports) {
        CollectorRegistry registry = registryOf(this);
        Iterator<Integer> candidates = ports.getPortsIterator();
        HTTPServer started = null;
        InetSocketAddress bound = null;
        IOException last = null;
        while (started == null && candidates.hasNext()) {
            int candidate = candidates.next();
            HttpServer http = null;
            try {
                http = HttpServer.create(new InetSocketAddress(host, candidate), 3);
                started = new HTTPServer(http, registry, true);
                bound = http.getAddress();
            } catch (IOException e) {
                // In use: try the next port of the range, as Flink's reporter does.
                if (http != null) {
                    http.stop(0);
                }
                last = e;
            }
        }
        if (started == null) {
            throw new UncheckedIOException(
                    "the Prometheus reporter could not listen on "
                            + host.getHostAddress()
                            + " at any port of "
                            + ports
                            + "; free a port or give metrics.reporter.<name>.port another range",
                    last == null ? new IOException("empty port range") : last);
        }
        this.server = started;
        this.address = bound;
        log.info(
                "Started the Prometheus reporter on {}:{}.",
                address.getAddress().getHostAddress(),
                address.getPort());
    }

    /** The port the reporter serves on. */
    public int port() {
        return address.getPort();
    }

    /** The socket address the reporter listens on, as bound. */
    public InetSocketAddress address() {
        return address;
    }

    @Override
    public void close() {
        server.stop();
        super.close();
    }

    /**
     * The registry the base class fills: it has no accessor, and a reporter that exported a
     * registry of its own would see none of Flink's metrics. The reporter test scrapes a real
     * cluster's metrics through this class, so a Flink upgrade that renames the field fails there.
     */
    private static CollectorRegistry registryOf(AbstractPrometheusReporter reporter) {
        try {
            Field field = AbstractPrometheusReporter.class.getDeclaredField("registry");
            field.setAccessible(true);
            return (CollectorRegistry) field.get(reporter);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(
                    "this Flink version's AbstractPrometheusReporter has no 'registry' field;"
                            + " use org.apache.flink.metrics.prometheus.PrometheusReporterFactory",
                    e);
        }
    }
}
