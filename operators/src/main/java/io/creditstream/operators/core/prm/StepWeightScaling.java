package io.creditstream.operators.core.prm;

import io.creditstream.operators.core.config.ConfigNames;

/**
 * How the in-stream PRM's step term is weighted: the paper's fixed α, or α scaled by how well the
 * PRM has been ranking the pairs of groups it had not yet trained on.
 */
public enum StepWeightScaling {
    /** A = A^E + α·A^S, as in the paper's Eq.5. */
    CONSTANT("constant"),
    /**
     * α·clamp(2·accuracy − 1, 0, 1), where accuracy is the running pre-update pair accuracy: a PRM
     * that ranks pairs no better than chance contributes nothing, a perfect one the full α.
     */
    CONFIDENCE("confidence");

    private final String configName;

    StepWeightScaling(String configName) {
        this.configName = configName;
    }

    public String configName() {
        return configName;
    }

    /**
     * @throws IllegalArgumentException naming the value and the accepted names
     */
    public static StepWeightScaling fromConfig(String value) {
        return ConfigNames.parse(
                OprlParams.KEY_STEP_WEIGHT_SCALING, value, values(), StepWeightScaling::configName);
    }
}
