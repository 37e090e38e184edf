package io.creditstream.operators.core.prm;

import io.creditstream.operators.core.config.ConfigNames;

/**
 * How the PRM scores a whole trajectory in the DPO loss: the paper's sum of its steps' log-ratios,
 * or their mean. Under the sum, a trajectory that runs to the step limit (the usual failure) pushes
 * down every feature it visits in proportion to how long it wandered, so the states near the start
 * collect a large negative bias that has nothing to do with which action was better there; the mean
 * compares the two trajectories' typical step instead.
 */
public enum TrajectoryScore {
    /** S(τ) = Σ_t w·φ(a_t), the paper's Eq.2. */
    SUM("sum"),
    /** S(τ) = (1/T)·Σ_t w·φ(a_t). */
    MEAN("mean");

    private final String configName;

    TrajectoryScore(String configName) {
        this.configName = configName;
    }

    public String configName() {
        return configName;
    }

    /**
     * @throws IllegalArgumentException naming the value and the accepted names
     */
    public static TrajectoryScore fromConfig(String value) {
        return ConfigNames.parse(
                PrmParams.KEY_TRAJECTORY_SCORE, value, values(), TrajectoryScore::configName);
    }
}
