package io.creditstream.policy.cli;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Runs a command's main loop with a progress line every interval and a shutdown hook that stops the
 * loop on Ctrl-C and waits for it to end cleanly.
 */
final class ProgressLoop {
    private ProgressLoop() {}

    /** The loop itself; it returns when done or when {@code stop} made it return. */
    interface Body {
        void run() throws Exception;
    }

    static void run(
            PrintWriter out,
            String name,
            Duration interval,
            Supplier<String> progress,
            Runnable stop,
            Body body)
            throws Exception {
        ScheduledExecutorService ticker =
                Executors.newSingleThreadScheduledExecutor(
                        r -> {
                            Thread thread = new Thread(r, name + "-progress");
                            thread.setDaemon(true);
                            return thread;
                        });
        CountDownLatch finished = new CountDownLatch(1);
        Thread hook =
                new Thread(
                        () -> {
                            stop.run();
                            try {
                                finished.await(30, TimeUnit.SECONDS);
                            } catch (InterruptedException e) {
                                Thread.currentThread().interrupt();
                            }
                        },
                        name + "-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        long startNanos = System.nanoTime();
        ticker.scheduleAtFixedRate(
                () -> {
                    out.printf(
                            "[%s %5.0fs] %s%n",
                            name, (System.nanoTime() - startNanos) / 1e9, progress.get());
                    out.flush();
                },
                interval.toMillis(),
                interval.toMillis(),
                TimeUnit.MILLISECONDS);
        try {
            body.run();
        } finally {
            ticker.shutdownNow();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException e) {
                // Already shutting down: the hook is running and waits for `finished`.
            }
            out.printf(
                    "[%s %5.0fs] done: %s%n",
                    name, (System.nanoTime() - startNanos) / 1e9, progress.get());
            out.flush();
            // Only now: on SIGTERM the JVM halts as soon as the hook returns, which took the
            // final line with it when this came first.
            finished.countDown();
        }
    }
}
