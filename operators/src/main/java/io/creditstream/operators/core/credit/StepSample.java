package io.creditstream.operators.core.credit;

/**
 * One environment step as the credit kernels see it.
 *
 * @param anchorKey identity of the state the step acted from (observation without history); steps
 *     of one group with equal keys share a GiGPO step group; {@code null} means the step has no
 *     anchor identity and is always a step group of its own
 * @param reward the raw environment reward r_t of this step
 * @param invalidAction whether the action was invalid, which costs the invalid-action penalty
 * @param actionKey TEMPO's token for this step: steps at the same position of two trajectories
 *     continue a common prefix only when their keys are equal; {@code null} matches nothing
 * @param processScore PURE's process score PR of the step, in [−1, 1], or null when none was sent
 * @param tokenCount PURE's token count of the action (separator excluded), or null when none was
 *     sent
 * @param answerProb IGPO's belief in the answer before this step acts, or null when none was sent
 */
public record StepSample(
        String anchorKey,
        double reward,
        boolean invalidAction,
        String actionKey,
        Double processScore,
        Integer tokenCount,
        Double answerProb) {

    public StepSample {
        if (!Double.isFinite(reward)) {
            throw new IllegalArgumentException("step reward must be finite, but was " + reward);
        }
        if (processScore != null && !(processScore >= -1 && processScore <= 1)) {
            throw new IllegalArgumentException(
                    "process score must be in [-1, 1], but was " + processScore);
        }
        if (tokenCount != null && tokenCount < 0) {
            throw new IllegalArgumentException(
                    "token count must be 0 or more, but was " + tokenCount);
        }
    }

    /** A step with only what GRPO, RLOO, Dr.GRPO and GiGPO read; the other inputs are absent. */
    public StepSample(String anchorKey, double reward, boolean invalidAction) {
        this(anchorKey, reward, invalidAction, null, null, null, null);
    }
}
