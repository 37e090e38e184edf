package io.creditstream.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.creditstream.operators.flink.JobMetricCatalog;
import io.creditstream.policy.metrics.MetricsDoc;
import io.creditstream.streams.options.CreditstreamOptions;
import io.creditstream.tools.ClosedLoopDemo;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.apache.flink.configuration.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real Prometheus (Debian's {@code prometheus}) scrapes the closed-loop demo's job, learner and
 * fleet every second, with the alert rules of {@code docker/prometheus/alerts.yml} loaded.
 *
 * <p>First with GiGPO (the demo's default) and knapsack budgets: the key series exist and move.
 * Then with OPRL, so that the PRM's series exist too: every PromQL expression of every panel of the
 * Grafana dashboard returns data, every alert rule evaluates without error, and the job, the
 * learner and the fleet expose exactly the series docs/METRICS.md lists. Every wait is on a
 * condition read from Prometheus, under a generous guard.
 */
class PrometheusDashboardITCase {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path DASHBOARD =
            Path.of("..", "docker", "grafana", "provisioning", "dashboards", "creditstream.json");
    private static final Path ALERTS = Path.of("..", "docker", "prometheus", "alerts.yml");
    private static final String P = JobMetricCatalog.OPERATOR_PREFIX;
    private static final List<String> JOBS = List.of("job", "learner", "fleet");

    /** How long any one condition may take before the test gives up on it: only a hang guard. */
    private static final Duration GUARD = HangGuard.EVENT;

    /** The series that must exist and change during the GiGPO run, by what they show. */
    private static final Map<String, String> KEY_SERIES = keySeries();

    @TempDir Path dir;

    @Test
    void aRealPrometheusScrapesTheLoopAndEveryDashboardQueryAndAlertRuleWorks() throws Exception {
        assertThat(promtoolCheckRules()).as("promtool check rules %s", ALERTS).isEqualTo(0);
        List<String> expressions = dashboardExpressions();
        assertThat(expressions).hasSizeGreaterThan(30);

        try (PrometheusServer prometheus = PrometheusServer.start(dir, JOBS, List.of(ALERTS))) {
            await("Prometheus ready", prometheus, () -> prometheus.ready() ? null : "not ready");

            Configuration gigpo = new Configuration();
            gigpo.set(CreditstreamOptions.BUDGET_ENABLED, true);
            try (DemoRun run = DemoRun.start(gigpo, dir.resolve("gigpo"), GUARD.multipliedBy(2))) {
                scrape(prometheus, run);
                await(
                        "the key series to exist and move (GiGPO)",
                        prometheus,
                        run,
                        () -> notMoving(prometheus));
                printFigures(prometheus, "GiGPO");
                checkLivePage(prometheus, run);
            }

            Configuration oprl = new Configuration();
            oprl.set(CreditstreamOptions.BUDGET_ENABLED, true);
            oprl.setString(CreditstreamOptions.ESTIMATOR.key(), "oprl");
            // Shadows beside OPRL, so that their series exist too.
            oprl.setString(CreditstreamOptions.SHADOW_ESTIMATORS.key(), "grpo;gigpo");
            try (DemoRun run = DemoRun.start(oprl, dir.resolve("oprl"), GUARD.multipliedBy(2))) {
                scrape(prometheus, run);
                await(
                        "every dashboard query to return data (OPRL)",
                        prometheus,
                        run,
                        () -> withoutData(prometheus, expressions));
                await(
                        "every alert rule to be evaluated",
                        prometheus,
                        run,
                        () -> unevaluatedRules(prometheus));
                printFigures(prometheus, "OPRL");
            }

            assertRulesHealthy(prometheus);
            assertExposedNamesAreDocumented(prometheus);
        }
    }

    /**
     * The demo's live page, loaded in headless Chromium: its two charts hold points and its figures
     * are filled in, through the page's DOM after its scripts ran. The screenshot is kept in
     * it/target (and written to docs/live-page.png with -Dcreditstream.write-docs=true).
     */
    private void checkLivePage(PrometheusServer prometheus, DemoRun run) throws Exception {
        String url = run.livePageUrl().orElseThrow();
        HeadlessChromium chromium =
                new HeadlessChromium(Files.createDirectories(dir.resolve("chromium")));
        String[] dom = {""};
        await(
                "the live page to show the curve and the credit figures",
                prometheus,
                run,
                () -> {
                    dom[0] = chromium.dumpDom(url, 3_000);
                    return livePageUnmet(dom[0]);
                });
        assertThat(dom[0])
                .contains("creditstream demo")
                .contains("(gigpo)")
                .doesNotContain("does not answer");

        Path png = Path.of("target", "live-page.png");
        chromium.screenshot(url, png, 1_100, 720, 3_000);
        byte[] bytes = Files.readAllBytes(png);
        assertThat(bytes.length).isGreaterThan(10_000);
        assertThat(java.util.Arrays.copyOf(bytes, 4)).containsExactly(0x89, 'P', 'N', 'G');
        if (Boolean.getBoolean("creditstream.write-docs")) {
            Files.copy(
                    png,
                    Path.of("..", "docs", "live-page.png"),
                    java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /** What the live page's DOM still lacks; null when both charts have points and figures show. */
    static String livePageUnmet(String dom) {
        List<String> unmet = new ArrayList<>();
        for (String chart : List.of("curve", "credit")) {
            java.util.regex.Matcher points =
                    java.util.regex.Pattern.compile(
                                    "id=\"" + chart + "\"[^>]*data-points=\"(\\d+)\"")
                            .matcher(dom);
            if (!points.find() || Integer.parseInt(points.group(1)) == 0) {
                unmet.add("no points on the " + chart + " chart");
            }
        }
        for (String key :
                List.of("episodes", "policy_version", "advantage_std", "zero_variance_ratio")) {
            java.util.regex.Matcher cell =
                    java.util.regex.Pattern.compile("data-key=\"" + key + "\"[^>]*>([^<]*)<")
                            .matcher(dom);
            if (!cell.find() || !cell.group(1).matches("[0-9][0-9.,%]*")) {
                unmet.add(key + " not shown");
            }
        }
        return unmet.isEmpty() ? null : String.join(", ", unmet);
    }

    /** Points Prometheus at the run's three endpoints and waits until it scrapes all three. */
    private void scrape(PrometheusServer prometheus, DemoRun run) throws Exception {
        await(
                "the demo to start the job, learner and fleet",
                prometheus,
                run,
                () -> run.metricsUrls().isPresent() ? null : "not yet started");
        ClosedLoopDemo.MetricsUrls urls = run.metricsUrls().orElseThrow();
        prometheus.setTargets(dir, "job", List.of(urls.job()));
        prometheus.setTargets(dir, "learner", List.of(urls.learner()));
        prometheus.setTargets(dir, "fleet", List.of(urls.fleet()));
        List<String> wanted = List.of(urls.job(), urls.learner(), urls.fleet());
        await(
                "Prometheus to scrape " + wanted,
                prometheus,
                run,
                () -> {
                    List<String> notUp = new ArrayList<>(wanted);
                    for (JsonNode target : prometheus.activeTargets()) {
                        if ("up".equals(target.path("health").asText())) {
                            notUp.remove(target.path("scrapeUrl").asText());
                        }
                    }
                    return notUp.isEmpty() ? null : "not up yet: " + notUp;
                });
    }

    private static Map<String, String> keySeries() {
        Map<String, String> series = new LinkedHashMap<>();
        series.put("events in", P + "creditEventsIn");
        series.put("groups done", P + "creditGroupsCompleted");
        series.put("advantage std", P + "creditAdvantageStd");
        series.put("zero-variance group ratio", P + "creditZeroVarianceGroupRatio");
        series.put("anchor singleton ratio", P + "creditAnchorSingletonRatio");
        series.put("staleness: trajectories measured for lag", P + "creditPolicyVersionLag_count");
        series.put("staleness: newest policy version in the job", P + "creditNewestPolicyVersion");
        series.put("budget rounds answered", P + "budgetRoundsAnswered");
        series.put("learner updates", "creditstream_learner_updates_total");
        series.put("learner loss", "creditstream_learner_loss");
        series.put("fleet episodes", "creditstream_fleet_episodes_total");
        series.put("fleet successes", "creditstream_fleet_successes_total");
        return series;
    }

    /** The key series that do not exist or have not changed yet; null when all have. */
    private static String notMoving(PrometheusServer prometheus) throws Exception {
        List<String> missing = new ArrayList<>();
        for (Map.Entry<String, String> series : KEY_SERIES.entrySet()) {
            double changes = prometheus.max("changes(" + series.getValue() + "[10m])");
            if (!(changes > 0)) {
                missing.add(
                        series.getKey() + (Double.isNaN(changes) ? " (absent)" : " (unchanged)"));
            }
        }
        return missing.isEmpty() ? null : String.join(", ", missing);
    }

    /**
     * The dashboard expressions whose instant query returns no finite value (nothing, or only NaN:
     * a ratio of rates with nothing in the window); null when none.
     */
    private static String withoutData(PrometheusServer prometheus, List<String> expressions)
            throws Exception {
        List<String> empty = new ArrayList<>();
        for (String expression : expressions) {
            boolean finite = false;
            for (JsonNode sample : prometheus.query(expression)) {
                finite |= Double.isFinite(PrometheusServer.value(sample));
            }
            if (!finite) {
                empty.add(expression);
            }
        }
        return empty.isEmpty() ? null : empty.size() + " without data: " + empty;
    }

    private static String unevaluatedRules(PrometheusServer prometheus) throws Exception {
        List<String> pending = new ArrayList<>();
        int rules = 0;
        for (JsonNode group : prometheus.ruleGroups()) {
            for (JsonNode rule : group.path("rules")) {
                rules++;
                if (rule.path("lastEvaluation").asText("").startsWith("0001-")) {
                    pending.add(rule.path("name").asText());
                }
            }
        }
        if (rules == 0) {
            return "no rules loaded";
        }
        return pending.isEmpty() ? null : "not evaluated yet: " + pending;
    }

    private static void assertRulesHealthy(PrometheusServer prometheus) throws Exception {
        List<String> names = new ArrayList<>();
        for (JsonNode group : prometheus.ruleGroups()) {
            for (JsonNode rule : group.path("rules")) {
                names.add(rule.path("name").asText());
                assertThat(rule.path("health").asText())
                        .as("health of %s (%s)", rule.path("name"), rule.path("lastError"))
                        .isEqualTo("ok");
            }
        }
        assertThat(names)
                .containsExactlyInAnyOrder(
                        "CreditstreamDeadLetterRate",
                        "CreditstreamZeroVarianceGroups",
                        "CreditstreamStaleTrajectories",
                        "CreditstreamGroupCompletionSlow",
                        "CreditstreamLearnerStalled",
                        "CreditstreamPrmAccuracyCollapsed");
    }

    /**
     * The job's creditstream series (both runs together: OPRL with budgets registers every operator
     * metric) and the learner's and the fleet's are exactly those docs/METRICS.md lists.
     */
    private static void assertExposedNamesAreDocumented(PrometheusServer prometheus)
            throws Exception {
        TreeSet<String> job = new TreeSet<>();
        TreeSet<String> processes = new TreeSet<>();
        for (String name : prometheus.metricNames()) {
            if (name.startsWith(P) && name.matches(".*_(credit|budget)[A-Z].*")) {
                job.add(name);
            } else if (name.startsWith("creditstream_")) {
                processes.add(name);
            }
        }
        TreeSet<String> documentedJob = new TreeSet<>();
        MetricsDoc.jobRows().forEach(row -> documentedJob.addAll(row.names()));
        assertThat(job).as("job series in Prometheus").isEqualTo(documentedJob);
        assertThat(processes)
                .as("learner and fleet series in Prometheus")
                .isEqualTo(new TreeSet<>(MetricsDoc.processNames()));
    }

    /** Every PromQL expression of every panel (rows' panels included) of the dashboard. */
    static List<String> dashboardExpressions() throws IOException {
        JsonNode dashboard = JSON.readTree(Files.readString(DASHBOARD, StandardCharsets.UTF_8));
        List<String> expressions = new ArrayList<>();
        collect(dashboard.path("panels"), expressions);
        return expressions;
    }

    private static void collect(JsonNode panels, List<String> expressions) {
        for (JsonNode panel : panels) {
            for (JsonNode target : panel.path("targets")) {
                String expr = target.path("expr").asText("");
                assertThat(expr).as("panel %s target %s", panel.path("title"), target).isNotBlank();
                expressions.add(expr);
            }
            collect(panel.path("panels"), expressions);
        }
    }

    private static void printFigures(PrometheusServer prometheus, String run) throws Exception {
        StringBuilder line = new StringBuilder("[" + run + ", largest series]");
        for (Map.Entry<String, String> series : KEY_SERIES.entrySet()) {
            line.append(
                    String.format(" %s=%.4g;", series.getKey(), prometheus.max(series.getValue())));
        }
        System.out.println(line);
    }

    private static int promtoolCheckRules() throws Exception {
        Process process =
                new ProcessBuilder("promtool", "check", "rules", ALERTS.toString())
                        .redirectErrorStream(true)
                        .start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(output).contains("SUCCESS");
        return process.exitValue();
    }

    /** A condition that returns null once it holds, or what it still waits for. */
    private interface Condition {
        String unmet() throws Exception;
    }

    private static void await(String what, PrometheusServer prometheus, Condition condition)
            throws Exception {
        await(what, prometheus, null, condition);
    }

    /**
     * Polls {@code condition} until it holds; fails at once when Prometheus or the demo ends, and
     * after {@link #GUARD} with what it still waited for.
     */
    private static void await(
            String what, PrometheusServer prometheus, DemoRun run, Condition condition)
            throws Exception {
        long deadline = System.nanoTime() + GUARD.toNanos();
        String unmet = "not checked";
        while (System.nanoTime() < deadline) {
            if (!prometheus.isAlive()) {
                throw new AssertionError("Prometheus exited:\n" + prometheus.logTail());
            }
            if (run != null) {
                run.checkRunning();
            }
            unmet = condition.unmet();
            if (unmet == null) {
                return;
            }
            Thread.sleep(1_000);
        }
        throw new AssertionError(
                "gave up after "
                        + GUARD.toSeconds()
                        + " s waiting for "
                        + what
                        + ": "
                        + unmet
                        + (run != null ? "\ndemo output:\n" + run.output() : "")
                        + "\nPrometheus log:\n"
                        + prometheus.logTail());
    }
}
