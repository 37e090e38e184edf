package io.creditstream.it;

import java.time.Duration;

/**
 * How long these tests wait for an event before they call a run hung.
 *
 * <p>Every wait here is on an event (a record read, a line printed, a checkpoint written, a process
 * exit); the bound only turns a hang into a failure. It is one constant, far beyond what the
 * slowest run needs, because CI runs on a busy 2-core machine: a job that delivers its records in
 * 27 s alone once delivered 55 of 3,176 in 2 minutes beside another build. A passing run never
 * waits for it, so its size costs nothing.
 */
final class HangGuard {
    /** The longest any single wait may take before the test fails as hung. */
    static final Duration EVENT = Duration.ofMinutes(10);

    private HangGuard() {}
}
