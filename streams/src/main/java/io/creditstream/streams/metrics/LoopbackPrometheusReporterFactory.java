package io.creditstream.streams.metrics;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Properties;
import org.apache.flink.metrics.reporter.MetricReporterFactory;
import org.apache.flink.util.PortRange;

/**
 * Creates a {@link LoopbackPrometheusReporter}:
 *
 * <pre>
 * metrics.reporter.prom.factory.class: io.creditstream.streams.metrics.LoopbackPrometheusReporterFactory
 * metrics.reporter.prom.host: 127.0.0.1     # the default; a cluster's scraper needs a reachable one
 * metrics.reporter.prom.port: 9249-9259
 * </pre>
 */
public final class LoopbackPrometheusReporterFactory implements MetricReporterFactory {

    /** The interface to serve on. */
    public static final String ARG_HOST = "host";

    public static final String ARG_PORT = "port";
    public static final String DEFAULT_HOST = "127.0.0.1";

    /** Flink's reporter's default port. */
    public static final String DEFAULT_PORT = "9249";

    @Override
    public LoopbackPrometheusReporter createMetricReporter(Properties properties) {
        String host = properties.getProperty(ARG_HOST, DEFAULT_HOST).trim();
        String ports = properties.getProperty(ARG_PORT, DEFAULT_PORT).trim();
        InetAddress address;
        try {
            address = InetAddress.getByName(host);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(
                    "metrics.reporter.<name>."
                            + ARG_HOST
                            + " must be an address of this machine, such as "
                            + DEFAULT_HOST
                            + ", but '"
                            + host
                            + "' does not resolve",
                    e);
        }
        PortRange range;
        try {
            range = new PortRange(ports);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(
                    "metrics.reporter.<name>."
                            + ARG_PORT
                            + " must be a port or a range such as 9249-9259, but was '"
                            + ports
                            + "'",
                    e);
        }
        return new LoopbackPrometheusReporter(address, range);
    }
}
