package io.creditstream.policy.cli;

import io.creditstream.policy.fleet.FleetService;
import io.creditstream.policy.fleet.FleetSettings;
import io.creditstream.policy.metrics.FleetMetrics;
import io.creditstream.policy.service.Maze;
import io.creditstream.schemas.contract.PolicyProcess;
import io.creditstream.schemas.contract.Topics;
import io.creditstream.schemas.kafka.KafkaAccessErrors.Operation;
import io.creditstream.schemas.preflight.KafkaPreflight.RequiredAccess;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code fleet}: plays the newest policy snapshot and writes agent.steps. */
@Command(
        name = PolicyProcess.FLEET,
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = {
            "Play key-and-door mazes with the experiment's newest policy snapshot and write every"
                    + " step to --steps-topic (Avro, keyed by episode) with its policy_version and"
                    + " behavior_logprob.",
            "Waits up to --snapshot-wait for the learner's first snapshot; switches to a newer one"
                    + " between rollout groups, so one group never mixes versions. Reads the"
                    + " weights through the snapshot's file URI, only under --store (the"
                    + " learner's, visible at the same path), and believes only snapshots signed"
                    + " with --snapshot-public-key's private half when it is given.",
            "Before it starts, a broker must answer within --kafka-connect-timeout (else exit 4).",
            "",
            "Example: fleet --bootstrap-servers localhost:9092 --maze small --workers 2"
        })
final class FleetCommand implements Callable<Integer> {
    /** Longer than any run: until Ctrl-C or a limit. */
    private static final Duration FOREVER = Duration.ofSeconds(Long.MAX_VALUE);

    @Mixin KafkaOptions kafka;

    @Option(
            names = PolicyProcess.STEPS_TOPIC,
            defaultValue = Topics.STEPS,
            paramLabel = "TOPIC",
            description = "Step topic (default: ${DEFAULT-VALUE}).")
    String stepsTopic;

    @Option(
            names = PolicyProcess.MAZE,
            defaultValue = PolicyProcess.MAZE_STANDARD,
            paramLabel = "standard|small|spread|graded",
            converter = Converters.MazeConverter.class,
            description =
                    "Maze to play, the learner's: standard (7x11), small (3x5), spread (7x11,"
                            + " tasks in five step-limit tiers) or graded (7x11, four looser tiers)"
                            + " (default: ${DEFAULT-VALUE}).")
    Maze maze;

    @Option(
            names = PolicyProcess.WORKERS,
            defaultValue = "1",
            paramLabel = "THREADS",
            description =
                    "Worker threads, each with its own policy copy (default: ${DEFAULT-VALUE}).")
    int workers;

    @Option(
            names = PolicyProcess.TASKS,
            defaultValue = "16",
            paramLabel = "N",
            description = "Distinct maze layouts per worker (default: ${DEFAULT-VALUE}).")
    int tasks;

    @Option(
            names = PolicyProcess.GROUP_SIZE,
            defaultValue = "8",
            paramLabel = "EPISODES",
            description = "Episodes per rollout group (default: ${DEFAULT-VALUE}).")
    int groupSize;

    @Option(
            names = PolicyProcess.SEED,
            defaultValue = "1",
            paramLabel = "SEED",
            description = "Seed of the policies' sampling (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(
            names = "--run-id",
            paramLabel = "ID",
            description =
                    "Prefix of group and episode ids; must differ between runs (default: from the"
                            + " seed and the start time).")
    String runId;

    @Option(
            names = "--max-groups",
            defaultValue = "0",
            paramLabel = "N",
            description =
                    "Stop after this many groups in all; 0 = no limit (default: ${DEFAULT-VALUE}).")
    long maxGroups;

    @Option(
            names = PolicyProcess.MAX_EPISODES,
            defaultValue = "0",
            paramLabel = "N",
            description =
                    "Stop after this many episodes in all (whole groups); 0 = no limit (default:"
                            + " ${DEFAULT-VALUE}).")
    long maxEpisodes;

