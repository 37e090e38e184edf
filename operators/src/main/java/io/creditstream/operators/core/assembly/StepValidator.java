package io.creditstream.operators.core.assembly;

import io.creditstream.schemas.StepEvent;

/** Checks a decoded step against the rules every later operator relies on. */
public final class StepValidator {

    /** The outcome of validating one step: null reason means valid. */
    public record Verdict(DeadLetterReason reason, String detail) {
        static final Verdict VALID = new Verdict(null, null);

        public boolean valid() {
            return reason == null;
        }
    }

    private StepValidator() {}

    /** Returns why the step cannot be used, or {@link Verdict#VALID}. */
    public static Verdict validate(StepEvent step) {
        Verdict ids =
                firstMissing(
                        "experiment_id", step.getExperimentId(),
                        "task_id", step.getTaskId(),
                        "group_id", step.getGroupId(),
                        "episode_id", step.getEpisodeId());
        if (ids != null) {
            return ids;
        }
        if (step.getStepIndex() < 0) {
            return new Verdict(
                    DeadLetterReason.NEGATIVE_STEP_INDEX,
                    "step_index is " + step.getStepIndex() + "; it must be 0 or more");
        }
        if (step.getGroupSize() < 1) {
            return new Verdict(
                    DeadLetterReason.INVALID_GROUP_SIZE,
                    "group_size is " + step.getGroupSize() + "; it must be 1 or more");
        }
        if (!Double.isFinite(step.getReward())) {
            return nonFinite("reward", step.getReward());
        }
        Verdict optional =
                firstNonFinite(
                        "episode_return", step.getEpisodeReturn(),
                        "behavior_logprob", step.getBehaviorLogprob(),
                        "prm_logprob", step.getPrmLogprob(),
                        "ref_logprob", step.getRefLogprob(),
                        "answer_prob", step.getAnswerProb());
        return optional != null ? optional : Verdict.VALID;
    }

    private static Verdict firstMissing(String... namesAndValues) {
        for (int i = 0; i < namesAndValues.length; i += 2) {
            String value = namesAndValues[i + 1];
            if (value == null || value.isBlank()) {
                return new Verdict(
                        DeadLetterReason.MISSING_ID, namesAndValues[i] + " is missing or blank");
            }
        }
        return null;
    }

    private static Verdict firstNonFinite(Object... namesAndValues) {
        for (int i = 0; i < namesAndValues.length; i += 2) {
            Double value = (Double) namesAndValues[i + 1];
            if (value != null && !Double.isFinite(value)) {
                return nonFinite((String) namesAndValues[i], value);
            }
        }
        return null;
    }

    private static Verdict nonFinite(String field, double value) {
        return new Verdict(
                DeadLetterReason.NON_FINITE_NUMBER, field + " is " + value + "; it must be finite");
    }
}
