package io.creditstream.schemas.contract;

import java.util.List;

/**
 * How another JVM starts the learner and the DJL fleet: {@code java [JVM_OPTIONS] -cp <policy class
 * path> MAIN_CLASS <LEARNER|FLEET> <flags>}. The tools module starts them this way for the
 * closed-loop demo and must not depend on the policy module (DJL stays out of its jar), so the main
 * class, the command names, the flags it passes and the maze names are written down here once; a
 * test in the policy module fails when its command line stops matching.
 */
public final class PolicyProcess {
    private PolicyProcess() {}

    /** The policy module's command line. */
    public static final String MAIN_CLASS = "io.creditstream.policy.cli.PolicyCli";

    /** JVM options a policy process starts with: DJL must not download anything. */
    public static final List<String> JVM_OPTIONS = List.of("-Dai.djl.offline=true");

    /** The command that trains on the batch topic and publishes snapshots. */
    public static final String LEARNER = "learner";

    /** The command that plays the newest snapshot into the step topic. */
    public static final String FLEET = "fleet";

    // ---- flags both commands take ----------------------------------------------------------

    /** Kafka bootstrap servers. */
    public static final String BOOTSTRAP_SERVERS = "--bootstrap-servers";

    /** Java properties file of Kafka client security settings. */
    public static final String KAFKA_PROPERTIES = "--kafka-properties";

    /** Experiment id. */
    public static final String EXPERIMENT = "--experiment";

    /** How long Kafka start-up calls and snapshot sends may take. */
    public static final String KAFKA_TIMEOUT = "--kafka-timeout";

    /** Snapshot topic ({@link Topics#SNAPSHOTS} by default). */
    public static final String SNAPSHOTS_TOPIC = "--snapshots-topic";

    /**
     * Maze: {@link #MAZE_STANDARD}, {@link #MAZE_SMALL}, {@link #MAZE_SPREAD} or {@link
     * #MAZE_GRADED}.
     */
    public static final String MAZE = "--maze";

    /** Seed. */
    public static final String SEED = "--seed";

    // ---- learner flags ---------------------------------------------------------------------

    /** Advantage batch topic ({@link Topics#BATCHES} by default). */
    public static final String BATCHES_TOPIC = "--batches-topic";

    /** Directory the snapshot weights are published to (learner) and read from (fleet). */
    public static final String STORE = "--store";

    /** The learner's Ed25519 private key every snapshot is signed with. */
    public static final String SIGNING_KEY = "--signing-key";

    /** The fleet's copy of the learner's public key: other snapshots are ignored. */
    public static final String SNAPSHOT_PUBLIC_KEY = "--snapshot-public-key";

    /** Learner checkpoint file. */
    public static final String CHECKPOINT = "--checkpoint";

    // ---- fleet flags -----------------------------------------------------------------------

    /** Step topic ({@link Topics#STEPS} by default). */
    public static final String STEPS_TOPIC = "--steps-topic";

    /** Worker threads. */
    public static final String WORKERS = "--workers";

    /** Distinct maze layouts per worker. */
    public static final String TASKS = "--tasks";

    /** Episodes per rollout group. */
    public static final String GROUP_SIZE = "--group-size";

    /** Episode limit in all. */
    public static final String MAX_EPISODES = "--max-episodes";

    /** Target steps per second in all. */
    public static final String RATE = "--rate";

    /** Steps ahead of the learner at which the workers pause. */
    public static final String MAX_STEPS_AHEAD = "--max-steps-ahead";

    /** How long a paused worker waits for a newer snapshot before it reports a stall. */
    public static final String STALL_WARNING = "--stall-warning";

    /** Ask the job for knapsack rollout budgets (a switch, no value). */
    public static final String BUDGET = "--budget";

    /** Budget request topic ({@link Topics#BUDGET_REQUESTS} by default). */
    public static final String REQUESTS_TOPIC = "--requests-topic";