    @Option(
            names = PolicyProcess.RATE,
            defaultValue = "0",
            paramLabel = "STEPS/S",
            description =
                    "Target steps per second in all; 0 = as fast as the policy runs (default:"
                            + " ${DEFAULT-VALUE}).")
    double rate;

    @Option(
            names = "--step-latency",
            defaultValue = "0",
            paramLabel = "DURATION",
            converter = Converters.DurationConverter.class,
            description =
                    "Make every environment step take at least this long (e.g. 5ms), as a slow"
                            + " environment or a long-horizon agent's tool call does: long episodes"
                            + " become the slow ones, and their groups reach the job more policy"
                            + " versions later than short ones (what credit.max-policy-lag drops);"
                            + " 0 = as fast as the maze runs (default: ${DEFAULT-VALUE}).")
    Duration stepLatency;

    @Option(
            names = PolicyProcess.MAX_STEPS_AHEAD,
            defaultValue = "0",
            paramLabel = "STEPS",
            description =
                    "Pause while the steps the learner has not trained on yet reach STEPS: those"
                            + " played with a newer policy version than the newest its latest"
                            + " snapshot says it trained on (trained_policy_version), wherever"
                            + " they are; resume once a snapshot says it trained on more. Keeps"
                            + " the fleet a bounded number of versions ahead of the learner. Use"
                            + " at least the learner's --batch-records (twice it is a good"
                            + " start); 0 = never pause (default: ${DEFAULT-VALUE}).")
    long maxStepsAhead;

    @Option(
            names = PolicyProcess.STALL_WARNING,
            defaultValue = "30s",
            paramLabel = "DURATION",
            converter = Converters.DurationConverter.class,
            description =
                    "When a worker has been paused for the learner this long with no newer"
                            + " snapshot, report the fleet stalled (log and progress line): how"
                            + " long, the steps ahead and the limit, what the newest snapshot said"
                            + " of the learner (pending samples, its batch) and the likely cause;"
                            + " 0 = never (default: ${DEFAULT-VALUE}).")
    Duration stallWarning;

    @Option(
            names = "--snapshot-wait",
            defaultValue = "60s",
            paramLabel = "DURATION",
            converter = Converters.DurationConverter.class,
            description = "How long to wait for the first snapshot (default: ${DEFAULT-VALUE}).")
    Duration snapshotWait;

    @Option(
            names = PolicyProcess.BUDGET,
            description =
                    "Ask the job for knapsack rollout budgets each round (the job must run with"
                            + " budgets on).")
    boolean budget;

    @Option(
            names = "--budget-round-size",
            defaultValue = "8",
            paramLabel = "TASKS",
            description = "Tasks per budget round (default: ${DEFAULT-VALUE}).")
    int budgetRoundSize;

    @Option(
            names = "--budget-timeout",
            defaultValue = "5s",
            paramLabel = "DURATION",
            converter = Converters.DurationConverter.class,
            description =
                    "Wait this long for a round's budget, then play uniform groups (default:"
                            + " ${DEFAULT-VALUE}).")
    Duration budgetTimeout;

    @Option(
            names = PolicyProcess.REQUESTS_TOPIC,
            defaultValue = Topics.BUDGET_REQUESTS,
            paramLabel = "TOPIC",
            description = "Budget request topic (default: ${DEFAULT-VALUE}).")
    String requestsTopic;

    @Option(
            names = PolicyProcess.BUDGET_TOPIC,
            defaultValue = Topics.BUDGET_ANSWERS,
            paramLabel = "TOPIC",
            description = "Budget answer topic (default: ${DEFAULT-VALUE}).")
    String budgetTopic;

    @Option(
            names = PolicyProcess.STORE,
            defaultValue = "policy-store",
            paramLabel = "DIR",
            description =
                    "The learner's --store: snapshot weights are read only from under it, other"
                            + " paths are refused and counted (default: ${DEFAULT-VALUE}).")
    Path store;

    @Option(
            names = PolicyProcess.SNAPSHOT_PUBLIC_KEY,
            paramLabel = "FILE",
            description =
                    "The learner's Ed25519 public key (X.509, PEM or DER; `learner"
                            + " --generate-signing-key DIR` writes snapshot-signing.pub):"
                            + " unsigned and forged snapshots are ignored and counted. Without it"
                            + " unsigned snapshots are believed (one warning).")
    Path snapshotPublicKey;

