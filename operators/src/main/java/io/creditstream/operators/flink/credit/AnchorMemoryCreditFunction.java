package io.creditstream.operators.flink.credit;

import io.creditstream.operators.core.credit.AnchorHistory;
import io.creditstream.operators.core.credit.AnchorMemory;
import io.creditstream.operators.core.credit.AnchorMemoryParams;
import io.creditstream.operators.core.credit.AnchorMemoryProgress;
import io.creditstream.operators.core.credit.CreditParams;
import io.creditstream.operators.flink.DeadLetters;
import io.creditstream.schemas.AdvantageBatch;
import io.creditstream.schemas.internal.TrajectoryGroup;
import java.util.HashMap;
import java.util.Map;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * GiGPO with anchor memory across groups (docs/ALGORITHMS.md §1.7), keyed by experiment and task:
 * every group of a task reaches the same key, so its step groups can pool the step returns their
 * anchor states had in the task's recent groups ({@link AnchorMemory}).
 *
 * <p>State per task: a {@code MapState<anchor key, AnchorHistory>}, so that a group reads and
 * writes only the anchors it reached, and an {@link AnchorMemoryProgress} (the task's group count,
 * which dates every summary, and its anchor count, which bounds the map without a scan). Both are
 * checkpointed like any keyed state, so a restored job pools with what it remembered. No TTL: the
 * bound is {@code credit.gigpo.anchor-memory.max-anchors} per task, and a task's summaries age out
 * of the window as its groups arrive.
 *
 * <p>Histories are read before the estimate and written after it succeeds: a group the estimator
 * fails on is dead-lettered (see {@link GroupFailures}) and leaves the memory as it was, while a
 * failing state backend fails the job instead of being mistaken for a bad group.
 */
public class AnchorMemoryCreditFunction
        extends KeyedProcessFunction<String, TrajectoryGroup, AdvantageBatch> {
    private static final long serialVersionUID = 1L;

    /** State names are part of a savepoint's contract: renaming one drops that state on restore. */
    public static final String HISTORIES_STATE = "gigpo-anchor-histories";

    public static final String PROGRESS_STATE = "gigpo-anchor-memory-progress";

    private final AnchorMemory memory;
    private final ShadowEstimators shadows;

    private transient MapState<String, AnchorHistory> histories;
    private transient ValueState<AnchorMemoryProgress> progressState;
    private transient CreditQualityMetrics quality;
    private transient GroupFailures failures;

    public AnchorMemoryCreditFunction(CreditParams credit, AnchorMemoryParams memory) {
        this(credit, memory, ShadowEstimators.none());
    }

    /** With shadow estimators computed on the same groups, for their metrics only. */
    public AnchorMemoryCreditFunction(
            CreditParams credit, AnchorMemoryParams memory, ShadowEstimators shadows) {
        this.memory = new AnchorMemory(credit, memory);
        this.shadows = shadows;
    }

    @Override
    public void open(OpenContext openContext) {
        histories =
                getRuntimeContext()
                        .getMapState(
                                new MapStateDescriptor<>(
                                        HISTORIES_STATE,
                                        Types.STRING,
                                        TypeInformation.of(AnchorHistory.class)));
        progressState =
                getRuntimeContext()
                        .getState(
                                new ValueStateDescriptor<>(
                                        PROGRESS_STATE,
                                        TypeInformation.of(AnchorMemoryProgress.class)));
        MetricGroup metrics = getRuntimeContext().getMetricGroup();
        quality = new CreditQualityMetrics(metrics);
        failures = new GroupFailures(metrics);
        shadows.open(metrics);
    }

    @Override
    public void processElement(
            TrajectoryGroup group, Context context, Collector<AdvantageBatch> out)
            throws Exception {
        AnchorMemoryProgress stored = progressState.value();
        AnchorMemoryProgress progress = stored != null ? stored : new AnchorMemoryProgress();
        Map<String, AnchorHistory> remembered = new HashMap<>();
        for (String key : AnchorMemory.anchorKeys(group)) {
            AnchorHistory history = histories.get(key);
            if (history != null) {
                remembered.put(key, history);
            }
        }
        AnchorMemory.Assigned[] result = new AnchorMemory.Assigned[1];
        AdvantageBatch batch =
                failures.guard(
                        group,
                        g -> {
                            result[0] = memory.assign(g, remembered::get, progress.groups);
                            return result[0].batch();
                        },
                        context.timerService().currentProcessingTime(),
                        letter -> context.output(DeadLetters.TAG, letter));
        if (batch == null) {
            return;
        }
        AnchorMemory.Estimate estimate = result[0].estimate();
        int forgotten = memory.remember(estimate, new StateStore(histories), progress);
        progressState.update(progress);
        quality.record(group, batch);
        quality.recordAnchorMemory(estimate.pooledSingletons(), estimate.rows(), forgotten);
        shadows.record(group, batch);
        out.collect(batch);
    }

    /** The task's histories in keyed map state, as the kernel writes them. */
    private record StateStore(MapState<String, AnchorHistory> state) implements AnchorMemory.Store {
        @Override
        public void put(String anchorKey, AnchorHistory history) throws Exception {
            state.put(anchorKey, history);
        }

        @Override
        public void remove(String anchorKey) throws Exception {
            state.remove(anchorKey);
        }

        @Override
        public Iterable<Map.Entry<String, AnchorHistory>> entries() throws Exception {
            return state.entries();
        }
    }
}
