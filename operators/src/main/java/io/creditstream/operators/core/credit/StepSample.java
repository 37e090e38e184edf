package io.creditstream.operators.core.credit;

/**
 * One environment step as the credit kernels see it.
 *
 * @param anchorKey identity of the state the step acted from (observation without history); steps
 *     of one group with equal keys share a GiGPO step group; {@code null} means the step has no
 *     anchor identity and is always a step group of its own
 * @param reward the raw environment reward r_t of this step
 * @param invalidAction whether the action was invalid, which costs the invalid-action penalty
 */
public record StepSample(String anchorKey, double reward, boolean invalidAction) {

    public StepSample {
        if (!Double.isFinite(reward)) {
            throw new IllegalArgumentException("step reward must be finite, but was " + reward);
        }
    }
}
