package io.creditstream.schemas.codec;

/**
 * Thrown when a JSON line cannot be read into a record, or a record cannot be written as one; the
 * message names the offending field.
 */
public class JsonRecordException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final String field;

    public JsonRecordException(String field, String message) {
        this(field, message, null);
    }

    public JsonRecordException(String field, String message, Throwable cause) {
        super(message, cause);
        this.field = field;
    }

    /**
     * The path of the offending field, such as {@code step_index} or {@code records[3].episode_id};
     * {@code null} when the line as a whole is at fault (not JSON, not an object).
     */
    public String field() {
        return field;
    }
}
