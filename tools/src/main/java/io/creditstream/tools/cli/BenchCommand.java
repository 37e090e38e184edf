package io.creditstream.tools.cli;

import io.creditstream.tools.bench.ThroughputBenchmark;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code creditstream bench}: the job's throughput against this machine's passthrough ceiling. */
@Command(
        name = "bench",
        mixinStandardHelpOptions = true,
        description = {
            "Measure end-to-end throughput on this machine: pre-produce simulated steps to an"
                    + " embedded broker, then run a passthrough job (Kafka -> keyBy -> one state"
                    + " update -> Kafka) and the full creditstream job over the same topic, and"
                    + " report both rates and their ratio.",
            "",
            "Example: creditstream bench --steps 1000000"
        })
public class BenchCommand implements Callable<Integer> {
    @Option(
            names = "--steps",
            defaultValue = "500000",
            description = "Steps to produce (default: ${DEFAULT-VALUE}).")
    long steps;

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

    @Mixin ConfigMixin config;

    @Override
    public Integer call() throws Exception {
        ThroughputBenchmark.Result result =
                ThroughputBenchmark.run(
                        new ThroughputBenchmark.Settings(
                                steps, tasks, groupSize, maxEpisodeSteps, parallelism),
                        config.configurationWithOwnBroker("bench"),
                        System.out);
        System.out.printf(
                "%nsteps %,d (mean episode %.1f) | passthrough %,.0f/s | creditstream %,.0f/s |"
                        + " ratio %.2f%n",
                result.steps(),
                result.meanEpisodeLength(),
                result.passthroughRate(),
                result.jobRate(),
                result.ratio());
        return 0;
    }
}
