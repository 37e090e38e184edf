package io.creditstream.tools.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.creditstream.tools.bench.SteadyWindow.Sample;
import java.util.List;
import org.junit.jupiter.api.Test;

class SteadyWindowTest {
    private static final long SECOND = 1_000_000_000L;

    @Test
    void measuresOnlyBetweenTheFractionsSoStartUpAndDrainAreNotCharged() {
        // 1,000 steps: a slow start (100 in 2 s), 800 steps at 400/s, a slow drain (100 in 3 s).
        // CPU: 2 ms per step in the middle, much more per step at both ends.
        List<Sample> samples =
                List.of(
                        new Sample(0, 0, 0),
                        new Sample(2 * SECOND, 100, 900_000_000L),
                        new Sample(2 * SECOND + SECOND / 4, 200, 1_100_000_000L),
                        new Sample(2 * SECOND + SECOND / 2, 300, 1_300_000_000L),
                        new Sample(3 * SECOND + SECOND / 2, 700, 2_100_000_000L),
                        new Sample(4 * SECOND, 900, 2_500_000_000L),
                        new Sample(7 * SECOND, 1000, 4_000_000_000L));

        SteadyWindow steady = SteadyWindow.of(samples, 1000, 0.2, 0.8);

        // From the first sample at >= 200 steps to the last at <= 800: 200 -> 700 steps.
        assertThat(steady.steps()).isEqualTo(500);
        assertThat(steady.seconds()).isCloseTo(1.25, within(1e-9));
        assertThat(steady.stepsPerSecond()).isCloseTo(400.0, within(1e-9));
        assertThat(steady.cpuMicrosPerStep()).isCloseTo(2000.0, within(1e-9));
    }

    @Test
    void theWholeRunWithFractionsZeroAndOne() {
        List<Sample> samples =
                List.of(new Sample(0, 0, 0), new Sample(2 * SECOND, 1000, 3_000_000L));

        SteadyWindow whole = SteadyWindow.of(samples, 1000, 0, 1);

        assertThat(whole.stepsPerSecond()).isCloseTo(500.0, within(1e-9));
        assertThat(whole.cpuMicrosPerStep()).isCloseTo(3.0, within(1e-9));
    }

    @Test
    void aRunTooShortForItsSamplesSaysToRunMoreSteps() {
        // Everything happened between two samples: no sample falls inside 20%..80%.
        List<Sample> samples = List.of(new Sample(0, 0, 0), new Sample(SECOND, 1000, 5L));

        assertThatThrownBy(() -> SteadyWindow.of(samples, 1000, 0.2, 0.8))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("20% and 80% of 1000 steps")
                .hasMessageContaining("--steps");
    }

    @Test
    void rejectsFractionsOutOfOrder() {
        List<Sample> samples = List.of(new Sample(0, 0, 0));

        assertThatThrownBy(() -> SteadyWindow.of(samples, 1000, 0.8, 0.2))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("0 <= from < to <= 1");
        assertThatThrownBy(() -> SteadyWindow.of(samples, 0, 0.2, 0.8))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("totalSteps");
    }
}
