package io.creditstream.tools.soak;

import io.creditstream.operators.core.input.DeadLetterReason;

/**
 * The hostile records the soak mixes into the good steps, in the order it cycles through them, each
 * with exactly what the job must make of it: one dead letter with a given reason, or one count of
 * {@code creditDuplicateSteps}. Nothing of any of them may reach learner.batches.
 *
 * <p>The last three forge a step of the episode the fleet completed most recently, so they test the
 * job's memory of completed episodes ({@code assembly.completed-retention}); the others are
 * rejected when decoded and leave no state behind.
 */
public enum HostileKind {
    RANDOM_BYTES("random-bytes", "64 to 512 random bytes", DeadLetterReason.MALFORMED_BYTES, 1),
    EMPTY_VALUE("empty-value", "a record with an empty value", DeadLetterReason.MALFORMED_BYTES, 1),
    NAN_REWARD("nan-reward", "a step whose reward is NaN", DeadLetterReason.NON_FINITE_NUMBER, 1),
    HUGE_ID("huge-id", "a step whose episode id is 100 KB long", DeadLetterReason.INVALID_ID, 1),
    ZERO_GROUP_SIZE(
            "zero-group-size", "a step with group_size 0", DeadLetterReason.INVALID_GROUP_SIZE, 1),
    NEGATIVE_STEP_INDEX(
            "negative-step-index",
            "a step with step_index -1",
            DeadLetterReason.NEGATIVE_STEP_INDEX,
            1),
    OVERSIZE_VALUE(
            "oversize-value",
            "a step one byte above input.max-record-bytes (a huge observation)",
            DeadLetterReason.OVERSIZE_PAYLOAD,
            1),
    OVERFLOWING_GROUP(
            "overflowing-group",
            "a group of one episode with two steps of reward 1e308, whose return overflows: one"
                    + " letter for its one trajectory",
            DeadLetterReason.ESTIMATOR_FAILURE,
            2),
    STEP_AFTER_DONE(
            "step-after-done",
            "a step one past the done step of the episode completed last",
            DeadLetterReason.STEP_AFTER_DONE,
            1),
    CONFLICTING_DUPLICATE(
            "conflicting-duplicate",
            "the done step of the episode completed last, with another reward",
            DeadLetterReason.CONFLICTING_DUPLICATE,
            1),
    IDENTICAL_RESEND(
            "identical-resend",
            "the done step of the episode completed last, byte for byte: dropped and counted in"
                    + " creditDuplicateSteps, no dead letter",
            null,
            1);

    private final String code;
    private final String description;
    private final DeadLetterReason reason;
    private final int records;

    HostileKind(String code, String description, DeadLetterReason reason, int records) {
        this.code = code;
        this.description = description;
        this.reason = reason;
        this.records = records;
    }

    public String code() {
        return code;
    }

    public String description() {
        return description;
    }

    /** The reason of its one dead letter; null for the identical re-send, counted as duplicate. */
    public DeadLetterReason expectedReason() {
        return reason;
    }

    /** Kafka records one instance of the kind takes. */
    public int records() {
        return records;
    }
}
