package io.creditstream.policy.service;

import io.creditstream.policy.model.NetworkSpec;
import io.creditstream.policy.model.PolicyNetwork;
import io.creditstream.policy.model.PolicySnapshotStore;
import io.creditstream.policy.service.SampleConverter.SkipReason;
import io.creditstream.policy.training.ClippedPolicyGradient;
import io.creditstream.policy.training.LearnerCheckpoint;
import io.creditstream.policy.training.TrainingSample;
import io.creditstream.policy.training.UpdateStats;
import io.creditstream.schemas.AdvantageBatch;
import io.creditstream.schemas.AdvantageRecord;
import io.creditstream.schemas.PolicySnapshot;
import io.creditstream.schemas.codec.AvroCodec;
import io.creditstream.schemas.codec.RecordDecodeException;
import io.creditstream.schemas.contract.SnapshotMetrics;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.InvalidOffsetException;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetOutOfRangeException;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The learner process: reads {@code learner.batches}, trains the policy with {@link
 * ClippedPolicyGradient} and publishes every {@code snapshotEvery}-th version on {@code
 * policy.snapshots}, exactly once per advantage record across crashes and restarts.
 *
 * <h2>Offsets and exactly-once</h2>
 *
 * The consumer reads with {@code read_committed}, assigns every partition itself and commits
 * nothing to Kafka: the offsets live in the {@link LearnerCheckpoint}, in the same atomically
 * replaced file as the weights and the Adam state, so they can never disagree. For each partition
 * the checkpoint stores the offset of the first Kafka record <em>not yet applied</em> (a partition
 * with nothing applied yet has no entry and is read from its beginning); a restart seeks there.
 *
 * <p>A saved offset the partition no longer holds is never passed over silently. Below the log
 * start (records deleted by retention before they were applied) the learner logs the lost range at
 * WARN, counts it in {@link LearnerProgress#lostOffsets()} and reads on from the log start; the
 * same happens when the broker reports it while reading. Past the log's end (the topic was deleted
 * and re-created, or truncated) the learner refuses to start, naming the partition and both
 * offsets, unless {@link LearnerSettings#onOffsetPastEnd()} tells it to read the partition from its
 * start ({@link OffsetPastEnd#EARLIEST}) or its end ({@link OffsetPastEnd#LATEST}); it then logs
 * what it replays or skips.
 *
 * <p>An update trains on whole Kafka records (whole {@link AdvantageBatch}es), never part of one:
 * batches are queued in the order they are read, and as soon as the queued usable samples reach
 * {@code batchRecords} the shortest prefix of the queue that holds at least that many and does not
 * end inside a split group (below) is applied in one update (so an update may hold up to one batch
 * more than {@code batchRecords}, or the rest of a split group). Within a partition the queue is in
 * offset order, so a prefix of the queue is a prefix of every partition's records, and "first
 * offset not applied" is exact. Records after the prefix stay queued; if the process dies, they are
 * read again from the checkpointed offsets. Values that are not AdvantageBatches, and other
 * experiments' batches, are applied as empty batches: they move the offsets with the update they
 * are queued in, and are counted.
 *
 * <h2>Split groups</h2>
 *
 * A rollout group whose records exceed the job's {@code batch.max-bytes} arrives as batches of that
 * group alone, parts {@code split_part} = 0 to {@code split_parts} - 1 of {@code split_group_id},
 * consecutive in one partition and written in one transaction. An update never ends inside such a
 * group: a prefix that ends with part k &lt; parts - 1 is extended to the group's last part, and
 * while that part is not read yet no update is made. A part that arrives out of sequence must not
 * block the learner forever: when the first part read of a group is not part 0 (the earlier ones
 * were deleted, or the topic truncated), when another part comes where the next one was due, or
 * when the group's partition has been read to its end and no part came for the Kafka timeout, the
 * parts read are closed as an incomplete group. It is applied like any other, logged at WARN and
 * counted in {@link LearnerProgress#incompleteSplitGroups()}.
 *
 * <h2>Read-ahead</h2>
 *
 * The queue is bounded by {@link LearnerSettings#maxPendingSamples()}. Updates are applied as soon
 * as they are complete, record by record, so the queue normally holds less than one update; it
 * grows only while an update waits for a split group's last part. While it holds the limit, the
 * learner pauses every partition except those completing a split group, and hands the records of a
 * poll it would have queued back to the consumer (seeking to the first of them); it resumes once
 * updates have drained the queue. A partition completing a split group is read on regardless, so a
 * group larger than the limit still completes: the bound is the limit plus one batch plus the
 * groups being completed.
 *
 * <p>After every update, in this order: the checkpoint is saved (the update is now durable and its
 * records will never be read again), then, every {@code snapshotEvery} updates, the weights are
 * published to the {@link PolicySnapshotStore} and the {@link PolicySnapshot} is sent to the
 * snapshot topic, keyed by experiment id, with {@code version} = updates applied. A crash between
 * the two leaves a checkpoint whose version was not announced: on restart the learner looks for
 * that version on the snapshot topic and announces it if missing, reusing an artifact that is
 * already in the store (after checking it holds exactly these weights).
 *
 * <p>With one partition, or one batch per update, a restarted learner makes bit-for-bit the updates
 * an uninterrupted one would. With several partitions the prefix depends on how polls interleave
 * them, so the grouping of batches into updates may differ from run to run, but each record is
 * still applied exactly once.
 *
 * <h2>Samples</h2>
 *
 * An {@link AdvantageRecord} becomes a {@link TrainingSample} with its action's index in the
 * network. Without a {@code behavior_logprob} the record is treated as on-policy: it gets the
 * current policy's log-probability, computed just before the update (counted in {@code
 * onPolicySamples}). Records without an observation or action, with an action the policy does not
 * have, a malformed observation or a non-finite advantage or log-prob are skipped and counted.
 *
 * <p>Threads: {@link #pollOnce}, {@link #runFor} and {@link #run} from one thread; {@link #stop()}
 * and {@link #progress()} from any. Only one learner may update at a time per JVM (DJL allows one
 * gradient collector per process).
 */
public final class LearnerService implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(LearnerService.class);

    /** Longest single wait for records in {@link #runFor}, so that stop() is honoured promptly. */
    static final Duration POLL_INTERVAL = Duration.ofMillis(200);

    private final LearnerSettings settings;
    private final PolicySnapshotStore store;
    private final PolicyNetwork network;
    private final ClippedPolicyGradient learner;
    private final KafkaProducer<String, byte[]> producer;
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final AvroCodec<AdvantageBatch> batchCodec = AvroCodec.of(AdvantageBatch.class);
    private final SnapshotPublisher snapshots;
    private final OffsetRepositioning repositioning;

    /** Per assigned partition, the first offset not yet applied (absent: from the beginning). */
    private final Map<TopicPartition, Long> nextUnapplied = new LinkedHashMap<>();

    /** Checkpointed offsets of partitions this learner does not read now, kept as they were. */
    private final Map<String, Long> carriedOffsets = new TreeMap<>();

    private final UpdateQueue queue;
    private final SampleConverter converter;
    private final EnumSet<SkipReason> reasonsLogged = EnumSet.noneOf(SkipReason.class);

    /**
     * Offsets the learner moved its reading on to (past deleted records, or in a re-created topic)
     * while batches read before were queued, by the sequence number of the last such batch of the
     * partition: once it is applied, the partition's first unapplied offset is this one.
     */
    private final Map<Long, Long> movedOnAfter = new HashMap<>();

    /** Partitions paused because {@code maxPendingSamples} are queued. */
    private final Set<TopicPartition> pausedPartitions = new HashSet<>();

    /**
     * How long an open split group waits for its next part once its partition is read to its end.
     */
    private Duration splitGroupWait;

    private final AtomicLong updates = new AtomicLong();
    private final AtomicLong samples = new AtomicLong();
    private final AtomicLong onPolicySamples = new AtomicLong();
    private final AtomicLong skippedRecords = new AtomicLong();
    private final AtomicLong unknownActionRecords = new AtomicLong();
    private final AtomicLong ignoredBatches = new AtomicLong();
    private final AtomicLong lostOffsets = new AtomicLong();
    private final AtomicLong incompleteSplitGroups = new AtomicLong();
    private final AtomicLong snapshotsPublished = new AtomicLong();
    private final AtomicLong publishNanos = new AtomicLong();
    private volatile long version;
    private volatile long trainedPolicyVersion = -1;
    private volatile long publishedVersion = -1;
    private volatile UpdateStats lastStats;

    private volatile boolean stopRequested;
    private volatile boolean closed;
    private RuntimeException failure;

    private CrashPoint crashPoint;
    private long crashVersion = -1;

    private LearnerService(
            LearnerSettings settings,
            PolicyNetwork network,
            ClippedPolicyGradient learner,
            Map<String, Long> restoredOffsets,
            boolean fresh)
            throws IOException {
        this.settings = settings;
        this.network = network;
        this.learner = learner;
        this.version = learner.updatesApplied();
        this.splitGroupWait = settings.kafkaTimeout();
        this.queue = new UpdateQueue(settings.batchRecords(), settings.maxPendingSamples());
        this.converter = SampleConverter.of(network);
        this.store = new PolicySnapshotStore(settings.storeDir());
        this.producer =
                new KafkaProducer<>(
                        producerConfig(settings),
                        new StringSerializer(),
                        new ByteArraySerializer());
        this.snapshots = new SnapshotPublisher(settings, store, producer);
        this.repositioning =
                new OffsetRepositioning(
                        settings.onOffsetPastEnd(),
                        settings.batchesTopic(),
                        settings.checkpointFile(),
                        lostOffsets);
        KafkaConsumer<byte[], byte[]> createdConsumer = null;
        try {
            createdConsumer =
                    new KafkaConsumer<>(
                            consumerConfig(settings),
                            new ByteArrayDeserializer(),
                            new ByteArrayDeserializer());
            this.consumer = createdConsumer;
            Set<Long> announced = snapshots.announcedVersions(version);
            snapshots.checkStoreHoldsNothingNewer(version);
            if (fresh) {
                // Version 0 is durable before it is announced, like every later version.
                LearnerCheckpoint.save(settings.checkpointFile(), learner, Map.of());
            }
            if (announced.contains(version)) {
                snapshots.restoreArtifact(version, network);
                publishedVersion = version;
            } else {
                publishSnapshot(
                        version,
                        Map.of(
                                SnapshotMetrics.SAMPLES,
                                0.0,
                                SnapshotMetrics.PENDING_SAMPLES,
                                0.0,
                                SnapshotMetrics.TRAINED_POLICY_VERSION,
                                -1.0,
                                SnapshotMetrics.BATCH_RECORDS,
                                (double) settings.batchRecords()));
            }
            assignAndSeek(restoredOffsets);
        } catch (IOException | RuntimeException e) {
            producer.close(Duration.ZERO);
            if (createdConsumer != null) {
                createdConsumer.close(Duration.ZERO);
            }
            throw e;
        }
        LOG.info(
                "Learner for {} ready at version {}: {} from {}, snapshots to {} and {}",
                settings.experimentId(),
                version,
                fresh ? "new network (seed " + settings.seed() + ")" : "restored",
                settings.batchesTopic(),
                settings.snapshotsTopic(),
                store.root());
    }

    /**
     * Starts a learner: creates absent topics, restores the checkpoint (or, when there is none,
     * creates a network from the seed and saves it as version 0), makes sure the current version is
     * announced on the snapshot topic, and positions the consumer after the last applied record.
     *
     * @throws InvalidSettingException if the checkpoint was made for another maze or network size
     * @throws IllegalStateException if Kafka is unreachable, or the snapshot topic or store already
     *     holds a newer version of this experiment than the checkpoint (another learner, or a lost
     *     checkpoint), or a stored artifact of the current version holds other weights
     * @throws IOException if the checkpoint or the store cannot be read or written
     */
    public static LearnerService start(LearnerSettings settings) throws IOException {
        Objects.requireNonNull(settings, "settings");
        KafkaTopics.ensureExist(
                settings.bootstrapServers(),
                settings.kafkaTimeout(),
                settings.kafkaSecurity(),
                settings.topicReplication(),
                settings.batchesTopic(),
                settings.snapshotsTopic());
        Path checkpoint = settings.checkpointFile();
        if (Files.exists(checkpoint)) {
            LearnerCheckpoint.Restored restored =
                    LearnerCheckpoint.restore(checkpoint, settings.updateOptions());
            try {
                checkSpec(settings, restored.network().spec());
                if (restored.learner().shuffleSeed() != settings.seed()) {
                    LOG.warn(
                            "Checkpoint {} was made with seed {}; it continues with that seed,"
                                    + " not {}",
                            checkpoint,
                            restored.learner().shuffleSeed(),
                            settings.seed());
                }
                return new LearnerService(
                        settings,
                        restored.network(),
                        restored.learner(),
                        restored.consumedOffsets(),
                        false);
            } catch (IOException | RuntimeException e) {
                restored.close();
                throw e;
            }
        }
        PolicyNetwork network = PolicyNetwork.create(settings.networkSpec(), settings.seed());
        ClippedPolicyGradient learner =
                new ClippedPolicyGradient(network, settings.updateOptions(), settings.seed());
        try {
            return new LearnerService(settings, network, learner, Map.of(), true);
        } catch (IOException | RuntimeException e) {
            learner.close();
            network.close();
            throw e;
        }
    }

    /**
     * Reads what arrives within {@code timeout} and applies every update that is complete.
     *
     * @return updates applied by this call
     * @throws IllegalStateException if the learner failed earlier or is closed, or its position in
     *     a partition lies past the partition's end (the topic was re-created) and {@link
     *     LearnerSettings#onOffsetPastEnd()} is {@link OffsetPastEnd#FAIL}
     */
    public int pollOnce(Duration timeout) {
        ensureUsable();
        ConsumerRecords<byte[], byte[]> records;
        try {
            records = consumer.poll(timeout);
        } catch (WakeupException e) {
            return 0;
        } catch (OffsetOutOfRangeException e) {
            try {
                repositionOutOfRange(e.offsetOutOfRangePartitions());
            } catch (RuntimeException failed) {
                throw fail(failed);
            }
            return 0;
        } catch (InvalidOffsetException e) {
            throw fail(
                    new IllegalStateException(
                            "offsets "
                                    + e.partitions()
                                    + " of "
                                    + settings.batchesTopic()
                                    + " are no longer in the topic (retention deleted records the"
                                    + " learner had not applied, or the topic was recreated)",
                            e));
        }
        try {
            int applied = 0;
            Set<TopicPartition> handedBack = new HashSet<>();
            for (ConsumerRecord<byte[], byte[]> record : records) {
                TopicPartition partition = new TopicPartition(record.topic(), record.partition());
                if (handedBack.contains(partition)) {
                    continue;
                }
                if (queue.full() && !queue.hasOpenSplitGroup(partition)) {
                    // The queue is full: this record and the rest of its partition are read again
                    // once updates have drained it, rather than held here.
                    consumer.seek(partition, record.offset());
                    pause(partition);
                    handedBack.add(partition);
                    continue;
                }
                accept(partition, record);
                // Applying as soon as an update is complete keeps the queue at about one update
                // however many records a poll returns.
                applied += applyCompleteUpdates();
            }
            applied += applyCompleteUpdates();
            adjustPausedPartitions();
            return applied;
        } catch (IOException e) {
            throw fail(new UncheckedIOException(e));
        } catch (RuntimeException e) {
            throw fail(e);
        }
    }

    /**
     * Polls and applies updates until {@code duration} has passed or {@link #stop()} is called.
     *
     * @throws IllegalStateException if an update or a save fails; restart from the checkpoint
     */
    public void runFor(Duration duration) {
        long limit = saturatedNanos(duration);
        long start = System.nanoTime();
        while (!stopRequested) {
            long left = limit - (System.nanoTime() - start);
            if (left <= 0) {
                return;
            }
            pollOnce(Duration.ofNanos(Math.min(left, POLL_INTERVAL.toNanos())));
        }
    }

    /** Polls and applies updates until {@link #stop()} is called. */
    public void run() {
        while (!stopRequested) {
            pollOnce(POLL_INTERVAL);
        }
    }

    /** Makes {@link #run()} and {@link #runFor} return soon; safe from any thread. */
    public void stop() {
        stopRequested = true;
        if (!closed) {
            try {
                consumer.wakeup();
            } catch (RuntimeException e) {
                // Closed concurrently: nothing left to wake.
            }
        }
    }

    /** The counters, consistent enough for a progress line; safe from any thread. */
    public LearnerProgress progress() {
        return new LearnerProgress(
                version,
                updates.get(),
                samples.get(),
                onPolicySamples.get(),
                skippedRecords.get(),
                unknownActionRecords.get(),
                ignoredBatches.get(),
                lostOffsets.get(),
                incompleteSplitGroups.get(),
                queue.pendingSamples(),
                settings.batchRecords(),
                trainedPolicyVersion,
                publishedVersion,
                snapshotsPublished.get(),
                publishNanos.get() / 1e9,
                snapshots.refused(),
                Optional.ofNullable(lastStats));
    }

    /** Updates applied in total, restored ones included: the current policy version. */
    public long version() {
        return version;
    }

    /** The settings this learner runs with. */
    public LearnerSettings settings() {
        return settings;
    }

    /**
     * A copy of the current weights, by name. Call it from the polling thread (or while nothing
     * polls): an update changes them in place.
     */
    public Map<String, float[]> weights() {
        return network.weights();
    }

    /**
     * The offsets the next checkpoint would store: per partition the first offset not yet applied.
     * Call it from the polling thread.
     */
    public Map<String, Long> appliedOffsets() {
        Map<String, Long> offsets = new TreeMap<>(carriedOffsets);
        nextUnapplied.forEach((partition, offset) -> offsets.put(partition.toString(), offset));
        return offsets;
    }

    /** Frees the network and closes the Kafka clients; saves nothing (the last update did). */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        stopRequested = true;
        try {
            consumer.close(Duration.ofSeconds(5));
        } finally {
            try {
                producer.close(Duration.ofSeconds(5));
            } finally {
                learner.close();
                network.close();
            }
        }
    }

    // ---- test hooks ----------------------------------------------------------------------------

    /** Where a simulated crash can strike in the sequence that follows an update. */
    enum CrashPoint {
        /** The update changed the weights in memory; the checkpoint has not been saved. */
        AFTER_UPDATE,
        /** The checkpoint is saved; nothing of this version is published. */
        AFTER_CHECKPOINT,
        /** The artifact is in the store; the snapshot record has not been sent. */
        AFTER_ARTIFACT
    }

    /** Thrown at a {@link CrashPoint}; the instance must then be discarded, as after a crash. */
    static final class SimulatedCrash extends RuntimeException {
        private static final long serialVersionUID = 1L;

        SimulatedCrash(CrashPoint point, long version) {
            super("simulated crash " + point + " of version " + version);
        }
    }

    /** Makes the update that produces {@code version} crash at {@code point}. */
    void crashAt(CrashPoint point, long version) {
        this.crashPoint = point;
        this.crashVersion = version;
    }

    private void crash(CrashPoint point, long atVersion) {
        if (point == crashPoint && atVersion == crashVersion) {
            throw new SimulatedCrash(point, atVersion);
        }
    }

    /**
     * Makes an open split group wait {@code wait} for its next part once its partition is read to
     * the end, instead of the Kafka timeout.
     */
    void splitGroupWait(Duration wait) {
        this.splitGroupWait = Objects.requireNonNull(wait, "wait");
    }

    // ---- reading
    // ---------------------------------------------------------------------------------

    private void accept(TopicPartition partition, ConsumerRecord<byte[], byte[]> record) {
        AdvantageBatch batch;
        try {
            batch = batchCodec.decode(record.value());
        } catch (RecordDecodeException e) {
            logFirst(SkipReason.UNDECODABLE_BATCH, record, e.getMessage());
            queue.addIgnored(partition, record.offset());
            return;
        }
        if (!settings.experimentId().equals(batch.getExperimentId())) {
            logFirst(SkipReason.OTHER_EXPERIMENT, record, batch.getExperimentId());
            queue.addIgnored(partition, record.offset());
            return;
        }
        SampleConverter.Converted converted =
                converter.convert(
                        batch.getRecords(),
                        (reason, advantage) ->
                                logFirst(
                                        reason,
                                        record,
                                        advantage.getEpisodeId() + "#" + advantage.getStepIndex()));
        queue.add(
                partition,
                record.offset(),
                batch.getBatchId(),
                new UpdateQueue.Split(
                        batch.getSplitGroupId(), batch.getSplitPart(), batch.getSplitParts()),
                converted,
                batch.getMaxPolicyVersion(),
                System.nanoTime());
    }

    private void logFirst(SkipReason reason, ConsumerRecord<byte[], byte[]> record, String detail) {
        if (reasonsLogged.add(reason)) {
            LOG.warn(
                    "Skipping {} (first at {}-{}@{}: {}); further ones are only counted",
                    reason.description(),
                    record.topic(),
                    record.partition(),
                    record.offset(),
                    detail);
        }
    }

    // ---- bounding the queue --------------------------------------------------------------------

    private void pause(TopicPartition partition) {
        if (pausedPartitions.add(partition)) {
            consumer.pause(List.of(partition));
            LOG.debug(
                    "Pausing {}: {} samples pending (at most {})",
                    partition,
                    queue.pendingSamples(),
                    settings.maxPendingSamples());
        }
    }

    /**
     * Pauses every partition that is not completing a split group while the queue is full, and
     * resumes them all once it is not.
     */
    private void adjustPausedPartitions() {
        if (queue.full()) {
            for (TopicPartition partition : consumer.assignment()) {
                if (!queue.hasOpenSplitGroup(partition)) {
                    pause(partition);
                }
            }
        } else if (!pausedPartitions.isEmpty()) {
            consumer.resume(pausedPartitions);
            LOG.debug("Resuming {}: {} samples pending", pausedPartitions, queue.pendingSamples());
            pausedPartitions.clear();
        }
    }

    // ---- updating ----------------------------------------------------------------------------

    /** Applies every update the queue holds, each of {@link UpdateQueue#nextUpdateLength()}. */
    private int applyCompleteUpdates() throws IOException {
        int applied = 0;
        while (queue.holdsAnUpdate()) {
            int length = queue.nextUpdateLength();
            if (length == 0
                    && queue.giveUpStalledSplitGroups(
                            System.nanoTime(), saturatedNanos(splitGroupWait), this::readToEnd)) {
                length = queue.nextUpdateLength();
            }
            if (length == 0) {
                break;
            }
            applyUpdate(queue.take(length));
            applied++;
        }
        return applied;
    }

    /** Whether the consumer has read {@code partition} to its end, as far as it knows. */
    private boolean readToEnd(TopicPartition partition) {
        OptionalLong lag = consumer.currentLag(partition);
        return lag.isPresent() && lag.getAsLong() <= 0;
    }

    private void applyUpdate(UpdateQueue.Update update) throws IOException {
        List<TrainingSample> batchSamples =
                SampleConverter.trainingSamples(update.samples(), network::logProbabilities);
        UpdateStats stats = learner.update(batchSamples);

        for (UpdateQueue.QueuedBatch batch : update.batches()) {
            // Taken in read order, so the last batch of each partition is its highest offset.
            nextUnapplied.put(batch.partition(), batch.offset() + 1);
            Long movedOn = movedOnAfter.remove(batch.seq());
            if (movedOn != null) {
                nextUnapplied.put(batch.partition(), movedOn);
            }
        }
        long newVersion = learner.updatesApplied();
        updates.incrementAndGet();
        samples.addAndGet(update.samples().size());
        skippedRecords.addAndGet(update.skipped());
        unknownActionRecords.addAndGet(update.unknownActions());
        onPolicySamples.addAndGet(update.onPolicy());
        ignoredBatches.addAndGet(update.ignored());
        incompleteSplitGroups.addAndGet(update.incompleteSplitGroups());
        trainedPolicyVersion = Math.max(trainedPolicyVersion, update.maxPolicyVersion());
        lastStats = stats;
        version = newVersion;

        crash(CrashPoint.AFTER_UPDATE, newVersion);
        LearnerCheckpoint.save(settings.checkpointFile(), learner, appliedOffsets());
        crash(CrashPoint.AFTER_CHECKPOINT, newVersion);
        if (newVersion % settings.snapshotEvery() == 0) {
            publishSnapshot(
                    newVersion,
                    metrics(
                            stats,
                            update.onPolicy(),
                            queue.pendingSamples(),
                            trainedPolicyVersion,
                            settings.batchRecords()));
        }
    }

    /**
     * The figures a snapshot carries, under the keys of {@link SnapshotMetrics}. {@value
     * SnapshotMetrics#TRAINED_POLICY_VERSION} is what a fleet paces itself by ({@code fleet
     * --max-steps-ahead}); {@value SnapshotMetrics#PENDING_SAMPLES}, the samples read and not yet
     * trained on when it published, and {@value SnapshotMetrics#BATCH_RECORDS} say why a learner
     * waits.
     */
    private static Map<String, Double> metrics(
            UpdateStats stats,
            long onPolicy,
            long pendingSamples,
            long trainedPolicyVersion,
            int batchRecords) {
        Map<String, Double> metrics = new LinkedHashMap<>();
        metrics.put(SnapshotMetrics.LOSS, stats.loss());
        metrics.put(SnapshotMetrics.MEAN_RATIO, stats.meanRatio());
        metrics.put(SnapshotMetrics.CLIP_FRACTION, stats.clipFraction());
        metrics.put(SnapshotMetrics.APPROX_KL, stats.approxKl());
        metrics.put(SnapshotMetrics.ENTROPY, stats.entropy());
        metrics.put(SnapshotMetrics.GRAD_NORM, stats.gradNorm());
        metrics.put(SnapshotMetrics.BEHAVIOR_KL, stats.behaviorKl());
        metrics.put(SnapshotMetrics.TRUNCATED_FRACTION, stats.truncatedFraction());
        metrics.put(SnapshotMetrics.SAMPLES, (double) stats.samples());
        metrics.put(SnapshotMetrics.ON_POLICY_SAMPLES, (double) onPolicy);
        metrics.put(SnapshotMetrics.OPTIMIZER_STEPS, (double) stats.optimizerSteps());
        metrics.put(SnapshotMetrics.PENDING_SAMPLES, (double) pendingSamples);
        metrics.put(SnapshotMetrics.TRAINED_POLICY_VERSION, (double) trainedPolicyVersion);
        metrics.put(SnapshotMetrics.BATCH_RECORDS, (double) batchRecords);
        return metrics;
    }

    /** Publishes the current weights as {@code snapshotVersion}. */
    private void publishSnapshot(long snapshotVersion, Map<String, Double> metrics)
            throws IOException {
        long started = System.nanoTime();
        snapshots.publish(
                snapshotVersion,
                network,
                metrics,
                () -> crash(CrashPoint.AFTER_ARTIFACT, snapshotVersion));
        publishNanos.addAndGet(System.nanoTime() - started);
        snapshotsPublished.incrementAndGet();
        publishedVersion = snapshotVersion;
    }

    // ---- Kafka set-up --------------------------------------------------------------------------

    private void assignAndSeek(Map<String, Long> restoredOffsets) {
        List<TopicPartition> partitions = partitionsOf(settings.batchesTopic());
        Map<String, TopicPartition> byName = new HashMap<>();
        partitions.forEach(p -> byName.put(p.toString(), p));
        restoredOffsets.forEach(
                (name, offset) -> {
                    if (!byName.containsKey(name)) {
                        carriedOffsets.put(name, offset);
                    }
                });
        consumer.assign(partitions);
        Duration timeout = settings.kafkaTimeout();
        Map<TopicPartition, Long> beginnings = consumer.beginningOffsets(partitions, timeout);
        Map<TopicPartition, Long> ends = consumer.endOffsets(partitions, timeout);
        List<String> pastEnd = new ArrayList<>();
        Map<TopicPartition, Long> starts = new LinkedHashMap<>();
        for (TopicPartition partition : partitions) {
            Long saved = restoredOffsets.get(partition.toString());
            if (saved == null) {
                consumer.seek(partition, beginnings.get(partition));
                continue;
            }
            Long start =
                    repositioning.reposition(
                            partition,
                            saved,
                            beginnings.get(partition),
                            ends.get(partition),
                            "saved offset",
                            pastEnd);
            if (start != null) {
                starts.put(partition, start);
            }
        }
        if (!pastEnd.isEmpty()) {
            throw repositioning.pastEndFailure(pastEnd, "Restart");
        }
        starts.forEach(
                (partition, start) -> {
                    consumer.seek(partition, start);
                    // Also where the learner moved on from: the next checkpoint must not send a
                    // restart back to a position it already judged.
                    nextUnapplied.put(partition, start);
                });
    }

    /**
     * Seeks the partitions whose position the broker reported out of range while reading: records
     * deleted under the reader, or the topic re-created.
     */
    private void repositionOutOfRange(Map<TopicPartition, Long> positions) {
        Duration timeout = settings.kafkaTimeout();
        Map<TopicPartition, Long> beginnings =
                consumer.beginningOffsets(positions.keySet(), timeout);
        Map<TopicPartition, Long> ends = consumer.endOffsets(positions.keySet(), timeout);
        List<String> pastEnd = new ArrayList<>();
        Map<TopicPartition, Long> targets = new LinkedHashMap<>();
        positions.forEach(
                (partition, position) -> {
                    Long target =
                            repositioning.reposition(
                                    partition,
                                    position,
                                    beginnings.get(partition),
                                    ends.get(partition),
                                    "next offset to read",
                                    pastEnd);
                    if (target != null) {
                        targets.put(partition, target);
                    }
                });
        if (!pastEnd.isEmpty()) {
            throw repositioning.pastEndFailure(pastEnd, "Restart the learner");
        }
        targets.forEach(
                (partition, target) -> {
                    consumer.seek(partition, target);
                    OptionalLong lastQueued = queue.lastQueuedSeq(partition);
                    // Checkpoints must record that the learner moved on, but only once the
                    // batches it read before the gap are applied.
                    if (lastQueued.isEmpty()) {
                        nextUnapplied.put(partition, target);
                    } else {
                        movedOnAfter.put(lastQueued.getAsLong(), target);
                    }
                });
    }

    private List<TopicPartition> partitionsOf(String topic) {
        long deadline = System.nanoTime() + saturatedNanos(settings.kafkaTimeout());
        while (true) {
            List<PartitionInfo> infos;
            try {
                infos = consumer.partitionsFor(topic, settings.kafkaTimeout());
            } catch (org.apache.kafka.common.errors.TimeoutException e) {
                throw KafkaTopics.unreachable(
                        settings.bootstrapServers(), settings.kafkaTimeout(), e);
            }
            if (infos != null && !infos.isEmpty()) {
                List<TopicPartition> partitions = new ArrayList<>();
                for (PartitionInfo info : infos) {
                    partitions.add(new TopicPartition(topic, info.partition()));
                }
                partitions.sort((a, b) -> Integer.compare(a.partition(), b.partition()));
                return partitions;
            }
            if (System.nanoTime() - deadline > 0) {
                throw new IllegalStateException(
                        "topic "
                                + topic
                                + " has no partitions on "
                                + settings.bootstrapServers()
                                + "; check --batches-topic");
            }
            sleepQuietly(100);
        }
    }

    private static Map<String, Object> consumerConfig(LearnerSettings settings) {
        Map<String, Object> config = settings.kafkaSecurity().applyTo(new HashMap<>());
        config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, settings.bootstrapServers());
        config.put(
                ConsumerConfig.CLIENT_ID_CONFIG, "creditstream-policy-" + settings.experimentId());
        // No group: partitions are assigned here and offsets live in the checkpoint.
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "none");
        config.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false);
        config.put(
                ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG,
                (int) settings.kafkaTimeout().toMillis());
        return config;
    }

    private static Map<String, Object> producerConfig(LearnerSettings settings) {
        Map<String, Object> config = settings.kafkaSecurity().applyTo(new HashMap<>());
        config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, settings.bootstrapServers());
        config.put(
                ProducerConfig.CLIENT_ID_CONFIG, "creditstream-policy-" + settings.experimentId());
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        config.put(ProducerConfig.LINGER_MS_CONFIG, 0);
        int millis = (int) settings.kafkaTimeout().toMillis();
        config.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, millis);
        config.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, millis);
        config.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, millis + 1);
        return config;
    }

    // ---- helpers -------------------------------------------------------------------------------

    private static void checkSpec(LearnerSettings settings, NetworkSpec restored) {
        NetworkSpec wanted = settings.networkSpec();
        if (restored.equals(wanted)) {
            return;
        }
        String problem =
                "checkpoint "
                        + settings.checkpointFile()
                        + " holds a network for a "
                        + restored.rows()
                        + "x"
                        + restored.cols()
                        + " maze with "
                        + restored.hiddenSize()
                        + " hidden units, but the settings ask for "
                        + wanted.rows()
                        + "x"
                        + wanted.cols()
                        + " with "
                        + wanted.hiddenSize()
                        + "; pass the checkpoint's --maze and --hidden, or start over with a new"
                        + " --experiment";
        boolean sameMaze = restored.rows() == wanted.rows() && restored.cols() == wanted.cols();
        throw new InvalidSettingException(sameMaze ? "hidden" : "maze", problem);
    }

    private void ensureUsable() {
        if (closed) {
            throw new IllegalStateException("this learner is closed");
        }
        if (failure != null) {
            throw new IllegalStateException(
                    "this learner failed earlier ("
                            + failure.getMessage()
                            + "); start a new one, which resumes from the checkpoint",
                    failure);
        }
    }

    private RuntimeException fail(RuntimeException e) {
        failure = e;
        return e;
    }

    static byte[] serialized(PolicyNetwork network) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            network.writeTo(out);
        }
        return bytes.toByteArray();
    }

    /** The duration in nanoseconds, or {@link Long#MAX_VALUE} when longer than that. */
    public static long saturatedNanos(Duration duration) {
        try {
            return duration.toNanos();
        } catch (ArithmeticException e) {
            return duration.isNegative() ? Long.MIN_VALUE : Long.MAX_VALUE;
        }
    }

    private static void sleepQuietly(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
