package io.creditstream.cluster.metrics;

import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.UnknownHostException;
import java.util.Properties;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;
import org.apache.flink.metrics.reporter.MetricReporterFactory;
import org.apache.flink.util.PortRange;

/**
 * Creates a {@link LoopbackPrometheusReporter}, Flink's Prometheus reporter on one chosen
 * interface, loopback unless told otherwise:
 *
 * <pre>
 * metrics.reporter.prom.factory.class: io.creditstream.cluster.metrics.LoopbackPrometheusReporterFactory
 * metrics.reporter.prom.host: 127.0.0.1     # the default; a scraper on another host needs a reachable one
 * metrics.reporter.prom.port: 9249-9259
 * </pre>
 *
 * <p>Flink loads reporters from its own class path or a plugin directory, never from a job's jar:
 * the cluster module's build puts this class in {@code target/flink-lib} (the local cluster's class
 * path) as {@code creditstream-cluster-*-prometheus-reporter.jar}, which a Flink distribution takes
 * in {@code plugins/metrics-prometheus/} beside Flink's own reporter (docs/CLUSTER-deploy.md).
 */
public final class LoopbackPrometheusReporterFactory implements MetricReporterFactory {

    public static final String DEFAULT_HOST = "127.0.0.1";

    /** Flink's reporter's default port. */
    public static final String DEFAULT_PORT = "9249";

    /** The interface to serve on: an address of this machine, or 0.0.0.0 for all of them. */
    public static final ConfigOption<String> HOST =
            ConfigOptions.key("host")
                    .stringType()
                    .defaultValue(DEFAULT_HOST)
                    .withDescription(
                            "The address of this machine the reporter listens on. Loopback by"
                                    + " default: the metrics name experiments, tasks and hosts."
                                    + " 0.0.0.0 listens on every interface, for a scraper in"
                                    + " another container or host; firewall the port then.");

    /** A port or a range, as Flink's own reporter takes it; the first free one is used. */
    public static final ConfigOption<String> PORT =
            ConfigOptions.key("port")
                    .stringType()
                    .defaultValue(DEFAULT_PORT)
                    .withDescription("A port or a range such as 9249-9259.");

    /** Kept for callers that set the keys by name. */
    public static final String ARG_HOST = HOST.key();

    public static final String ARG_PORT = PORT.key();

    @Override
    public LoopbackPrometheusReporter createMetricReporter(Properties properties) {
        InetAddress address = localAddress(properties.getProperty(ARG_HOST, DEFAULT_HOST).trim());
        String ports = properties.getProperty(ARG_PORT, DEFAULT_PORT).trim();
        PortRange range;
        try {
            range = new PortRange(ports);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(
                    key(ARG_PORT)
                            + " must be a port or a range such as 9249-9259, but was '"
                            + ports
                            + "'",
                    e);
        }
        return new LoopbackPrometheusReporter(address, range);
    }

    /**
     * The address named by {@code host}, checked to be one this machine can listen on, so that a
     * typo fails here, naming the key, rather than as a bind error on every port of the range.
     */
    static InetAddress localAddress(String host) {
        if (host.isEmpty()) {
            throw new IllegalArgumentException(
                    key(ARG_HOST)
                            + " is empty; give an address of this machine, such as "
                            + DEFAULT_HOST
                            + " (the default), or 0.0.0.0 for every interface");
        }
        InetAddress address;
        try {
            address = InetAddress.getByName(host);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(
                    key(ARG_HOST)
                            + " must be an address of this machine, such as "
                            + DEFAULT_HOST
                            + ", but '"
                            + host
                            + "' does not resolve",
                    e);
        }
        if (!isLocal(address)) {
            throw new IllegalArgumentException(
                    key(ARG_HOST)
                            + " must be an address of this machine, such as "
                            + DEFAULT_HOST
                            + ", but '"
                            + host
                            + "' ("
                            + address.getHostAddress()
                            + ") belongs to none of its interfaces");
        }
        return address;
    }

    private static boolean isLocal(InetAddress address) {
        if (address.isAnyLocalAddress() || address.isLoopbackAddress()) {
            return true;
        }
        try {
            return NetworkInterface.getByInetAddress(address) != null;
        } catch (SocketException e) {
            // Cannot list the interfaces: let the bind itself decide.
            return true;
        }
    }

    /** The full key as a user writes it: the reporter's name is not known to its factory. */
    private static String key(String option) {
        return "metrics.reporter.<name>." + option + " (metrics.reporter.prom." + option + ")";
    }
}
