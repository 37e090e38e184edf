package io.creditstream.tools;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.creditstream.schemas.contract.SnapshotMetrics;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.apache.flink.core.execution.JobClient;

/**
 * Tells the closed-loop demo when the loop has stalled, and what is stuck.
 *
 * <p>The loop makes progress when the learner makes an update: a new policy version on
 * policy.snapshots. Whatever stops the loop stops that: a job that keeps restarting delivers no
 * batches, a fleet paused for the learner sends no steps, a learner short of a batch makes no
 * update. After {@code warnAfter} without one, every check returns a report of the job (state,
 * restarts, last exception), the learner (the newest snapshot's backlog, batch and trained version,
 * and its last progress line) and the fleet (its last progress line, which says STALLED and why
 * when it is paused for the learner); after {@code failAfter} the check says the loop has stalled
 * for good. A job restart is reported as soon as a check sees it, stalled or not.
 */
final class LoopWatch {
    private final Duration warnAfter;
    private final Duration failAfter;
    private final JobProbe job;
    private final Path learnerLog;
    private final Path fleetLog;

    private long progressNanos;
    private long version = -1;
    private double restartsReported;

    /**
     * @param warnAfter how long without a learner update before checks report a stall; zero = never
     * @param failAfter how long without one before a check says the loop stalled for good; zero =
     *     never
     * @param startNanos the loop's start ({@link System#nanoTime()}): the first update is due from
     *     then
     */
    LoopWatch(
            Duration warnAfter,
            Duration failAfter,
            JobProbe job,
            Path learnerLog,
            Path fleetLog,
            long startNanos) {
        this.warnAfter = warnAfter;
        this.failAfter = failAfter;
        this.job = job;
        this.learnerLog = learnerLog;
        this.fleetLog = fleetLog;
        this.progressNanos = startNanos;
    }

    /**
     * What a check found: lines to print (restart notices, the stall report), and, once the loop
     * has been stalled for {@code failAfter}, why the demo gives up.
     */
    record Verdict(List<String> lines, Optional<String> stalled) {}

    /**
     * Checks the loop.
     *
     * @param newestVersion the newest policy version on policy.snapshots (-1 before the first)
     * @param newestMetrics that snapshot's metrics
     * @param episodes finished episodes read from agent.steps
     */
    Verdict check(
            long nowNanos, long newestVersion, Map<String, Double> newestMetrics, long episodes) {
        if (newestVersion > version) {
            if (newestVersion > 0) {
                // Version 0 is the initial policy, announced before any training.
                progressNanos = nowNanos;
            }
            version = newestVersion;
        }
        List<String> lines = new ArrayList<>();
        double restarts = job.restarts();
        if (restarts > restartsReported) {
            lines.add(
                    String.format(
                            Locale.ROOT,
                            "The job restarted (%,.0f restarts so far, now %s); last exception: %s",
                            restarts,
                            job.status(),
                            job.lastException().orElse("(none reported)")));
            restartsReported = restarts;
        }
        long stuck = nowNanos - progressNanos;
        boolean warn = !warnAfter.isZero() && stuck >= warnAfter.toNanos();
        boolean fail = !failAfter.isZero() && stuck >= failAfter.toNanos();
        if (!warn && !fail) {
            return new Verdict(lines, Optional.empty());
        }
        String report = report(stuck, newestVersion, newestMetrics, episodes);
        lines.add(report);
        return new Verdict(
                lines,
                fail
                        ? Optional.of(
                                String.format(
                                        Locale.ROOT,
                                        "no learner update for %d s (--stall-timeout %d s): %s",
                                        TimeUnit.NANOSECONDS.toSeconds(stuck),
                                        failAfter.toSeconds(),
                                        report))
                        : Optional.empty());
    }

    private String report(
            long stuckNanos, long newestVersion, Map<String, Double> metrics, long episodes) {
        String nl = System.lineSeparator();
        StringBuilder text =
                new StringBuilder(
                        String.format(
                                Locale.ROOT,
                                "STALLED: no learner update for %d s (newest policy v%d, %,d"
                                        + " episodes played)",
                                TimeUnit.NANOSECONDS.toSeconds(stuckNanos),
                                Math.max(0, newestVersion),
                                episodes));
        text.append(nl)
                .append(
                        String.format(
                                Locale.ROOT,
                                "  job: %s, %,.0f restarts; last exception: %s",
                                job.status(),
                                job.restarts(),
                                job.lastException().orElse("none")));
        text.append(nl).append("  learner: ").append(learnerFigures(newestVersion, metrics));
        lastLine(learnerLog, "[learner")
                .ifPresent(line -> text.append(nl).append("    now: ").append(line));
        text.append(nl)
                .append("  fleet: ")
                .append(
                        lastLine(fleetLog, "[fleet")
                                .orElse("no progress line yet in " + fleetLog.getFileName()));
        return text.toString();
    }

