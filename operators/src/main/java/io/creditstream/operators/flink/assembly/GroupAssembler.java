package io.creditstream.operators.flink.assembly;

import io.creditstream.operators.core.assembly.GroupProgress;
import io.creditstream.operators.core.assembly.ScopedKey;
import io.creditstream.operators.core.assembly.StepPayloads;
import io.creditstream.operators.core.assembly.Trajectories;
import io.creditstream.operators.core.input.DeadLetterReason;
import io.creditstream.operators.flink.CreditMetrics;
import io.creditstream.operators.flink.DeadLetters;
import io.creditstream.operators.flink.EncodedTrajectory;
import io.creditstream.operators.flink.OpenCounts;
import io.creditstream.operators.flink.StateTtl;
import io.creditstream.schemas.StepEvent;
import io.creditstream.schemas.codec.AvroCodec;
import io.creditstream.schemas.codec.StepEventCodecs;
import io.creditstream.schemas.internal.Trajectory;
import io.creditstream.schemas.internal.TrajectoryGroup;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.runtime.metrics.DescriptiveStatisticsHistogram;
import org.apache.flink.runtime.state.FunctionInitializationContext;
import org.apache.flink.runtime.state.FunctionSnapshotContext;
import org.apache.flink.streaming.api.checkpoint.CheckpointedFunction;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Collects the trajectories of one rollout group (keyed by {@link EncodedTrajectory#groupKey()},
 * the group within its experiment) into a {@link TrajectoryGroup}.
 *
 * <p>A group is complete when {@code group_size} distinct trajectories have arrived. The first
 * trajectory fixes the group's size and task: a trajectory that disagrees is dead-lettered ({@code
 * inconsistent-group}), one whose episode is already a member is dropped and counted (a re-send).
 * If the group is not complete {@code assembly.group-timeout} after its first trajectory (running
 * time, see {@link RunningTimeouts}), it is emitted as a partial group when it holds at least
 * {@code assembly.min-group-size} trajectories and dead-lettered ({@code group-timeout}) otherwise.
 * In a bounded run the timer fires at the end of input and every group present is emitted.
 *
 * <p>A group that left is remembered for {@code assembly.completed-retention} by its member ids: a
 * member re-sent is dropped and counted, a new trajectory is dead-lettered ({@code group-overflow}
 * after a complete group, {@code late-trajectory} after a timeout).
 *
 * <p>State: the trajectories in a {@code ListState} (appended per arrival, read once on emit) and a
 * {@link GroupProgress}, without TTL: timers clear both.
 */
