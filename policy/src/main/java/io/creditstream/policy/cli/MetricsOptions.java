package io.creditstream.policy.cli;

import io.creditstream.policy.metrics.MetricsServer;
import io.creditstream.schemas.contract.PolicyProcess;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.PrintWriter;
import java.util.Optional;
import java.util.function.Consumer;
import picocli.CommandLine.Option;

/** Where a command serves its Prometheus metrics, if anywhere. */
final class MetricsOptions {
    @Option(
            names = PolicyProcess.METRICS_PORT,
            paramLabel = "PORT",
            description =
                    "Serve Prometheus metrics at http://<--metrics-address>:PORT/metrics; 0 picks a"
                            + " free port (the address is printed at start). Default: no metrics"
                            + " served.")
    Integer port;

    @Option(
            names = PolicyProcess.METRICS_ADDRESS,
            defaultValue = "127.0.0.1",
            paramLabel = "ADDRESS",
            description =
                    "Address the metrics are served on; loopback unless a Prometheus on another"
                            + " host must reach them (default: ${DEFAULT-VALUE}).")
    String address;

    /**
     * Starts the endpoint when {@code --metrics-port} is given, with the metrics {@code register}
     * adds, and prints its address.
     */
    Optional<MetricsServer> start(
            String name, Consumer<PrometheusRegistry> register, PrintWriter out) {
        if (port == null) {
            return Optional.empty();
        }
        PrometheusRegistry registry = new PrometheusRegistry();
        register.accept(registry);
        MetricsServer server = MetricsServer.start(address, port, registry);
        out.printf("%s: Prometheus metrics at %s%n", name, server.url());
        out.flush();
        return Optional.of(server);
    }
}
