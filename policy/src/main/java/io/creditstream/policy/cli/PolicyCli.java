package io.creditstream.policy.cli;

import io.creditstream.policy.service.InvalidSettingException;
import io.creditstream.policy.study.StudyCommand;
import io.creditstream.schemas.preflight.ExitCode;
import io.creditstream.schemas.preflight.PreflightException;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The learner-side launcher: {@code learner} trains and publishes snapshots, {@code fleet} plays
 * them. Exit codes are {@link ExitCode}'s, as the {@code creditstream} CLI's: 0 done, 1 failed
 * while running, 2 bad flags, 4 Kafka unreachable, 5 a file or directory not writable, 6 no usable
 * input.
 */
@Command(
        name = "creditstream-policy",
        mixinStandardHelpOptions = true,
        versionProvider = PolicyCli.Version.class,
        description = {
            "The learner and the simulated fleet of creditstream, each its own process: the fleet"
                    + " plays the newest policy snapshot into agent.steps, the job turns steps into"
                    + " advantage batches on learner.batches, the learner trains on them and"
                    + " publishes the next snapshot on policy.snapshots.",
            ""
        },
        subcommands = {
            LearnerCommand.class,
            FleetCommand.class,
            StudyCommand.class,
            CommandLine.HelpCommand.class
        },
        footer = {
            "",
            "Run `<command> --help` for a command's flags.",
            "Exit status: 0 done, 1 failed while running, 2 a bad flag, 4 Kafka unreachable, 5 a"
                    + " file or directory not writable, 6 no usable input."
        })
public final class PolicyCli implements Runnable {

    /** Exit code of a run that failed after it started. */
    public static final int FAILED = ExitCode.FAILED.code();

    /** Exit code of bad flags or settings. */
    public static final int USAGE = ExitCode.USAGE.code();

    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** Runs the command line and exits the JVM with its code. */
    public static void main(String[] args) {
        System.exit(
                execute(
                        new PrintWriter(System.out, true),
                        new PrintWriter(System.err, true),
                        args));
    }

    /** Runs the command line with the given output streams and returns its exit code. */
    public static int execute(PrintWriter out, PrintWriter err, String... args) {
        CommandLine commandLine = new CommandLine(new PolicyCli());
        commandLine.setOut(out);
        commandLine.setErr(err);
        commandLine.setExecutionExceptionHandler(
                (e, cmd, parsed) -> {
                    PrintWriter errors = cmd.getErr();
                    if (e instanceof PreflightException failed) {
                        errors.println(cmd.getColorScheme().errorText(failed.errorLines()));
                        errors.flush();
                        return failed.exitCode().code();
                    }
                    if (e instanceof InvalidSettingException invalid) {
                        errors.println(
                                cmd.getColorScheme()
                                        .errorText(
                                                "error: --"
                                                        + invalid.setting()
                                                        + ": "
                                                        + invalid.problem()));
                        errors.println("Run `" + cmd.getCommandName() + " --help` for the flags.");
                        errors.flush();
                        return USAGE;
                    }
                    if (e instanceof IllegalArgumentException) {
                        errors.println(cmd.getColorScheme().errorText("error: " + e.getMessage()));
                        errors.flush();
                        return USAGE;
                    }
                    errors.println(cmd.getColorScheme().errorText("error: " + describe(e)));
                    errors.flush();
                    return FAILED;
                });
        return commandLine.execute(args);
    }

    /** The message and the root cause's, when it adds something. */
    private static String describe(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String message = String.valueOf(e.getMessage());
        if (root != e && root.getMessage() != null && !message.contains(root.getMessage())) {
            message +=
                    " (caused by "
                            + root.getClass().getSimpleName()
                            + ": "
                            + root.getMessage()
                            + ")";
        }
        return message;
    }

    /** The version from the jar manifest, or "dev" when run from classes. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String version = PolicyCli.class.getPackage().getImplementationVersion();
            return new String[] {"creditstream-policy " + (version != null ? version : "dev")};
        }
    }
}
