package io.creditstream.operators.flink;

import io.creditstream.operators.core.assembly.DeadLetterReason;
import io.creditstream.operators.core.assembly.EpisodeProgress;
import io.creditstream.schemas.StepEvent;
import io.creditstream.schemas.codec.AvroCodec;
import io.creditstream.schemas.internal.Trajectory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Assembles the steps of one episode (keyed by episode id) into a {@link Trajectory}.
 *
 * <p>Steps may arrive out of order and more than once: an identical duplicate is dropped and
 * counted, a conflicting one (same index, different content) is dead-lettered. The episode is
 * complete when its {@code done} step and every index below it are present.
 *
 * <p>State: the steps in a {@code MapState} by index (one read and one write per step, never the
 * whole list) and an {@link EpisodeProgress}. Both are cleared, and the timer deleted, when the
 * trajectory is emitted; an episode still incomplete {@code assembly.episode-timeout} after its
 * first step is evicted to the dead-letter output. In bounded (batch) runs that timer fires at the
 * end of input, so every incomplete episode is reported.
 */
public class TrajectoryAssembler extends KeyedProcessFunction<String, StepEvent, Trajectory> {
    private static final long serialVersionUID = 1L;

    public static final String STEPS_STATE = "trajectory-steps";
    public static final String PROGRESS_STATE = "trajectory-progress";

    private final Duration episodeTimeout;
    private final int maxStepsPerEpisode;

    private transient MapState<Integer, StepEvent> steps;
    private transient ValueState<EpisodeProgress> progress;
    private transient AvroCodec<StepEvent> stepCodec;
    private transient AvroCodec<Trajectory> trajectoryCodec;
    private transient Map<DeadLetterReason, Counter> deadLettered;
    private transient Counter duplicates;
    private transient Counter completed;
    private transient long openTrajectories;

    public TrajectoryAssembler(Duration episodeTimeout, int maxStepsPerEpisode) {
        if (episodeTimeout == null || episodeTimeout.isNegative() || episodeTimeout.isZero()) {
            throw new IllegalArgumentException(
                    "assembly.episode-timeout must be positive, got " + episodeTimeout);
        }
        if (maxStepsPerEpisode < 1) {
            throw new IllegalArgumentException(
                    "assembly.max-steps-per-episode must be at least 1, got " + maxStepsPerEpisode);
        }
        this.episodeTimeout = episodeTimeout;
        this.maxStepsPerEpisode = maxStepsPerEpisode;
    }

    @Override
    public void open(OpenContext openContext) {
        MapStateDescriptor<Integer, StepEvent> stepsDescriptor =
                new MapStateDescriptor<>(
                        STEPS_STATE, Types.INT, new AvroTypeInfo<>(StepEvent.class));
        stepsDescriptor.enableTimeToLive(StateTtl.safetyNet(episodeTimeout));
        steps = getRuntimeContext().getMapState(stepsDescriptor);

        ValueStateDescriptor<EpisodeProgress> progressDescriptor =
                new ValueStateDescriptor<>(
                        PROGRESS_STATE, TypeInformation.of(EpisodeProgress.class));
        progressDescriptor.enableTimeToLive(StateTtl.safetyNet(episodeTimeout));
        progress = getRuntimeContext().getState(progressDescriptor);

        stepCodec = AvroCodec.of(StepEvent.class);
        trajectoryCodec = AvroCodec.of(Trajectory.class);
        var metrics = getRuntimeContext().getMetricGroup();
        deadLettered = CreditMetrics.deadLetterCounters(metrics);
        duplicates = metrics.counter(CreditMetrics.DUPLICATE_STEPS);
        completed = metrics.counter(CreditMetrics.TRAJECTORIES_COMPLETED);
        metrics.gauge(CreditMetrics.OPEN_TRAJECTORIES, () -> openTrajectories);
    }

