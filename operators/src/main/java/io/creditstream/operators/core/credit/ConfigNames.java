package io.creditstream.operators.core.credit;

import java.util.Locale;
import java.util.StringJoiner;

/** Parses the kebab-case configuration names shared by the credit enums. */
final class ConfigNames {

    private ConfigNames() {}

    /** The form a configuration value is compared in: trimmed and lower-case. */
    static String canonical(String value) {
        return value.trim().toLowerCase(Locale.ROOT);
    }

    /** The accepted names of an enum, comma-separated, in declaration order. */
    static String join(String[] names) {
        StringJoiner joiner = new StringJoiner(", ");
        for (String name : names) {
            joiner.add(name);
        }
        return joiner.toString();
    }

    static IllegalArgumentException missing(String key, String[] accepted) {
        return new IllegalArgumentException(
                key + " must be set; accepted values: " + join(accepted));
    }

    static IllegalArgumentException unknown(String key, String value, String[] accepted) {
        return new IllegalArgumentException(
                "Unknown " + key + " '" + value + "'; accepted values: " + join(accepted));
    }
}
