package io.creditstream.tools.soak;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.creditstream.tools.cli.SoakCommand;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class SoakSettingsTest {
    private static final Path OUT = Path.of("soak");

    private static Soak.Settings settings(
            double minutes, double rate, long hostileEvery, Duration sampleEvery, double warmUp) {
        return new Soak.Settings(minutes, rate, hostileEvery, sampleEvery, warmUp, 1, OUT);
    }

    @Test
    void theDefaultsAndTheSmokeRunAreAccepted() {
        Soak.Settings defaults = settings(10, 2_000, 1_000, Duration.ofSeconds(10), 0.2);
        assertThat(defaults.duration()).isEqualTo(Duration.ofMinutes(10));
        assertThat(defaults.warmUpSeconds()).isEqualTo(120);
        assertThat(settings(1, 2_000, 1_000, Duration.ofSeconds(10), 0.2).duration())
                .isEqualTo(Duration.ofMinutes(1));
    }

    @Test
    void eachFlagOutOfRangeIsNamedInTheError() {
        assertThatThrownBy(() -> settings(0, 2_000, 1_000, Duration.ofSeconds(10), 0.2))
                .hasMessageStartingWith("--minutes");
        assertThatThrownBy(() -> settings(Double.NaN, 2_000, 1_000, Duration.ofSeconds(10), 0.2))
                .hasMessageStartingWith("--minutes");
        assertThatThrownBy(() -> settings(10, -5, 1_000, Duration.ofSeconds(10), 0.2))
                .hasMessageStartingWith("--rate");
        assertThatThrownBy(
                        () ->
                                settings(
                                        10,
                                        Double.POSITIVE_INFINITY,
                                        1_000,
                                        Duration.ofSeconds(10),
                                        0.2))
                .hasMessageStartingWith("--rate");
        assertThatThrownBy(() -> settings(10, 2_000, 0, Duration.ofSeconds(10), 0.2))
                .hasMessageStartingWith("--hostile-every");
        assertThatThrownBy(() -> settings(10, 2_000, 1_000, Duration.ofMillis(500), 0.2))
                .hasMessageStartingWith("--sample-every");
        assertThatThrownBy(() -> settings(10, 2_000, 1_000, Duration.ofSeconds(10), 1))
                .hasMessageStartingWith("--warm-up");
        assertThatThrownBy(() -> settings(10, 2_000, 1_000, Duration.ofSeconds(10), -0.1))
                .hasMessageStartingWith("--warm-up");
    }

    @Test
    void aRunTooShortForItsSamplesIsRefusedWithTheWayOut() {
        assertThatThrownBy(() -> settings(0.5, 2_000, 1_000, Duration.ofSeconds(10), 0.2))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("--sample-every")
                .hasMessageContaining("leaves 2 samples")
                .hasMessageContaining("sample more often");
        // The same half minute sampled every 2 s is fine.
        settings(0.5, 2_000, 1_000, Duration.ofSeconds(2), 0.2);
    }

    @Test
    void countsTheSamplesTakenBeforeTheEndAndAfterTheWarmUp() {
        // 10 min every 10 s: samples at 10..590 s; from 120 s on: 48.
        assertThat(Soak.Settings.samplesAfterWarmUp(600, Duration.ofSeconds(10), 0.2))
                .isEqualTo(48);
        // 1 min: samples at 10..50 s; from 12 s on: 20, 30, 40, 50.
        assertThat(Soak.Settings.samplesAfterWarmUp(60, Duration.ofSeconds(10), 0.2)).isEqualTo(4);
        // No warm-up: every sample counts.
        assertThat(Soak.Settings.samplesAfterWarmUp(60, Duration.ofSeconds(10), 0)).isEqualTo(5);
    }

    @Test
    void aMalformedDurationNamesItsFlag() {
        SoakCommand command = new SoakCommand();
        assertThatThrownBy(
                        () -> new CommandLine(command).parseArgs("--sample-every", "ten seconds"))
                .isInstanceOf(CommandLine.ParameterException.class)
                .hasMessageContaining("--sample-every")
                .hasMessageContaining("'ten seconds' is not a duration");
        assertThatThrownBy(() -> new CommandLine(new SoakCommand()).parseArgs("--rate", "fast"))
                .isInstanceOf(CommandLine.ParameterException.class)
                .hasMessageContaining("--rate");
    }
}
