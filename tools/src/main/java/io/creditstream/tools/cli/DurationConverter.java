package io.creditstream.tools.cli;

import java.time.Duration;
import org.apache.flink.util.TimeUtils;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * Reads a duration flag the way Flink reads durations ({@code 60s}, {@code 90 s}, {@code 5min},
 * {@code 500ms}); picocli names the flag in the error.
 *
 * <p>A number without a unit is refused (except {@code 0}, which these flags use for "never"):
 * Flink would read {@code --stall-timeout 300} as 300 ms, while the fleet and learner commands read
 * a bare number as seconds, so either reading would surprise someone.
 */
public class DurationConverter implements ITypeConverter<Duration> {
    @Override
    public Duration convert(String text) {
        String trimmed = text == null ? "" : text.trim();
        if (trimmed.matches("\\d+") && !trimmed.matches("0+")) {
            throw new TypeConversionException(
                    "'"
                            + trimmed
                            + "' has no unit; write e.g. "
                            + trimmed
                            + "s, "
                            + trimmed
                            + "ms or "
                            + trimmed
                            + "min");
        }
        try {
            return TimeUtils.parseDuration(trimmed);
        } catch (IllegalArgumentException e) {
            throw new TypeConversionException(
                    "'" + text + "' is not a duration; use e.g. 60s, 90 s or 5min");
        }
    }
}