    @Override
    public void processElement(StepEvent step, Context ctx, Collector<Trajectory> out)
            throws Exception {
        int index = step.getStepIndex();
        if (index >= maxStepsPerEpisode) {
            rejectStep(
                    step,
                    DeadLetterReason.EPISODE_TOO_LONG,
                    "step_index "
                            + index
                            + " is beyond assembly.max-steps-per-episode="
                            + maxStepsPerEpisode,
                    ctx);
            return;
        }
        EpisodeProgress current = progress.value();
        if (current == null) {
            current = new EpisodeProgress();
            current.timeoutTimer =
                    ctx.timerService().currentProcessingTime() + episodeTimeout.toMillis();
            ctx.timerService().registerProcessingTimeTimer(current.timeoutTimer);
            openTrajectories++;
        }
        if (current.isAfterDone(index)) {
            rejectStep(
                    step,
                    DeadLetterReason.STEP_AFTER_DONE,
                    "step_index " + index + " follows the done step at " + current.doneIndex,
                    ctx);
            progress.update(current);
            return;
        }
        StepEvent earlier = steps.get(index);
        if (earlier != null) {
            if (earlier.equals(step)) {
                duplicates.inc();
            } else {
                rejectStep(
                        step,
                        DeadLetterReason.CONFLICTING_DUPLICATE,
                        "step_index " + index + " arrived twice with different content",
                        ctx);
            }
            progress.update(current);
            return;
        }
        if (step.getDone() && current.maxIndex > index) {
            rejectStep(
                    step,
                    DeadLetterReason.STEP_AFTER_DONE,
                    "done at step_index " + index + " but step " + current.maxIndex + " exists",
                    ctx);
            progress.update(current);
            return;
        }
        steps.put(index, step);
        current.accept(index, step.getDone());
        if (current.isComplete()) {
            out.collect(toTrajectory(step, current.doneIndex + 1));
            ctx.timerService().deleteProcessingTimeTimer(current.timeoutTimer);
            clear();
            completed.inc();
        } else {
            progress.update(current);
        }
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<Trajectory> out)
            throws Exception {
        EpisodeProgress current = progress.value();
        if (current == null || current.timeoutTimer != timestamp) {
            return;
        }
        List<StepEvent> received = new ArrayList<>(current.received);
        for (StepEvent step : steps.values()) {
            received.add(step);
        }
        received.sort((a, b) -> Integer.compare(a.getStepIndex(), b.getStepIndex()));
        StepEvent any = received.get(0);
        Trajectory partial = trajectory(any, received);
        deadLettered.get(DeadLetterReason.EPISODE_TIMEOUT).inc();
        ctx.output(
                DeadLetters.TAG,
                DeadLetters.of(
                        trajectoryCodec.encode(partial),
                        null,
                        null,
                        null,
                        DeadLetterReason.EPISODE_TIMEOUT,
                        "incomplete after "
                                + episodeTimeout
                                + ": "
                                + current.received
                                + " steps, done step "
                                + (current.doneIndex >= 0
                                        ? "at " + current.doneIndex
                                        : "not received")
                                + "; the payload is the partial Trajectory",
                        ctx.getCurrentKey(),
                        timestamp));
        clear();
    }

    private Trajectory toTrajectory(StepEvent last, int length) throws Exception {
        List<StepEvent> ordered = new ArrayList<>(length);
        for (int i = 0; i < length; i++) {
            ordered.add(steps.get(i));
        }
        return trajectory(last, ordered);
    }

    private static Trajectory trajectory(StepEvent any, List<StepEvent> ordered) {
        long policyVersion = Long.MAX_VALUE;
        long firstEventTime = Long.MAX_VALUE;
        for (StepEvent step : ordered) {
            policyVersion = Math.min(policyVersion, step.getPolicyVersion());
            firstEventTime = Math.min(firstEventTime, step.getEventTimeMs());
        }
        return Trajectory.newBuilder()
                .setExperimentId(any.getExperimentId())
                .setTaskId(any.getTaskId())
                .setGroupId(any.getGroupId())
                .setEpisodeId(any.getEpisodeId())
                .setGroupSize(ordered.get(0).getGroupSize())
                .setPolicyVersion(policyVersion)
                .setFirstEventTimeMs(firstEventTime)
                .setSteps(ordered)
                .build();
    }

    private void rejectStep(StepEvent step, DeadLetterReason reason, String detail, Context ctx) {
        deadLettered.get(reason).inc();
        ctx.output(
                DeadLetters.TAG,
                DeadLetters.of(
                        stepCodec.encode(step),
                        null,
                        null,
                        null,
                        reason,
                        detail,
                        step.getEpisodeId(),
                        ctx.timerService().currentProcessingTime()));
    }

    private void clear() {
        steps.clear();
        progress.clear();
        openTrajectories--;
    }
}
