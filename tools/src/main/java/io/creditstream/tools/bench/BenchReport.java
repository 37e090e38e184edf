package io.creditstream.tools.bench;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What {@code bench} prints: a table for people and, as the last line, one JSON object for scripts.
 * The JSON's figures are the steady-window rates and CPU per step of both jobs, their ratios, and
 * the latency at the rate nearest half the maximum; every phase is under {@code latency}.
 */
public final class BenchReport {
    private static final ObjectMapper JSON = new ObjectMapper();

    private BenchReport() {}

    /** The human-readable table. */
    public static String table(ThroughputBenchmark.Result result) {
        StringBuilder table = new StringBuilder();
        SteadyWindow pass = result.passthrough().steady();
        SteadyWindow job = result.job().steady();
        table.append(
                String.format(
                        "%nsteps %,d (mean episode %.1f); steady window %.0f%%-%.0f%% of the"
                                + " steps%n",
                        result.steps(),
                        result.meanEpisodeLength(),
                        SteadyWindow.DEFAULT_FROM * 100,
                        SteadyWindow.DEFAULT_TO * 100));
        table.append(
                String.format(
                        "%-14s %14s %14s %12s%n", "", "steps/s", "CPU us/step", "whole run s"));
        table.append(row("passthrough", pass, result.passthrough().netSeconds()));
        table.append(row("creditstream", job, result.job().netSeconds()));
        table.append(
                String.format(
                        "%-14s %14.2f %14.2f%n", "job/ceiling", result.ratio(), result.cpuRatio()));
        LatencyBenchmark.Result latency = result.latency();
        if (latency != null) {
            table.append(
                    String.format(
                            "%nlatency, last step -> batch seen read_committed (checkpoints every"
                                    + " %d ms, batch linger %d ms, buffer timeout %d ms)%n",
                            latency.checkpointIntervalMs(),
                            latency.batchLingerMs(),
                            latency.bufferTimeoutMs()));
            table.append(
                    String.format(
                            "%-6s %9s %9s %8s %8s %8s %9s %9s %9s %9s %9s %9s %7s %7s%n",
                            "rate",
                            "steps/s",
                            "sent/s",
                            "p50 ms",
                            "p99 ms",
                            "max ms",
                            "emit p99",
                            "wait p99",
                            "ckpt p50",
                            "ckpt p99",
                            "after p99",
                            "BEYOND99",
                            "missed",
                            "groups"));
            for (LatencyBenchmark.Phase phase : latency.phases()) {
                table.append(
                        String.format(
                                "%5.0f%% %,9.0f %,9.0f %8d %8d %8d %9d %9s %9s %9s %9s %9s %6.1f%% %7d%s%n",
                                phase.fraction() * 100,
                                phase.offeredStepsPerSecond(),
                                phase.sentStepsPerSecond(),
                                phase.total().p50(),
                                phase.total().p99(),
                                phase.total().max(),
                                phase.pipeline().p99(),
                                p99(phase.barrierWait()),
                                phase.checkpoints() == null ? "-" : phase.checkpoints().p50(),
                                p99(phase.checkpoints()),
                                p99(phase.afterCompletion()),
                                p99(phase.beyondCommit()),
                                phase.missedCheckpoints() * 100,
                                phase.total().count(),
                                phase.unseen() > 0 ? " (" + phase.unseen() + " not seen)" : ""));
            }
            table.append(
                    "emit = last step -> batch emitted; wait = emitted -> the committing"
                            + " checkpoint's trigger; ckpt = checkpoint duration (trigger ->"
                            + " last ack); after = committing checkpoint complete -> batch seen;\n"
                            + "BEYOND = batch seen - completion of the first checkpoint triggered"
                            + " after the group's last step (what a pipeline taking no time would"
                            + " not wait); missed = groups that missed that checkpoint's barrier\n");
        }
        return table.toString();
    }

    private static String p99(LatencySummary summary) {
        return summary == null ? "-" : String.valueOf(summary.p99());
    }

