package io.creditstream.operators.flink;

import io.creditstream.operators.core.assembly.BatchProgress;
import io.creditstream.schemas.AdvantageBatch;
import io.creditstream.schemas.AdvantageRecord;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Packs per-group advantage records into learner batches (keyed by experiment): a batch leaves when
 * it reaches {@code batch.max-records} or {@code batch.linger} after its first group. A group is
 * never split across batches (a learner normalises and trains on whole groups), so a single group
 * larger than the limit travels alone.
 *
 * <p>State: the pending groups in a {@code ListState} and a {@link BatchProgress}; both cleared,
 * and the linger timer deleted, when the batch is emitted.
 */
public class AdvantageBatcher extends KeyedProcessFunction<String, AdvantageBatch, AdvantageBatch> {
    private static final long serialVersionUID = 1L;

    public static final String PENDING_STATE = "batch-pending-groups";
    public static final String PROGRESS_STATE = "batch-progress";

    private final int maxRecords;
    private final Duration linger;

    private transient ListState<AdvantageBatch> pending;
    private transient ValueState<BatchProgress> progress;
    private transient Counter batchesOut;

    public AdvantageBatcher(int maxRecords, Duration linger) {
        if (maxRecords < 1) {
            throw new IllegalArgumentException(
                    "batch.max-records must be at least 1, got " + maxRecords);
        }
        if (linger == null || linger.isNegative()) {
            throw new IllegalArgumentException("batch.linger must be 0 or more, got " + linger);
        }
        this.maxRecords = maxRecords;
        this.linger = linger;
    }

    @Override
    public void open(OpenContext openContext) {
        ListStateDescriptor<AdvantageBatch> pendingDescriptor =
                new ListStateDescriptor<>(PENDING_STATE, new AvroTypeInfo<>(AdvantageBatch.class));
        pending = getRuntimeContext().getListState(pendingDescriptor);
        progress =
                getRuntimeContext()
                        .getState(
                                new ValueStateDescriptor<>(
                                        PROGRESS_STATE, TypeInformation.of(BatchProgress.class)));
        batchesOut = getRuntimeContext().getMetricGroup().counter(CreditMetrics.BATCHES_OUT);
    }

    @Override
    public void processElement(AdvantageBatch group, Context ctx, Collector<AdvantageBatch> out)
            throws Exception {
        int size = group.getRecords().size();
        BatchProgress current = progress.value();
        if (current != null && current.records + size > maxRecords) {
            flush(current, ctx.timerService().currentProcessingTime(), out);
            ctx.timerService().deleteProcessingTimeTimer(current.lingerTimer);
            current = null;
        }
        if (current == null) {
            current = new BatchProgress();
        }
        pending.add(group);
        current.records += size;
        if (current.records >= maxRecords || linger.isZero()) {
            if (current.lingerTimer != 0) {
                ctx.timerService().deleteProcessingTimeTimer(current.lingerTimer);
            }
            flush(current, ctx.timerService().currentProcessingTime(), out);
            return;
        }
        if (current.lingerTimer == 0) {
            current.lingerTimer = ctx.timerService().currentProcessingTime() + linger.toMillis();
            ctx.timerService().registerProcessingTimeTimer(current.lingerTimer);
        }
        progress.update(current);
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<AdvantageBatch> out)
            throws Exception {
        BatchProgress current = progress.value();
        if (current == null || current.lingerTimer != timestamp) {
            return;
        }
        flush(current, timestamp, out);
    }

    private void flush(BatchProgress current, long now, Collector<AdvantageBatch> out)
            throws Exception {
        List<AdvantageRecord> records = new ArrayList<>(current.records);
        String firstGroup = null;
        String experiment = null;
        long minVersion = Long.MAX_VALUE;
        long maxVersion = Long.MIN_VALUE;
        for (AdvantageBatch group : pending.get()) {
            if (firstGroup == null) {
                firstGroup = group.getBatchId();
                experiment = group.getExperimentId();
            }
            records.addAll(group.getRecords());
            minVersion = Math.min(minVersion, group.getMinPolicyVersion());
            maxVersion = Math.max(maxVersion, group.getMaxPolicyVersion());
        }
        pending.clear();
        progress.clear();
        if (firstGroup == null) {
            return;
        }
        batchesOut.inc();
        out.collect(
                AdvantageBatch.newBuilder()
                        .setBatchId(experiment + "/" + firstGroup)
                        .setExperimentId(experiment)
                        .setMinPolicyVersion(minVersion)
                        .setMaxPolicyVersion(maxVersion)
                        .setCreatedTimeMs(now)
                        .setRecords(records)
                        .build());
    }
}
