package io.creditstream.operators.core.prm;

import io.creditstream.operators.core.config.ConfigNames;

/**
 * How OPRL turns the outcomes of a group into the episode advantage A^E (docs/ALGORITHMS.md §3
 * Eq.3).
 */
public enum EpisodeEstimator {
    /** verl GRPO: VN of the outcomes (singleton → raw score, all equal → 0). */
    GRPO("grpo"),
    /** verl RLOO: n/(n − 1)·(s − mean), a singleton keeps s; the paper's WebShop/Sokoban choice. */
    RLOO("rloo");

    private final String configName;

    EpisodeEstimator(String configName) {
        this.configName = configName;
    }

    /** The kebab-case name used in configuration. */
    public String configName() {
        return configName;
    }

    /**
     * Parses a configuration value (case-insensitive, surrounding blanks ignored).
     *
     * @throws IllegalArgumentException naming the value and the accepted names
     */
    public static EpisodeEstimator fromConfig(String value) {
        return ConfigNames.parse(
                OprlParams.KEY_EPISODE_ESTIMATOR, value, values(), EpisodeEstimator::configName);
    }
}
