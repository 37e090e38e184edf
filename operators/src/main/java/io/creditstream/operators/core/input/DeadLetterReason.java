package io.creditstream.operators.core.input;

/**
 * Why a record was dead-lettered; the code is stable, appears in {@code DeadLetter.reason} and
 * labels the per-reason counter. docs/RELIABILITY.md lists what each one means and what to do.
 */
public enum DeadLetterReason {
    MALFORMED_BYTES("malformed-bytes"),
    OVERSIZE_PAYLOAD("oversize-payload"),
    MISSING_ID("missing-id"),
    /** An id longer than input.max-id-length or holding control characters. */
    INVALID_ID("invalid-id"),
    NEGATIVE_STEP_INDEX("negative-step-index"),
    NON_FINITE_NUMBER("non-finite-number"),
    /** A finite number outside its field's range: process_score not in [−1, 1], token_count < 0. */
    OUT_OF_RANGE_NUMBER("out-of-range-number"),
    INVALID_GROUP_SIZE("invalid-group-size"),
    /** A policy_version below 0 or above {@code StepValidator.MAX_POLICY_VERSION}. */
    INVALID_POLICY_VERSION("invalid-policy-version"),
    CONFLICTING_DUPLICATE("conflicting-duplicate"),
    STEP_AFTER_DONE("step-after-done"),
    EPISODE_TOO_LONG("episode-too-long"),
    EPISODE_TIMEOUT("episode-timeout"),
    /** A step whose task, group or group_size differs from its episode's first step. */
    INCONSISTENT_EPISODE("inconsistent-episode"),
    /** A trajectory whose task or group_size differs from its group's first trajectory. */
    INCONSISTENT_GROUP("inconsistent-group"),
    /** A new trajectory for a group that already has group_size trajectories (or completed). */
    GROUP_OVERFLOW("group-overflow"),
    /** A trajectory of a group that timed out with fewer than assembly.min-group-size. */
    GROUP_TIMEOUT("group-timeout"),
    /** A trajectory that arrived after its group was emitted partial or dropped on timeout. */
    LATE_TRAJECTORY("late-trajectory"),
    /** The first step of an episode beyond assembly.max-open-episodes for its experiment. */
    TOO_MANY_OPEN_EPISODES("too-many-open-episodes"),
    /** The estimator failed on a group (a kernel precondition, an overflow): one per trajectory. */
    ESTIMATOR_FAILURE("estimator-failure"),
    /** The estimator returned a non-finite advantage for a group: one per trajectory. */
    NON_FINITE_ADVANTAGE("non-finite-advantage"),
    /** One advantage record larger than batch.max-bytes on its own: one per trajectory. */
    OVERSIZE_OUTPUT("oversize-output");

    private final String code;

    DeadLetterReason(String code) {
        this.code = code;
    }

    /** The kebab-case code written to the DLQ and used as the metric label. */
    public String code() {
        return code;
    }
}
