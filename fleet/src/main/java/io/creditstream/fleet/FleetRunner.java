package io.creditstream.fleet;

import io.creditstream.schemas.StepEvent;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps producing rollout groups from a {@link SimulatedFleet} into a {@link StepEventSink} at a
 * target rate, on the caller's thread, until stopped or a group limit is reached.
 *
 * <p>Whoever owns the fleet can take part through the {@link Builder}: a {@link GroupGate} is asked
 * before every group is played (to wait for a newer policy, switch to it, or end the run at a
 * limit), a listener hears of every group sent, and an outside stop signal ends the run like {@link
 * #stop()}. The DJL fleet service plays its workers this way.
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
    private final GroupGate gate;
    private final Consumer<RolloutGroup> afterGroup;
    private final BooleanSupplier outsideStop;

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
        this.gate = builder.gate;
        this.afterGroup = builder.afterGroup;
        this.outsideStop = builder.outsideStop;
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
            play(pacer);
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

    /** The planner loop: rounds (or one group of every task in turn) until a stop or a limit. */
    private void play(RatePacer pacer) {
        while (!stopping()
                && !Thread.currentThread().isInterrupted()
                && (maxGroups == 0 || groups.get() < maxGroups)) {
            if (planner == null) {
                if (!playGroup(null, fleet.groupSize(), pacer)) {
                    return;
                }
                continue;
            }
            for (RoundPlanner.Assignment assignment : planner.nextRound()) {
                if (assignment.rollouts() <= 0) {
                    continue;
                }
                if (stopping() || !playGroup(assignment.taskId(), assignment.rollouts(), pacer)) {
                    return;
                }
            }
        }
    }

    /** Plays and sends one group; false when the gate ends the run. */
    private boolean playGroup(String taskId, int rollouts, RatePacer pacer) {
        if (!gate.admit(taskId, rollouts)) {
            return false;
        }
        RolloutGroup group =
                taskId == null
                        ? fleet.nextRolloutGroup()
                        : fleet.nextRolloutGroup(taskId, rollouts);
        for (StepEvent event : group.events()) {
            sink.send(event);
        }
        events.addAndGet(group.events().size());
        steps.addAndGet(group.steps());
        episodes.addAndGet(group.episodes());
        successes.addAndGet(group.successes());
        groups.incrementAndGet();
        afterGroup.accept(group);
        if (pacer != null) {
            // Until the events sent so far are due at the target rate.
            pacer.awaitDue(events.get(), this::stopping);
        }
        return true;
    }

    private boolean stopping() {
        return stopRequested || outsideStop.getAsBoolean();
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
        private GroupGate gate = (taskId, rollouts) -> true;
        private Consumer<RolloutGroup> afterGroup = group -> {};
        private BooleanSupplier outsideStop = () -> false;

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

        /**
         * Asks {@code gate} before every group; the run ends when it says no. By default every
         * group is played.
         */
        public Builder gate(GroupGate gate) {
            this.gate = Objects.requireNonNull(gate, "gate");
            return this;
        }

        /** Tells {@code listener} of every group once its events are sent, before pacing. */
        public Builder afterGroup(Consumer<RolloutGroup> listener) {
            this.afterGroup = Objects.requireNonNull(listener, "listener");
            return this;
        }

        /**
         * Ends the run, as {@link FleetRunner#stop()} does, once {@code stop} holds; checked before
         * every round and group and while pacing.
         */
        public Builder stopWhen(BooleanSupplier stop) {
            this.outsideStop = Objects.requireNonNull(stop, "stop");
            return this;
        }

        public FleetRunner build() {
            return new FleetRunner(this);
        }
    }

    /** Decides, before each group, whether it is played. */
    @FunctionalInterface
    public interface GroupGate {
        /**
         * Called on the runner's thread before the group of {@code rollouts} episodes of {@code
         * taskId} (null: the fleet's next task in turn) is played; may block, e.g. to wait for a
         * newer policy.
         *
         * @return false to end the run instead
         */
        boolean admit(String taskId, int rollouts);
    }
}
