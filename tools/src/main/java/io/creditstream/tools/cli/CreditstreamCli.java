package io.creditstream.tools.cli;

import io.creditstream.schemas.preflight.ExitCode;
import io.creditstream.schemas.preflight.PreflightException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code creditstream} launcher: one entry point, a subcommand per way of running. */
@Command(
        name = "creditstream",
        mixinStandardHelpOptions = true,
        versionProvider = CreditstreamCli.Version.class,
        description = {
            "Streaming credit assignment for RL training of LLM agents, on Apache Flink.",
            "Agent steps in (Kafka, Avro) -> trajectories and rollout groups in keyed state ->"
                    + " GRPO/GiGPO advantages -> learner batches out (exactly-once).",
            ""
        },
        subcommands = {
            DemoCommand.class,
            BenchCommand.class,
            SoakCommand.class,
            PrmCheckCommand.class,
            BudgetCommand.class,
            RunCommand.class,
            EstimateCommand.class,
            ReplayCommand.class,
            KafkaCommand.class,
            ClusterCommand.class,
            OptionsCommand.class,
            CommandLine.HelpCommand.class
        },
        footer = {
            "",
            "Run `creditstream <command> --help` for a command's options.",
            "Exit status: 0 done, 1 failed while running, 2 a bad flag or option, 3 in use by"
                    + " another process, 4 Kafka unreachable or a topic missing, 5 a file or"
                    + " directory not writable, 6 no usable input (the README has the table)."
        })
public class CreditstreamCli implements Runnable {

    @Override
    public void run() {
        new CommandLine(this).usage(System.out);
    }

    public static void main(String[] args) {
        int code =
                new CommandLine(new CreditstreamCli())
                        .setExecutionExceptionHandler(
                                (e, cmd, parsed) -> {
                                    if (e instanceof PreflightException failed) {
                                        cmd.getErr()
                                                .println(
                                                        cmd.getColorScheme()
                                                                .errorText(failed.errorLines()));
                                        return failed.exitCode().code();
                                    }
                                    if (e instanceof IllegalArgumentException) {
                                        cmd.getErr()
                                                .println(
                                                        cmd.getColorScheme()
                                                                .errorText(
                                                                        "error: "
                                                                                + e.getMessage()));
                                        return ExitCode.USAGE.code();
                                    }
                                    throw e;
                                })
                        .execute(args);
        System.exit(code);
    }

    /** The version from the jar manifest, or "dev" when run from classes. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String version = CreditstreamCli.class.getPackage().getImplementationVersion();
            return new String[] {"creditstream " + (version != null ? version : "dev")};
        }
    }
}