public class GroupAssembler extends KeyedProcessFunction<String, EncodedTrajectory, TrajectoryGroup>
        implements CheckpointedFunction {
    private static final long serialVersionUID = 1L;

    /** Configuration keys, named in this operator's errors and by the job's options. */
    public static final String KEY_GROUP_TIMEOUT = "assembly.group-timeout";

    public static final String KEY_MIN_GROUP_SIZE = "assembly.min-group-size";

    public static final String TRAJECTORIES_STATE = "group-trajectories";
    public static final String PROGRESS_STATE = "group-progress";
    public static final String OPEN_COUNTS_STATE = "open-groups-per-experiment";

    private final Duration groupTimeout;
    private final int minGroupSize;
    private final Duration completedRetention;
    private final boolean boundedInput;

    private transient ListState<EncodedTrajectory> trajectories;
    private transient AvroCodec<StepEvent> stepCodec;
    private transient AvroCodec<Trajectory> trajectoryCodec;
    private transient ValueState<GroupProgress> progress;
    private transient Counter completed;
    private transient Counter partial;
    private transient Counter dropped;
    private transient Counter duplicates;
    private transient Map<DeadLetterReason, Counter> deadLettered;
    private transient Histogram completionLatency;
    private transient OpenCounts open;
    private transient RunningTimeouts timeouts;

    /**
     * @param boundedInput true for the offline {@code estimate}: at the end of input every group
     *     present is emitted, whatever its size
     */
    public GroupAssembler(
            Duration groupTimeout,
            int minGroupSize,
            Duration completedRetention,
            boolean boundedInput) {
        StateTtl.requirePositive(groupTimeout, KEY_GROUP_TIMEOUT);
        StateTtl.requirePositive(completedRetention, TrajectoryAssembler.KEY_COMPLETED_RETENTION);
        if (minGroupSize < 1) {
            throw new IllegalArgumentException(
                    KEY_MIN_GROUP_SIZE + " must be at least 1, got " + minGroupSize);
        }
        this.groupTimeout = groupTimeout;
        this.minGroupSize = minGroupSize;
        this.completedRetention = completedRetention;
        this.boundedInput = boundedInput;
    }

    @Override
    public void initializeState(FunctionInitializationContext context) throws Exception {
        open = new OpenCounts();
        open.initialize(context, OPEN_COUNTS_STATE);
    }

    @Override
    public void snapshotState(FunctionSnapshotContext context) throws Exception {
        open.snapshot();
    }

    @Override
    public void open(OpenContext openContext) {
        trajectories =
                getRuntimeContext()
                        .getListState(
                                new ListStateDescriptor<>(
                                        TRAJECTORIES_STATE,
                                        TypeInformation.of(EncodedTrajectory.class)));
        progress =
                getRuntimeContext()
                        .getState(
                                new ValueStateDescriptor<>(
                                        PROGRESS_STATE, TypeInformation.of(GroupProgress.class)));
        stepCodec = StepEventCodecs.create();
        trajectoryCodec = AvroCodec.of(Trajectory.class);

        var metrics = getRuntimeContext().getMetricGroup();
        completed = metrics.counter(CreditMetrics.GROUPS_COMPLETED);
        partial = metrics.counter(CreditMetrics.GROUPS_PARTIAL);
        dropped = metrics.counter(CreditMetrics.GROUPS_DROPPED);
        duplicates = metrics.counter(CreditMetrics.DUPLICATE_TRAJECTORIES);
        deadLettered = CreditMetrics.deadLetterCounters(metrics);
        completionLatency =
                metrics.histogram(
                        CreditMetrics.GROUP_COMPLETION_LATENCY_MS,
                        new DescriptiveStatisticsHistogram(1024));
        metrics.gauge(CreditMetrics.OPEN_GROUPS, () -> open.total());
        timeouts = new RunningTimeouts(boundedInput);
    }

    @Override
    public void processElement(
            EncodedTrajectory trajectory, Context ctx, Collector<TrajectoryGroup> out)
            throws Exception {
        timeouts.observe(ctx.timerService());
        long now = ctx.timerService().currentProcessingTime();
        GroupProgress current = progress.value();
        if (current != null && current.hasMember(trajectory.episodeId)) {
            duplicates.inc();
            return;
        }
        if (current != null && current.completed) {
            boolean wasComplete = current.received >= current.expected;
            reject(
                    trajectory,
                    wasComplete
                            ? DeadLetterReason.GROUP_OVERFLOW
                            : DeadLetterReason.LATE_TRAJECTORY,
                    wasComplete
                            ? "group "
                                    + trajectory.groupId
                                    + " already completed with its "
                                    + current.expected
                                    + " trajectories"
                            : "group "
                                    + trajectory.groupId
                                    + " already left on its timeout with "
                                    + current.received
                                    + " of "
                                    + current.expected
                                    + " trajectories",
                    ctx);
            return;
        }
        if (current == null) {
            current = new GroupProgress();
            current.expected = trajectory.groupSize;
            current.taskId = trajectory.taskId;
            current.firstArrivalMs = now;
            current.timeoutTimer = now + groupTimeout.toMillis();
            ctx.timerService().registerProcessingTimeTimer(current.timeoutTimer);
            open.increment(trajectory.experimentId);
        } else if (current.expected != trajectory.groupSize
                || !current.taskId.equals(trajectory.taskId)) {
            // The first trajectory always passes, so a rejected one never leaves a group whose
            // progress was not stored.
            reject(
                    trajectory,
                    DeadLetterReason.INCONSISTENT_GROUP,
                    "trajectory of task "
                            + trajectory.taskId
                            + " with group_size "
                            + trajectory.groupSize
                            + " in a group of task "
                            + current.taskId
                            + " with group_size "
                            + current.expected,
                    ctx);
            return;
        }
        trajectories.add(trajectory);
        current.add(trajectory.episodeId);
        if (current.isComplete()) {
            out.collect(group(current, false));
            ctx.timerService().deleteProcessingTimeTimer(current.timeoutTimer);
            completionLatency.update(now - current.firstArrivalMs);
            completed.inc();
            leave(
                    current,
                    trajectory.experimentId,
                    ctx.timerService().currentProcessingTime(),
                    ctx);
        } else {
            progress.update(current);
        }
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<TrajectoryGroup> out)
            throws Exception {
        timeouts.observe(ctx.timerService());
        GroupProgress current = progress.value();
        if (current == null) {
            return;
        }
        if (current.completed) {
            if (current.retentionTimer == timestamp) {
                long due = timeouts.deferIfEarly(timestamp, completedRetention, ctx.timerService());
                if (due > timestamp) {
                    current.retentionTimer = due;
                    progress.update(current);
                } else {
                    progress.clear();
                }
            }
            return;
        }
        if (current.timeoutTimer != timestamp) {
            return;
        }
        long due = timeouts.deferIfEarly(timestamp, groupTimeout, ctx.timerService());
        if (due > timestamp) {
            current.timeoutTimer = due;
            progress.update(current);
            return;
        }
        if (boundedInput || current.received >= minGroupSize) {
            out.collect(group(current, current.received < current.expected));
            partial.inc();
        } else {
            for (EncodedTrajectory trajectory : trajectories.get()) {
                reject(
                        trajectory,
                        DeadLetterReason.GROUP_TIMEOUT,
                        "group "
                                + trajectory.groupId
                                + " had "
                                + current.received
                                + " of "
                                + current.expected
                                + " trajectories after "
                                + groupTimeout
                                + " of running time, fewer than assembly.min-group-size="
                                + minGroupSize,
                        ctx);
            }
            dropped.inc();
        }
        leave(current, ScopedKey.experimentOf(ctx.getCurrentKey()), timestamp, ctx);
    }

    /** The group left: its trajectories go, its member ids stay until the retention timer. */
    private void leave(GroupProgress current, String experimentId, long now, Context ctx)
            throws Exception {
        trajectories.clear();
        open.decrement(experimentId);
        current.completed = true;
        current.retentionTimer = now + completedRetention.toMillis();
        ctx.timerService().registerProcessingTimeTimer(current.retentionTimer);
        progress.update(current);
    }

    private TrajectoryGroup group(GroupProgress current, boolean isPartial) throws Exception {
        List<Trajectory> members = new ArrayList<>(current.received);
        for (EncodedTrajectory trajectory : trajectories.get()) {
            members.add(decode(trajectory));
        }
        // Arrival order depends on the shuffle; sorting makes the output reproducible.
        members.sort(Comparator.comparing(Trajectory::getEpisodeId));
        Trajectory first = members.get(0);
        return TrajectoryGroup.newBuilder()
                .setExperimentId(first.getExperimentId())
                .setTaskId(first.getTaskId())
                .setGroupId(first.getGroupId())
                .setExpectedSize(current.expected)
                .setPartial(isPartial)
                .setTrajectories(members)
                .build();
    }

    private void reject(
            EncodedTrajectory trajectory, DeadLetterReason reason, String detail, Context ctx) {
        deadLettered.get(reason).inc();
        ctx.output(
                DeadLetters.TAG,
                DeadLetters.of(
                        trajectoryCodec.encode(decode(trajectory)),
                        null,
                        null,
                        null,
                        reason,
                        detail + "; the payload is the Trajectory",
                        trajectory.episodeId,
                        ctx.timerService().currentProcessingTime()));
    }

    /** Each step is decoded here, once, for the estimator. */
    private Trajectory decode(EncodedTrajectory encoded) {
        List<byte[]> payloads = StepPayloads.unpack(encoded.steps);
        List<StepEvent> steps = new ArrayList<>(payloads.size());
        for (byte[] payload : payloads) {
            steps.add(stepCodec.decode(payload));
        }
        return Trajectories.of(steps);
    }
}
