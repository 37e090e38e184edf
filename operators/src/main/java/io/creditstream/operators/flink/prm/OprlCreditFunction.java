package io.creditstream.operators.flink.prm;

import io.creditstream.operators.core.metrics.RollingWindow;
import io.creditstream.operators.core.prm.ImplicitPrm;
import io.creditstream.operators.core.prm.OprlCreditAssigner;
import io.creditstream.operators.core.prm.OprlParams;
import io.creditstream.operators.core.prm.PrmParams;
import io.creditstream.operators.core.prm.PrmProgress;
import io.creditstream.operators.flink.CreditMetrics;
import io.creditstream.operators.flink.DeadLetters;
import io.creditstream.operators.flink.credit.CreditQualityMetrics;
import io.creditstream.operators.flink.credit.GroupFailures;
import io.creditstream.operators.flink.credit.ShadowEstimators;
import io.creditstream.schemas.AdvantageBatch;
import io.creditstream.schemas.AdvantageRecord;
import io.creditstream.schemas.internal.TrajectoryGroup;
import java.util.List;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.runtime.state.FunctionInitializationContext;
import org.apache.flink.runtime.state.FunctionSnapshotContext;
import org.apache.flink.streaming.api.checkpoint.CheckpointedFunction;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * The OPRL estimator (docs/ALGORITHMS.md §3) keyed by {@code prm.shard}: each group first trains
 * its shard's in-stream PRM on its preference pairs, then gets its advantages from the updated
 * model (or from the events' log-probs where the fleet sends them).
 *
 * <p>State per shard: the weights in a {@code MapState<feature, weight>}, so that a group reads and
 * writes only the features it contains, and a {@link PrmProgress} (update count, running pair
 * accuracy, live feature count). Both are checkpointed like any keyed state, so a restored job
 * continues with the model it had; they have no TTL, because the model is the point.
 */
public class OprlCreditFunction
        extends KeyedProcessFunction<String, TrajectoryGroup, AdvantageBatch>
        implements CheckpointedFunction {
    private static final long serialVersionUID = 1L;

    /** State names are part of a savepoint's contract: renaming one drops that state on restore. */
    public static final String WEIGHTS_STATE = "prm-weights";

    public static final String PROGRESS_STATE = "prm-progress";
    public static final String LIVE_FEATURES_STATE = "prm-live-features";

    private final OprlCreditAssigner assigner;

    private transient MapState<Integer, Double> weights;
    private transient ValueState<PrmProgress> progressState;
    private final ShadowEstimators shadows;
    private transient CreditQualityMetrics quality;
    private transient RollingWindow losses;
    private transient RollingWindow pairAccuracies;
    private transient RollingWindow stepRewards;
    private transient RollingWindow externalSteps;
    private transient Counter pairs;
    private transient Counter updates;
    private transient long liveFeatures;
    private transient ListState<Long> liveFeaturesState;
    private transient GroupFailures failures;
    private transient double lastStepWeight = Double.NaN;

    public OprlCreditFunction(OprlParams oprlParams, PrmParams prmParams) {
        this(oprlParams, prmParams, ShadowEstimators.none());
    }

    /** With shadow estimators computed on the same groups, for their metrics only. */
    public OprlCreditFunction(
            OprlParams oprlParams, PrmParams prmParams, ShadowEstimators shadows) {
        this.assigner = new OprlCreditAssigner(oprlParams, prmParams);
        this.shadows = shadows;
    }

    /**
     * The live-feature total is operator state, so the gauge survives a restore; on a rescale the
     * subtasks' totals are dealt out and their sum stays exact.
     */
    @Override
    public void initializeState(FunctionInitializationContext context) throws Exception {
        liveFeaturesState =
                context.getOperatorStateStore()
                        .getListState(new ListStateDescriptor<>(LIVE_FEATURES_STATE, Types.LONG));
        liveFeatures = 0;
        for (Long total : liveFeaturesState.get()) {
            liveFeatures += total;
        }
    }

    @Override
    public void snapshotState(FunctionSnapshotContext context) throws Exception {
        liveFeaturesState.update(List.of(liveFeatures));
    }

    @Override
    public void open(OpenContext openContext) {
        weights =
                getRuntimeContext()
                        .getMapState(
                                new MapStateDescriptor<>(WEIGHTS_STATE, Types.INT, Types.DOUBLE));
        progressState =
                getRuntimeContext()
                        .getState(
                                new ValueStateDescriptor<>(
                                        PROGRESS_STATE, TypeInformation.of(PrmProgress.class)));
        MetricGroup metrics = getRuntimeContext().getMetricGroup();
        quality = new CreditQualityMetrics(metrics);
        shadows.open(metrics);
        losses = new RollingWindow(CreditMetrics.GROUP_WINDOW);
        pairAccuracies = new RollingWindow(CreditMetrics.GROUP_WINDOW);
        stepRewards = new RollingWindow(CreditMetrics.STEP_WINDOW);
        externalSteps = new RollingWindow(CreditMetrics.STEP_WINDOW);
        failures = new GroupFailures(metrics);
        lastStepWeight = Double.NaN;
        // NaN until there is data, so that a dashboard (or the demo) averaging over subtasks
        // skips the subtasks that hold no PRM instead of counting them as zeros.
        metrics.gauge(CreditMetrics.PRM_LOSS, () -> meanOrNaN(losses));
        metrics.gauge(CreditMetrics.PRM_PAIR_ACCURACY, () -> meanOrNaN(pairAccuracies));
        metrics.gauge(CreditMetrics.PRM_STEP_REWARD_MEAN, () -> meanOrNaN(stepRewards));
        metrics.gauge(
                CreditMetrics.PRM_STEP_REWARD_STD,
                () -> stepRewards.size() == 0 ? Double.NaN : stepRewards.std());
        metrics.gauge(CreditMetrics.PRM_EXTERNAL_STEP_RATIO, () -> meanOrNaN(externalSteps));
        metrics.gauge(CreditMetrics.PRM_STEP_WEIGHT, () -> lastStepWeight);
        metrics.gauge(CreditMetrics.PRM_LIVE_FEATURES, () -> liveFeatures);
        pairs = metrics.counter(CreditMetrics.PRM_PAIRS);
        updates = metrics.counter(CreditMetrics.PRM_UPDATES);
    }

    @Override
    public void processElement(
            TrajectoryGroup group, Context context, Collector<AdvantageBatch> out)
            throws Exception {
        PrmProgress stored = progressState.value();
        PrmProgress progress = stored != null ? stored : new PrmProgress();
        int liveBefore = progress.liveFeatures;
        MapStateWeights view = new MapStateWeights(weights, progress.liveFeatures);
        ImplicitPrm prm = new ImplicitPrm(assigner.prmParams(), view);
        OprlCreditAssigner.Result[] result = new OprlCreditAssigner.Result[1];
        // The PRM update stays in the view's cache until flush: a group that fails, or that would
        // leave a non-finite weight, changes neither the weights nor the progress in state.
        AdvantageBatch batch =
                failures.guard(
                        group,
                        g -> {
                            result[0] = assigner.assign(g, prm, progress);
                            String badWeight = view.firstNonFiniteChange();
                            if (badWeight != null) {
                                throw new ArithmeticException(badWeight);
                            }
                            return result[0].batch();
                        },
                        context.timerService().currentProcessingTime(),
                        letter -> context.output(DeadLetters.TAG, letter));
        if (batch == null) {
            return;
        }
        view.flush();
        progressState.update(progress);

        ImplicitPrm.UpdateResult update = result[0].update();
        if (update != null) {
            // A running total instead of a map per shard: with prm.shard=task the shards are
            // unbounded, and the gauge only needs their sum. Every shard starts at zero, so the
            // sum of the changes is the sum of the shards' counts.
            liveFeatures += update.liveFeatures() - liveBefore;
            if (update.updated()) {
                losses.add(update.loss());
                pairAccuracies.add(update.pairAccuracy());
                pairs.inc(update.pairCount());
                updates.inc();
            }
        }
        for (AdvantageRecord record : batch.getRecords()) {
            stepRewards.add(record.getProcessReward());
        }
        int steps = result[0].externalSteps() + result[0].inStreamSteps();
        for (int k = 0; k < steps; k++) {
            externalSteps.add(k < result[0].externalSteps() ? 1 : 0);
        }
        lastStepWeight = result[0].stepWeight();
        quality.record(group, batch);
        shadows.record(group, batch);
        out.collect(batch);
    }

    private static double meanOrNaN(RollingWindow window) {
        return window.size() == 0 ? Double.NaN : window.mean();
    }
}
