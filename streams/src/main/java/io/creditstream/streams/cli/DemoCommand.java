package io.creditstream.streams.cli;

import io.creditstream.streams.Demo;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.flink.util.TimeUtils;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code creditstream demo}: broker, job and a simulated fleet, all in this process. */
@Command(
        name = "demo",
        mixinStandardHelpOptions = true,
        description = {
            "Run everything embedded: a Kafka broker (KRaft) in this process, the creditstream job"
                    + " on a local Flink MiniCluster (RocksDB state, exactly-once checkpoints) and a"
                    + " simulated agent fleet playing a sparse-reward maze.",
            "Prints progress (events in, groups completed, batches out, mean |advantage|, anchor"
                    + " singleton ratio) and the Prometheus URL; Ctrl-C stops cleanly.",
            "",
            "Example: creditstream demo --duration 60s -Dcredit.estimator=grpo"
        })
public class DemoCommand implements Callable<Integer> {
    @Option(
            names = "--duration",
            paramLabel = "DURATION",
            description = "Stop after this long, e.g. 60s or 5min (default: until Ctrl-C).")
    String duration;

    @Option(
            names = "--tasks",
            defaultValue = "16",
            description = "Distinct tasks (default: ${DEFAULT-VALUE}).")
    int tasks;

    @Option(
            names = "--group-size",
            defaultValue = "8",
            description = "Rollouts per group (default: ${DEFAULT-VALUE}).")
    int groupSize;

    @Option(
            names = "--seed",
            defaultValue = "1",
            description = "Fleet seed (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(
            names = "--rate",
            defaultValue = "20000",
            paramLabel = "EVENTS/S",
            description =
                    "Steps per second the fleet aims at; 0 = as fast as it can (default: ${DEFAULT-VALUE}).")
    double rate;

    @Option(
            names = "--metrics-port",
            defaultValue = "0",
            description =
                    "Port of the Prometheus endpoint; 0 picks a free one (default: ${DEFAULT-VALUE}).")
    int metricsPort;

    @Mixin ConfigMixin config;

    @Override
    public Integer call() throws Exception {
        Duration limit = duration == null ? null : parseDuration(duration);
        if (tasks < 1 || groupSize < 1) {
            throw new IllegalArgumentException("--tasks and --group-size must be at least 1");
        }
        AtomicBoolean stop = new AtomicBoolean();
        CountDownLatch finished = new CountDownLatch(1);
        Thread hook =
                new Thread(
                        () -> {
                            stop.set(true);
                            try {
                                finished.await(30, java.util.concurrent.TimeUnit.SECONDS);
                            } catch (InterruptedException e) {
                                Thread.currentThread().interrupt();
                            }
                        },
                        "demo-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            Demo.Summary summary =
                    new Demo(
                                    new Demo.Settings(
                                            limit,
                                            tasks,
                                            groupSize,
                                            seed,
                                            rate,
                                            metricsPort,
                                            Duration.ofSeconds(5)),
                                    config.configuration(),
                                    System.out)
                            .run(stop::get);
            System.out.printf(
                    "%nSummary: %.0f s, %,d events sent, %,d in (%,.0f/s), %,d groups completed,"
                            + " %,d batches with %,d advantage records, mean |A| %.3f, anchor"
                            + " singleton ratio %.1f%%, %,d dead letters, last step -> advantage p99 %.0f ms%n",
                    summary.seconds(),
                    summary.eventsSent(),
                    summary.eventsIn(),
                    summary.eventsIn() / Math.max(summary.seconds(), 1e-9),
                    summary.groupsCompleted(),
                    summary.batches(),
                    summary.records(),
                    summary.meanAbsAdvantage(),
                    100 * summary.singletonRatio(),
                    summary.deadLettered(),
                    summary.lastStepToAdvantageP99Ms());
            if (summary.budgetRounds() > 0) {
                System.out.printf(
                        "Knapsack budgets: %,d rounds (%d fell back to uniform), effective-gradient"
                                + " ratio %.2f%n",
                        summary.budgetRounds(),
                        summary.budgetFallbacks(),
                        summary.effectiveGradientRatio());
            }
            if (summary.prm() != null) {
                System.out.printf("In-stream %s%n", summary.prm().line());
            }
            return 0;
        } finally {
            finished.countDown();
        }
    }

    private static Duration parseDuration(String text) {
        try {
            return TimeUtils.parseDuration(text);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(
                    "--duration '" + text + "' is not a duration; use e.g. 60s, 90 s or 5min");
        }
    }
}
