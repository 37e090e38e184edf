package io.creditstream.operators.core.credit;

import io.creditstream.operators.core.config.ConfigNames;

/**
 * Which scores form the episode-level statistics of a group (GiGPO {@code
 * compute_mean_std_cross_steps}).
 */
public enum EpisodeNormScope {
    /**
     * Every step row's score, so longer trajectories weigh more; the upstream hard-coded default
     * ({@code compute_mean_std_cross_steps=True}).
     */
    STEPS("steps"),
    /** The first row's score of each trajectory ({@code compute_mean_std_cross_steps=False}). */
    TRAJECTORIES("trajectories");

    /** The configuration key the value is read from, named in error messages. */
    public static final String CONFIG_KEY = "credit.episode-norm-scope";

    private final String configName;

    EpisodeNormScope(String configName) {
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
    public static EpisodeNormScope fromConfig(String value) {
        return ConfigNames.parse(CONFIG_KEY, value, values(), EpisodeNormScope::configName);
    }
}