    /** Budget answer topic ({@link Topics#BUDGET_ANSWERS} by default). */
    public static final String BUDGET_TOPIC = "--budget-topic";

    /**
     * Replicas of each topic the process creates (default 3, as the job's {@code
     * kafka.topic-replication-factor}); more than the cluster's live brokers is refused at start.
     * The demo's single embedded broker passes 1.
     */
    public static final String TOPIC_REPLICATION_FACTOR = "--topic-replication-factor";

    /**
     * {@code min.insync.replicas} of each topic the process creates (default: 2 when replicated 3
     * or more times, as the job's {@code kafka.topic-min-insync-replicas}).
     */
    public static final String TOPIC_MIN_INSYNC_REPLICAS = "--topic-min-insync-replicas";

    // ---- values ----------------------------------------------------------------------------

    /** The standard key-and-door maze (7 x 11). */
    public static final String MAZE_STANDARD = "standard";

    /** The small key-and-door maze (3 x 5), for tests and quick demos. */
    public static final String MAZE_SMALL = "small";

    /**
     * The standard layouts with tasks in five step-limit tiers (1×, 1.5×, 2×, 3× the shortest
     * solution, or 100 steps), so that success rates spread across tasks.
     */
    public static final String MAZE_SPREAD = "spread";

    /**
     * The standard layouts with tasks in four looser step-limit tiers (2×, 3×, 5× the shortest
     * solution, or 100 steps).
     */
    public static final String MAZE_GRADED = "graded";

    /** Every maze name {@link #MAZE} accepts. */
    public static final List<String> MAZES =
            List.of(MAZE_STANDARD, MAZE_SMALL, MAZE_SPREAD, MAZE_GRADED);

    /**
     * The port to serve the process's Prometheus metrics on, at {@code /metrics} on {@link
     * #METRICS_ADDRESS}; 0 picks a free port. Without it no metrics are served.
     */
    public static final String METRICS_PORT = "--metrics-port";

    /**
     * How long the start waits for a broker to answer (a duration, e.g. 60s). The demo raises it:
     * its broker is up, and on a loaded machine a child JVM may need longer than the default.
     */
    public static final String KAFKA_CONNECT_TIMEOUT = "--kafka-connect-timeout";

    /**
     * Stop when the process that started this one ends (a switch, no value): what a launcher passes
     * so that killing it, or a crash of it, leaves no learner or fleet behind.
     */
    public static final String EXIT_WITH_PARENT = "--exit-with-parent";

    /** The address the metrics are served on (loopback by default). */
    public static final String METRICS_ADDRESS = "--metrics-address";

    /** The flags of this contract both commands take. */
    public static final List<String> COMMON_FLAGS =
            List.of(
                    BOOTSTRAP_SERVERS,
                    EXPERIMENT,
                    SNAPSHOTS_TOPIC,
                    MAZE,
                    SEED,
                    KAFKA_TIMEOUT,
                    KAFKA_CONNECT_TIMEOUT,
                    METRICS_PORT,
                    METRICS_ADDRESS,
                    TOPIC_REPLICATION_FACTOR,
                    TOPIC_MIN_INSYNC_REPLICAS,
                    EXIT_WITH_PARENT);

    /** The learner-only flags of this contract. */
    public static final List<String> LEARNER_FLAGS =
            List.of(BATCHES_TOPIC, STORE, CHECKPOINT, SIGNING_KEY);

    /** The fleet-only flags of this contract. */
    public static final List<String> FLEET_FLAGS =
            List.of(
                    STEPS_TOPIC,
                    WORKERS,
                    TASKS,
                    GROUP_SIZE,
                    MAX_EPISODES,
                    RATE,
                    MAX_STEPS_AHEAD,
                    STALL_WARNING,
                    BUDGET,
                    REQUESTS_TOPIC,
                    BUDGET_TOPIC,
                    STORE,
                    SNAPSHOT_PUBLIC_KEY);
}