    private static String row(String name, SteadyWindow steady, double netSeconds) {
        return String.format(
                "%-14s %,14.0f %14.2f %12.1f%n",
                name, steady.stepsPerSecond(), steady.cpuMicrosPerStep(), netSeconds);
    }

    /** The one-line JSON object; {@code p50_ms}/{@code p99_ms} are those of the half-rate phase. */
    public static String json(ThroughputBenchmark.Result result) {
        Map<String, Object> line = new LinkedHashMap<>();
        line.put("steps", result.steps());
        line.put("ceiling_steps_per_s", round(result.passthrough().steady().stepsPerSecond()));
        line.put("creditstream_steps_per_s", round(result.job().steady().stepsPerSecond()));
        line.put("ratio", round(result.ratio(), 3));
        line.put(
                "cpu_us_per_step_passthrough",
                round(result.passthrough().steady().cpuMicrosPerStep(), 3));
        line.put("cpu_us_per_step_job", round(result.job().steady().cpuMicrosPerStep(), 3));
        line.put("cpu_ratio", round(result.cpuRatio(), 3));
        LatencyBenchmark.Result latency = result.latency();
        if (latency != null) {
            LatencyBenchmark.Phase half = latency.half();
            line.put("p50_ms", half.total().p50());
            line.put("p99_ms", half.total().p99());
            line.put("max_ms", half.total().max());
            // Split per group at the checkpoints; without a checkpoint timeline, the bound a group
            // can wait for its barrier (one interval) stands in for it.
            line.put(
                    "p99_beyond_commit_ms",
                    half.beyondCommit() != null
                            ? half.beyondCommit().p99()
                            : half.total().p99() - latency.checkpointIntervalMs());
            line.put("p99_minus_interval_ms", half.total().p99() - latency.checkpointIntervalMs());
            line.put("latency_rate_fraction", round(half.fraction(), 3));
            line.put("checkpoint_interval_ms", latency.checkpointIntervalMs());
            line.put("batch_linger_ms", latency.batchLingerMs());
            line.put("buffer_timeout_ms", latency.bufferTimeoutMs());
            List<Map<String, Object>> phases = new ArrayList<>();
            for (LatencyBenchmark.Phase phase : latency.phases()) {
                Map<String, Object> entry = new LinkedHashMap<>();
                entry.put("rate_fraction", round(phase.fraction(), 3));
                entry.put("steps_per_s", round(phase.offeredStepsPerSecond()));
                entry.put("sent_steps_per_s", round(phase.sentStepsPerSecond()));
                entry.put("p50_ms", phase.total().p50());
                entry.put("p99_ms", phase.total().p99());
                entry.put("max_ms", phase.total().max());
                entry.put("emit_p50_ms", phase.pipeline().p50());
                entry.put("emit_p99_ms", phase.pipeline().p99());
                entry.put("commit_wait_p50_ms", phase.commitWait().p50());
                entry.put("commit_wait_p99_ms", phase.commitWait().p99());
                putSummary(entry, "beyond_commit", phase.beyondCommit());
                entry.put("missed_checkpoint_fraction", round(phase.missedCheckpoints(), 4));
                entry.put("missed_though_emitted_fraction", round(phase.missedThoughEmitted(), 4));
                putSummary(entry, "barrier_wait", phase.barrierWait());
                putSummary(entry, "checkpoint", phase.checkpoints());
                putSummary(entry, "after_completion", phase.afterCompletion());
                entry.put("unattributed_groups", phase.unattributed());
                entry.put("groups", phase.total().count());
                entry.put("unseen_groups", phase.unseen());
                phases.add(entry);
            }
            line.put("latency", phases);
        }
        try {
            return JSON.writeValueAsString(line);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write the bench summary as JSON", e);
        }
    }

    private static void putSummary(Map<String, Object> entry, String name, LatencySummary summary) {
        if (summary != null) {
            entry.put(name + "_p50_ms", summary.p50());
            entry.put(name + "_p99_ms", summary.p99());
        }
    }

    private static long round(double value) {
        return Math.round(value);
    }

    private static double round(double value, int decimals) {
        double scale = Math.pow(10, decimals);
        return Math.round(value * scale) / scale;
    }
}