    @Option(
            names = "--max-version-jump",
            defaultValue = "1000",
            paramLabel = "VERSIONS",
            description =
                    "Ignore (and count) snapshots more than this many versions above the newest"
                            + " one believed (default: ${DEFAULT-VALUE}).")
    long maxVersionJump;

    @Mixin RunOptions run;

    @Mixin MetricsOptions metrics;

    @Spec CommandSpec spec;

    /** The settings the flags describe. */
    FleetSettings settings() {
        FleetSettings.Builder builder =
                FleetSettings.builder(kafka.bootstrapServers)
                        .experimentId(kafka.experiment)
                        .stepsTopic(stepsTopic)
                        .snapshotsTopic(kafka.snapshotsTopic)
                        .maze(maze)
                        .workers(workers)
                        .tasks(tasks)
                        .groupSize(groupSize)
                        .seed(seed)
                        .runId(runId)
                        .maxGroups(maxGroups)
                        .maxEpisodes(maxEpisodes)
                        .targetEventsPerSecond(rate)
                        .stepLatency(stepLatency)
                        .maxStepsAhead(maxStepsAhead)
                        .stallWarning(stallWarning)
                        .snapshotWait(snapshotWait)
                        .storeDir(store)
                        .snapshotPublicKey(snapshotPublicKey)
                        .maxVersionJump(maxVersionJump)
                        .kafkaTimeout(kafka.kafkaTimeout)
                        .kafkaSecurity(kafka.security())
                        .topicReplication(kafka.topicReplication());
        if (budget) {
            builder.budget(
                    new FleetSettings.Budget(
                            requestsTopic, budgetTopic, budgetRoundSize, budgetTimeout));
        }
        return builder.build();
    }

    /**
     * The fleet's grants: Write on the steps, Read on the snapshots (assigned, no group), and with
     * budgets Write on the requests and Read on the answers.
     */
    static List<RequiredAccess> requiredAccess(FleetSettings settings) {
        List<RequiredAccess> access = new ArrayList<>();
        access.add(RequiredAccess.topic(settings.stepsTopic(), Operation.WRITE));
        access.add(RequiredAccess.topic(settings.snapshotsTopic(), Operation.READ));
        settings.budget()
                .ifPresent(
                        b -> {
                            access.add(RequiredAccess.topic(b.requestsTopic(), Operation.WRITE));
                            access.add(RequiredAccess.topic(b.budgetTopic(), Operation.READ));
                        });
        return access;
    }

    @Override
    public Integer call() throws Exception {
        run.exitWithParent(spec.commandLine().getErr());
        FleetSettings settings = settings();
        Duration duration = run.duration();
        Duration interval = run.progressInterval();
        kafka.checkReachable(settings.kafkaSecurity(), requiredAccess(settings));
        PrintWriter out = spec.commandLine().getOut();
        try (FleetService fleet = new FleetService(settings);
                var served =
                        metrics.start(
                                        "fleet " + settings.experimentId(),
                                        registry ->
                                                FleetMetrics.register(registry, fleet::progress),
                                        out)
                                .orElse(null)) {
            out.printf(
                    "fleet %s: waiting up to %d s for a snapshot on %s%n",
                    settings.experimentId(),
                    settings.snapshotWait().toSeconds(),
                    settings.snapshotsTopic());
            out.flush();
            fleet.start();
            out.printf(
                    "fleet %s: playing version %d with %d worker(s), steps to %s (run id %s)%n",
                    settings.experimentId(),
                    fleet.newestSnapshot().orElseThrow().getVersion(),
                    settings.workers(),
                    settings.stepsTopic(),
                    settings.runId());
            out.flush();
            ProgressLoop.run(
                    out,
                    "fleet " + settings.experimentId(),
                    interval,
                    () -> fleet.progress().line(),
                    fleet::stop,
                    () -> fleet.runFor(duration != null ? duration : FOREVER));
        }
        return 0;
    }
}
