package io.creditstream.streams.metrics;

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
 * address and has no setting for it, so on a laptop it would publish the job's metrics to the whole
 * network while the demo prints a loopback address.
 *
 * <p>Configured through {@link LoopbackPrometheusReporterFactory}: {@code host} (default 127.0.0.1)
 * and {@code port} (a port or range, as Flink's reporter takes it).
 */
public final class LoopbackPrometheusReporter extends AbstractPrometheusReporter {

    private final HTTPServer server;
    private final int port;

    LoopbackPrometheusReporter(InetAddress host, PortRange ports) {
        CollectorRegistry registry = registryOf(this);
        Iterator<Integer> candidates = ports.getPortsIterator();
        HTTPServer started = null;
        int bound = -1;
        IOException last = null;
        while (started == null && candidates.hasNext()) {
            int candidate = candidates.next();
            try {
                started = new HTTPServer(new InetSocketAddress(host, candidate), registry, true);
                bound = started.getPort();
            } catch (IOException e) {
                // In use: try the next port of the range, as Flink's reporter does.
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
        this.port = bound;
        log.info("Started the Prometheus reporter on {}:{}.", host.getHostAddress(), port);
    }

    /** The port the reporter serves on. */
    public int port() {
        return port;
    }

    @Override
    public void close() {
        server.stop();
        super.close();
    }

    /**
     * The registry the base class fills: it has no accessor, and a reporter that exported a
     * registry of its own would see none of Flink's metrics. The reporter test scrapes a real job's
     * metrics through this class, so a Flink upgrade that renames the field fails there.
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
