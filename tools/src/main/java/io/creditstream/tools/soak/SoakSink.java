package io.creditstream.tools.soak;

import io.creditstream.fleet.RatePacer;
import io.creditstream.fleet.StepEventProducer;
import io.creditstream.fleet.StepEventSink;
import io.creditstream.schemas.StepEvent;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.function.BooleanSupplier;

/**
 * Where the soak's fleet sends its steps: to agent.steps one at a time, each when the clock says it
 * is due at the target rate (not a group at once, as the demo's fleet does, so the load is as even
 * as it can be), and after every {@code hostileEvery} good steps the next {@link HostileMix}
 * records, once an episode has completed for them to forge from.
 *
 * <p>Called from the fleet's thread; the counters may be read from any.
 */
final class SoakSink implements StepEventSink {
    private final StepEventProducer producer;
    private final HostileMix mix;
    private final double stepsPerSecond;
    private final long hostileEvery;
    private final BooleanSupplier stopRequested;

    private final AtomicLong goodSteps = new AtomicLong();
    private final AtomicLong hostileRecords = new AtomicLong();
    private final AtomicLongArray instances = new AtomicLongArray(HostileKind.values().length);
    private RatePacer pacer;
    private StepEvent lastDone;

    /**
     * @param stopRequested once true, steps are no longer held back: the fleet's last group goes
     *     out at once
     */
    SoakSink(
            StepEventProducer producer,
            HostileMix mix,
            double stepsPerSecond,
            long hostileEvery,
            BooleanSupplier stopRequested) {
        this.producer = producer;
        this.mix = mix;
        this.stepsPerSecond = stepsPerSecond;
        this.hostileEvery = hostileEvery;
        this.stopRequested = stopRequested;
    }

    @Override
    public void send(StepEvent step) {
        if (pacer == null) {
            pacer = new RatePacer(stepsPerSecond, System.nanoTime());
        }
        long sequence = goodSteps.get();
        pacer.awaitDue(sequence, stopRequested);
        producer.send(step);
        goodSteps.incrementAndGet();
        if (step.getDone()) {
            // Its earlier steps went before it, on the same partition: the job has the episode
            // complete by the time it reads a record forged from it.
            lastDone = step;
        }
        if (lastDone != null && (sequence + 1) % hostileEvery == 0) {
            HostileKind kind = mix.nextKind();
            for (HostileMix.HostileRecord record : mix.next(lastDone)) {
                producer.sendRaw(record.key(), record.value());
                hostileRecords.incrementAndGet();
            }
            instances.incrementAndGet(kind.ordinal());
        }
    }

    @Override
    public void flush() {
        producer.flush();
    }

    long goodSteps() {
        return goodSteps.get();
    }

    long hostileRecords() {
        return hostileRecords.get();
    }

    /** Hostile records sent so far, by kind, counting the overflowing group's two as one. */
    Map<HostileKind, Long> instances() {
        Map<HostileKind, Long> counts = new EnumMap<>(HostileKind.class);
        for (HostileKind kind : HostileKind.values()) {
            counts.put(kind, instances.get(kind.ordinal()));
        }
        return counts;
    }
}
