package io.creditstream.operators.flink;

import io.creditstream.operators.core.OprlCreditAssigner;
import io.creditstream.operators.core.RollingWindow;
import io.creditstream.operators.core.prm.ImplicitPrm;
import io.creditstream.operators.core.prm.OprlParams;
import io.creditstream.operators.core.prm.PrmParams;
import io.creditstream.operators.core.prm.PrmProgress;
import io.creditstream.schemas.AdvantageBatch;
import io.creditstream.schemas.AdvantageRecord;
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
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * The OPRL estimator (ALGORITHMS.md §3) keyed by {@code prm.shard}: each group first trains its
 * shard's in-stream PRM on its preference pairs, then gets its advantages from the updated model
 * (or from the events' log-probs where the fleet sends them).
 *
 * <p>State per shard: the weights in a {@code MapState<feature, weight>}, so that a group reads and
 * writes only the features it contains, and a {@link PrmProgress} (update count, running pair
 * accuracy, live feature count). Both are checkpointed like any keyed state, so a restored job
 * continues with the model it had; they have no TTL, because the model is the point.
 */
public class OprlCreditFunction
        extends KeyedProcessFunction<String, TrajectoryGroup, AdvantageBatch> {
    private static final long serialVersionUID = 1L;

    private final OprlCreditAssigner assigner;

    private transient MapState<Integer, Double> weights;
    private transient ValueState<PrmProgress> progressState;
    private transient CreditQualityMetrics quality;
    private transient RollingWindow losses;
    private transient RollingWindow pairAccuracies;
    private transient RollingWindow stepRewards;
    private transient RollingWindow externalSteps;
    private transient Counter pairs;
    private transient Counter updates;
    private transient Map<String, Integer> liveFeaturesByShard;
    private transient double lastStepWeight = Double.NaN;

    public OprlCreditFunction(OprlParams oprlParams, PrmParams prmParams) {
        this.assigner = new OprlCreditAssigner(oprlParams, prmParams);
    }

    @Override
    public void open(OpenContext openContext) {
        weights =
                getRuntimeContext()
                        .getMapState(
                                new MapStateDescriptor<>("prm-weights", Types.INT, Types.DOUBLE));
        progressState =
                getRuntimeContext()
                        .getState(
                                new ValueStateDescriptor<>(
                                        "prm-progress", TypeInformation.of(PrmProgress.class)));
        MetricGroup metrics = getRuntimeContext().getMetricGroup();
        quality = new CreditQualityMetrics(metrics);
        losses = new RollingWindow(CreditMetrics.GROUP_WINDOW);
        pairAccuracies = new RollingWindow(CreditMetrics.GROUP_WINDOW);
        stepRewards = new RollingWindow(CreditMetrics.STEP_WINDOW);
        externalSteps = new RollingWindow(CreditMetrics.STEP_WINDOW);
        liveFeaturesByShard = new HashMap<>();
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
        metrics.gauge(
                CreditMetrics.PRM_LIVE_FEATURES,
                () -> liveFeaturesByShard.values().stream().mapToLong(Integer::longValue).sum());
        pairs = metrics.counter(CreditMetrics.PRM_PAIRS);
        updates = metrics.counter(CreditMetrics.PRM_UPDATES);
    }

    @Override
    public void processElement(
            TrajectoryGroup group, Context context, Collector<AdvantageBatch> out)
            throws Exception {
        PrmProgress progress = progressState.value();
        if (progress == null) {
            progress = new PrmProgress();
        }
        MapStateWeights view = new MapStateWeights(weights, progress.liveFeatures);
        ImplicitPrm prm = new ImplicitPrm(assigner.prmParams(), view);
        OprlCreditAssigner.Result result = assigner.assign(group, prm, progress);
        view.flush();
        progressState.update(progress);

        ImplicitPrm.UpdateResult update = result.update();
        if (update != null) {
            liveFeaturesByShard.put(context.getCurrentKey(), update.liveFeatures());
            if (update.updated()) {
                losses.add(update.loss());
                pairAccuracies.add(update.pairAccuracy());
                pairs.inc(update.pairCount());
                updates.inc();
            }
        }
        for (AdvantageRecord record : result.batch().getRecords()) {
            stepRewards.add(record.getProcessReward());
        }
        int steps = result.externalSteps() + result.inStreamSteps();
        for (int k = 0; k < steps; k++) {
            externalSteps.add(k < result.externalSteps() ? 1 : 0);
        }
        lastStepWeight = result.stepWeight();
        quality.record(group, result.batch());
        out.collect(result.batch());
    }

    private static double meanOrNaN(RollingWindow window) {
        return window.size() == 0 ? Double.NaN : window.mean();
    }
}
