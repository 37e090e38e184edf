package io.creditstream.policy.fleet;

import io.creditstream.fleet.env.SlowEnvironment;
import io.creditstream.policy.service.InvalidSettingException;
import io.creditstream.policy.service.LearnerSettings;
import io.creditstream.policy.service.Maze;
import io.creditstream.schemas.contract.Topics;
import io.creditstream.schemas.kafka.KafkaClientSecurity;
import io.creditstream.schemas.kafka.TopicReplication;
import io.creditstream.schemas.trust.SnapshotGate;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;

/**
 * Everything a {@link FleetService} is configured with, validated when built: a bad value fails
 * with an {@link InvalidSettingException} naming the setting by its command-line name.
 *
 * @param bootstrapServers Kafka bootstrap servers
 * @param experimentId the experiment whose snapshots are played and whose steps are written
 * @param stepsTopic where steps go ({@code agent.steps})
 * @param snapshotsTopic where the learner announces snapshots ({@code policy.snapshots})
 * @param maze the maze played; the snapshot's network must be for its size
 * @param workers threads, each with its own environment, policy copy and producer
 * @param tasks distinct tasks (maze layouts) each worker cycles through
 * @param groupSize episodes per rollout group
 * @param seed seeds the workers' policies' sampling
 * @param runId prefix of group and episode ids; unique per run, so the job never takes a new run's
 *     groups for duplicates of an old one's
 * @param maxGroups stop after this many groups in all; 0 = no limit
 * @param maxEpisodes stop starting groups once this many episodes are played or under way; 0 = no
 *     limit (a group is never cut short, so up to {@code groupSize − 1} more may be played)
 * @param targetEventsPerSecond steps per second to aim at in all, split evenly over the workers; 0
 *     = as fast as the policy runs
 * @param stepLatency how long each environment step takes at least ({@link SlowEnvironment}), as in
 *     a slow environment or a long-horizon agent; zero = as fast as the maze runs. Long episodes
 *     then take long, so their groups reach the job versions later than short ones
 * @param maxStepsAhead pause every worker while the steps the learner has not trained on reach this
 *     many, until a newer snapshot says it trained on more (see {@link LearnerPacing}); 0 = never
 *     pause. Keeps rollouts within a bounded number of versions of the learner whatever either's
 *     speed. It must be at least the learner's {@code --batch-records} × {@code --snapshot-every},
 *     or the learner may never get the samples for its next snapshot
 * @param stallWarning a worker paused this long with no newer snapshot makes the fleet report
 *     itself stalled, saying what it waits for (on the progress line and in the log); zero = never
 * @param snapshotWait how long to wait for the experiment's first snapshot
 * @param storeDir the learner's snapshot store: the only directory weights are loaded from
 * @param snapshotPublicKey the learner's Ed25519 public key (X.509, PEM or DER): snapshots not
 *     signed with its private half are ignored; empty to believe unsigned snapshots
 * @param maxVersionJump how far above the newest believed version a snapshot may lie
 * @param budget knapsack budgets from the job, if enabled
 * @param kafkaTimeout bounds Kafka metadata calls
 * @param kafkaSecurity security settings applied to every Kafka client (producer, snapshot reader,
 *     budget client); {@link KafkaClientSecurity#none()} for plaintext
 * @param topicReplication replicas and {@code min.insync.replicas} of the topics this process
 *     creates ({@link TopicReplication}, the job's rule); existing topics are left as they are
 */
