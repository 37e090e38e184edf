package io.creditstream.policy.metrics;

import io.creditstream.operators.flink.JobMetricCatalog;
import io.creditstream.policy.fleet.FleetProgress;
import io.creditstream.policy.service.LearnerProgress;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.SummarySnapshot;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Renders docs/METRICS.md: the job's operator metrics from {@link JobMetricCatalog}, the learner's
 * and the fleet's from what {@link LearnerMetrics} and {@link FleetMetrics} register in a registry
 * (so the names and kinds are the ones a scrape shows).
 */
public final class MetricsDoc {
    private MetricsDoc() {}

    /** One documented series family: the names Prometheus shows and what they mean. */
    public record Row(
            List<String> names, String type, String labels, String meaning, String unit) {}

    /** The learner's rows, from a registry it registered in. */
    public static List<Row> learnerRows() {
        PrometheusRegistry registry = new PrometheusRegistry();
        List<MetricSpec> specs = LearnerMetrics.register(registry, MetricsDoc::idleLearner);
        return rows(registry, specs);
    }

    /** The fleet's rows, from a registry it registered in. */
    public static List<Row> fleetRows() {
        PrometheusRegistry registry = new PrometheusRegistry();
        List<MetricSpec> specs = FleetMetrics.register(registry, MetricsDoc::idleFleet);
        return rows(registry, specs);
    }

    /** The job's rows, from the catalog. */
    public static List<Row> jobRows() {
        List<Row> rows = new ArrayList<>();
        for (JobMetricCatalog.Entry entry : JobMetricCatalog.ENTRIES) {
            List<String> names =
                    entry.kind() == JobMetricCatalog.Kind.HISTOGRAM
                            ? List.of(entry.prometheusName(), entry.prometheusName() + "_count")
                            : List.of(entry.prometheusName());
            String labels =
                    entry.kind() == JobMetricCatalog.Kind.HISTOGRAM
                            ? "`quantile`"
                            : entry.label() == null ? "" : "`" + entry.label() + "`";
            rows.add(
                    new Row(
                            names,
                            entry.kind().description(),
                            labels,
                            entry.meaning(),
                            entry.unit()));
        }
        return rows;
    }

    /** Every Prometheus name the learner and the fleet expose (counters with _total). */
    public static List<String> processNames() {
        List<String> names = new ArrayList<>();
        learnerRows().forEach(row -> names.addAll(row.names()));
        fleetRows().forEach(row -> names.addAll(row.names()));
        return names;
    }

    /** The whole of docs/METRICS.md. */
    public static String render() {
        StringBuilder doc = new StringBuilder();
        doc.append("# Metrics\n\n")
                .append(
                        "<!-- Generated from the code by MetricsDoc (policy module); MetricsDocTest"
                                + " keeps this file equal to it. Regenerate with\n")
                .append(
                        "     mvn -B -o test -pl policy -am -Dtest=MetricsDocTest"
                                + " -Dsurefire.failIfNoSpecifiedTests=false"
                                + " -Dcreditstream.write-docs=true -->\n\n")
                .append(
                        "Three kinds of process export Prometheus metrics: the job (through Flink's"
                                + " Prometheus reporter: on a cluster the `metrics.reporter.prom`"
                                + " settings in `flink-conf/config.yaml`, in `./creditstream demo` a"
                                + " free loopback port), the learner and the fleet (the Prometheus"
                                + " Java client, `--metrics-port PORT` on `learner` and `fleet`,"
                                + " served on `--metrics-address`, 127.0.0.1 by default; 0 picks a"
                                + " free port; without the flag nothing is served). The demo"
                                + " serves all three on free loopback ports and prints where.\n\n")
                .append(
                        "No label is per episode, group, task or step: the job's series carry"
                                + " only Flink's scope labels (")
                .append(
                        JobMetricCatalog.SCOPE_LABELS.stream()
                                .map(l -> "`" + l + "`")
                                .collect(Collectors.joining(", ")))
                .append(
                        "), bounded by the deployment, plus `reason` (the fixed set of dead-letter"
                                + " codes) or `quantile` (six values) where the table says so."
                                + " The learner's and the fleet's series have no labels of their"
                                + " own; Prometheus adds `job` and `instance`.\n\n")
                .append(
                        "The Grafana dashboard (`docker/grafana/provisioning/dashboards/"
                                + "creditstream.json`) and the alert rules"
                                + " (`docker/prometheus/alerts.yml`) use these names; an"
                                + " integration test evaluates every dashboard query and loads"
                                + " the rules in a real Prometheus scraping the demo.\n\n");
        section(
                doc,
                "The job (Flink operators)",
                "Per operator subtask; sum or average over subtasks in queries. Flink's own metrics"
                        + " (checkpoints, `KafkaSourceReader` consumer lag, records in/out) come"
                        + " with them and are not listed here.",
                jobRows());
        section(
                doc,
                "The learner (`creditstream learner`, the DJL learner process)",
                "Read from the learner's progress at each scrape. The update figures are those of"
                        + " the last update and absent before the first.",
                learnerRows());
        section(
                doc,
                "The fleet (`creditstream fleet`, the DJL fleet process)",
                "Read from the fleet's progress, summed over its workers, at each scrape.",
                fleetRows());
        return doc.toString();
    }

