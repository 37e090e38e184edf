package io.creditstream.operators.core.input;

import io.creditstream.schemas.StepEvent;

/**
 * Checks a decoded step against the rules every later operator relies on, in a fixed order (the
 * first broken rule is the reason): ids present, ids short and printable, step index, group size,
 * policy version, finite numbers, numbers in range.
 */
public final class StepValidator implements java.io.Serializable {
    private static final long serialVersionUID = 1L;

    /**
     * The largest policy version accepted: 2^53, the largest integer a double (and JSON in most
     * languages) holds exactly. Far above any real count of updates, and low enough that no lag or
     * version arithmetic can overflow a long.
     */
    public static final long MAX_POLICY_VERSION = 1L << 53;

    /** The outcome of validating one step: null reason means valid. */
    public record Verdict(DeadLetterReason reason, String detail) {
        static final Verdict VALID = new Verdict(null, null);

        public boolean valid() {
            return reason == null;
        }
    }

    private final int maxIdLength;
    private final int maxGroupSize;

    /**
     * @param maxIdLength longest id in characters ({@code input.max-id-length})
     * @param maxGroupSize largest group_size ({@code assembly.max-group-size})
     */
    public StepValidator(int maxIdLength, int maxGroupSize) {
        if (maxIdLength < 1) {
            throw new IllegalArgumentException(
                    "input.max-id-length must be at least 1, got " + maxIdLength);
        }
        if (maxGroupSize < 1) {
            throw new IllegalArgumentException(
                    "assembly.max-group-size must be at least 1, got " + maxGroupSize);
        }
        this.maxIdLength = maxIdLength;
        this.maxGroupSize = maxGroupSize;
    }

    /** Returns why the step cannot be used, or a valid verdict. */
    public Verdict validate(StepEvent step) {
        String[] names = {"experiment_id", "task_id", "group_id", "episode_id"};
        String[] ids = {
            step.getExperimentId(), step.getTaskId(), step.getGroupId(), step.getEpisodeId()
        };
        for (int i = 0; i < ids.length; i++) {
            if (ids[i] == null || ids[i].isBlank()) {
                return new Verdict(DeadLetterReason.MISSING_ID, names[i] + " is missing or blank");
            }
        }
        for (int i = 0; i < ids.length; i++) {
            Verdict id = checkId(names[i], ids[i]);
            if (id != null) {
                return id;
            }
        }
        if (step.getStepIndex() < 0) {
            return new Verdict(
                    DeadLetterReason.NEGATIVE_STEP_INDEX,
                    "step_index is " + step.getStepIndex() + "; it must be 0 or more");
        }
        if (step.getGroupSize() < 1 || step.getGroupSize() > maxGroupSize) {
            return new Verdict(
                    DeadLetterReason.INVALID_GROUP_SIZE,
                    "group_size is "
                            + step.getGroupSize()
                            + "; it must be between 1 and assembly.max-group-size="
                            + maxGroupSize);
        }
        if (step.getPolicyVersion() < 0 || step.getPolicyVersion() > MAX_POLICY_VERSION) {
            return new Verdict(
                    DeadLetterReason.INVALID_POLICY_VERSION,
                    "policy_version is "
                            + step.getPolicyVersion()
                            + "; it must be between 0 and 2^53");
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
                        "answer_prob", step.getAnswerProb(),
                        "process_score", step.getProcessScore());
        if (optional != null) {
            return optional;
        }
        Double processScore = step.getProcessScore();
        if (processScore != null && (processScore < -1 || processScore > 1)) {
            return new Verdict(
                    DeadLetterReason.OUT_OF_RANGE_NUMBER,
                    "process_score is " + processScore + "; it must be between -1 and 1");
        }
        Integer tokenCount = step.getTokenCount();
        if (tokenCount != null && tokenCount < 0) {
            return new Verdict(
                    DeadLetterReason.OUT_OF_RANGE_NUMBER,
                    "token_count is " + tokenCount + "; it must be 0 or more");
        }
        return Verdict.VALID;
    }

    private Verdict checkId(String name, String id) {
        if (id.length() > maxIdLength) {
            return new Verdict(
                    DeadLetterReason.INVALID_ID,
                    name
                            + " is "
                            + id.length()
                            + " characters long; input.max-id-length is "
                            + maxIdLength);
        }
        for (int i = 0; i < id.length(); i++) {
            if (Character.isISOControl(id.charAt(i))) {
                return new Verdict(
                        DeadLetterReason.INVALID_ID,
                        name
                                + " holds the control character U+"
                                + String.format("%04X", (int) id.charAt(i))
                                + " at position "
                                + i);
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
