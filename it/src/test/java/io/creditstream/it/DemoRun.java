package io.creditstream.it;

import io.creditstream.tools.ClosedLoopDemo;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.flink.configuration.Configuration;

/**
 * The closed-loop demo on the small maze running on a thread of this JVM until the test has seen
 * what it needs: the job on a MiniCluster, the learner and the fleet as child processes, each with
 * its Prometheus endpoint. Closing it stops the loop as Ctrl-C would.
 */
final class DemoRun implements AutoCloseable {
    private final ClosedLoopDemo demo;
    private final Thread thread;
    private final AtomicBoolean stop = new AtomicBoolean();
    private final ByteArrayOutputStream printed = new ByteArrayOutputStream();
    private volatile Throwable failure;
    private volatile ClosedLoopDemo.Summary summary;

    private DemoRun(ClosedLoopDemo.Settings settings, Configuration config) {
        this.demo =
                new ClosedLoopDemo(
                        settings, config, new PrintStream(printed, true, StandardCharsets.UTF_8));
        this.thread =
                new Thread(
                        () -> {
                            try {
                                summary = demo.run(stop::get);
                            } catch (Throwable e) {
                                failure = e;
                            }
                        },
                        "demo");
    }

    /**
     * Starts the loop: 4 tasks in groups of 8 on the small maze, a quick learner (updates of 512
     * samples), no stop at a success rate, and at most {@code guard} in all.
     */
    static DemoRun start(Configuration config, Path outputDir, Duration guard) {
        ClosedLoopDemo.Settings settings =
                new ClosedLoopDemo.Settings(
                        1_000_000,
                        0,
                        guard,
                        1,
                        1,
                        4,
                        8,
                        "small",
                        0,
                        1_024,
                        Duration.ofSeconds(5),
                        0,
                        System.getProperty("java.class.path"),
                        List.of("--lr", "0.003", "--batch-records", "512"),
                        List.of(),
                        outputDir,
                        Duration.ofSeconds(30),
                        Duration.ofMinutes(3));
        DemoRun run = new DemoRun(settings, config);
        run.thread.start();
        return run;
    }

    /** The endpoints, once the demo has started all three processes. */
    Optional<ClosedLoopDemo.MetricsUrls> metricsUrls() {
        return demo.metricsUrls();
    }

    /** The live page's address, once the demo serves it. */
    Optional<String> livePageUrl() {
        return demo.livePageUrl();
    }

    /**
     * Fails when the loop has ended before the test stopped it (an exception, the guard, a stall),
     * with what it printed.
     */
    void checkRunning() {
        if (!thread.isAlive()) {
            throw new IllegalStateException(
                    "the demo ended before the test stopped it"
                            + (summary != null ? " (" + summary.toJson() + ")" : "")
                            + "; it printed:\n"
                            + output(),
                    failure);
        }
    }

    String output() {
        return printed.toString(StandardCharsets.UTF_8);
    }

    @Override
    public void close() throws InterruptedException {
        stop.set(true);
        thread.join(Duration.ofMinutes(2).toMillis());
        if (thread.isAlive()) {
            thread.interrupt();
            thread.join(Duration.ofSeconds(30).toMillis());
        }
    }
}
