package io.creditstream.operators.core.credit;

import io.creditstream.operators.core.config.ConfigNames;

/** The credit-assignment estimators this version implements, by their configuration name. */
public enum Estimator {
    /** verl GRPO: group-normalised outcome (docs/ALGORITHMS.md §2). */
    GRPO("grpo"),
    /** verl RLOO: leave-one-out baseline, n/(n-1)·(s − mean) (§2). */
    RLOO("rloo"),
    /** Dr.GRPO: GRPO without the division by the std (§2). */
    DR_GRPO("dr-grpo"),
    /** GiGPO: episode advantage plus anchor-state step advantage (§1). */
    GIGPO("gigpo"),
    /**
     * OPRL / iStar: episode advantage plus the pooled, normalised implicit step reward of a PRM
     * (§3); computed by {@link io.creditstream.operators.core.prm.OprlCreditAssigner}, which keeps
     * the PRM, not by the stateless {@link CreditEstimator}.
     */
    OPRL("oprl"),
    /** TEMPO: GRPO plus the temporal differences of a prefix tree over the actions (§5). */
    TEMPO("tempo"),
    /** PURE: min-form credit from per-step process scores plus a verifiable reward (§6). */
    PURE("pure"),
    /** IGPO: information-gain turn rewards from the per-step answer belief (§7). */
    IGPO("igpo");

    private final String configName;

    Estimator(String configName) {
        this.configName = configName;
    }

    /** The kebab-case name used in configuration and on the wire. */
    public String configName() {
        return configName;
    }

    /**
     * Parses a configuration value (case-insensitive, surrounding blanks ignored).
     *
     * @throws IllegalArgumentException naming the value and the accepted names when it is unknown
     *     or missing
     */
    public static Estimator fromConfig(String value) {
        return ConfigNames.parse(
                CreditParams.KEY_ESTIMATOR, value, values(), Estimator::configName);
    }
}
