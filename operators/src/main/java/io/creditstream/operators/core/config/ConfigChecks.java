package io.creditstream.operators.core.config;

import java.util.function.Function;

/**
 * The checks shared by the kernels' settings records ({@code CreditParams}, {@code OprlParams},
 * {@code PrmParams}): each error names the configuration key, what it accepts, its default and the
 * value given.
 */
public final class ConfigChecks {

    private ConfigChecks() {}

    /**
     * {@code value}, unless it is null.
     *
     * @throws IllegalArgumentException naming {@code key} and every accepted value
     */
    public static <E> E requireSet(E value, String key, E[] values, Function<E, String> name) {
        if (value == null) {
            throw new IllegalArgumentException(
                    key + " must be set; accepted values: " + ConfigNames.accepted(values, name));
        }
        return value;
    }

    /**
     * {@code value}, unless it is infinite or NaN.
     *
     * @throws IllegalArgumentException naming {@code key}, its default and the value
     */
    public static double requireFinite(String key, double value, double defaultValue) {
        if (!Double.isFinite(value)) {
            throw outOfRange(key, "a finite number", defaultValue, value);
        }
        return value;
    }

    /**
     * {@code value}, unless it is negative, infinite or NaN.
     *
     * @throws IllegalArgumentException naming {@code key}, its default and the value
     */
    public static double requireFiniteNonNegative(String key, double value, double defaultValue) {
        if (!Double.isFinite(value) || value < 0) {
            throw outOfRange(key, "a finite number >= 0", defaultValue, value);
        }
        return value;
    }

    /** The error "{@code key} must be {@code range} (default …), but was …". */
    public static IllegalArgumentException outOfRange(
            String key, String range, Object defaultValue, Object value) {
        return new IllegalArgumentException(
                key + " must be " + range + " (default " + defaultValue + "), but was " + value);
    }
}
