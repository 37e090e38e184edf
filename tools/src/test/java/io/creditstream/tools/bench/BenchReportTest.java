package io.creditstream.tools.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import org.junit.jupiter.api.Test;

class BenchReportTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static ThroughputBenchmark.Result result(LatencyBenchmark.Result latency) {
        return new ThroughputBenchmark.Result(
                1_000_000,
                12.0,
                new ThroughputBenchmark.JobMeasurement(
                        20.0, new SteadyWindow(5.0, 400_000, 80_000.0, 10.0)),
                new ThroughputBenchmark.JobMeasurement(
                        24.0, new SteadyWindow(6.0, 360_000, 60_000.0, 14.0)),
                30.6,
                latency);
    }

    private static LatencyBenchmark.Phase phase(double fraction, long p99) {
        return new LatencyBenchmark.Phase(
                fraction,
                fraction * 60_000,
                fraction * 59_000,
                new LatencySummary(100, p99 / 2, p99, p99 + 5),
                new LatencySummary(100, 20, p99 - 900, p99 - 890),
                new LatencySummary(100, 500, 900, 950),
                new LatencySummary(98, 40, p99 - 1000 + 60, p99 - 1000 + 70),
                0.015,
                0.005,
                new LatencySummary(98, 450, 890, 900),
                new LatencySummary(20, 30, 45, 45),
                new LatencySummary(98, 5, 12, 15),
                2,
                0);
    }

    private static LatencyBenchmark.Phase withoutTimeline(double fraction, long p99) {
        return new LatencyBenchmark.Phase(
                fraction,
                fraction * 60_000,
                fraction * 59_000,
                new LatencySummary(100, p99 / 2, p99, p99 + 5),
                new LatencySummary(100, 20, p99 - 900, p99 - 890),
                new LatencySummary(100, 500, 900, 950),
                null,
                0,
                0,
                null,
                null,
                null,
                100,
                0);
    }

    @Test
    void theLastLineIsOneJsonObjectWithTheRatiosAndTheHalfRateLatency() throws Exception {
        LatencyBenchmark.Result latency =
                new LatencyBenchmark.Result(
                        60_000.0,
                        1000,
                        200,
                        10,
                        List.of(phase(0.25, 1000), phase(0.5, 1100), phase(0.75, 1500)));

        String line = BenchReport.json(result(latency));

        assertThat(line).doesNotContain("\n");
        JsonNode json = JSON.readTree(line);
        assertThat(json.isObject()).isTrue();
        assertThat(json.get("ceiling_steps_per_s").asLong()).isEqualTo(80_000);
        assertThat(json.get("creditstream_steps_per_s").asLong()).isEqualTo(60_000);
        assertThat(json.get("ratio").asDouble()).isEqualTo(0.75);
        assertThat(json.get("cpu_us_per_step_passthrough").asDouble()).isEqualTo(10.0);
        assertThat(json.get("cpu_us_per_step_job").asDouble()).isEqualTo(14.0);
        assertThat(json.get("cpu_ratio").asDouble()).isEqualTo(1.4);
        // The goal's figures come from the phase at half the maximum rate.
        assertThat(json.get("p50_ms").asLong()).isEqualTo(550);
        assertThat(json.get("p99_ms").asLong()).isEqualTo(1100);
        // Split at each group's committing checkpoint; p99 minus the interval beside it.
        assertThat(json.get("p99_beyond_commit_ms").asLong()).isEqualTo(160);
        assertThat(json.get("p99_minus_interval_ms").asLong()).isEqualTo(100);
        assertThat(json.get("latency").get(1).get("checkpoint_p99_ms").asLong()).isEqualTo(45);
        assertThat(json.get("latency").get(1).get("after_completion_p99_ms").asLong())
                .isEqualTo(12);
        assertThat(json.get("latency").get(1).get("unattributed_groups").asLong()).isEqualTo(2);
        assertThat(json.get("latency").get(1).get("missed_checkpoint_fraction").asDouble())
                .isEqualTo(0.015);
        assertThat(json.get("checkpoint_interval_ms").asLong()).isEqualTo(1000);
        assertThat(json.get("latency")).hasSize(3);
        assertThat(json.get("latency").get(2).get("rate_fraction").asDouble()).isEqualTo(0.75);
        assertThat(json.get("latency").get(2).get("p99_ms").asLong()).isEqualTo(1500);
    }

    @Test
    void withoutACheckpointTimelineBeyondTheCommitIsP99MinusTheInterval() throws Exception {
        LatencyBenchmark.Result latency =
                new LatencyBenchmark.Result(
                        60_000.0, 1000, 200, 10, List.of(withoutTimeline(0.5, 1250)));

        JsonNode json = JSON.readTree(BenchReport.json(result(latency)));

        assertThat(json.get("p99_beyond_commit_ms").asLong()).isEqualTo(250);
        assertThat(json.get("latency").get(0).has("checkpoint_p99_ms")).isFalse();
        assertThat(BenchReport.table(result(latency))).contains("1250");
    }

    @Test
    void withoutLatencyPhasesTheJsonHasOnlyThroughput() throws Exception {
        JsonNode json = JSON.readTree(BenchReport.json(result(null)));

        assertThat(json.has("ratio")).isTrue();
        assertThat(json.has("p99_ms")).isFalse();
        assertThat(json.has("latency")).isFalse();
    }

    @Test
    void theTableNamesBothJobsAndEveryRate() {
        LatencyBenchmark.Result latency =
                new LatencyBenchmark.Result(60_000.0, 1000, 200, 10, List.of(phase(0.5, 1100)));

        String table = BenchReport.table(result(latency));

        assertThat(table)
                .contains("passthrough")
                .contains("creditstream")
                .contains("job/ceiling")
                .contains("checkpoints every 1000 ms")
                .contains("   50%")
                .contains("  1.5%");
    }
}
