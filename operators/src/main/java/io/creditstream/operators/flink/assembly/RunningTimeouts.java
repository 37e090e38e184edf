package io.creditstream.operators.flink.assembly;

import java.time.Duration;
import org.apache.flink.streaming.api.TimerService;

/**
 * Makes processing-time timeouts count only time the job was running.
 *
 * <p>Flink restores timers with their absolute times, so after an outage every timer whose time
 * passed while the job was down fires at once on restore, before the backlog waiting in Kafka has
 * been read: episodes whose remaining steps are still in the topic would be evicted as timed out.
 * The rule here: after a (re)start, no timeout of length {@code d} fires before the subtask has run
 * for {@code d}; a timer that comes due earlier is postponed to that point. A timeout may so last
 * up to twice its length across a restart, never less than its length of running time. In a bounded
 * (batch) run every timer fires at the end of input and nothing is postponed.
 */
final class RunningTimeouts {
    private final boolean boundedInput;
    private long startedAt = Long.MIN_VALUE;

    RunningTimeouts(boolean boundedInput) {
        this.boundedInput = boundedInput;
    }

    /**
     * Records the subtask's first processing time after a (re)start; call it on every element and
     * timer (the first may be a restored timer that came due during the outage).
     */
    void observe(TimerService timers) {
        if (startedAt == Long.MIN_VALUE) {
            startedAt = timers.currentProcessingTime();
        }
    }

    /**
     * When a timeout timer of length {@code timeout} due at {@code timestamp} may really fire:
     * {@code timestamp} itself, or later if the subtask has not yet run for {@code timeout}.
     */
    long postponed(long timestamp, Duration timeout) {
        if (boundedInput) {
            return timestamp;
        }
        return Math.max(timestamp, startedAt + timeout.toMillis());
    }

    /**
     * For a timer of length {@code timeout} firing at {@code timestamp}: registers the timer again
     * where it may really fire and returns that time, or returns {@code timestamp} when it is due.
     */
    long deferIfEarly(long timestamp, Duration timeout, TimerService timers) {
        long due = postponed(timestamp, timeout);
        if (due > timestamp) {
            timers.registerProcessingTimeTimer(due);
        }
        return due;
    }
}
