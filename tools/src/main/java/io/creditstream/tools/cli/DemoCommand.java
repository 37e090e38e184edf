package io.creditstream.tools.cli;

import io.creditstream.schemas.contract.PolicyProcess;
import io.creditstream.schemas.preflight.FilePreflight;
import io.creditstream.streams.options.CreditstreamOptions;
import io.creditstream.tools.ClosedLoopDemo;
import io.creditstream.tools.RandomFleetDemo;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.apache.flink.configuration.Configuration;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code creditstream demo}: the closed loop (or, with --random-fleet, the throughput demo). */
@Command(
        name = "demo",
        mixinStandardHelpOptions = true,
        description = {
            "Run the closed loop on this machine: a Kafka broker (KRaft) in this process, the"
                    + " creditstream job on a local Flink MiniCluster (RocksDB state, exactly-once"
                    + " checkpoints), and, as child processes, the DJL learner (trains on"
                    + " learner.batches, publishes policy snapshots) and the fleet (plays the 7x11"
                    + " key-and-door maze with the newest snapshot). Prints the learning curve"
                    + " (success rate over the last 200 episodes, episode length, policy version)"
                    + " with the credit and PRM figures, and writes it as CSV and PNG at the end."
                    + " Stops at 80%% success over the last 200 episodes (--stop-at-success) or"
                    + " after --episodes; the fleet pauses while it is --max-steps-ahead steps"
                    + " ahead of the learner.",
            "A stalled loop says so: once the learner has made no update for --stall-warning, every"
                    + " progress line is followed by what is stuck (the job's state, restarts and"
                    + " last exception, the learner's pending samples and batch, the fleet's"
                    + " pause), and after --stall-timeout the demo stops with exit status "
                    + DemoCommand.STALLED_EXIT_CODE
                    + ".",
            "The invalid-action penalty is 0 unless set: with it, std normalisation in groups"
                    + " where every rollout failed teaches the policy never to pick or open.",
            "--random-fleet runs the throughput demo instead: a random-policy fleet at --rate,"
                    + " no learner.",
            "",
            "Examples:",
            "  creditstream demo --estimator grpo --summary demo.json",
            "  creditstream demo --maze small --tasks 1 --episodes 3000",
            "  creditstream demo --random-fleet --duration 60s -Dcredit.estimator=grpo"
        })
public class DemoCommand implements Callable<Integer> {
    /** Exit status of a closed loop that stalled for --stall-timeout. */
    public static final int STALLED_EXIT_CODE = 4;

    @Option(
            names = "--estimator",
            paramLabel = "NAME",
            description =
                    "Shortcut for -Dcredit.estimator (grpo, gigpo, rloo, dr-grpo, oprl, tempo,"
                            + " pure, igpo).")
    String estimator;

    @Option(
            names = "--episodes",
            defaultValue = "20000",
            description = "Closed loop: stop after this many episodes (default: ${DEFAULT-VALUE}).")
    long episodes;

    @Option(
            names = "--stop-at-success",
            paramLabel = "RATE",
            defaultValue = "0.8",
            description =
                    "Closed loop: stop early once the success rate over the last 200 episodes"
                            + " reaches RATE; 0 runs to --episodes (default: ${DEFAULT-VALUE})."
                            + " With budgets on, those episodes come more from the tasks given"
                            + " more rollouts, so the rate can pass RATE before the task-mean"
                            + " success (also printed) does.")
    double stopAtSuccess;

    @Option(
            names = "--duration",
            paramLabel = "DURATION",
            converter = DurationConverter.class,
            description =
                    "Stop after this long, e.g. 60s or 5min (default: the episode budget, or"
                            + " Ctrl-C).")
    Duration duration;

    @Option(
            names = "--summary",
            paramLabel = "FILE",
            description =
                    "Closed loop: write a JSON summary (episodes, success_rate_last_200,"
                            + " learner_updates, snapshots, wall_seconds, ...) to this file.")
    Path summaryFile;

    @Option(
            names = "--output-dir",
            defaultValue = ".",
            description =
                    "Closed loop: where demo-curve.csv, demo-curve-task-mean.csv,"
                            + " demo-task-rollouts.csv, demo-curve.png and the learner's and"
                            + " fleet's logs (demo-learner.log, demo-fleet.log) go (default: the"
                            + " current directory).")
    Path outputDir;

    @Option(
            names = "--workers",
            defaultValue = "2",
            description = "Closed loop: fleet worker threads (default: ${DEFAULT-VALUE}).")
    int workers;

