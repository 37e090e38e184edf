package io.creditstream.operators.core.credit;

import static io.creditstream.operators.core.config.ConfigChecks.outOfRange;
import static io.creditstream.operators.core.config.ConfigChecks.requireSet;

import io.creditstream.operators.core.config.ConfigNames;
import java.io.Serializable;

/**
 * The settings of the IGPO estimator (docs/ALGORITHMS.md §7), validated when constructed. Each
 * {@code KEY_*} is the one definition of its configuration key.
 *
 * @param gain how a step's information gain is taken from the beliefs before two steps
 * @param normMode whether gains and outcomes are normalised in one pool or in two
 * @param gamma discount of the turn advantages A_k = r̂_k + γ·A_next, in [0, 1]
 */
public record IgpoParams(IgpoParams.Gain gain, IgpoParams.NormMode normMode, double gamma)
        implements Serializable {

    private static final long serialVersionUID = 1L;

    public static final String KEY_GAIN = "credit.igpo.gain";
    public static final String KEY_NORM_MODE = "credit.igpo.norm-mode";
    public static final String KEY_GAMMA = "credit.igpo.gamma";

    /** The reference's code default ({@code info_gain_type="prob_diff"}). */
    public static final Gain DEFAULT_GAIN = Gain.PROB_DIFF;

    public static final NormMode DEFAULT_NORM_MODE = NormMode.JOINT;

    /** The reference's default; credit.gamma (GiGPO's 0.95) does not apply to IGPO. */
    public static final double DEFAULT_GAMMA = 1.0;

    /** IGPO's {@code info_gain_type}. */
    public enum Gain {
        /** IG_k = P_{k+1} − P_k. */
        PROB_DIFF("prob-diff"),
        /** IG_k = log P_{k+1} − log P_k. */
        LOG_PROB_DIFF("log-prob-diff");

        private final String configName;

        Gain(String configName) {
            this.configName = configName;
        }

        public String configName() {
            return configName;
        }

        /** Parses a configuration value (case-insensitive, surrounding blanks ignored). */
        public static Gain fromConfig(String value) {
            return ConfigNames.parse(KEY_GAIN, value, values(), Gain::configName);
        }
    }

    /** IGPO's {@code info_gain_norm_mode}. */
    public enum NormMode {
        /** One pool of every gain and every outcome of the group. */
        JOINT("joint"),
        /** Gains and outcomes are normalised in pools of their own. */
        SEPARATE("separate");

        private final String configName;

        NormMode(String configName) {
            this.configName = configName;
        }

        public String configName() {
            return configName;
        }

        /** Parses a configuration value (case-insensitive, surrounding blanks ignored). */
        public static NormMode fromConfig(String value) {
            return ConfigNames.parse(KEY_NORM_MODE, value, values(), NormMode::configName);
        }
    }

    /**
     * Checks every setting.
     *
     * @throws IllegalArgumentException naming the key, what it accepts and the value given
     */
    public IgpoParams {
        requireSet(gain, KEY_GAIN, Gain.values(), Gain::configName);
        requireSet(normMode, KEY_NORM_MODE, NormMode.values(), NormMode::configName);
        // The negated form also rejects NaN.
        if (!(gamma >= 0 && gamma <= 1)) {
            throw outOfRange(KEY_GAMMA, "in [0, 1]", DEFAULT_GAMMA, gamma);
        }
    }

    /** The reference's defaults. */
    public static IgpoParams defaults() {
        return new IgpoParams(DEFAULT_GAIN, DEFAULT_NORM_MODE, DEFAULT_GAMMA);
    }

    public IgpoParams withGain(Gain gain) {
        return new IgpoParams(gain, normMode, gamma);
    }

    public IgpoParams withNormMode(NormMode normMode) {
        return new IgpoParams(gain, normMode, gamma);
    }

    public IgpoParams withGamma(double gamma) {
        return new IgpoParams(gain, normMode, gamma);
    }
}
