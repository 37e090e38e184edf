package io.creditstream.operators.flink;

import io.creditstream.schemas.AdvantageBatch;
import io.creditstream.schemas.AdvantageRecord;
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
 * of a bounded input. A group is never split across batches (a learner trains on whole groups), so
 * a single group larger than the limit travels alone.
 *
 * <p>It is chained to the estimator with no shuffle: the pending groups live in memory and are
 * written to operator state only at checkpoints (and re-emitted after a restore), instead of being
 * re-serialized into keyed state group by group.
 */
public class AdvantageBatchOperator extends AbstractStreamOperator<AdvantageBatch>
        implements OneInputStreamOperator<AdvantageBatch, AdvantageBatch>, BoundedOneInput {
    private static final long serialVersionUID = 1L;

    public static final String PENDING_STATE = "batch-pending-groups";

    private final int maxRecords;
    private final long lingerMs;

    private transient Map<String, Pending> pending;
    private transient ListState<AdvantageBatch> checkpointedGroups;
    private transient List<AdvantageBatch> restored;
    private transient Counter batchesOut;

    /** The groups waiting for one experiment's next batch. */
    private static final class Pending {
        final List<AdvantageBatch> groups = new ArrayList<>();
        int records;
        long deadline;
    }

    public AdvantageBatchOperator(int maxRecords, Duration linger) {
        if (maxRecords < 1) {
            throw new IllegalArgumentException(
                    "batch.max-records must be at least 1, got " + maxRecords);
        }
        if (linger == null || linger.isNegative()) {
            throw new IllegalArgumentException("batch.linger must be 0 or more, got " + linger);
        }
        this.maxRecords = maxRecords;
        this.lingerMs = linger.toMillis();
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
        Pending current = pending.get(experiment);
        if (current != null && current.records + size > maxRecords) {
            emit(experiment);
            current = null;
        }
        if (current == null) {
            current = new Pending();
            current.deadline = getProcessingTimeService().getCurrentProcessingTime() + lingerMs;
            pending.put(experiment, current);
            if (lingerMs > 0) {
                getProcessingTimeService().registerTimer(current.deadline, this::onLinger);
            }
        }
        current.groups.add(group);
        current.records += size;
        if (current.records >= maxRecords || lingerMs == 0) {
            emit(experiment);
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
