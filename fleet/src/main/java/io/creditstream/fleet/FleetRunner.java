package io.creditstream.fleet;

import io.creditstream.schemas.StepEvent;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps producing rollout groups from a {@link SimulatedFleet} into a {@link StepEventSink} at a
 * target rate, on the caller's thread, until stopped or a group limit is reached.
 *
 * <p>{@link #run()} runs once; {@link #stop()} and the counters are safe from any thread.
 */
public final class FleetRunner implements Runnable {
    private static final Logger LOG = LoggerFactory.getLogger(FleetRunner.class);

    private final SimulatedFleet fleet;
    private final StepEventSink sink;
    private final double targetEventsPerSecond;
    private final long maxGroups;
    private final RoundPlanner planner;

    private final AtomicBoolean started = new AtomicBoolean();
    private final CountDownLatch finished = new CountDownLatch(1);
    private final AtomicReference<RuntimeException> failure = new AtomicReference<>();
    private volatile boolean stopRequested;

    private final AtomicLong groups = new AtomicLong();
    private final AtomicLong episodes = new AtomicLong();
    private final AtomicLong successes = new AtomicLong();
    private final AtomicLong steps = new AtomicLong();
    private final AtomicLong events = new AtomicLong();

    private FleetRunner(Builder builder) {
        this.fleet = builder.fleet;
        this.sink = builder.sink;
        this.targetEventsPerSecond = builder.targetEventsPerSecond;
        this.maxGroups = builder.maxGroups;
        this.planner = builder.planner;
    }

    public static Builder builder(SimulatedFleet fleet, StepEventSink sink) {
        return new Builder(fleet, sink);
    }

    /**
     * Produces groups until {@link #stop()}, an interrupt, the group limit or a sink failure (which
     * is rethrown and kept in {@link #failure()}), then flushes the sink.
     */
    @Override
    public void run() {
        if (!started.compareAndSet(false, true)) {
            throw new IllegalStateException("A FleetRunner runs once; build another one.");
        }
        LOG.info(
                "Fleet for {} started: {} tasks, groups of {}, target {} events/s",
                fleet.experimentId(),
                fleet.taskIds().size(),
                fleet.groupSize(),
                targetEventsPerSecond == 0 ? "unlimited" : targetEventsPerSecond);
        long startNanos = System.nanoTime();
        RatePacer pacer =
                targetEventsPerSecond == 0
                        ? null
                        : new RatePacer(targetEventsPerSecond, startNanos);
        try {
            while (!stopRequested
                    && !Thread.currentThread().isInterrupted()
                    && (maxGroups == 0 || groups.get() < maxGroups)) {
                if (planner == null) {
                    play(fleet.nextRolloutGroup(), pacer);
                } else {
                    for (RoundPlanner.Assignment assignment : planner.nextRound()) {
                        if (assignment.rollouts() > 0 && !stopRequested) {
                            play(
                                    fleet.nextRolloutGroup(
                                            assignment.taskId(), assignment.rollouts()),
                                    pacer);
                        }
                    }
                }
            }
            sink.flush();
        } catch (RuntimeException e) {
            failure.set(e);
            LOG.error("Fleet for {} failed", fleet.experimentId(), e);
            throw e;
        } finally {
            finished.countDown();
            long millis =
                    Math.max(1, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos));
            LOG.info(
                    "Fleet for {} stopped after {} ms: {} groups, {} episodes ({} successes),"
                            + " {} steps, {} events/s",
                    fleet.experimentId(),
                    millis,
                    groups.get(),
                    episodes.get(),
                    successes.get(),
                    steps.get(),
                    events.get() * 1000 / millis);
        }
    }

    private void play(RolloutGroup group, RatePacer pacer) {
        for (StepEvent event : group.events()) {
            sink.send(event);
        }
        events.addAndGet(group.events().size());
        steps.addAndGet(group.steps());
        episodes.addAndGet(group.episodes());
        successes.addAndGet(group.successes());
        groups.incrementAndGet();
        if (pacer != null) {
            // Until the events sent so far are due at the target rate.
            pacer.awaitDue(events.get(), () -> stopRequested);
        }
    }

    /** Asks {@link #run()} to return after the group in progress; does not wait. */
    public void stop() {
        stopRequested = true;
    }

    /** Waits until {@link #run()} has returned; false when the timeout passed first. */
    public boolean awaitFinished(long timeout, TimeUnit unit) throws InterruptedException {
        return finished.await(timeout, unit);
    }

    public long groups() {
        return groups.get();
    }

    public long episodes() {
        return episodes.get();
    }

    /** Episodes with a positive return. */
    public long successes() {
        return successes.get();
    }

    /** Distinct steps played. */
    public long steps() {
        return steps.get();
    }

    /** Events sent, duplicates included. */
    public long events() {
        return events.get();
    }

    /** The exception that ended {@link #run()}, if one did. */
    public Optional<RuntimeException> failure() {
        return Optional.ofNullable(failure.get());
    }

    /** Configures a {@link FleetRunner}: unlimited rate and groups by default. */
    public static final class Builder {
        private final SimulatedFleet fleet;
        private final StepEventSink sink;
        private double targetEventsPerSecond;
        private long maxGroups;
        private RoundPlanner planner;

        private Builder(SimulatedFleet fleet, StepEventSink sink) {
            if (fleet == null || sink == null) {
                throw new IllegalArgumentException("A FleetRunner needs a fleet and a sink");
            }
            this.fleet = fleet;
            this.sink = sink;
        }

        /** Events per second to aim at, duplicates included; 0 (the default) is unlimited. */
        public Builder targetEventsPerSecond(double targetEventsPerSecond) {
            if (!(targetEventsPerSecond >= 0) || Double.isInfinite(targetEventsPerSecond)) {
                throw new IllegalArgumentException(
                        "targetEventsPerSecond must be 0 (unlimited) or positive, got "
                                + targetEventsPerSecond);
            }
            this.targetEventsPerSecond = targetEventsPerSecond;
            return this;
        }

        /** Stop after this many groups; 0 (the default) runs until stopped. */
        public Builder maxGroups(long maxGroups) {
            if (maxGroups < 0) {
                throw new IllegalArgumentException(
                        "maxGroups must be 0 (unlimited) or positive, got " + maxGroups);
            }
            this.maxGroups = maxGroups;
            return this;
        }

        /**
         * Plays the rounds a planner decides (e.g. knapsack budgets) instead of one group of every
         * task in turn.
         */
        public Builder planner(RoundPlanner planner) {
            this.planner = planner;
            return this;
        }

        public FleetRunner build() {
            return new FleetRunner(this);
        }
    }
}
