package io.creditstream.operators.core.credit;

import io.creditstream.operators.core.config.ConfigNames;
import java.util.Set;

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
    OPRL("oprl");

    /**
     * Names reserved by the CLI contract for estimators that are specified but not built yet; they
     * get their own message so that a user does not think they mistyped.
     */
    private static final Set<String> PLANNED = Set.of("tempo", "pure", "igpo");

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
     * @throws IllegalArgumentException naming the value and the accepted names when it is unknown,
     *     missing, or names an estimator that this version does not provide
     */
    public static Estimator fromConfig(String value) {
        if (value != null
                && ConfigNames.find(value, values(), Estimator::configName) == null
                && PLANNED.contains(ConfigNames.canonical(value))) {
            throw new IllegalArgumentException(
                    CreditParams.KEY_ESTIMATOR
                            + " '"
                            + value
                            + "' is not available in this version; available estimators: "
                            + ConfigNames.accepted(values(), Estimator::configName));
        }
        return ConfigNames.parse(
                CreditParams.KEY_ESTIMATOR, value, values(), Estimator::configName);
    }
}
