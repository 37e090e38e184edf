package io.creditstream.schemas.preflight;

import java.util.Objects;

/**
 * A check before a command's real work failed: the command should print {@link #getMessage()} after
 * {@code error: } (its first line names what is wrong; a second line, when there is one, says what
 * to check) and exit with {@link #exitCode()}, without a stack trace.
 */
public final class PreflightException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final ExitCode exitCode;

    public PreflightException(ExitCode exitCode, String message) {
        this(exitCode, message, null);
    }

    public PreflightException(ExitCode exitCode, String message, Throwable cause) {
        super(Objects.requireNonNull(message, "message"), cause);
        this.exitCode = Objects.requireNonNull(exitCode, "exitCode");
    }

    /** The status the process should exit with. */
    public ExitCode exitCode() {
        return exitCode;
    }

    /** The message as the CLIs print it: {@code error: } before the first line. */
    public String errorLines() {
        return "error: " + getMessage();
    }
}