    @Option(
            names = "--fleet-rate",
            defaultValue = "0",
            paramLabel = "STEPS/S",
            description =
                    "Closed loop: steps per second the fleet plays at most; 0 = as fast as"
                            + " --max-steps-ahead lets it (default: ${DEFAULT-VALUE}).")
    double fleetRate;

    @Option(
            names = "--max-steps-ahead",
            defaultValue = "4096",
            paramLabel = "STEPS",
            description =
                    "Closed loop: the fleet pauses while the steps the learner has not trained on"
                            + " (those played with a newer policy than its snapshots say it"
                            + " trained on) reach STEPS, so rollouts stay within a few versions of"
                            + " the learner; at least the learner's --batch-records (2048 unless"
                            + " set); 0 = never pause (default: ${DEFAULT-VALUE}).")
    long maxStepsAhead;

    @Option(
            names = "--stall-warning",
            defaultValue = "30s",
            paramLabel = "DURATION",
            converter = DurationConverter.class,
            description =
                    "Closed loop: once the learner has made no update (no new policy snapshot)"
                            + " for this long, print what is stuck after every progress line: the"
                            + " job's state, restarts and last exception, the learner's pending"
                            + " samples and batch, the fleet's pause; the fleet reports a pause"
                            + " this long too. 0 = never (default: ${DEFAULT-VALUE}).")
    Duration stallWarning;

    @Option(
            names = "--stall-timeout",
            defaultValue = "3min",
            paramLabel = "DURATION",
            converter = DurationConverter.class,
            description =
                    "Closed loop: stop with exit status "
                            + STALLED_EXIT_CODE
                            + " (after writing the curve and the summary) once the learner has"
                            + " made no update for this long; 0 = wait forever (default:"
                            + " ${DEFAULT-VALUE}).")
    Duration stallTimeout;

    @Option(
            names = "--maze",
            defaultValue = PolicyProcess.MAZE_STANDARD,
            description =
                    "Closed loop: standard (7x11, 100 steps), small (3x5), spread (7x11,"
                            + " tasks in five step-limit tiers) or graded (7x11, tiers of 2x, 3x,"
                            + " 5x the shortest solution or 100 steps), the last two for budget"
                            + " comparisons (default: ${DEFAULT-VALUE}).")
    String maze;

    @Option(
            names = "--learner-option",
            paramLabel = "FLAG=VALUE",
            description =
                    "Closed loop: a flag of the learner process, e.g. --learner-option lr=0.003"
                            + " for its --lr (repeatable; see ./creditstream learner --help).")
    List<String> learnerOptions = new ArrayList<>();

    @Option(
            names = "--fleet-option",
            paramLabel = "FLAG=VALUE",
            description =
                    "Closed loop: a flag of the fleet process, e.g. --fleet-option"
                            + " step-latency=5ms for its --step-latency (slow environment steps;"
                            + " repeatable; see ./creditstream fleet --help).")
    List<String> fleetOptions = new ArrayList<>();

    @Option(names = "--random-fleet", description = "Run the throughput demo (no learner).")
    boolean randomFleet;

    @Option(
            names = "--tasks",
            description =
                    "Distinct tasks (default: 32 in the closed loop, 16 with --random-fleet).")
    Integer tasks;

    @Option(
            names = "--group-size",
            defaultValue = "8",
            description = "Rollouts per group (default: ${DEFAULT-VALUE}).")
    int groupSize;

    @Option(
            names = "--seed",
            defaultValue = "1",
            description = "Seed of the fleet and the learner (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(
            names = "--rate",
            defaultValue = "20000",
            paramLabel = "EVENTS/S",
            description =
                    "--random-fleet: steps per second the fleet aims at; 0 = as fast as it can"
                            + " (default: ${DEFAULT-VALUE}).")
    double rate;

    @Option(
            names = "--metrics-port",
            defaultValue = "0",
            description =
                    "Port of the Prometheus endpoint; 0 picks a free one (default: ${DEFAULT-VALUE}).")
    int metricsPort;

    @Mixin ConfigMixin config;

