package io.creditstream.operators.core.budget;

import java.util.Locale;

/** How Knapsack RL estimates a task's cost for the fallback test (ALGORITHMS.md §4). */
public enum CostEstimation {
    /** {@code log(1 − α) / log(max(p, 1 − p))}: rollouts until a success and a failure, w.p. α. */
    PROBABILITY("probability"),
    /** {@code 1 / (p(1 − p)) − 1}: the expected number of rollouts until both outcomes occur. */
    EXPECTATION("expectation");

    private final String configName;

    CostEstimation(String configName) {
        this.configName = configName;
    }

    /** The name in JSON and configuration, as the reference spells it. */
    public String configName() {
        return configName;
    }

    /**
     * Parses a configuration value, trimmed and case-insensitively.
     *
     * @param key the field name to put in the error message
     */
    public static CostEstimation parse(String key, String value) {
        if (value == null) {
            throw new IllegalArgumentException(
                    key + " must be set; accepted values: " + accepted());
        }
        String canonical = value.trim().toLowerCase(Locale.ROOT);
        for (CostEstimation estimation : values()) {
            if (estimation.configName.equals(canonical)) {
                return estimation;
            }
        }
        throw new IllegalArgumentException(
                "Unknown " + key + " '" + value + "'; accepted values: " + accepted());
    }

    private static String accepted() {
        return PROBABILITY.configName + ", " + EXPECTATION.configName;
    }
}