    private static String learnerFigures(long version, Map<String, Double> metrics) {
        if (version < 0) {
            return "no snapshot yet";
        }
        StringBuilder text = new StringBuilder("v" + version);
        Double pending = metrics.get(SnapshotMetrics.PENDING_SAMPLES);
        Double batch = metrics.get(SnapshotMetrics.BATCH_RECORDS);
        Double trained = metrics.get(SnapshotMetrics.TRAINED_POLICY_VERSION);
        if (pending != null) {
            text.append(String.format(Locale.ROOT, " held %,.0f samples", pending));
            if (batch != null) {
                text.append(String.format(Locale.ROOT, " (an update takes %,.0f)", batch));
            }
            text.append(" when it published");
        }
        if (trained != null && trained >= 0) {
            text.append(String.format(Locale.ROOT, ", trained on steps up to v%.0f", trained));
        }
        return text.toString();
    }

    /** The last line of {@code log} starting with {@code prefix}, read from its last 64 KiB. */
    static Optional<String> lastLine(Path log, String prefix) {
        if (!Files.isRegularFile(log)) {
            return Optional.empty();
        }
        try (RandomAccessFile file = new RandomAccessFile(log.toFile(), "r")) {
            long length = file.length();
            int size = (int) Math.min(length, 64 * 1024);
            byte[] tail = new byte[size];
            file.seek(length - size);
            file.readFully(tail);
            String[] lines = new String(tail, StandardCharsets.UTF_8).split("\\R");
            for (int i = lines.length - 1; i >= 0; i--) {
                if (lines[i].startsWith(prefix)) {
                    return Optional.of(lines[i]);
                }
            }
            return Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /** What the watch asks of the job. */
    interface JobProbe {
        /** The job's state, e.g. RUNNING or RESTARTING. */
        String status();

        /** Restarts so far. */
        double restarts();

        /** The newest exception that failed the job, in one line, if any. */
        Optional<String> lastException();

        /**
         * The embedded job's probe: state from its client, restarts from its Prometheus endpoint,
         * exceptions from its REST API (when it has one).
         */
        static JobProbe of(JobClient client, MetricsEndpoint metrics, Optional<URI> rest) {
            return new EmbeddedProbe(client, metrics, rest);
        }
    }

    private static final class EmbeddedProbe implements JobProbe {
        private final JobClient client;
        private final MetricsEndpoint metrics;
        private final Optional<URI> rest;
        private final HttpClient http = HttpClient.newHttpClient();
        private final ObjectMapper json = new ObjectMapper();

        EmbeddedProbe(JobClient client, MetricsEndpoint metrics, Optional<URI> rest) {
            this.client = client;
            this.metrics = metrics;
            this.rest = rest;
        }

        @Override
        public String status() {
            try {
                return client.getJobStatus().get(2, TimeUnit.SECONDS).name();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return "unknown";
            } catch (Exception e) {
                return "unknown (" + e.getClass().getSimpleName() + ")";
            }
        }

        @Override
        public double restarts() {
            return metrics.scrape()
                    .map(text -> PrometheusText.max(text, "jobmanager_job_numRestarts", ""))
                    .orElse(0.0);
        }

        @Override
        public Optional<String> lastException() {
            if (rest.isEmpty()) {
                return Optional.empty();
            }
            try {
                URI uri =
                        rest.get()
                                .resolve(
                                        "/jobs/"
                                                + client.getJobID()
                                                + "/exceptions?maxExceptions=1");
                HttpResponse<String> response =
                        http.send(
                                HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(2)).build(),
                                HttpResponse.BodyHandlers.ofString());
                if (response.statusCode() != 200) {
                    return Optional.empty();
                }
                return newestException(json.readTree(response.body()));
            } catch (IOException e) {
                return Optional.empty();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return Optional.empty();
            }
        }
    }

    /**
     * The newest entry of a {@code /jobs/:id/exceptions} answer as "name: first line of the trace
     * (task)".
     */
    static Optional<String> newestException(JsonNode answer) {
        JsonNode entries = answer.path("exceptionHistory").path("entries");
        if (!entries.isArray() || entries.isEmpty()) {
            return Optional.empty();
        }
        JsonNode newest = entries.get(0);
        String trace = newest.path("stacktrace").asText("");
        String first = trace.lines().findFirst().orElse(newest.path("exceptionName").asText(""));
        // The root cause is what says why: the last "Caused by:" of the trace.
        String cause =
                trace.lines()
                        .filter(line -> line.startsWith("Caused by: "))
                        .reduce((a, b) -> b)
                        .map(line -> line.substring("Caused by: ".length()))
                        .orElse(first);
        String task = newest.path("taskName").asText("");
        return Optional.of(
                (cause.length() > 400 ? cause.substring(0, 400) + "…" : cause)
                        + (task.isEmpty() ? "" : " (in " + task + ")"));
    }
}
