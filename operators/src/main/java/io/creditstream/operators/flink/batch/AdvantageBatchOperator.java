package io.creditstream.operators.flink.batch;

import io.creditstream.operators.core.input.DeadLetterReason;
import io.creditstream.operators.flink.CreditMetrics;
import io.creditstream.operators.flink.DeadLetters;
import io.creditstream.schemas.AdvantageBatch;
import io.creditstream.schemas.AdvantageRecord;
import io.creditstream.schemas.codec.AvroCodec;
import io.creditstream.schemas.codec.AvroSize;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.metrics.Counter;
import org.apache.flink.runtime.state.StateInitializationContext;
import org.apache.flink.runtime.state.StateSnapshotContext;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.BoundedOneInput;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;

/**
 * Packs per-group advantage records into learner batches, per experiment: a batch leaves when it
 * reaches {@code batch.max-records} or {@code batch.linger} after its first group, and at the end
 * of a bounded input; a group that would take it past {@code batch.max-bytes} (its encoded size,
 * computed with {@link AvroSize}) makes it leave first. The record limit never splits a group: a
 * single group larger than it travels alone.
 *
 * <p>The byte limit must hold, or the broker rejects the batch and the job fails on it after every
 * restore. A group too large for one batch is therefore split into parts, each a batch of that
 * group alone with {@code split_group_id}, {@code split_part} and {@code split_parts} set, emitted
 * together (so written in one transaction, under one Kafka key, in part order). A single record
 * larger than a batch cannot be delivered at all: its group is dead-lettered ({@code
 * oversize-output}), one letter per episode.
 *
 * <p>It is chained to the estimator with no shuffle: the pending groups live in memory and are
 * written to operator state only at checkpoints (and re-emitted after a restore), instead of being
 * re-serialized into keyed state group by group.
 *
 * <p>With {@code batch.flush-at-checkpoint} every pending batch also leaves just before the
 * checkpoint barrier. The exactly-once sink makes a batch visible only when that checkpoint commits
 * its transaction, so a batch still lingering at the barrier would wait a whole further checkpoint
 * interval for nothing; flushed, each group is seen at the first commit after it was estimated, and
 * the linger only bounds batches between checkpoints.
 */
