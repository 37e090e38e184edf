package io.creditstream.operators.core.budget;

import io.creditstream.operators.core.config.ConfigNames;

/** How Knapsack RL estimates a task's cost for the fallback test (docs/ALGORITHMS.md §4). */
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
        return ConfigNames.parse(key, value, values(), estimation -> estimation.configName);
    }
}
