package io.creditstream.policy.cli;

import io.creditstream.schemas.contract.PolicyProcess;
import io.creditstream.schemas.preflight.ExitCode;
import java.io.PrintWriter;
import java.time.Duration;
import picocli.CommandLine.Option;

/** How long a command runs and how often it reports. */
final class RunOptions {
    @Option(
            names = "--duration",
            paramLabel = "DURATION",
            converter = Converters.DurationConverter.class,
            description = "Stop after this long, e.g. 60s or 5min (default: until Ctrl-C).")
    Duration duration;

    @Option(
            names = "--progress-interval",
            defaultValue = "5s",
            paramLabel = "DURATION",
            converter = Converters.DurationConverter.class,
            description = "Print a progress line this often (default: ${DEFAULT-VALUE}).")
    Duration progressInterval;

    @Option(
            names = PolicyProcess.EXIT_WITH_PARENT,
            description =
                    "Stop, as on Ctrl-C, when the process that started this one ends: for"
                            + " launchers (the demo does it), so that a launcher killed with"
                            + " kill -9, or one that crashed, leaves no process behind.")
    boolean exitWithParent;

    /**
     * With {@code --exit-with-parent}, exits this JVM (its shutdown hooks stop the command cleanly)
     * once the parent process has ended; at once if it already has.
     */
    void exitWithParent(PrintWriter err) {
        if (!exitWithParent) {
            return;
        }
        ProcessHandle.current()
                .parent()
                .ifPresent(parent -> parent.onExit().thenRun(() -> parentEnded(parent, err)));
    }

    private static void parentEnded(ProcessHandle parent, PrintWriter err) {
        err.printf(
                "the parent process %d ended: stopping (%s)%n",
                parent.pid(), PolicyProcess.EXIT_WITH_PARENT);
        err.flush();
        System.exit(ExitCode.FAILED.code());
    }

    /** The progress interval, checked. */
    Duration progressInterval() {
        if (progressInterval.isZero() || progressInterval.isNegative()) {
            throw new io.creditstream.policy.service.InvalidSettingException(
                    "progress-interval", "must be positive, e.g. 5s; got " + progressInterval);
        }
        return progressInterval;
    }

    /** The duration, checked; null runs until stopped. */
    Duration duration() {
        if (duration != null && (duration.isZero() || duration.isNegative())) {
            throw new io.creditstream.policy.service.InvalidSettingException(
                    "duration", "must be positive, e.g. 60s; got " + duration);
        }
        return duration;
    }
}