    private static void section(StringBuilder doc, String title, String intro, List<Row> rows) {
        doc.append("## ").append(title).append("\n\n").append(intro).append("\n\n");
        doc.append("| name | type | labels | meaning | unit |\n|---|---|---|---|---|\n");
        for (Row row : rows) {
            doc.append("| ")
                    .append(
                            row.names().stream()
                                    .map(n -> "`" + n + "`")
                                    .collect(Collectors.joining("<br>")))
                    .append(" | ")
                    .append(row.type())
                    .append(" | ")
                    .append(row.labels().isEmpty() ? "none" : row.labels())
                    .append(" | ")
                    .append(row.meaning().replace("|", "\\|"))
                    .append(" | ")
                    .append(row.unit())
                    .append(" |\n");
        }
        doc.append('\n');
    }

    private static List<Row> rows(PrometheusRegistry registry, List<MetricSpec> specs) {
        Map<String, MetricSpec> byName =
                specs.stream().collect(Collectors.toMap(MetricSpec::name, Function.identity()));
        List<Row> rows = new ArrayList<>();
        for (MetricSnapshot snapshot : registry.scrape()) {
            String name = snapshot.getMetadata().getPrometheusName();
            MetricSpec spec =
                    Optional.ofNullable(byName.get(name))
                            .orElseThrow(
                                    () ->
                                            new IllegalStateException(
                                                    name + " is registered without a MetricSpec"));
            List<String> names;
            String type;
            if (snapshot instanceof CounterSnapshot) {
                names = List.of(name + "_total");
                type = "counter";
            } else if (snapshot instanceof GaugeSnapshot) {
                names = List.of(name);
                type = "gauge";
            } else if (snapshot instanceof SummarySnapshot) {
                names = List.of(name + "_count", name + "_sum");
                type = "summary (count and sum)";
            } else {
                throw new IllegalStateException(name + ": a kind this page does not describe");
            }
            rows.add(new Row(names, type, "", snapshot.getMetadata().getHelp(), spec.unit()));
        }
        // The registry scrapes in name order; the page keeps the registration order.
        rows.sort(
                (a, b) ->
                        Integer.compare(
                                indexOf(specs, a.names().get(0)),
                                indexOf(specs, b.names().get(0))));
        return rows;
    }

    private static int indexOf(List<MetricSpec> specs, String exposedName) {
        for (int i = 0; i < specs.size(); i++) {
            String base = specs.get(i).name();
            if (exposedName.equals(base)
                    || exposedName.equals(base + "_total")
                    || exposedName.equals(base + "_count")) {
                return i;
            }
        }
        throw new IllegalStateException(exposedName + " has no MetricSpec");
    }

    private static LearnerProgress idleLearner() {
        return new LearnerProgress(
                0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, -1, -1, 0, 0, 0, Optional.empty());
    }

    private static FleetProgress idleFleet() {
        return new FleetProgress(0, 0, 0, 0, -1, -1, 0, 0, 0, 0, 0, 0, 0, null, 0, 0);
    }
}
