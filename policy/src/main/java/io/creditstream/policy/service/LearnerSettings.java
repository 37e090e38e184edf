package io.creditstream.policy.service;

import io.creditstream.policy.model.NetworkSpec;
import io.creditstream.policy.model.PolicySnapshotStore;
import io.creditstream.policy.training.UpdateOptions;
import io.creditstream.schemas.contract.Topics;
import io.creditstream.schemas.kafka.KafkaClientSecurity;
import io.creditstream.schemas.kafka.TopicReplication;
import io.creditstream.schemas.trust.SnapshotGate;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Everything a {@link LearnerService} is configured with, validated when built: a bad value fails
 * with an {@link InvalidSettingException} naming the setting by its command-line name.
 *
 * @param bootstrapServers Kafka bootstrap servers, {@code host:port[,host:port…]}
 * @param experimentId the experiment whose batches are trained on and whose snapshots are published
 * @param batchesTopic where advantage batches arrive ({@code learner.batches})
 * @param snapshotsTopic where snapshots are announced ({@code policy.snapshots})
 * @param storeDir root of the {@link PolicySnapshotStore} the weights are published to
 * @param checkpointFile the learner checkpoint: weights, Adam state, update count and offsets
 * @param maze the maze the network reads (sets its input size)
 * @param hiddenSize units per hidden layer of a new network
 * @param updateOptions the clipped policy-gradient update's settings
 * @param batchRecords samples per update: an update runs once at least this many are pending
 * @param snapshotEvery publish a snapshot every this many updates
 * @param signingKey the Ed25519 private key (PKCS#8, PEM or DER) every snapshot is signed with;
 *     empty to publish unsigned snapshots (readers with a public key then refuse them)
 * @param maxVersionJump how far above the newest version it believes a snapshot on the topic may
 *     lie before the learner ignores it at start-up ({@link SnapshotGate})
 * @param seed seeds a new network's weights and the minibatch shuffle
 * @param kafkaTimeout how long a Kafka start-up call or a snapshot send may take
 * @param onOffsetPastEnd what to do when a checkpointed offset lies past its partition's end
 * @param maxPendingSamples usable samples read and not yet applied above which the learner stops
 *     reading (except the partitions it needs to complete a split group); at least {@code
 *     batchRecords}
 * @param kafkaSecurity security settings applied to every Kafka client of the learner; {@link
 *     KafkaClientSecurity#none()} for plaintext
 * @param topicReplication replicas and {@code min.insync.replicas} of the topics this process
 *     creates ({@link TopicReplication}, the job's rule); existing topics are left as they are
 */
public record LearnerSettings(
        String bootstrapServers,
        String experimentId,
        String batchesTopic,
        String snapshotsTopic,
        Path storeDir,
        Path checkpointFile,
        Maze maze,
        int hiddenSize,
        UpdateOptions updateOptions,
        int batchRecords,
        int snapshotEvery,
        Optional<Path> signingKey,
        long maxVersionJump,
        long seed,
        Duration kafkaTimeout,
        OffsetPastEnd onOffsetPastEnd,
        int maxPendingSamples,
        KafkaClientSecurity kafkaSecurity,
        TopicReplication topicReplication) {

    /** The experiment used unless told otherwise. */
    public static final String DEFAULT_EXPERIMENT = "demo";

    /** The snapshot store root used unless told otherwise, relative to the working directory. */
    public static final Path DEFAULT_STORE = Path.of("policy-store");

    /** File name of the default checkpoint, inside the store's experiment directory. */
    public static final String DEFAULT_CHECKPOINT_NAME = "learner.ckpt";

    /** Samples per update unless told otherwise. */
    public static final int DEFAULT_BATCH_RECORDS = 2048;

    /** Seed unless told otherwise. */
    public static final long DEFAULT_SEED = 1;

    /** The longest Kafka timeout accepted. */
    public static final Duration MAX_KAFKA_TIMEOUT = Duration.ofHours(1);

    /** Kafka start-up and send timeout unless told otherwise. */
    public static final Duration DEFAULT_KAFKA_TIMEOUT = Duration.ofSeconds(30);

    /** Unless told otherwise, the learner reads ahead at most this many updates' samples. */
    public static final int DEFAULT_PENDING_UPDATES = 4;

    /** Checks every setting, naming the first bad one. */
    public LearnerSettings {
        kafkaSecurity = kafkaSecurity == null ? KafkaClientSecurity.none() : kafkaSecurity;
        topicReplication =
                topicReplication == null
                        ? TopicReplication.defaults(TopicReplication.Names.POLICY_PROCESS)
                        : topicReplication;
        requireText("bootstrap-servers", bootstrapServers, "e.g. localhost:9092");
        requireText("experiment", experimentId, "e.g. demo");
        requireText("batches-topic", batchesTopic, "e.g. " + Topics.BATCHES);
        requireText("snapshots-topic", snapshotsTopic, "e.g. " + Topics.SNAPSHOTS);
        if (batchesTopic.equals(snapshotsTopic)) {
            throw new InvalidSettingException(
                    "snapshots-topic",
                    "is the same topic as --batches-topic ("
                            + batchesTopic
                            + "); give policy snapshots their own topic");
        }
        if (storeDir == null) {
            throw new InvalidSettingException("store", "is required: a directory for the weights");
        }
        try {
            new PolicySnapshotStore(storeDir).artifactPath(experimentId, 0);
        } catch (IllegalArgumentException e) {
            throw new InvalidSettingException("experiment", e.getMessage(), e);
        }
        if (checkpointFile == null) {
            throw new InvalidSettingException("checkpoint", "is required: a file path");
        }
        if (maze == null) {
            throw new InvalidSettingException("maze", "is required: standard or small");
        }
        if (hiddenSize < 1) {
            throw new InvalidSettingException(
                    "hidden", "must be at least 1 unit, got " + hiddenSize + " (default 128)");
        }
        if (updateOptions == null) {
            throw new InvalidSettingException("lr", "update options are required");
        }
        if (batchRecords < 1) {
            throw new InvalidSettingException(
                    "batch-records",
                    "must be at least 1 sample per update, got "
                            + batchRecords
                            + " (default "
                            + DEFAULT_BATCH_RECORDS
                            + ")");
        }
        Objects.requireNonNull(signingKey, "signingKey (use Optional.empty())");
        if (maxVersionJump < 1) {
            throw new InvalidSettingException(
                    "max-version-jump", "must be at least 1 (versions), got " + maxVersionJump);
        }
        if (snapshotEvery < 1) {
            throw new InvalidSettingException(
                    "snapshot-every",
                    "must be at least 1 (publish after every n-th update), got " + snapshotEvery);
        }
        checkKafkaTimeout(kafkaTimeout);
        if (onOffsetPastEnd == null) {
            throw new InvalidSettingException(
                    "on-offset-past-end", "is required: fail, earliest or latest");
        }
        if (maxPendingSamples < batchRecords) {
            throw new InvalidSettingException(
                    "max-pending-samples",
                    "must be at least --batch-records ("
                            + batchRecords
                            + "): an update needs that many samples read, got "
                            + maxPendingSamples
                            + " (default "
                            + DEFAULT_PENDING_UPDATES
                            + " x --batch-records)");
        }
    }

    /** A builder with every default; only the bootstrap servers are required. */
    public static Builder builder(String bootstrapServers) {
        return new Builder(bootstrapServers);
    }

    /** The shape of the network this learner trains. */
    public NetworkSpec networkSpec() {
        return maze.networkSpec(hiddenSize);
    }

    /** The default checkpoint of {@code experimentId} in the store rooted at {@code storeDir}. */
    public static Path defaultCheckpoint(Path storeDir, String experimentId) {
        return storeDir.resolve(experimentId).resolve(DEFAULT_CHECKPOINT_NAME);
    }

    /** Kafka takes its timeouts as int milliseconds: keep them well inside that. */
    public static void checkKafkaTimeout(Duration kafkaTimeout) {
        if (kafkaTimeout == null
                || kafkaTimeout.isNegative()
                || kafkaTimeout.isZero()
                || kafkaTimeout.compareTo(MAX_KAFKA_TIMEOUT) > 0) {
            throw new InvalidSettingException(
                    "kafka-timeout",
                    "must be a positive duration of at most 1h (e.g. 30s), got " + kafkaTimeout);
        }
    }

    private static void requireText(String setting, String value, String example) {
        if (value == null || value.isBlank()) {
            throw new InvalidSettingException(setting, "must not be blank (" + example + ")");
        }
    }

    /**
     * Builds {@link LearnerSettings}. Each setter checks its own value at once; {@link #build()}
     * checks the combination.
     */
    public static final class Builder {
        private final String bootstrapServers;
        private String experimentId = DEFAULT_EXPERIMENT;
        private String batchesTopic = Topics.BATCHES;
        private String snapshotsTopic = Topics.SNAPSHOTS;
        private Path storeDir = DEFAULT_STORE;
        private Path signingKey;
        private long maxVersionJump = SnapshotGate.DEFAULT_MAX_VERSION_JUMP;
        private Path checkpointFile;
        private Maze maze = Maze.STANDARD;
        private int hiddenSize = NetworkSpec.DEFAULT_HIDDEN_SIZE;
        private UpdateOptions updateOptions = UpdateOptions.DEFAULTS;
        private int batchRecords = DEFAULT_BATCH_RECORDS;
        private int snapshotEvery = 1;
        private long seed = DEFAULT_SEED;
        private Duration kafkaTimeout = DEFAULT_KAFKA_TIMEOUT;
        private OffsetPastEnd onOffsetPastEnd = OffsetPastEnd.FAIL;
        private Integer maxPendingSamples;
        private KafkaClientSecurity kafkaSecurity = KafkaClientSecurity.none();
        private TopicReplication topicReplication =
                TopicReplication.defaults(TopicReplication.Names.POLICY_PROCESS);

        private Builder(String bootstrapServers) {
            requireText("bootstrap-servers", bootstrapServers, "e.g. localhost:9092");
            this.bootstrapServers = bootstrapServers;
        }

        /** The experiment id; {@code demo} by default. */
        public Builder experimentId(String value) {
            requireText("experiment", value, "e.g. demo");
            this.experimentId = value;
            return this;
        }

        /** The advantage-batch topic; {@code learner.batches} by default. */
        public Builder batchesTopic(String value) {
            requireText("batches-topic", value, "e.g. " + Topics.BATCHES);
            this.batchesTopic = value;
            return this;
        }

        /** The snapshot topic; {@code policy.snapshots} by default. */
        public Builder snapshotsTopic(String value) {
            requireText("snapshots-topic", value, "e.g. " + Topics.SNAPSHOTS);
            this.snapshotsTopic = value;
            return this;
        }

        /** The snapshot store root; {@code ./policy-store} by default. */
        public Builder storeDir(Path value) {
            this.storeDir = Objects.requireNonNull(value, "store");
            return this;
        }

        /** The checkpoint file; {@code <store>/<experiment>/learner.ckpt} by default. */
        public Builder checkpointFile(Path value) {
            this.checkpointFile = value;
            return this;
        }

        /** The maze; standard by default. */
        public Builder maze(Maze value) {
            this.maze = Objects.requireNonNull(value, "maze");
            return this;
        }

        /** Hidden units per layer of a new network; 128 by default. */
        public Builder hiddenSize(int value) {
            this.hiddenSize = value;
            return this;
        }

        /** All update options at once; {@link UpdateOptions#DEFAULTS} by default. */
        public Builder updateOptions(UpdateOptions value) {
            this.updateOptions = Objects.requireNonNull(value, "updateOptions");
            return this;
        }

        /** Adam's learning rate; 1e-3 by default. */
        public Builder learningRate(double value) {
            updateOptions = option("lr", () -> updateOptions.withLearningRate(value));
            return this;
        }

        /** Passes over each update's samples; 1 by default. */
        public Builder epochs(int value) {
            updateOptions = option("epochs", () -> updateOptions.withEpochs(value));
            return this;
        }

        /** Samples per optimizer step; 256 by default. */
        public Builder minibatchSize(int value) {
            updateOptions = option("minibatch", () -> updateOptions.withMinibatchSize(value));
            return this;
        }

        /** PPO's clip ε; 0.2 by default. */
        public Builder clipEpsilon(double value) {
            updateOptions = option("clip", () -> updateOptions.withClipEpsilon(value));
            return this;
        }

        /** Weight of the entropy bonus; 0.01 by default. */
        public Builder entropyCoefficient(double value) {
            updateOptions = option("entropy", () -> updateOptions.withEntropyCoefficient(value));
            return this;
        }

        /**
         * Clips the global gradient norm to {@code value}, or not at all for 0; {@link
         * UpdateOptions#DEFAULT_MAX_GRAD_NORM} by default.
         */
        public Builder maxGradNorm(double value) {
            updateOptions = option("max-grad-norm", () -> updateOptions.withMaxGradNorm(value));
            return this;
        }

        /**
         * Stops an update's epochs once a minibatch's KL from the update's starting policy exceeds
         * 1.5 × {@code value}; off by default.
         */
        public Builder targetKl(double value) {
            updateOptions = option("target-kl", () -> updateOptions.withTargetKl(value));
            return this;
        }

        /**
         * Corrects stale rollouts with importance weights truncated at {@code value} (decoupled
         * PPO); off by default.
         */
        public Builder importanceCap(double value) {
            updateOptions = option("importance-cap", () -> updateOptions.withImportanceCap(value));
            return this;
        }

        /** Samples per update; 2048 by default. */
        public Builder batchRecords(int value) {
            this.batchRecords = value;
            return this;
        }

        /** Publish a snapshot every this many updates; 1 by default. */
        public Builder snapshotEvery(int value) {
            this.snapshotEvery = value;
            return this;
        }

        /** Seed of a new network and of the shuffle; 1 by default. */
        /** Signs every snapshot with the Ed25519 private key in {@code file}; null: unsigned. */
        public Builder signingKey(Path file) {
            this.signingKey = file;
            return this;
        }

        /** The most a snapshot's version may exceed the newest believed one at start-up. */
        public Builder maxVersionJump(long value) {
            this.maxVersionJump = value;
            return this;
        }

        public Builder seed(long value) {
            this.seed = value;
            return this;
        }

        /** Kafka start-up and send timeout; 30 s by default. */
        public Builder kafkaTimeout(Duration value) {
            this.kafkaTimeout = value;
            return this;
        }

        /** What to do when a checkpointed offset lies past its partition's end; fail by default. */
        public Builder onOffsetPastEnd(OffsetPastEnd value) {
            this.onOffsetPastEnd = Objects.requireNonNull(value, "onOffsetPastEnd");
            return this;
        }

        /**
         * Most usable samples read ahead of the updates; {@value #DEFAULT_PENDING_UPDATES} x batch
         * records by default.
         */
        public Builder maxPendingSamples(int value) {
            this.maxPendingSamples = value;
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
        public LearnerSettings build() {
            Path checkpoint =
                    checkpointFile != null
                            ? checkpointFile
                            : defaultCheckpoint(storeDir, experimentId);
            return new LearnerSettings(
                    bootstrapServers,
                    experimentId,
                    batchesTopic,
                    snapshotsTopic,
                    storeDir,
                    checkpoint,
                    maze,
                    hiddenSize,
                    updateOptions,
                    batchRecords,
                    snapshotEvery,
                    Optional.ofNullable(signingKey),
                    maxVersionJump,
                    seed,
                    kafkaTimeout,
                    onOffsetPastEnd,
                    maxPendingSamples != null
                            ? maxPendingSamples
                            : (int)
                                    Math.min(
                                            Integer.MAX_VALUE,
                                            (long) DEFAULT_PENDING_UPDATES * batchRecords),
                    kafkaSecurity,
                    topicReplication);
        }

        private static UpdateOptions option(String setting, Supplier<UpdateOptions> change) {
            try {
                return change.get();
            } catch (IllegalArgumentException e) {
                throw new InvalidSettingException(setting, e.getMessage(), e);
            }
        }
    }
}
