package io.creditstream.tools.cli;

import io.creditstream.tools.bench.BenchReport;
import io.creditstream.tools.bench.LatencyBenchmark;
import io.creditstream.tools.bench.ThroughputBenchmark;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code creditstream bench}: the job's steady throughput and CPU per step against this machine's
 * passthrough ceiling, then its latency at fractions of that throughput.
 */
@Command(
        name = "bench",
        mixinStandardHelpOptions = true,
        subcommands = BenchGrowthCommand.class,
        description = {
            "Measure on this machine: pre-produce simulated steps to an embedded broker, run a"
                    + " passthrough job (Kafka -> keyBy -> one state update -> Kafka) and the full"
                    + " creditstream job over the same topic, and report each one's steady rate"
                    + " and process CPU per step over the middle of its run (20-80%% of the"
                    + " steps), and their ratios. Then run the job on fresh topics fed at fixed"
                    + " rates (25, 50 and 75%% of its steady rate) and report last step -> batch"
                    + " seen read_committed, p50/p99/max. The last stdout line is one JSON object.",
            "",
            "Examples: creditstream bench --quick",
            "          creditstream bench --steps 2000000 --latency-seconds 40",
            "          creditstream bench growth --quick   (cost as the open state grows)"
        })
public class BenchCommand implements Callable<Integer> {
    @Option(
            names = "--quick",
            description =
                    "A short run for a quick look and for scripts: 200,000 steps, each latency"
                            + " rate 11 s (3 s warm-up); options given explicitly still apply.")
    boolean quick;

    @Option(
            names = "--steps",
            description = "Steps to produce (default: 1000000; --quick: 200000).")
    Long steps;

    @Option(
            names = "--tasks",
            defaultValue = "64",
            description = "Distinct tasks (default: ${DEFAULT-VALUE}).")
    int tasks;

    @Option(
            names = "--group-size",
            defaultValue = "8",
            description = "Rollouts per group (default: ${DEFAULT-VALUE}).")
    int groupSize;

    @Option(
            names = "--max-episode-steps",
            defaultValue = "40",
            description = "Step limit of the maze episodes (default: ${DEFAULT-VALUE}).")
    int maxEpisodeSteps;

    @Option(
            names = "--parallelism",
            defaultValue = "2",
            description = "Job parallelism (default: ${DEFAULT-VALUE}).")
    int parallelism;

    @Option(
            names = "--latency-fractions",
            split = ",",
            description =
                    "Input rates of the latency phases as fractions of the job's steady rate"
                            + " (default: 0.25,0.5,0.75).")
    List<Double> latencyFractions;

    @Option(
            names = "--latency-rates",
            split = ",",
            description =
                    "Input rates of the latency phases in steps/s, instead of fractions (e.g."
                            + " 20000).")
    List<Double> latencyRates;

    @Option(
            names = "--latency-seconds",
            description = "Measured seconds per latency rate (default: 30; --quick: 8).")
    Integer latencySeconds;

    @Option(
            names = "--latency-warmup-seconds",
            description =
                    "Unmeasured seconds at the start of each latency rate (default: 10; --quick:"
                            + " 3).")
    Integer latencyWarmupSeconds;

    @Option(names = "--no-latency", description = "Measure throughput only.")
    boolean noLatency;

    @Mixin ConfigMixin config;

    @Override
    public Integer call() throws Exception {
        List<Double> fractions =
                noLatency
                        ? List.of()
                        : latencyFractions != null ? latencyFractions : List.of(0.25, 0.5, 0.75);
        List<Double> rates = noLatency || latencyRates == null ? List.of() : latencyRates;
        LatencyBenchmark.Settings latency =
                new LatencyBenchmark.Settings(
                        rates.isEmpty() ? fractions : new ArrayList<>(),
                        rates,
                        Duration.ofSeconds(
                                orDefault(
                                        latencyWarmupSeconds,
                                        quick ? 3 : 10,
                                        "--latency-warmup-seconds")),
                        Duration.ofSeconds(
                                orDefault(latencySeconds, quick ? 8 : 30, "--latency-seconds")));
        ThroughputBenchmark.Result result =
                ThroughputBenchmark.run(
                        new ThroughputBenchmark.Settings(
                                steps != null ? steps : quick ? 200_000 : 1_000_000,
                                tasks,
                                groupSize,
                                maxEpisodeSteps,
                                parallelism,
                                latency),
                        config.configurationWithOwnBroker("bench"),
                        System.out);
        System.out.print(BenchReport.table(result));
        System.out.println(BenchReport.json(result));
        return 0;
    }

    private static int orDefault(Integer value, int fallback, String what) {
        int chosen = value != null ? value : fallback;
        if (chosen < 1) {
            throw new IllegalArgumentException(what + " must be at least 1, got " + chosen);
        }
        return chosen;
    }
}
