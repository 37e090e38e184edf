package io.creditstream.fleet;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/**
 * Holds a sender to a steady rate by the clock: the n-th event is due n / rate seconds after the
 * start, so a sender that fell behind (a slow send, a GC pause) catches up instead of drifting, and
 * the rate over any long stretch is the target whatever the sends cost.
 *
 * <p>The {@link FleetRunner} waits once per rollout group; the soak waits before every step, so
 * that its load is as even as the clock allows.
 */
public final class RatePacer {
    /** Longest single pause, so that a stop request is honoured promptly even at very low rates. */
    private static final long MAX_PARK_NANOS = TimeUnit.MILLISECONDS.toNanos(50);

    private final double eventsPerSecond;
    private final long startNanos;

    /**
     * @param eventsPerSecond the target rate, positive
     * @param startNanos the {@link System#nanoTime()} at which event 0 was due
     */
    public RatePacer(double eventsPerSecond, long startNanos) {
        if (!(eventsPerSecond > 0) || Double.isInfinite(eventsPerSecond)) {
            throw new IllegalArgumentException(
                    "eventsPerSecond must be positive and finite, got " + eventsPerSecond);
        }
        this.eventsPerSecond = eventsPerSecond;
        this.startNanos = startNanos;
    }

    /** When the event with this 0-based sequence number is due, in {@link System#nanoTime()}. */
    public long dueNanos(long sequence) {
        return startNanos + (long) (sequence * 1e9 / eventsPerSecond);
    }

    /**
     * Sleeps until event {@code sequence} is due; returns early once {@code stop} holds or the
     * thread is interrupted (its interrupt flag stays set).
     */
    public void awaitDue(long sequence, BooleanSupplier stop) {
        long due = dueNanos(sequence);
        long wait;
        while (!stop.getAsBoolean() && (wait = due - System.nanoTime()) > 0) {
            LockSupport.parkNanos(Math.min(wait, MAX_PARK_NANOS));
            if (Thread.currentThread().isInterrupted()) {
                return;
            }
        }
    }
}
