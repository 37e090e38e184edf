package io.creditstream.tools.cli;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Ctrl-C as a request to stop rather than an end: a JVM shutdown hook raises {@link #requested()}
 * and then holds the JVM up to 30 s for the command to finish (stop its fleet, write its files,
 * print its summary), until {@link #close()} says it has.
 */
final class ShutdownSignal implements AutoCloseable {
    private final AtomicBoolean requested = new AtomicBoolean();
    private final CountDownLatch finished = new CountDownLatch(1);

    private ShutdownSignal() {}

    /** Installs the hook; close the signal when the command is done. */
    static ShutdownSignal install(String threadName) {
        ShutdownSignal signal = new ShutdownSignal();
        Runtime.getRuntime()
                .addShutdownHook(
                        new Thread(
                                () -> {
                                    signal.requested.set(true);
                                    try {
                                        signal.finished.await(30, TimeUnit.SECONDS);
                                    } catch (InterruptedException e) {
                                        Thread.currentThread().interrupt();
                                    }
                                },
                                threadName));
        return signal;
    }

    boolean requested() {
        return requested.get();
    }

    @Override
    public void close() {
        finished.countDown();
    }
}
