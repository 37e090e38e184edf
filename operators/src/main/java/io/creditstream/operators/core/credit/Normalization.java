package io.creditstream.operators.core.credit;

import io.creditstream.operators.core.config.ConfigNames;

/**
 * Whether group normalisation divides by the std (verl {@code norm_adv_by_std_in_grpo}, GiGPO
 * {@code mode}).
 */
public enum Normalization {
    /** {@code (x − mean)/(std + eps)}: GRPO's default and GiGPO's {@code mean_std_norm}. */
    MEAN_STD("mean-std"),
    /** {@code x − mean}: GiGPO's {@code mean_norm}; applies to both GiGPO levels. */
    MEAN("mean");

    private final String configName;

    Normalization(String configName) {
        this.configName = configName;
    }

    /** The kebab-case name used in configuration. */
    public String configName() {
        return configName;
    }

    /** True when the normalised value is divided by (std + eps). */
    public boolean dividesByStd() {
        return this == MEAN_STD;
    }

    /**
     * Parses a configuration value (case-insensitive, surrounding blanks ignored).
     *
     * @throws IllegalArgumentException naming the value and the accepted names
     */
    public static Normalization fromConfig(String value) {
        return ConfigNames.parse(
                CreditParams.KEY_NORMALIZATION, value, values(), Normalization::configName);
    }
}