public class AdvantageBatchOperator extends AbstractStreamOperator<AdvantageBatch>
        implements OneInputStreamOperator<AdvantageBatch, AdvantageBatch>, BoundedOneInput {
    private static final long serialVersionUID = 1L;

    /** Configuration keys, named in this operator's errors and by the job's options. */
    public static final String KEY_MAX_RECORDS = "batch.max-records";

    public static final String KEY_MAX_BYTES = "batch.max-bytes";
    public static final String KEY_LINGER = "batch.linger";
    public static final String KEY_FLUSH_AT_CHECKPOINT = "batch.flush-at-checkpoint";

    public static final String PENDING_STATE = "batch-pending-groups";

    /** Below this a batch could not hold even the envelope of long ids. */
    public static final int MIN_BATCH_BYTES = 16 * 1024;

    private final int maxRecords;
    private final int maxBytes;
    private final long lingerMs;
    private final boolean flushAtCheckpoint;

    private transient Map<String, Pending> pending;
    private transient ListState<AdvantageBatch> checkpointedGroups;
    private transient List<AdvantageBatch> restored;
    private transient Counter batchesOut;
    private transient Counter splitGroups;
    private transient Counter oversizeRecords;

    /** The groups waiting for one experiment's next batch. */
    private static final class Pending {
        final List<AdvantageBatch> groups = new ArrayList<>();
        int records;
        long bytes;
        long envelope;
        long deadline;
    }

    /**
     * @param maxBytes most bytes of one batch's single-object encoding ({@code batch.max-bytes})
     */
    public AdvantageBatchOperator(int maxRecords, int maxBytes, Duration linger) {
        this(maxRecords, maxBytes, linger, false);
    }

    /**
     * @param maxBytes most bytes of one batch's single-object encoding ({@code batch.max-bytes})
     * @param flushAtCheckpoint emit every pending batch before each checkpoint barrier ({@code
     *     batch.flush-at-checkpoint})
     */
    public AdvantageBatchOperator(
            int maxRecords, int maxBytes, Duration linger, boolean flushAtCheckpoint) {
        if (maxRecords < 1) {
            throw new IllegalArgumentException(
                    KEY_MAX_RECORDS + " must be at least 1, got " + maxRecords);
        }
        if (maxBytes < MIN_BATCH_BYTES) {
            throw new IllegalArgumentException(
                    KEY_MAX_BYTES + " must be at least " + MIN_BATCH_BYTES + ", got " + maxBytes);
        }
        this.maxBytes = maxBytes;
        if (linger == null || linger.isNegative()) {
            throw new IllegalArgumentException(KEY_LINGER + " must be 0 or more, got " + linger);
        }
        this.maxRecords = maxRecords;
        this.lingerMs = linger.toMillis();
        this.flushAtCheckpoint = flushAtCheckpoint;
    }

    @Override
    public void initializeState(StateInitializationContext context) throws Exception {
        super.initializeState(context);
        pending = new LinkedHashMap<>();
        checkpointedGroups =
                context.getOperatorStateStore()
                        .getListState(
                                new ListStateDescriptor<>(
                                        PENDING_STATE, new AvroTypeInfo<>(AdvantageBatch.class)));
        restored = new ArrayList<>();
        if (context.isRestored()) {
            for (AdvantageBatch group : checkpointedGroups.get()) {
                restored.add(group);
            }
        }
    }

    @Override
    public void open() throws Exception {
        super.open();
        batchesOut = getMetricGroup().counter(CreditMetrics.BATCHES_OUT);
        splitGroups = getMetricGroup().counter(CreditMetrics.SPLIT_GROUPS);
        oversizeRecords =
                CreditMetrics.deadLetterCounters(getMetricGroup())
                        .get(DeadLetterReason.OVERSIZE_OUTPUT);
        // Groups pending at the checkpoint we restored from are batched again, timers and all.
        for (AdvantageBatch group : restored) {
            add(group);
        }
        restored = null;
    }

    @Override
    public void processElement(StreamRecord<AdvantageBatch> element) {
        add(element.getValue());
    }

    private void add(AdvantageBatch group) {
        String experiment = group.getExperimentId();
        int size = group.getRecords().size();
        long bytes = 0;
        for (AdvantageRecord record : group.getRecords()) {
            bytes += AvroSize.body(record);
        }
        long envelope = envelopeBytes(experiment, group.getBatchId());
        Pending current = pending.get(experiment);
        if (envelope + bytes > maxBytes) {
            if (current != null) {
                emit(experiment);
            }
            split(group, envelope);
            return;
        }
        if (current != null
                && (current.records + size > maxRecords
                        || current.envelope + current.bytes + bytes > maxBytes)) {
            emit(experiment);
            current = null;
        }
        if (current == null) {
            current = new Pending();
            current.envelope = envelope;
            current.deadline = getProcessingTimeService().getCurrentProcessingTime() + lingerMs;
            pending.put(experiment, current);
            if (lingerMs > 0) {
                getProcessingTimeService().registerTimer(current.deadline, this::onLinger);
            }
        }
        current.groups.add(group);
        current.records += size;
        current.bytes += bytes;
        if (current.records >= maxRecords || lingerMs == 0) {
            emit(experiment);
        }
    }

    /**
     * An upper bound of a batch's bytes besides its records: header, ids (a part's id carries a
     * suffix), versions, time, array framing and the split fields.
     */
    static long envelopeBytes(String experiment, String groupId) {
        long experimentBytes = AvroSize.utf8Length(experiment);
        long groupBytes = AvroSize.utf8Length(groupId);
        long batchIdBytes = experimentBytes + 1 + groupBytes + PART_SUFFIX_BYTES;
        return AvroCodec.HEADER_LENGTH
                + (5 + batchIdBytes)
                + (5 + experimentBytes)
                + 3 * 10
                + (5 + 1)
                + (1 + 5 + groupBytes)
                + (1 + 5)
                + (1 + 5);
    }

    /** "#part-" and up to ten digits. */
    private static final int PART_SUFFIX_BYTES = 16;

    /** Emits a group too large for one batch as consecutive parts of it alone. */
    private void split(AdvantageBatch group, long envelope) {
        long budget = maxBytes - envelope;
        List<List<AdvantageRecord>> parts = new ArrayList<>();
        List<AdvantageRecord> part = new ArrayList<>();
        long partBytes = 0;
        for (AdvantageRecord record : group.getRecords()) {
            long bytes = AvroSize.body(record);
            if (bytes > budget) {
                rejectOversize(group, record, bytes + envelope);
                return;
            }
            if (partBytes + bytes > budget) {
                parts.add(part);
                part = new ArrayList<>();
                partBytes = 0;
            }
            part.add(record);
            partBytes += bytes;
        }
        parts.add(part);
        splitGroups.inc();
        long now = getProcessingTimeService().getCurrentProcessingTime();
        String experiment = group.getExperimentId();
        for (int i = 0; i < parts.size(); i++) {
            batchesOut.inc();
            output.collect(
                    new StreamRecord<>(
                            new AdvantageBatch(
                                    experiment + "/" + group.getBatchId() + "#part-" + i,
                                    experiment,
                                    group.getMinPolicyVersion(),
                                    group.getMaxPolicyVersion(),
                                    now,
                                    parts.get(i),
                                    group.getBatchId(),
                                    i,
                                    parts.size())));
        }
    }

    /** One dead letter per episode of a group holding a record that fits no batch. */
    private void rejectOversize(AdvantageBatch group, AdvantageRecord record, long bytes) {
        long now = getProcessingTimeService().getCurrentProcessingTime();
        java.util.Set<String> episodes = new java.util.LinkedHashSet<>();
        for (AdvantageRecord r : group.getRecords()) {
            episodes.add(r.getEpisodeId());
        }
        for (String episode : episodes) {
            oversizeRecords.inc();
            output.collect(
                    DeadLetters.TAG,
                    new StreamRecord<>(
                            DeadLetters.of(
                                    new byte[0],
                                    null,
                                    null,
                                    null,
                                    DeadLetterReason.OVERSIZE_OUTPUT,
                                    "group "
                                            + group.getBatchId()
                                            + " of experiment "
                                            + group.getExperimentId()
                                            + " dropped: the advantage record of episode "
                                            + record.getEpisodeId()
                                            + " step "
                                            + record.getStepIndex()
                                            + " alone makes a "
                                            + bytes
                                            + "-byte batch, above batch.max-bytes="
                                            + maxBytes
                                            + " (lower input.max-record-bytes)",
                                    episode,
                                    now)));
        }
    }

    /** Emits every batch whose linger time has passed; a later batch has its own timer. */
    private void onLinger(long timestamp) {
        Iterator<Map.Entry<String, Pending>> it = pending.entrySet().iterator();
        while (it.hasNext()) {
            Map.Entry<String, Pending> entry = it.next();
            if (entry.getValue().deadline <= timestamp) {
                it.remove();
                output(entry.getValue(), timestamp);
            }
        }
    }

    /**
     * Runs before the barrier goes downstream, so what leaves here belongs to this checkpoint's
     * transaction; the snapshot that follows then finds nothing pending.
     */
    @Override
    public void prepareSnapshotPreBarrier(long checkpointId) throws Exception {
        super.prepareSnapshotPreBarrier(checkpointId);
        if (flushAtCheckpoint && !pending.isEmpty()) {
            endInput();
        }
    }

    @Override
    public void snapshotState(StateSnapshotContext context) throws Exception {
        super.snapshotState(context);
        List<AdvantageBatch> groups = new ArrayList<>();
        for (Pending batch : pending.values()) {
            groups.addAll(batch.groups);
        }
        checkpointedGroups.update(groups);
    }

    @Override
    public void endInput() {
        long now = getProcessingTimeService().getCurrentProcessingTime();
        for (Pending batch : pending.values()) {
            output(batch, now);
        }
        pending.clear();
    }

    private void emit(String experiment) {
        output(pending.remove(experiment), getProcessingTimeService().getCurrentProcessingTime());
    }

    private void output(Pending batch, long now) {
        List<AdvantageRecord> records = new ArrayList<>(batch.records);
        long minVersion = Long.MAX_VALUE;
        long maxVersion = Long.MIN_VALUE;
        for (AdvantageBatch group : batch.groups) {
            records.addAll(group.getRecords());
            minVersion = Math.min(minVersion, group.getMinPolicyVersion());
            maxVersion = Math.max(maxVersion, group.getMaxPolicyVersion());
        }
        AdvantageBatch first = batch.groups.get(0);
        batchesOut.inc();
        output.collect(
                new StreamRecord<>(
                        new AdvantageBatch(
                                first.getExperimentId() + "/" + first.getBatchId(),
                                first.getExperimentId(),
                                minVersion,
                                maxVersion,
                                now,
                                records,
                                null,
                                null,
                                null)));
    }
}
