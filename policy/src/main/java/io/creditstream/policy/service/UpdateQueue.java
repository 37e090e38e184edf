package io.creditstream.policy.service;

import io.creditstream.policy.service.SampleConverter.Converted;
import io.creditstream.policy.service.SampleConverter.PendingSample;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.function.Predicate;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The learner's queue of batches read and not yet applied, and the rule for which of them form the
 * next update: pure logic, no consumer, no network (see {@link LearnerService} for the contract).
 *
 * <p>Batches are queued in the order they are read. The next update is the shortest prefix of the
 * queue that holds at least {@code batchRecords} usable samples and does not end inside a split
 * group; a prefix that ends with a part k &lt; parts - 1 is extended to the group's last part, and
 * while that part is not read there is no update. Parts that arrive out of sequence close their
 * group as incomplete. The queue is full ({@link #full()}) once it holds {@code maxPendingSamples}
 * usable samples. Not thread-safe, except {@link #pendingSamples()}.
 */
public final class UpdateQueue {
    private static final Logger LOG = LoggerFactory.getLogger(UpdateQueue.class);

    private final int batchRecords;
    private final int maxPendingSamples;
    private final ArrayDeque<QueuedBatch> pending = new ArrayDeque<>();
    private volatile int pendingSamples;

    /** Batches accepted so far: the sequence number of the next one, minus one. */
    private long acceptedBatches;

    /** Split groups with a part queued whose next part has not been read yet. */
    private final Map<SplitKey, SplitGroup> openSplitGroups = new LinkedHashMap<>();

    /**
     * @param batchRecords usable samples an update needs at least
     * @param maxPendingSamples usable samples at which the queue is full
     */
    public UpdateQueue(int batchRecords, int maxPendingSamples) {
        if (batchRecords < 1 || maxPendingSamples < 1) {
            throw new IllegalArgumentException(
                    "batchRecords and maxPendingSamples must be positive, got "
                            + batchRecords
                            + " and "
                            + maxPendingSamples);
        }
        this.batchRecords = batchRecords;
        this.maxPendingSamples = maxPendingSamples;
    }

    /** Usable samples queued; safe from any thread. */
    public int pendingSamples() {
        return pendingSamples;
    }

    /** Whether the queue holds {@code maxPendingSamples} usable samples or more. */
    public boolean full() {
        return pendingSamples >= maxPendingSamples;
    }

    /** Whether enough samples are queued for an update (it may still wait for a split group). */
    public boolean holdsAnUpdate() {
        return pendingSamples >= batchRecords;
    }

    /** Batches queued. */
    public int size() {
        return pending.size();
    }

    /**
     * Queues a record that carries no samples (not an AdvantageBatch, or another experiment's): it
     * moves its partition's offset with the update it is applied in.
     */
    public QueuedBatch addIgnored(TopicPartition partition, long offset) {
        QueuedBatch batch =
                new QueuedBatch(
                        partition, offset, ++acceptedBatches, null, List.of(), 0, 0, 0, true, -1);
        pending.add(batch);
        return batch;
    }

    /**
     * Queues a batch's usable samples; {@code split} says which split group it is a part of.
     *
     * @param maxPolicyVersion the batch's {@code max_policy_version}: the newest policy that played
     *     a step behind its records
     * @param nowNanos the {@link System#nanoTime()} it was read at, for {@link
     *     #giveUpStalledSplitGroups}
     */
    public QueuedBatch add(
            TopicPartition partition,
            long offset,
            String batchId,
            Split split,
            Converted converted,
            long maxPolicyVersion,
            long nowNanos) {
        long seq = ++acceptedBatches;
        SplitGroup group = trackSplitGroup(partition, offset, batchId, split, seq, nowNanos);
        QueuedBatch batch =
                new QueuedBatch(
                        partition,
                        offset,
                        seq,
                        group,
                        converted.samples(),
                        converted.skipped(),
                        converted.unknownActions(),
                        converted.onPolicy(),
                        false,
                        maxPolicyVersion);
        pending.add(batch);
        pendingSamples += converted.samples().size();
        return batch;
    }

    /**
     * How many batches at the head of the queue the next update takes, or 0 if it is not complete
     * yet: the shortest prefix that holds at least {@code batchRecords} usable samples and ends
     * with no split group cut in two.
     */
    public int nextUpdateLength() {
        int length = 0;
        int count = 0;
        long lastNeeded = Long.MIN_VALUE;
        for (QueuedBatch batch : pending) {
            length++;
            count += batch.samples().size();
            SplitGroup group = batch.group();
            if (group != null) {
                if (!group.closed) {
                    return 0;
                }
                lastNeeded = Math.max(lastNeeded, group.lastSeq);
            }
            if (count >= batchRecords && batch.seq() >= lastNeeded) {
                return length;
            }
        }
        return 0;
    }

    /** Removes the first {@code length} batches, as one update. */
    public Update take(int length) {
        if (length < 1 || length > pending.size()) {
            throw new IllegalArgumentException(
                    "cannot take " + length + " of " + pending.size() + " queued batches");
        }
        List<QueuedBatch> taken = new ArrayList<>(length);
        List<PendingSample> samples = new ArrayList<>();
        long skipped = 0;
        long unknown = 0;
        long onPolicy = 0;
        long ignored = 0;
        long incomplete = 0;
        long newestVersion = -1;
        for (int i = 0; i < length; i++) {
            QueuedBatch batch = pending.removeFirst();
            taken.add(batch);
            samples.addAll(batch.samples());
            skipped += batch.skipped();
            unknown += batch.unknownActions();
            onPolicy += batch.onPolicy();
            ignored += batch.ignored() ? 1 : 0;
            newestVersion = Math.max(newestVersion, batch.maxPolicyVersion());
            SplitGroup group = batch.group();
            if (group != null && group.incomplete && group.lastSeq == batch.seq()) {
                incomplete++;
            }
        }
        pendingSamples -= samples.size();
        return new Update(
                List.copyOf(taken),
                List.copyOf(samples),
                skipped,
                unknown,
                onPolicy,
                ignored,
                incomplete,
                newestVersion);
    }

    /** The sequence number of the last batch of {@code partition} queued, if any is. */
    public OptionalLong lastQueuedSeq(TopicPartition partition) {
        OptionalLong last = OptionalLong.empty();
        for (QueuedBatch batch : pending) {
            if (batch.partition().equals(partition)) {
                last = OptionalLong.of(batch.seq());
            }
        }
        return last;
    }

    /** Whether a split group of {@code partition} waits for its next part. */
    public boolean hasOpenSplitGroup(TopicPartition partition) {
        for (SplitKey key : openSplitGroups.keySet()) {
            if (key.partition().equals(partition)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Closes, as incomplete, the open split groups that got no part for {@code waitNanos} and whose
     * partition {@code readToEnd} says has been read to its end. The job writes a group's parts in
     * one transaction, so a read_committed reader that has reached the partition's end has seen
     * every part there is; the wait only spares a writer that sends parts in separate transactions.
     *
     * @return whether one was closed
     */
    public boolean giveUpStalledSplitGroups(
            long nowNanos, long waitNanos, Predicate<TopicPartition> readToEnd) {
        boolean closed = false;
        var open = openSplitGroups.values().iterator();
        while (open.hasNext()) {
            SplitGroup group = open.next();
            if (nowNanos - group.lastPartNanos < waitNanos) {
                continue;
            }
            if (!readToEnd.test(group.partition)) {
                continue;
            }
            LOG.warn(
                    "Split group {} on {}: parts {} to {} of {} read, no part for {} ms and nothing"
                            + " more to read in the partition; applying them as an incomplete group",
                    group.id,
                    group.partition,
                    group.firstPart,
                    group.nextPart - 1,
                    group.parts,
                    waitNanos / 1_000_000);
            group.incomplete = true;
            group.closed = true;
            open.remove();
            closed = true;
        }
        return closed;
    }

    /**
     * The split group a batch is a part of, or null when it holds whole groups. Follows each
     * group's parts as they arrive: a group whose parts do not arrive in sequence is closed as
     * incomplete (logged here, counted when it is applied) so that it never holds up the updates.
     */
    private SplitGroup trackSplitGroup(
            TopicPartition partition,
            long offset,
            String batchId,
            Split split,
            long seq,
            long now) {
        String id = split == null ? null : split.groupId();
        if (id == null) {
            return null;
        }
        Integer part = split.part();
        Integer parts = split.parts();
        if (part == null || parts == null || parts < 1 || part < 0 || part >= parts) {
            LOG.warn(
                    "Batch {} at {}@{} names split group {} with split_part {} of split_parts {},"
                            + " which is no part of a group; applying it alone as an incomplete"
                            + " group",
                    batchId,
                    partition,
                    offset,
                    id,
                    part,
                    parts);
            SplitGroup alone = new SplitGroup(partition, id, parts == null ? 0 : parts, seq, now);
            alone.incomplete = true;
            alone.closed = true;
            return alone;
        }
        if (parts == 1) {
            return null;
        }
        SplitKey key = new SplitKey(partition, id);
        SplitGroup group = openSplitGroups.get(key);
        if (group != null && parts == group.parts && part > group.nextPart) {
            LOG.warn(
                    "Split group {} on {}: part {} of {} (offset {}) arrived where part {} was due;"
                            + " parts {} to {} are not in the topic. Applying the group without"
                            + " them as an incomplete group",
                    id,
                    partition,
                    part,
                    parts,
                    offset,
                    group.nextPart,
                    group.nextPart,
                    part - 1);
            group.incomplete = true;
        } else if (group != null && (part != group.nextPart || parts != group.parts)) {
            // Not a later part of the group read so far: that one ends here, short of its end.
            LOG.warn(
                    "Split group {} on {}: part {} of {} (offset {}) arrived where part {} of {}"
                            + " was due; applying parts {} to {} read before as an incomplete"
                            + " group",
                    id,
                    partition,
                    part,
                    parts,
                    offset,
                    group.nextPart,
                    group.parts,
                    group.firstPart,
                    group.nextPart - 1);
            group.incomplete = true;
            group.closed = true;
            openSplitGroups.remove(key);
            group = null;
        }
        if (group == null) {
            group = new SplitGroup(partition, id, parts, seq, now);
            group.firstPart = part;
            if (part != 0) {
                LOG.warn(
                        "Split group {} on {}: the first part read is part {} of {} (offset {});"
                                + " parts 0 to {} are not in the topic (deleted by retention, or"
                                + " the topic was truncated). Applying the parts that are there as"
                                + " an incomplete group",
                        id,
                        partition,
                        part,
                        parts,
                        offset,
                        part - 1);
                group.incomplete = true;
            }
        }
        group.nextPart = part + 1;
        group.lastSeq = seq;
        group.lastPartNanos = now;
        if (group.nextPart == parts) {
            group.closed = true;
            openSplitGroups.remove(key);
        } else {
            openSplitGroups.put(key, group);
        }
        return group;
    }

    /**
     * A batch's place in a split group: {@code split_group_id}, {@code split_part}, {@code
     * split_parts} as the batch carries them (a null group id: the batch holds whole groups).
     */
    public record Split(String groupId, Integer part, Integer parts) {
        /** A batch of whole groups. */
        public static final Split NONE = new Split(null, null, null);
    }

    /**
     * One Kafka record read and not yet applied, with its usable samples and skip counts; {@code
     * seq} numbers the records in the order they were read, {@code group} is the split group the
     * batch is a part of (null: whole groups), {@code maxPolicyVersion} the batch's newest policy
     * version (-1 for a record that carries no samples).
     */
    public record QueuedBatch(
            TopicPartition partition,
            long offset,
            long seq,
            SplitGroup group,
            List<PendingSample> samples,
            int skipped,
            int unknownActions,
            int onPolicy,
            boolean ignored,
            long maxPolicyVersion) {}

    /**
     * The batches one update applies, in read order (so the last batch of each partition is its
     * highest offset), their samples in order, the counts to add to the learner's counters, and the
     * newest policy version behind them ({@code max_policy_version} over the batches; -1 when none
     * carries samples).
     */
    public record Update(
            List<QueuedBatch> batches,
            List<PendingSample> samples,
            long skipped,
            long unknownActions,
            long onPolicy,
            long ignored,
            long incompleteSplitGroups,
            long maxPolicyVersion) {}

    /** A split group's identity: group ids are unique per experiment, parts share a partition. */
    private record SplitKey(TopicPartition partition, String groupId) {}

    /**
     * The parts of one split group read so far, in sequence from {@code firstPart}. Closed once its
     * last part is read or it is given up as incomplete; only then may an update take it.
     */
    public static final class SplitGroup {
        private final TopicPartition partition;
        private final String id;
        private final int parts;
        private int firstPart;
        private int nextPart;

        /** Sequence number of the part read last: an update that takes the group reaches it. */
        private long lastSeq;

        private long lastPartNanos;
        private boolean closed;
        private boolean incomplete;

        private SplitGroup(TopicPartition partition, String id, int parts, long seq, long nanos) {
            this.partition = partition;
            this.id = id;
            this.parts = parts;
            this.lastSeq = seq;
            this.lastPartNanos = nanos;
        }

        /** The group's id. */
        public String id() {
            return id;
        }

        /** Whether its last part is read or it was given up. */
        public boolean closed() {
            return closed;
        }

        /** Whether parts of it are missing. */
        public boolean incomplete() {
            return incomplete;
        }
    }
}
