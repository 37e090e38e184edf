package io.creditstream.tools.cli;

import java.time.Duration;
import org.apache.flink.util.TimeUtils;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * Reads a duration flag the way Flink reads durations ({@code 60s}, {@code 90 s}, {@code 5min},
 * {@code 500ms}); picocli names the flag in the error.
 */
public class DurationConverter implements ITypeConverter<Duration> {
    @Override
    public Duration convert(String text) {
        try {
            return TimeUtils.parseDuration(text);
        } catch (IllegalArgumentException e) {
            throw new TypeConversionException(
                    "'" + text + "' is not a duration; use e.g. 60s, 90 s or 5min");
        }
    }
}
