package io.creditstream.fleet.env;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongConsumer;
import java.util.function.LongSupplier;

/**
 * An environment whose every step takes at least {@code stepLatency} of wall time, the way a real
 * environment (a browser, a shell, a simulator) or a long-horizon agent's tool call does: the maze
 * answers in microseconds, so without it a rollout group is written within moments of its start and
 * never falls behind the learner. Because the latency is per step, long episodes are the slow ones,
 * which is what makes a lag-based drop favour short (often successful) episodes.
 *
 * <p>The latency includes the wrapped step's own cost (the maze's is negligible) and comes on top
 * of the policy's, as an environment's round trip would; {@link #reset} is not delayed. The wait
 * ends early if the thread is interrupted (its flag stays set), so that a stopping fleet is not
 * held by a long step.
 */
public final class SlowEnvironment implements TextEnvironment {
    /** The longest latency accepted: beyond it a step is a stuck environment, not a slow one. */
    public static final Duration MAX_STEP_LATENCY = Duration.ofMinutes(10);

    private final TextEnvironment inner;
    private final long latencyNanos;
    private final LongSupplier clock;
    private final LongConsumer park;

    /**
     * @param inner the environment that decides what happens
     * @param stepLatency how long each step takes at least; zero or positive, at most {@link
     *     #MAX_STEP_LATENCY}
     */
    public SlowEnvironment(TextEnvironment inner, Duration stepLatency) {
        this(inner, stepLatency, System::nanoTime, LockSupport::parkNanos);
    }

    /** With a clock and a park of one's own: lets a test check the waits without waiting. */
    SlowEnvironment(
            TextEnvironment inner, Duration stepLatency, LongSupplier clock, LongConsumer park) {
        this.inner = Objects.requireNonNull(inner, "inner");
        this.latencyNanos = checkedLatency(stepLatency).toNanos();
        this.clock = Objects.requireNonNull(clock, "clock");
        this.park = Objects.requireNonNull(park, "park");
    }

    /**
     * {@code stepLatency} when it is a usable step latency.
     *
     * @throws IllegalArgumentException naming {@code --step-latency} and the accepted range
     */
    public static Duration checkedLatency(Duration stepLatency) {
        if (stepLatency == null
                || stepLatency.isNegative()
                || stepLatency.compareTo(MAX_STEP_LATENCY) > 0) {
            throw new IllegalArgumentException(
                    "--step-latency must be 0 (steps as fast as the environment runs) or a"
                            + " duration up to "
                            + MAX_STEP_LATENCY.toMinutes()
                            + " min per environment step (e.g. 5ms), got "
                            + stepLatency);
        }
        return stepLatency;
    }

    @Override
    public String reset(long taskSeed) {
        return inner.reset(taskSeed);
    }

    @Override
    public StepResult step(String action) {
        // The deadline is taken before the inner step: the latency is the step's, so the maze's
        // own cost counts towards it rather than on top of it.
        long due = clock.getAsLong() + latencyNanos;
        StepResult result = inner.step(action);
        long wait;
        // parkNanos may return early (spuriously, or on unpark): wait out the rest.
        while ((wait = due - clock.getAsLong()) > 0 && !Thread.currentThread().isInterrupted()) {
            park.accept(wait);
        }
        return result;
    }

    @Override
    public List<String> actions() {
        return inner.actions();
    }
}
