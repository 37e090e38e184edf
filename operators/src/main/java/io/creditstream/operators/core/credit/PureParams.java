package io.creditstream.operators.core.credit;

import static io.creditstream.operators.core.config.ConfigChecks.outOfRange;
import static io.creditstream.operators.core.config.ConfigChecks.requireFinite;
import static io.creditstream.operators.core.config.ConfigChecks.requireSet;

import io.creditstream.operators.core.config.ConfigNames;
import java.io.Serializable;

/**
 * The settings of the PURE estimator (docs/ALGORITHMS.md §6), validated when constructed. Each
 * {@code KEY_*} is the one definition of its configuration key.
 *
 * @param baseline the leave-one-out baseline subtracted from the step rewards
 * @param rewardMode which terms make up the return: process rewards, the verifiable reward, or both
 * @param temperature T of the min-form weights softmax(−PR/T); finite and above 0
 * @param verifiableRewardCoef the factor of the verifiable-reward term; finite
 */
public record PureParams(
        PureParams.Baseline baseline,
        PureParams.RewardMode rewardMode,
        double temperature,
        double verifiableRewardCoef)
        implements Serializable {

    private static final long serialVersionUID = 1L;

    public static final String KEY_BASELINE = "credit.pure.baseline";
    public static final String KEY_REWARD_MODE = "credit.pure.reward-mode";
    public static final String KEY_TEMPERATURE = "credit.pure.temperature";
    public static final String KEY_VERIFIABLE_REWARD_COEF = "credit.pure.verifiable-reward-coef";

    /** The reference trainer's argparse default (its example script overrides it with token). */
    public static final Baseline DEFAULT_BASELINE = Baseline.STEP;

    public static final RewardMode DEFAULT_REWARD_MODE = RewardMode.PRM_VR;

    /** Hard-coded in the reference's main branch. */
    public static final double DEFAULT_TEMPERATURE = 0.1;

    public static final double DEFAULT_VERIFIABLE_REWARD_COEF = 1.0;

    /** PURE's leave-one-out baselines. */
    public enum Baseline {
        /** b_i = Σ_{j≠i}(outcome_j / K_j)/(n − 1), subtracted from every step reward. */
        STEP("step"),
        /**
         * rpt_i = Σ_{j≠i} outcome_j / Σ_{j≠i} L_j per token, so step k loses rpt_i·n_k; needs
         * token_count on every step.
         */
        TOKEN("token");

        private final String configName;

        Baseline(String configName) {
            this.configName = configName;
        }

        public String configName() {
            return configName;
        }

        /** Parses a configuration value (case-insensitive, surrounding blanks ignored). */
        public static Baseline fromConfig(String value) {
            return ConfigNames.parse(KEY_BASELINE, value, values(), Baseline::configName);
        }
    }

    /** PURE's {@code reward_mode}: which rewards enter the returns. */
    public enum RewardMode {
        /** Min-form process rewards and the verifiable reward (the reference's "PRMVR"). */
        PRM_VR("prm-vr"),
        /** Min-form process rewards only. */
        PRM("prm"),
        /** The verifiable reward only. */
        VR("vr");

        private final String configName;

        RewardMode(String configName) {
            this.configName = configName;
        }

        public String configName() {
            return configName;
        }

        boolean usesProcessRewards() {
            return this != VR;
        }

        boolean usesVerifiableReward() {
            return this != PRM;
        }

        /** Parses a configuration value (case-insensitive, surrounding blanks ignored). */
        public static RewardMode fromConfig(String value) {
            return ConfigNames.parse(KEY_REWARD_MODE, value, values(), RewardMode::configName);
        }
    }

    /**
     * Checks every setting.
     *
     * @throws IllegalArgumentException naming the key, what it accepts and the value given
     */
    public PureParams {
        requireSet(baseline, KEY_BASELINE, Baseline.values(), Baseline::configName);
        requireSet(rewardMode, KEY_REWARD_MODE, RewardMode.values(), RewardMode::configName);
        // The negated form also rejects NaN.
        if (!(temperature > 0) || Double.isInfinite(temperature)) {
            throw outOfRange(
                    KEY_TEMPERATURE, "a finite number > 0", DEFAULT_TEMPERATURE, temperature);
        }
        requireFinite(
                KEY_VERIFIABLE_REWARD_COEF, verifiableRewardCoef, DEFAULT_VERIFIABLE_REWARD_COEF);
    }

    /** The reference's main-branch defaults. */
    public static PureParams defaults() {
        return new PureParams(
                DEFAULT_BASELINE,
                DEFAULT_REWARD_MODE,
                DEFAULT_TEMPERATURE,
                DEFAULT_VERIFIABLE_REWARD_COEF);
    }

    public PureParams withBaseline(Baseline baseline) {
        return new PureParams(baseline, rewardMode, temperature, verifiableRewardCoef);
    }

    public PureParams withRewardMode(RewardMode rewardMode) {
        return new PureParams(baseline, rewardMode, temperature, verifiableRewardCoef);
    }

    public PureParams withTemperature(double temperature) {
        return new PureParams(baseline, rewardMode, temperature, verifiableRewardCoef);
    }

    public PureParams withVerifiableRewardCoef(double verifiableRewardCoef) {
        return new PureParams(baseline, rewardMode, temperature, verifiableRewardCoef);
    }
}
