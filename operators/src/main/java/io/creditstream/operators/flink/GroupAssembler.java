package io.creditstream.operators.flink;

import io.creditstream.operators.core.assembly.GroupProgress;
import io.creditstream.operators.core.assembly.StepPayloads;
import io.creditstream.operators.core.assembly.Trajectories;
import io.creditstream.schemas.StepEvent;
import io.creditstream.schemas.codec.AvroCodec;
import io.creditstream.schemas.internal.Trajectory;
import io.creditstream.schemas.internal.TrajectoryGroup;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.runtime.metrics.DescriptiveStatisticsHistogram;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Collects the trajectories of one rollout group (keyed by group id) into a {@link
 * TrajectoryGroup}.
 *
 * <p>A group is complete when {@code group_size} trajectories have arrived. If it is not complete
 * {@code assembly.group-timeout} after its first trajectory, it is emitted as a partial group when
 * it holds at least {@code assembly.min-group-size} trajectories and dropped (counted) otherwise.
 * In a bounded run the timer fires at the end of input and every group present is emitted.
 *
 * <p>State: the trajectories in a {@code ListState} (appended per arrival, read once on emit) and a
 * {@link GroupProgress}; both are cleared and the timer deleted when the group leaves.
 */
public class GroupAssembler
        extends KeyedProcessFunction<String, EncodedTrajectory, TrajectoryGroup> {
    private static final long serialVersionUID = 1L;

    public static final String TRAJECTORIES_STATE = "group-trajectories";
    public static final String PROGRESS_STATE = "group-progress";

    private final Duration groupTimeout;
    private final int minGroupSize;
    private final boolean boundedInput;

    private transient ListState<EncodedTrajectory> trajectories;
    private transient AvroCodec<StepEvent> stepCodec;
    private transient ValueState<GroupProgress> progress;
    private transient Counter completed;
    private transient Counter partial;
    private transient Counter dropped;
    private transient Histogram completionLatency;
    private transient long openGroups;

    /**
     * @param boundedInput true for the offline {@code estimate}: at the end of input every group
     *     present is emitted, whatever its size
     */
    public GroupAssembler(Duration groupTimeout, int minGroupSize, boolean boundedInput) {
        if (groupTimeout == null || groupTimeout.isNegative() || groupTimeout.isZero()) {
            throw new IllegalArgumentException(
                    "assembly.group-timeout must be positive, got " + groupTimeout);
        }
        if (minGroupSize < 1) {
            throw new IllegalArgumentException(
                    "assembly.min-group-size must be at least 1, got " + minGroupSize);
        }
        this.groupTimeout = groupTimeout;
        this.minGroupSize = minGroupSize;
        this.boundedInput = boundedInput;
    }

    @Override
    public void open(OpenContext openContext) {
        ListStateDescriptor<EncodedTrajectory> listDescriptor =
                new ListStateDescriptor<>(
                        TRAJECTORIES_STATE, TypeInformation.of(EncodedTrajectory.class));
        listDescriptor.enableTimeToLive(StateTtl.safetyNet(groupTimeout));
        trajectories = getRuntimeContext().getListState(listDescriptor);
        ValueStateDescriptor<GroupProgress> progressDescriptor =
                new ValueStateDescriptor<>(PROGRESS_STATE, TypeInformation.of(GroupProgress.class));
        progressDescriptor.enableTimeToLive(StateTtl.safetyNet(groupTimeout));
        progress = getRuntimeContext().getState(progressDescriptor);
        stepCodec = AvroCodec.of(StepEvent.class);

        var metrics = getRuntimeContext().getMetricGroup();
        completed = metrics.counter(CreditMetrics.GROUPS_COMPLETED);
        partial = metrics.counter(CreditMetrics.GROUPS_PARTIAL);
        dropped = metrics.counter(CreditMetrics.GROUPS_DROPPED);
        completionLatency =
                metrics.histogram(
                        CreditMetrics.GROUP_COMPLETION_LATENCY_MS,
                        new DescriptiveStatisticsHistogram(1024));
        metrics.gauge(CreditMetrics.OPEN_GROUPS, () -> openGroups);
    }

    @Override
    public void processElement(
            EncodedTrajectory trajectory, Context ctx, Collector<TrajectoryGroup> out)
            throws Exception {
        long now = ctx.timerService().currentProcessingTime();
        GroupProgress current = progress.value();
        if (current == null) {
            current = new GroupProgress();
            current.expected = trajectory.groupSize;
            current.firstArrivalMs = now;
            current.timeoutTimer = now + groupTimeout.toMillis();
            ctx.timerService().registerProcessingTimeTimer(current.timeoutTimer);
            openGroups++;
        }
        trajectories.add(trajectory);
        current.received++;
        if (current.isComplete()) {
            out.collect(group(ctx.getCurrentKey(), current, false));
            ctx.timerService().deleteProcessingTimeTimer(current.timeoutTimer);
            completionLatency.update(now - current.firstArrivalMs);
            completed.inc();
            clear();
        } else {
            progress.update(current);
        }
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<TrajectoryGroup> out)
            throws Exception {
        GroupProgress current = progress.value();
        if (current == null || current.timeoutTimer != timestamp) {
            return;
        }
        if (boundedInput || current.received >= minGroupSize) {
            out.collect(group(ctx.getCurrentKey(), current, current.received < current.expected));
            partial.inc();
        } else {
            dropped.inc();
        }
        clear();
    }

    private TrajectoryGroup group(String groupId, GroupProgress current, boolean isPartial)
            throws Exception {
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
                .setGroupId(groupId)
                .setExpectedSize(current.expected)
                .setPartial(isPartial)
                .setTrajectories(members)
                .build();
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

    private void clear() {
        trajectories.clear();
        progress.clear();
        openGroups--;
    }
}
