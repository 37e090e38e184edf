package io.creditstream.schemas.codec;

import java.util.Objects;

/**
 * Thrown when bytes cannot be decoded into a record; {@link #reason()} says why in a form fit for a
 * dead-letter reason code.
 */
public class RecordDecodeException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /** Why a payload could not be decoded. */
    public enum Reason {
        /** The payload ends before the header or the record body is complete. */
        TRUNCATED("truncated"),
        /** The payload does not start with the single-object marker {@code C3 01}. */
        BAD_MARKER("bad-marker"),
        /** The writer-schema fingerprint in the header belongs to no schema the codec knows. */
        UNKNOWN_SCHEMA("unknown-schema"),
        /** The body does not decode under the writer schema, or bytes follow the record. */
        MALFORMED("malformed");

        private final String code;

        Reason(String code) {
            this.code = code;
        }

        /** A stable kebab-case code for dead-letter reasons and metric labels. */
        public String code() {
            return code;
        }
    }

    private final Reason reason;

    public RecordDecodeException(Reason reason, String message) {
        this(reason, message, null);
    }

    public RecordDecodeException(Reason reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = Objects.requireNonNull(reason, "reason");
    }

    /** Why the payload could not be decoded. */
    public Reason reason() {
        return reason;
    }
}
