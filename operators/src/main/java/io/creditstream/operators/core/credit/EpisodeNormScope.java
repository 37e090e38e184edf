package io.creditstream.operators.core.credit;

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
        if (value == null) {
            throw ConfigNames.missing(CONFIG_KEY, configNames());
        }
        String name = ConfigNames.canonical(value);
        for (EpisodeNormScope scope : values()) {
            if (scope.configName.equals(name)) {
                return scope;
            }
        }
        throw ConfigNames.unknown(CONFIG_KEY, value, configNames());
    }

    static String[] configNames() {
        EpisodeNormScope[] all = values();
        String[] names = new String[all.length];
        for (int i = 0; i < all.length; i++) {
            names[i] = all[i].configName;
        }
        return names;
    }
}
