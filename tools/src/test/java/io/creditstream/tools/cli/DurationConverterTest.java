package io.creditstream.tools.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** How the demo's and soak's duration flags read their values. */
class DurationConverterTest {

    @Test
    void readsFlinkDurations() {
        DemoCommand demo = new DemoCommand();
        new CommandLine(demo)
                .parseArgs(
                        "--stall-timeout",
                        "5min",
                        "--stall-warning",
                        "90 s",
                        "--duration",
                        "500ms");
        assertThat(demo.stallTimeout).isEqualTo(Duration.ofMinutes(5));
        assertThat(demo.stallWarning).isEqualTo(Duration.ofSeconds(90));
        assertThat(demo.duration).isEqualTo(Duration.ofMillis(500));
    }

    @Test
    void aNumberWithoutAUnitIsRefusedAndTheErrorNamesTheFlagAndTheFix() {
        // Flink's parser alone would take 300 as 300 ms: a demo that gives up after 0.3 s.
        assertThatThrownBy(
                        () ->
                                new CommandLine(new DemoCommand())
                                        .parseArgs("--stall-timeout", "300"))
                .isInstanceOf(CommandLine.ParameterException.class)
                .hasMessageContaining("--stall-timeout")
                .hasMessageContaining("'300' has no unit; write e.g. 300s, 300ms or 300min");
    }

    @Test
    void zeroNeedsNoUnitBecauseItMeansNever() {
        DemoCommand demo = new DemoCommand();
        new CommandLine(demo).parseArgs("--stall-timeout", "0", "--stall-warning", "00");
        assertThat(demo.stallTimeout).isZero();
        assertThat(demo.stallWarning).isZero();
    }

    @Test
    void somethingElseIsNotADuration() {
        assertThatThrownBy(() -> new CommandLine(new DemoCommand()).parseArgs("--duration", "1.5s"))
                .isInstanceOf(CommandLine.ParameterException.class)
                .hasMessageContaining("--duration")
                .hasMessageContaining("'1.5s' is not a duration; use e.g. 60s, 90 s or 5min");
    }
}
