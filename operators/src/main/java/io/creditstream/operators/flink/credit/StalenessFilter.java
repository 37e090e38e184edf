package io.creditstream.operators.flink.credit;

import io.creditstream.operators.core.credit.StalenessPolicy;
import io.creditstream.operators.flink.CreditMetrics;
import io.creditstream.schemas.PolicySnapshot;
import io.creditstream.schemas.internal.TrajectoryGroup;
import io.creditstream.schemas.trust.SnapshotGate;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.BroadcastState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.runtime.metrics.DescriptiveStatisticsHistogram;
import org.apache.flink.streaming.api.functions.co.BroadcastProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Drops trajectories that lag too far behind the newest policy snapshot of their experiment (see
 * {@link StalenessPolicy}). The learner's {@code policy.snapshots} arrive as a broadcast stream;
 * the newest version per experiment lives in broadcast state, so every subtask applies the same
 * rule and a restored job remembers it.
 *
 * <p>Because that state outlives any single record, a snapshot moves it only if the {@link
 * SnapshotGate} believes it: signed with the learner's key when {@code credit.snapshot-public-key}
 * is set, and never more than {@code credit.max-version-jump} above the newest believed version.
 * The others are counted ({@link CreditMetrics#SNAPSHOTS_UNVERIFIED}, {@link
 * CreditMetrics#SNAPSHOTS_REJECTED}) and ignored.
 */
public class StalenessFilter
        extends BroadcastProcessFunction<TrajectoryGroup, PolicySnapshot, TrajectoryGroup> {
    private static final long serialVersionUID = 1L;

    /** Newest snapshot version per experiment id. */
    public static final MapStateDescriptor<String, Long> NEWEST_VERSIONS =
            new MapStateDescriptor<>("newest-policy-versions", Types.STRING, Types.LONG);

    /** The learner's Ed25519 public key file (X.509, PEM or DER); unset: unsigned believed. */
    public static final String KEY_PUBLIC_KEY = "credit.snapshot-public-key";

    /** How far above the newest believed version a snapshot may lie. */
    public static final String KEY_MAX_VERSION_JUMP = "credit.max-version-jump";

    /** Most experiments whose newest snapshot version is kept. */
    public static final int MAX_TRACKED_EXPERIMENTS = 100_000;

    private final StalenessPolicy policy;
    private final SnapshotGate gate;

    private transient Histogram lag;
    private transient Counter staleTrajectories;
    private transient Counter staleGroups;
    private transient StalenessCounters byOutcome;
    private transient long newestSeen;
    private transient Counter snapshotsRejected;
    private transient Counter snapshotsUnverified;
    private transient long refusalsLogged;

    private static final org.slf4j.Logger LOG =
            org.slf4j.LoggerFactory.getLogger(StalenessFilter.class);

    /** A filter that believes unsigned snapshots, within the default version jump. */
    public StalenessFilter(StalenessPolicy policy) {
        this(policy, new SnapshotGate(null, SnapshotGate.DEFAULT_MAX_VERSION_JUMP));
    }

    /** A filter whose newest versions move only for snapshots {@code gate} believes. */
    public StalenessFilter(StalenessPolicy policy, SnapshotGate gate) {
        this.policy = policy;
        this.gate = gate;
    }

    @Override
    public void open(OpenContext openContext) {
        MetricGroup metrics = getRuntimeContext().getMetricGroup();
        lag =
                metrics.histogram(
                        CreditMetrics.POLICY_VERSION_LAG,
                        new DescriptiveStatisticsHistogram(CreditMetrics.STEP_WINDOW));
        staleTrajectories = metrics.counter(CreditMetrics.STALE_TRAJECTORIES_DROPPED);
        staleGroups = metrics.counter(CreditMetrics.STALE_GROUPS_DROPPED);
        byOutcome = new StalenessCounters(metrics, policy.maxLag());
        snapshotsRejected = metrics.counter(CreditMetrics.SNAPSHOTS_REJECTED);
        snapshotsUnverified = metrics.counter(CreditMetrics.SNAPSHOTS_UNVERIFIED);
        if (!gate.verifiesSignatures()
                && getRuntimeContext().getTaskInfo().getIndexOfThisSubtask() == 0) {
            LOG.warn(
                    "{} is not set: the job believes UNSIGNED policy snapshots, so anyone who can"
                            + " write the snapshot topic moves the versions it drops trajectories"
                            + " by (versions are still bounded by {} = {}). Set it to the"
                            + " learner's public key (learner --generate-signing-key DIR writes"
                            + " one)",
                    KEY_PUBLIC_KEY,
                    KEY_MAX_VERSION_JUMP,
                    gate.maxVersionJump());
        }
        newestSeen = -1;
        metrics.gauge(CreditMetrics.NEWEST_POLICY_VERSION, () -> newestSeen);
    }

    @Override
    public void processElement(
            TrajectoryGroup group, ReadOnlyContext context, Collector<TrajectoryGroup> out)
            throws Exception {
        Long newest = context.getBroadcastState(NEWEST_VERSIONS).get(group.getExperimentId());
        StalenessPolicy.Outcome outcome = policy.apply(group, newest);
        for (long l : outcome.lags()) {
            lag.update(l);
        }
        staleTrajectories.inc(outcome.droppedTrajectories());
        byOutcome.count(group, outcome);
        if (outcome.kept() == null) {
            staleGroups.inc();
        } else {
            out.collect(outcome.kept());
        }
    }

    @Override
    public void processBroadcastElement(
            PolicySnapshot snapshot, Context context, Collector<TrajectoryGroup> out)
            throws Exception {
        BroadcastState<String, Long> versions = context.getBroadcastState(NEWEST_VERSIONS);
        Long known = versions.get(snapshot.getExperimentId());
        // A forged or corrupt version would otherwise become the newest for good (broadcast state
        // is checkpointed) and mark every later trajectory stale.
        SnapshotGate.Verdict verdict = gate.judge(snapshot, known);
        if (verdict != SnapshotGate.Verdict.BELIEVED) {
            (verdict.unverified() ? snapshotsUnverified : snapshotsRejected).inc();
            // Every subtask sees every snapshot: a flood must not flood the log.
            refusalsLogged++;
            if (refusalsLogged <= 5 || refusalsLogged % 1000 == 0) {
                LOG.warn(
                        "Ignored a record on the snapshot topic ({} so far on this subtask): {}",
                        refusalsLogged,
                        gate.describeRefusal(snapshot, verdict, known));
            }
            return;
        }
        if (known == null && trackedExperiments(versions) >= MAX_TRACKED_EXPERIMENTS) {
            // One entry per experiment, on every subtask and in every checkpoint: snapshots naming
            // ever new experiments must not grow it without bound.
            snapshotsRejected.inc();
            LOG.warn(
                    "Ignored a policy snapshot of experiment {}: {} experiments are tracked already",
                    snapshot.getExperimentId(),
                    MAX_TRACKED_EXPERIMENTS);
            return;
        }
        if (known == null || snapshot.getVersion() > known) {
            versions.put(snapshot.getExperimentId(), snapshot.getVersion());
        }
        newestSeen = Math.max(newestSeen, snapshot.getVersion());
    }

    private static int trackedExperiments(BroadcastState<String, Long> versions) throws Exception {
        // Snapshots are rare (one per learner update), so counting here costs little.
        int count = 0;
        for (var ignored : versions.entries()) {
            count++;
        }
        return count;
    }
}