    @Override
    public Integer call() throws Exception {
        int taskCount = tasks != null ? tasks : randomFleet ? 16 : 32;
        if (taskCount < 1 || groupSize < 1) {
            throw new IllegalArgumentException("--tasks and --group-size must be at least 1");
        }
        if (!PolicyProcess.MAZES.contains(maze)) {
            throw new IllegalArgumentException(
                    "--maze '"
                            + maze
                            + "' is not a maze; use one of "
                            + String.join(", ", PolicyProcess.MAZES));
        }
        Configuration configuration = config.configurationWithOwnBroker("demo");
        if (!randomFleet) {
            FilePreflight.writableDirectory(outputDir, "--output-dir");
            if (summaryFile != null) {
                FilePreflight.writableFile(summaryFile, "--summary");
            }
        }
        if (estimator != null) {
            configuration.set(CreditstreamOptions.ESTIMATOR, estimator);
        }
        try (ShutdownSignal stop = ShutdownSignal.install("demo-shutdown")) {
            if (randomFleet) {
                printSummary(
                        new RandomFleetDemo(
                                        new RandomFleetDemo.Settings(
                                                duration,
                                                taskCount,
                                                groupSize,
                                                seed,
                                                rate,
                                                metricsPort,
                                                Duration.ofSeconds(5)),
                                        configuration,
                                        System.out)
                                .run(stop::requested));
                return 0;
            }
            ClosedLoopDemo.Summary summary =
                    new ClosedLoopDemo(
                                    new ClosedLoopDemo.Settings(
                                            episodes,
                                            stopAtSuccess,
                                            duration,
                                            seed,
                                            workers,
                                            taskCount,
                                            groupSize,
                                            maze,
                                            fleetRate,
                                            maxStepsAhead,
                                            Duration.ofSeconds(5),
                                            metricsPort,
                                            System.getenv("CREDITSTREAM_POLICY_CLASSPATH"),
                                            processArguments("--learner-option", learnerOptions),
                                            processArguments("--fleet-option", fleetOptions),
                                            outputDir,
                                            stallWarning,
                                            stallTimeout),
                                    configuration,
                                    System.out)
                            .run(stop::requested);
            System.out.printf(
                    "%nSummary: %,d episodes in %.0f s, success rate over the last %d %.1f%%, mean"
                            + " length %.1f, %,d learner updates, %,d snapshots%nCurve: %s and"
                            + " %s%n",
                    summary.episodes(),
                    summary.wallSeconds(),
                    ClosedLoopDemo.WINDOW,
                    100 * summary.successRateLast200(),
                    summary.meanEpisodeLengthLast200(),
                    summary.learnerUpdates(),
                    summary.snapshots(),
                    summary.curveCsv(),
                    summary.curvePng());
            if (summaryFile != null) {
                Path parent = summaryFile.toAbsolutePath().getParent();
                if (parent != null) {
                    Files.createDirectories(parent);
                }
                Files.writeString(summaryFile, summary.toJson() + "\n", StandardCharsets.UTF_8);
            }
            if (summary.stalled() != null) {
                System.err.println("error: the closed loop stalled: " + summary.stalled());
                return STALLED_EXIT_CODE;
            }
            return 0;
        }
    }

    /**
     * --learner-option lr=0.003 becomes the learner's two arguments "--lr" "0.003" (and
     * --fleet-option step-latency=5ms the fleet's "--step-latency" "5ms").
     */
    static List<String> processArguments(String demoFlag, List<String> options) {
        List<String> args = new ArrayList<>();
        for (String option : options) {
            int eq = option.indexOf('=');
            if (eq <= 0) {
                String example =
                        demoFlag.equals("--fleet-option") ? "step-latency=5ms" : "lr=0.003";
                throw new IllegalArgumentException(
                        demoFlag
                                + " '"
                                + option
                                + "' must look like flag=value, e.g. "
                                + demoFlag
                                + " "
                                + example);
            }
            String flag = option.substring(0, eq);
            args.add(flag.startsWith("--") ? flag : "--" + flag);
            args.add(option.substring(eq + 1));
        }
        return args;
    }

    private static void printSummary(RandomFleetDemo.Summary summary) {
        System.out.printf(
                "%nSummary: %.0f s, %,d events sent, %,d in (%,.0f/s), %,d groups completed,"
                        + " %,d batches with %,d advantage records, mean |A| %.3f, anchor"
                        + " singleton ratio %.1f%%, %,d dead letters, last step -> advantage p99 %.0f ms%n",
                summary.seconds(),
                summary.eventsSent(),
                summary.eventsIn(),
                summary.eventsIn() / Math.max(summary.seconds(), 1e-9),
                summary.groupsCompleted(),
                summary.batches(),
                summary.records(),
                summary.meanAbsAdvantage(),
                100 * summary.singletonRatio(),
                summary.deadLettered(),
                summary.lastStepToAdvantageP99Ms());
        if (summary.budgetRounds() > 0) {
            System.out.printf(
                    "Knapsack budgets: %,d rounds (%d fell back to uniform), effective-gradient"
                            + " ratio %.2f%n",
                    summary.budgetRounds(),
                    summary.budgetFallbacks(),
                    summary.effectiveGradientRatio());
        }
        if (summary.prm() != null) {
            System.out.printf("In-stream %s%n", summary.prm().line());
        }
    }
}
