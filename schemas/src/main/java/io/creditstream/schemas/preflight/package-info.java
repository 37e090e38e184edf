/**
 * What every creditstream command checks before its real work, and how it ends: {@link
 * io.creditstream.schemas.preflight.ExitCode} (one scheme for the CLI and the policy processes),
 * {@link io.creditstream.schemas.preflight.KafkaPreflight} (a broker answers, within a short
 * connect timeout; which topics exist) and {@link io.creditstream.schemas.preflight.FilePreflight}
 * (outputs writable, inputs readable). A failed check is a {@link
 * io.creditstream.schemas.preflight.PreflightException}: one line, and an exit status, instead of a
 * stack trace.
 */
package io.creditstream.schemas.preflight;
