package io.creditstream.operators.core.assembly;

/**
 * Why a record was dead-lettered; the code is stable, appears in {@code DeadLetter.reason} and
 * labels the per-reason counter.
 */
public enum DeadLetterReason {
    MALFORMED_BYTES("malformed-bytes"),
    OVERSIZE_PAYLOAD("oversize-payload"),
    MISSING_ID("missing-id"),
    NEGATIVE_STEP_INDEX("negative-step-index"),
    NON_FINITE_NUMBER("non-finite-number"),
    INVALID_GROUP_SIZE("invalid-group-size"),
    CONFLICTING_DUPLICATE("conflicting-duplicate"),
    STEP_AFTER_DONE("step-after-done"),
    EPISODE_TOO_LONG("episode-too-long"),
    EPISODE_TIMEOUT("episode-timeout");

    private final String code;

    DeadLetterReason(String code) {
        this.code = code;
    }

    /** The kebab-case code written to the DLQ and used as the metric label. */
    public String code() {
        return code;
    }
}
