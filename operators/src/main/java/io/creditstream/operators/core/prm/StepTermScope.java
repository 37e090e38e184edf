package io.creditstream.operators.core.prm;

import io.creditstream.operators.core.config.ConfigNames;

/**
 * Which groups receive the in-stream step term. In a group where every rollout failed (or every one
 * succeeded) the PRM learns nothing, yet the paper's rule still gives each step a full-size,
 * normalised A^S from a model that may be mostly bias; {@code paired-groups} keeps the step term to
 * the groups that carry a preference signal.
 */
public enum StepTermScope {
    /** Every group, the paper's rule. */
    ALL_GROUPS("all-groups"),
    /** Only groups with at least one (positive, negative) pair; others get A = A^E. */
    PAIRED_GROUPS("paired-groups");

    private final String configName;

    StepTermScope(String configName) {
        this.configName = configName;
    }

    public String configName() {
        return configName;
    }

    /**
     * @throws IllegalArgumentException naming the value and the accepted names
     */
    public static StepTermScope fromConfig(String value) {
        return ConfigNames.parse(
                OprlParams.KEY_STEP_TERM, value, values(), StepTermScope::configName);
    }
}
