package io.creditstream.tools;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The closed-loop demo refuses bad settings up front, naming the flag and what it accepts. */
class ClosedLoopDemoSettingsTest {

    private static ClosedLoopDemo.Settings settings(
            double stopAtSuccess, long maxStepsAhead, String learnerClasspath) {
        return settings(
                stopAtSuccess,
                maxStepsAhead,
                learnerClasspath,
                Duration.ofSeconds(30),
                Duration.ofMinutes(3));
    }

    private static ClosedLoopDemo.Settings settings(
            double stopAtSuccess,
            long maxStepsAhead,
            String learnerClasspath,
            Duration stallWarning,
            Duration stallTimeout) {
        return new ClosedLoopDemo.Settings(
                1_000,
                stopAtSuccess,
                null,
                1,
                2,
                32,
                8,
                "standard",
                0,
                maxStepsAhead,
                Duration.ofSeconds(5),
                0,
                learnerClasspath,
                List.of("--epochs", "4"),
                List.of(),
                Path.of("."),
                stallWarning,
                stallTimeout);
    }

    @Test
    void acceptsTheDefaultsAndTheEnds() {
        assertThat(settings(0.8, 4096, "lib/*").stopAtSuccess()).isEqualTo(0.8);
        assertThat(settings(0, 0, "lib/*").maxStepsAhead()).isZero();
        assertThat(settings(1, 1, "lib/*").learnerArgs()).containsExactly("--epochs", "4");
        assertThat(settings(0.8, 4096, "lib/*", Duration.ZERO, Duration.ZERO).stallTimeout())
                .isZero();
    }

    @Test
    void namesTheBadFlag() {
        assertThatThrownBy(() -> settings(1.5, 4096, "lib/*"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("--stop-at-success")
                .hasMessageContaining("[0, 1]");
        assertThatThrownBy(() -> settings(Double.NaN, 4096, "lib/*"))
                .hasMessageContaining("--stop-at-success");
        assertThatThrownBy(() -> settings(0.8, -1, "lib/*"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("--max-steps-ahead");
        assertThatThrownBy(() -> settings(0.8, 4096, " "))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("CREDITSTREAM_POLICY_CLASSPATH");
        assertThatThrownBy(
                        () -> settings(0.8, 4096, "lib/*", Duration.ofSeconds(-1), Duration.ZERO))
                .hasMessageContaining("--stall-warning");
        assertThatThrownBy(() -> settings(0.8, 4096, "lib/*", Duration.ZERO, null))
                .hasMessageContaining("--stall-timeout");
    }
}
