package io.creditstream.operators.core.config;

import java.util.Locale;
import java.util.StringJoiner;
import java.util.function.Function;

/**
 * Parses the kebab-case configuration names of the kernels' enums (estimators, normalisations, cost
 * estimations, …) in one way: trimmed, case-insensitive, and with errors that name the key, the bad
 * value and every accepted value.
 */
public final class ConfigNames {

    private ConfigNames() {}

    /**
     * The constant of {@code values} whose configuration name is {@code value}.
     *
     * @throws IllegalArgumentException when the value is missing or unknown, naming {@code key}
     */
    public static <E> E parse(String key, String value, E[] values, Function<E, String> name) {
        String[] accepted = names(values, name);
        if (value == null) {
            throw new IllegalArgumentException(
                    key + " must be set; accepted values: " + join(accepted));
        }
        E match = find(value, values, name);
        if (match == null) {
            throw new IllegalArgumentException(
                    "Unknown " + key + " '" + value + "'; accepted values: " + join(accepted));
        }
        return match;
    }

    /** The constant named {@code value} (compared trimmed and lower-case), or null. */
    public static <E> E find(String value, E[] values, Function<E, String> name) {
        String canonical = canonical(value);
        for (E candidate : values) {
            if (name.apply(candidate).equals(canonical)) {
                return candidate;
            }
        }
        return null;
    }

    /** The form a configuration value is compared in: trimmed and lower-case. */
    public static String canonical(String value) {
        return value.trim().toLowerCase(Locale.ROOT);
    }

    /** The configuration names of {@code values}, comma-separated, in declaration order. */
    public static <E> String accepted(E[] values, Function<E, String> name) {
        return join(names(values, name));
    }

    private static <E> String[] names(E[] values, Function<E, String> name) {
        String[] names = new String[values.length];
        for (int i = 0; i < values.length; i++) {
            names[i] = name.apply(values[i]);
        }
        return names;
    }

    private static String join(String[] names) {
        StringJoiner joiner = new StringJoiner(", ");
        for (String name : names) {
            joiner.add(name);
        }
        return joiner.toString();
    }
}
