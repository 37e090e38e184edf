package io.creditstream.policy.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.creditstream.policy.fleet.FleetProgress;
import io.creditstream.policy.service.LearnerProgress;
import io.creditstream.policy.training.UpdateStats;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * docs/METRICS.md is what {@link MetricsDoc} renders from the code, and the learner's and the
 * fleet's endpoints expose exactly the names it lists, with values from their progress.
 */
class MetricsDocTest {
    private static final Path DOC = Path.of("..", "docs", "METRICS.md");

    @Test
    void metricsPageIsGeneratedFromTheCode() throws Exception {
        String rendered = MetricsDoc.render();
        if (Boolean.getBoolean("creditstream.write-docs")) {
            Files.writeString(DOC, rendered, StandardCharsets.UTF_8);
        }
        assertThat(Files.readString(DOC, StandardCharsets.UTF_8))
                .as(
                        "docs/METRICS.md; regenerate it with -Dcreditstream.write-docs=true (see"
                                + " the comment at its top)")
                .isEqualTo(rendered);
    }

    @Test
    void learnerEndpointExposesTheDocumentedSeriesWithItsProgress() throws Exception {
        LearnerProgress progress =
                new LearnerProgress(
                        7,
                        5,
                        10_240,
                        0,
                        3,
                        0,
                        1,
                        0,
                        0,
                        512,
                        2_048,
                        6,
                        7,
                        5,
                        0.25,
                        2,
                        Optional.of(
                                new UpdateStats(
                                        0.5, 1.01, 0.125, 0.002, 1.3, 2_048, 32, 0.75, 0.01, 0.0)));
        PrometheusRegistry registry = new PrometheusRegistry();
        LearnerMetrics.register(registry, () -> progress);
        String text = scrape(registry);

        assertThat(sampleNames(text))
                .containsExactlyInAnyOrderElementsOf(
                        MetricsDoc.learnerRows().stream()
                                .flatMap(r -> r.names().stream())
                                .toList());
        assertThat(text)
                .contains("creditstream_learner_updates_total 5.0")
                .contains("creditstream_learner_samples_total 10240.0")
                .contains("creditstream_learner_loss 0.5")
                .contains("creditstream_learner_clip_fraction 0.125")
                .contains("creditstream_learner_grad_norm 0.75")
                .contains("creditstream_learner_pending_samples 512.0")
                .contains("creditstream_learner_snapshot_publish_seconds_count 5")
                .contains("creditstream_learner_snapshot_publish_seconds_sum 0.25")
                .contains("creditstream_learner_snapshots_refused_total 2.0");
    }

    @Test
    void updateFiguresAreAbsentBeforeTheFirstUpdate() throws Exception {
        PrometheusRegistry registry = new PrometheusRegistry();
        LearnerMetrics.register(
                registry,
                () ->
                        new LearnerProgress(
                                0,
                                0,
                                0,
                                0,
                                0,
                                0,
                                0,
                                0,
                                0,
                                0,
                                2_048,
                                -1,
                                -1,
                                0,
                                0,
                                0,
                                Optional.empty()));
        Set<String> names = sampleNames(scrape(registry));
        assertThat(names)
                .contains("creditstream_learner_updates_total")
                .doesNotContain("creditstream_learner_loss", "creditstream_learner_approx_kl")
                .doesNotContain("creditstream_learner_trained_policy_version");
    }

    @Test
    void fleetEndpointExposesTheDocumentedSeriesWithItsProgress() throws Exception {
        FleetProgress progress =
                new FleetProgress(12, 96, 24, 4_000, 3, 5, 4, 0, 10, 1, 2, 1, 1.5, null, 3, 4);
        PrometheusRegistry registry = new PrometheusRegistry();
        FleetMetrics.register(registry, () -> progress);
        String text = scrape(registry);

        assertThat(sampleNames(text))
                .containsExactlyInAnyOrderElementsOf(
                        MetricsDoc.fleetRows().stream().flatMap(r -> r.names().stream()).toList());
        assertThat(text)
                .contains("creditstream_fleet_episodes_total 96.0")
                .contains("creditstream_fleet_successes_total 24.0")
                .contains("creditstream_fleet_policy_lag 2.0")
                .contains("creditstream_fleet_paused_worker_seconds_total 1.5")
                .contains("creditstream_fleet_budget_fallbacks_total 1.0");
    }

    @Test
    void theEndpointListensOnLoopbackByAddressAndPicksAFreePortForZero() {
        try (MetricsServer server = MetricsServer.start("127.0.0.1", 0, new PrometheusRegistry())) {
            assertThat(server.port()).isPositive();
            assertThat(server.url()).isEqualTo("http://127.0.0.1:" + server.port() + "/metrics");
        }
    }

    private static String scrape(PrometheusRegistry registry) throws Exception {
        try (MetricsServer server = MetricsServer.start("127.0.0.1", 0, registry)) {
            HttpResponse<String> response =
                    HttpClient.newHttpClient()
                            .send(
                                    HttpRequest.newBuilder(URI.create(server.url())).build(),
                                    HttpResponse.BodyHandlers.ofString());
            assertThat(response.statusCode()).isEqualTo(200);
            return response.body();
        }
    }

    /** The metric names of the sample lines of a text exposition. */
    static Set<String> sampleNames(String exposition) {
        Set<String> names = new TreeSet<>();
        for (String line : exposition.split("\n")) {
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            int end = line.indexOf('{');
            names.add(line.substring(0, end >= 0 ? end : line.indexOf(' ')));
        }
        return names;
    }
}
