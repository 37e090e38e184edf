package io.creditstream.policy.cli;

import io.creditstream.policy.service.Maze;
import io.creditstream.policy.service.OffsetPastEnd;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** Picocli converters whose errors say what a valid value looks like. */
final class Converters {
    private Converters() {}

    /** {@code 30s}, {@code 500ms}, {@code 5min}, {@code 2h}, or ISO-8601 such as {@code PT30S}. */
    static final class DurationConverter implements ITypeConverter<Duration> {
        private static final Pattern SIMPLE =
                Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*(ms|s|sec|m|min|h)?");

        @Override
        public Duration convert(String value) {
            return parse(value);
        }

        static Duration parse(String value) {
            String text = value == null ? "" : value.trim().toLowerCase(Locale.ROOT);
            Matcher matcher = SIMPLE.matcher(text);
            if (matcher.matches()) {
                double amount = Double.parseDouble(matcher.group(1));
                String unit = matcher.group(2) == null ? "s" : matcher.group(2);
                double millis =
                        switch (unit) {
                            case "ms" -> amount;
                            case "s", "sec" -> amount * 1_000;
                            case "m", "min" -> amount * 60_000;
                            case "h" -> amount * 3_600_000;
                            default -> throw new IllegalStateException(unit);
                        };
                return Duration.ofMillis(Math.round(millis));
            }
            try {
                return Duration.parse(value.trim().toUpperCase(Locale.ROOT));
            } catch (DateTimeParseException | NullPointerException e) {
                throw new TypeConversionException(
                        "'" + value + "' is not a duration; use e.g. 500ms, 30s, 5min or 2h");
            }
        }
    }

    /** {@code standard} or {@code small}, any case. */
    static final class MazeConverter implements ITypeConverter<Maze> {
        @Override
        public Maze convert(String value) {
            try {
                return Maze.parse(value);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }

    /** {@code fail}, {@code earliest} or {@code latest}, any case. */
    static final class OffsetPastEndConverter implements ITypeConverter<OffsetPastEnd> {
        @Override
        public OffsetPastEnd convert(String value) {
            try {
                return OffsetPastEnd.parse(value);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }
}
