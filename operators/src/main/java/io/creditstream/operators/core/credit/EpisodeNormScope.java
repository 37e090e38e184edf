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
        return ConfigNames.parse(
                CreditParams.KEY_EPISODE_NORM_SCOPE, value, values(), EpisodeNormScope::configName);
    }
}
