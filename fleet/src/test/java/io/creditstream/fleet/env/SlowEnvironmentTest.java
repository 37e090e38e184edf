package io.creditstream.fleet.env;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The waits a slow environment asks for, on a fake clock: no test here sleeps. */
class SlowEnvironmentTest {

    /** A clock that only moves when parked, by what the park is given times {@code fraction}. */
    private static final class FakeClock {
        long now = 1_000;
        final List<Long> parks = new ArrayList<>();
        double fraction = 1;

        void park(long nanos) {
            parks.add(nanos);
            now += Math.max(1, (long) (nanos * fraction));
        }
    }

    @Test
    void everyStepWaitsOutItsLatencyAndResetDoesNot() {
        FakeClock clock = new FakeClock();
        SlowEnvironment env =
                new SlowEnvironment(
                        new CorridorMazeEnvironment(),
                        Duration.ofMillis(5),
                        () -> clock.now,
                        clock::park);

        env.reset(7);
        assertThat(clock.parks).isEmpty();
        String action = env.actions().get(0);
        env.step(action);
        env.step(action);

        assertThat(clock.parks).containsExactly(5_000_000L, 5_000_000L);
        assertThat(clock.now).isEqualTo(1_000 + 10_000_000L);
    }

    @Test
    void aParkThatReturnsEarlyIsFollowedByAnotherForTheRest() {
        FakeClock clock = new FakeClock();
        // Every park returns after a quarter of what it was asked for (as a spurious wake-up may).
        clock.fraction = 0.25;
        SlowEnvironment env =
                new SlowEnvironment(
                        new CorridorMazeEnvironment(),
                        Duration.ofMillis(4),
                        () -> clock.now,
                        clock::park);
        env.reset(7);

        env.step(env.actions().get(0));

        assertThat(clock.parks.get(0)).isEqualTo(4_000_000L);
        assertThat(clock.parks.get(1)).isEqualTo(3_000_000L);
        assertThat(clock.now).isGreaterThanOrEqualTo(1_000 + 4_000_000L);
        // It stops once the step's time is served, not a park later.
        assertThat(clock.now - 1_000 - 4_000_000L)
                .isLessThan(clock.parks.get(clock.parks.size() - 1));
    }

    @Test
    void timeTheStepAlreadyTookCountsTowardsTheLatency() {
        FakeClock clock = new FakeClock();
        TextEnvironment maze = new CorridorMazeEnvironment();
        TextEnvironment slowInner =
                new TextEnvironment() {
                    @Override
                    public String reset(long taskSeed) {
                        return maze.reset(taskSeed);
                    }

                    @Override
                    public StepResult step(String action) {
                        clock.now += 3_000_000L; // the wrapped step itself takes 3 ms
                        return maze.step(action);
                    }

                    @Override
                    public List<String> actions() {
                        return maze.actions();
                    }
                };
        SlowEnvironment env =
                new SlowEnvironment(slowInner, Duration.ofMillis(5), () -> clock.now, clock::park);
        env.reset(7);

        env.step(env.actions().get(0));

        assertThat(clock.parks).containsExactly(2_000_000L);
    }

    @Test
    void zeroLatencyNeverParks() {
        FakeClock clock = new FakeClock();
        SlowEnvironment env =
                new SlowEnvironment(
                        new CorridorMazeEnvironment(), Duration.ZERO, () -> clock.now, clock::park);
        env.reset(7);
        env.step(env.actions().get(0));
        assertThat(clock.parks).isEmpty();
    }

    @Test
    void aNegativeOrAbsurdLatencyIsRefusedNamingTheFlag() {
        for (Duration bad : new Duration[] {Duration.ofMillis(-1), Duration.ofMinutes(11), null}) {
            assertThatThrownBy(() -> SlowEnvironment.checkedLatency(bad))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("--step-latency")
                    .hasMessageContaining("e.g. 5ms");
        }
        assertThat(SlowEnvironment.checkedLatency(Duration.ofMinutes(10)))
                .isEqualTo(Duration.ofMinutes(10));
    }
}
