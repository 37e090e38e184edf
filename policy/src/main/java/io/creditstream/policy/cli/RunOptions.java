package io.creditstream.policy.cli;

import java.time.Duration;
import picocli.CommandLine.Option;

/** How long a command runs and how often it reports. */
final class RunOptions {
    @Option(
            names = "--duration",
            paramLabel = "DURATION",
            converter = Converters.DurationConverter.class,
            description = "Stop after this long, e.g. 60s or 5min (default: until Ctrl-C).")
    Duration duration;

    @Option(
            names = "--progress-interval",
            defaultValue = "5s",
            paramLabel = "DURATION",
            converter = Converters.DurationConverter.class,
            description = "Print a progress line this often (default: ${DEFAULT-VALUE}).")
    Duration progressInterval;

    /** The progress interval, checked. */
    Duration progressInterval() {
        if (progressInterval.isZero() || progressInterval.isNegative()) {
            throw new io.creditstream.policy.service.InvalidSettingException(
                    "progress-interval", "must be positive, e.g. 5s; got " + progressInterval);
        }
        return progressInterval;
    }

    /** The duration, checked; null runs until stopped. */
    Duration duration() {
        if (duration != null && (duration.isZero() || duration.isNegative())) {
            throw new io.creditstream.policy.service.InvalidSettingException(
                    "duration", "must be positive, e.g. 60s; got " + duration);
        }
        return duration;
    }
}