public record FleetSettings(
        String bootstrapServers,
        String experimentId,
        String stepsTopic,
        String snapshotsTopic,
        Maze maze,
        int workers,
        int tasks,
        int groupSize,
        long seed,
        String runId,
        long maxGroups,
        long maxEpisodes,
        double targetEventsPerSecond,
        Duration stepLatency,
        long maxStepsAhead,
        Duration stallWarning,
        Duration snapshotWait,
        Path storeDir,
        Optional<Path> snapshotPublicKey,
        long maxVersionJump,
        Optional<Budget> budget,
        Duration kafkaTimeout,
        KafkaClientSecurity kafkaSecurity,
        TopicReplication topicReplication) {

    /** How long to wait for the first snapshot unless told otherwise. */
    public static final Duration DEFAULT_SNAPSHOT_WAIT = Duration.ofSeconds(60);

    /** How long a pause may last before the fleet reports a stall, unless told otherwise. */
    public static final Duration DEFAULT_STALL_WARNING = Duration.ofSeconds(30);

    /** Checks every setting, naming the first bad one. */
    public FleetSettings {
        kafkaSecurity = kafkaSecurity == null ? KafkaClientSecurity.none() : kafkaSecurity;
        topicReplication =
                topicReplication == null
                        ? TopicReplication.defaults(TopicReplication.Names.POLICY_PROCESS)
                        : topicReplication;
        requireText("bootstrap-servers", bootstrapServers, "e.g. localhost:9092");
        requireText("experiment", experimentId, "e.g. demo");
        requireText("steps-topic", stepsTopic, "e.g. " + Topics.STEPS);
        requireText("snapshots-topic", snapshotsTopic, "e.g. " + Topics.SNAPSHOTS);
        if (maze == null) {
            throw new InvalidSettingException("maze", "is required: standard or small");
        }
        atLeastOne("workers", workers);
        atLeastOne("tasks", tasks);
        atLeastOne("group-size", groupSize);
        requireText("run-id", runId, "e.g. run-7");
        if (!runId.matches("[A-Za-z0-9][A-Za-z0-9._-]*")) {
            throw new InvalidSettingException(
                    "run-id",
                    "'"
                            + runId
                            + "' must be letters, digits, '.', '_' or '-' (it prefixes group ids)");
        }
        if (maxGroups < 0) {
            throw new InvalidSettingException(
                    "max-groups", "must be 0 (no limit) or positive, got " + maxGroups);
        }
        if (maxEpisodes < 0) {
            throw new InvalidSettingException(
                    "max-episodes", "must be 0 (no limit) or positive, got " + maxEpisodes);
        }
        if (!(targetEventsPerSecond >= 0) || Double.isInfinite(targetEventsPerSecond)) {
            throw new InvalidSettingException(
                    "rate",
                    "must be 0 (as fast as possible) or a positive number of steps per second, got "
                            + targetEventsPerSecond);
        }
        try {
            SlowEnvironment.checkedLatency(stepLatency);
        } catch (IllegalArgumentException e) {
            throw new InvalidSettingException(
                    "step-latency",
                    "must be 0 (no delay) or a duration up to "
                            + SlowEnvironment.MAX_STEP_LATENCY.toMinutes()
                            + " min per environment step (e.g. 5ms), got "
                            + stepLatency);
        }
        if (maxStepsAhead < 0) {
            throw new InvalidSettingException(
                    "max-steps-ahead",
                    "must be 0 (never pause) or a positive number of steps, at least the learner's"
                            + " --batch-records, got "
                            + maxStepsAhead);
        }
        if (stallWarning == null || stallWarning.isNegative()) {
            throw new InvalidSettingException(
                    "stall-warning",
                    "must be 0 (never report) or a positive duration (e.g. 30s), got "
                            + stallWarning);
        }
        positive("snapshot-wait", snapshotWait);
        if (storeDir == null) {
            throw new InvalidSettingException(
                    "store", "is required: the learner's --store, where snapshot weights are");
        }
        Objects.requireNonNull(snapshotPublicKey, "snapshotPublicKey (use Optional.empty())");
        if (maxVersionJump < 1) {
            throw new InvalidSettingException(
                    "max-version-jump", "must be at least 1 (versions), got " + maxVersionJump);
        }
        LearnerSettings.checkKafkaTimeout(kafkaTimeout);
        Objects.requireNonNull(budget, "budget (use Optional.empty())");
    }

    /** A builder with every default; only the bootstrap servers are required. */
    public static Builder builder(String bootstrapServers) {
        return new Builder(bootstrapServers);
    }

    /**
     * Knapsack budgets: each round the fleet asks the job how many rollouts each of the next {@code
     * roundSize} tasks gets, falling back to {@code groupSize} each when no answer comes within
     * {@code timeout}.
     *
     * @param requestsTopic where rounds are asked for ({@code rollout.requests})
     * @param budgetTopic where the job answers ({@code rollout.budget})
     * @param roundSize tasks per round
     * @param timeout how long to wait for a round's answers
     */
    public record Budget(
            String requestsTopic, String budgetTopic, int roundSize, Duration timeout) {

        /** Checks every setting, naming the first bad one. */
        public Budget {
            requireText("requests-topic", requestsTopic, "e.g. " + Topics.BUDGET_REQUESTS);
            requireText("budget-topic", budgetTopic, "e.g. " + Topics.BUDGET_ANSWERS);
            atLeastOne("budget-round-size", roundSize);
            positive("budget-timeout", timeout);
        }

        /** The default topics, {@code roundSize} tasks a round, answers within 5 s. */
        public static Budget defaults(int roundSize) {
            return new Budget(
                    Topics.BUDGET_REQUESTS,
                    Topics.BUDGET_ANSWERS,
                    roundSize,
                    Duration.ofSeconds(5));
        }
    }

    private static void requireText(String setting, String value, String example) {
        if (value == null || value.isBlank()) {
            throw new InvalidSettingException(setting, "must not be blank (" + example + ")");
        }
    }

    private static void atLeastOne(String setting, long value) {
        if (value < 1) {
            throw new InvalidSettingException(setting, "must be at least 1, got " + value);
        }
    }

    private static void positive(String setting, Duration value) {
        if (value == null || value.isNegative() || value.isZero()) {
            throw new InvalidSettingException(
                    setting, "must be a positive duration (e.g. 30s), got " + value);
        }
    }

    /** Builds {@link FleetSettings}; {@link #build()} validates. */
    public static final class Builder {
        private final String bootstrapServers;
        private String experimentId = LearnerSettings.DEFAULT_EXPERIMENT;
        private String stepsTopic = Topics.STEPS;
        private String snapshotsTopic = Topics.SNAPSHOTS;
        private Maze maze = Maze.STANDARD;
        private int workers = 1;
        private int tasks = 16;
        private int groupSize = 8;
        private long seed = 1;
        private String runId;
        private long maxGroups;
        private long maxEpisodes;
        private double targetEventsPerSecond;
        private Duration stepLatency = Duration.ZERO;
        private long maxStepsAhead;
        private Duration stallWarning = DEFAULT_STALL_WARNING;
        private Duration snapshotWait = DEFAULT_SNAPSHOT_WAIT;
        private Path storeDir = LearnerSettings.DEFAULT_STORE;
        private Path snapshotPublicKey;
        private long maxVersionJump = SnapshotGate.DEFAULT_MAX_VERSION_JUMP;
        private Optional<Budget> budget = Optional.empty();
        private Duration kafkaTimeout = LearnerSettings.DEFAULT_KAFKA_TIMEOUT;
        private KafkaClientSecurity kafkaSecurity = KafkaClientSecurity.none();
        private TopicReplication topicReplication =
                TopicReplication.defaults(TopicReplication.Names.POLICY_PROCESS);

        private Builder(String bootstrapServers) {
            requireText("bootstrap-servers", bootstrapServers, "e.g. localhost:9092");
            this.bootstrapServers = bootstrapServers;
        }

        /** The experiment id; {@code demo} by default. */
        public Builder experimentId(String value) {
            this.experimentId = value;
            return this;
        }

        /** The step topic; {@code agent.steps} by default. */
        public Builder stepsTopic(String value) {
            this.stepsTopic = value;
            return this;
        }

        /** The snapshot topic; {@code policy.snapshots} by default. */
        public Builder snapshotsTopic(String value) {
            this.snapshotsTopic = value;
            return this;
        }

        /** The maze; standard by default. */
        public Builder maze(Maze value) {
            this.maze = value;
            return this;
        }

        /** Worker threads; 1 by default. */
        public Builder workers(int value) {
            this.workers = value;
            return this;
        }

        /** Tasks per worker; 16 by default. */
        public Builder tasks(int value) {
            this.tasks = value;
            return this;
        }

        /** Episodes per group; 8 by default. */
        public Builder groupSize(int value) {
            this.groupSize = value;
            return this;
        }

        /** Sampling seed; 1 by default. */
        public Builder seed(long value) {
            this.seed = value;
            return this;
        }

        /** Group id prefix; by default "r", the seed in hex and the start time in base 36. */
        public Builder runId(String value) {
            this.runId = value;
            return this;
        }

        /** Group limit in all; 0 (none) by default. */
        public Builder maxGroups(long value) {
            this.maxGroups = value;
            return this;
        }

        /** Episode limit in all; 0 (none) by default. */
        public Builder maxEpisodes(long value) {
            this.maxEpisodes = value;
            return this;
        }

        /** Steps per second in all; 0 (unlimited) by default. */
        public Builder targetEventsPerSecond(double value) {
            this.targetEventsPerSecond = value;
            return this;
        }

        /** The least time an environment step takes; zero (no delay) by default. */
        public Builder stepLatency(Duration value) {
            this.stepLatency = value;
            return this;
        }

        /** Steps ahead of the learner at which the workers pause; 0 (never) by default. */
        public Builder maxStepsAhead(long value) {
            this.maxStepsAhead = value;
            return this;
        }

        /** Pause after which the fleet reports a stall; 30 s by default, zero = never. */
        public Builder stallWarning(Duration value) {
            this.stallWarning = value;
            return this;
        }

        /** Wait for the first snapshot; 60 s by default. */
        public Builder snapshotWait(Duration value) {
            this.snapshotWait = value;
            return this;
        }

        /** The learner's snapshot store; weights are loaded from under it only. */
        public Builder storeDir(Path value) {
            this.storeDir = value;
            return this;
        }

        /** The learner's public key file; null believes unsigned snapshots. */
        public Builder snapshotPublicKey(Path value) {
            this.snapshotPublicKey = value;
            return this;
        }

        /** How far above the newest believed version a snapshot may lie. */
        public Builder maxVersionJump(long value) {
            this.maxVersionJump = value;
            return this;
        }

        /** Knapsack budgets; off by default. */
        public Builder budget(Budget value) {
            this.budget = Optional.ofNullable(value);
            return this;
        }

        /** Kafka metadata timeout; 30 s by default. */
        public Builder kafkaTimeout(Duration value) {
            this.kafkaTimeout = value;
            return this;
        }

        /** Kafka client security settings ({@code --kafka-properties}); none by default. */
        public Builder kafkaSecurity(KafkaClientSecurity value) {
            this.kafkaSecurity = value;
            return this;
        }

        /**
         * Replicas and {@code min.insync.replicas} of the topics this process creates; 3 and 2 by
         * default, as the job's.
         */
        public Builder topicReplication(TopicReplication value) {
            this.topicReplication = Objects.requireNonNull(value, "topicReplication");
            return this;
        }

        /**
         * The settings.
         *
         * @throws InvalidSettingException naming the first bad setting
         */
        public FleetSettings build() {
            String run =
                    runId != null
                            ? runId
                            // A random suffix, not the clock: two fleets started in the same
                            // millisecond must still write distinct group ids.
                            : "r"
                                    + Long.toHexString(seed)
                                    + "-"
                                    + UUID.randomUUID().toString().substring(0, 8);
            return new FleetSettings(
                    bootstrapServers,
                    experimentId,
                    stepsTopic,
                    snapshotsTopic,
                    maze,
                    workers,
                    tasks,
                    groupSize,
                    seed,
                    run,
                    maxGroups,
                    maxEpisodes,
                    targetEventsPerSecond,
                    stepLatency,
                    maxStepsAhead,
                    stallWarning,
                    snapshotWait,
                    storeDir,
                    Optional.ofNullable(snapshotPublicKey),
                    maxVersionJump,
                    budget,
                    kafkaTimeout,
                    kafkaSecurity,
                    topicReplication);
        }
    }
}
