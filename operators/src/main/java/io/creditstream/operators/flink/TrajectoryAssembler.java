package io.creditstream.operators.flink;

import io.creditstream.operators.core.assembly.DeadLetterReason;
import io.creditstream.operators.core.assembly.EpisodeProgress;
import io.creditstream.operators.core.assembly.StepPayloads;
import io.creditstream.operators.core.assembly.Trajectories;
import io.creditstream.schemas.StepEvent;
import io.creditstream.schemas.codec.AvroCodec;
import io.creditstream.schemas.internal.Trajectory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Assembles the steps of one episode (keyed by episode id) into a trajectory, passed on still
 * encoded as an {@link EncodedTrajectory}.
 *
 * <p>Steps may arrive out of order and more than once: an identical duplicate (same bytes) is
 * dropped and counted, a conflicting one (same index, different content) is dead-lettered. The
 * episode is complete when its {@code done} step and every index below it are present.
 *
 * <p>State: the steps' encoded bytes (prefixed with their index) in a {@code ListState} and an
 * {@link EpisodeProgress} whose bitset tells new steps from duplicates, so a step costs one
 * progress read, one list append (a RocksDB merge, no read) and one progress write; the list is
 * read once, when the trajectory is complete. Steps are not decoded here at all: the group
 * assembler decodes each step once, when its group is complete. Both states are cleared, and the
 * timer deleted, when the trajectory is emitted; an episode still incomplete {@code
 * assembly.episode-timeout} after its first step is evicted to the dead-letter output. In bounded
 * (batch) runs that timer fires at the end of input, so every incomplete episode is reported.
 */
public class TrajectoryAssembler
        extends KeyedProcessFunction<String, EncodedStep, EncodedTrajectory> {
    private static final long serialVersionUID = 1L;

    public static final String STEPS_STATE = "trajectory-steps";
    public static final String PROGRESS_STATE = "trajectory-progress";

    private final Duration episodeTimeout;
    private final int maxStepsPerEpisode;

    private transient ListState<byte[]> steps;
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
        ListStateDescriptor<byte[]> stepsDescriptor =
                new ListStateDescriptor<>(
                        STEPS_STATE, PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO);
        stepsDescriptor.enableTimeToLive(StateTtl.safetyNet(episodeTimeout));
        steps = getRuntimeContext().getListState(stepsDescriptor);

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
    public void processElement(EncodedStep step, Context ctx, Collector<EncodedTrajectory> out)
            throws Exception {
        int index = step.stepIndex;
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
            return;
        }
        if (current.hasStep(index)) {
            if (Arrays.equals(storedPayload(index), step.payload)) {
                duplicates.inc();
            } else {
                rejectStep(
                        step,
                        DeadLetterReason.CONFLICTING_DUPLICATE,
                        "step_index " + index + " arrived twice with different content",
                        ctx);
            }
            return;
        }
        if (step.done && current.maxIndex > index) {
            rejectStep(
                    step,
                    DeadLetterReason.STEP_AFTER_DONE,
                    "done at step_index " + index + " but step " + current.maxIndex + " exists",
                    ctx);
            return;
        }
        current.accept(index, step.done);
        if (current.isComplete()) {
            out.collect(packStored(current, step));
            ctx.timerService().deleteProcessingTimeTimer(current.timeoutTimer);
            clear();
            completed.inc();
        } else {
            steps.add(StepPayloads.indexed(index, step.payload));
            progress.update(current);
        }
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<EncodedTrajectory> out)
            throws Exception {
        EpisodeProgress current = progress.value();
        if (current == null || current.timeoutTimer != timestamp) {
            return;
        }
        List<StepEvent> received = new ArrayList<>(current.received);
        for (byte[] stored : steps.get()) {
            received.add(stepCodec.decode(StepPayloads.payloadOf(stored)));
        }
        received.sort((a, b) -> Integer.compare(a.getStepIndex(), b.getStepIndex()));
        byte[] payload = trajectoryCodec.encode(Trajectories.of(received));
        deadLettered.get(DeadLetterReason.EPISODE_TIMEOUT).inc();
        ctx.output(
                DeadLetters.TAG,
                DeadLetters.of(
                        payload,
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

    /**
     * The complete episode, its steps still encoded: the stored ones plus {@code last}, the step
     * that completed it (never stored), in index order.
     */
    private EncodedTrajectory packStored(EpisodeProgress current, EncodedStep last)
            throws Exception {
        byte[][] ordered = new byte[current.doneIndex + 1][];
        for (byte[] stored : steps.get()) {
            ordered[StepPayloads.indexOf(stored)] = StepPayloads.payloadOf(stored);
        }
        ordered[last.stepIndex] = last.payload;
        return new EncodedTrajectory(
                last.groupId,
                last.episodeId,
                last.groupSize,
                ordered.length,
                StepPayloads.pack(Arrays.asList(ordered)));
    }

    /** The stored payload of a step already received (the rare duplicate path scans the list). */
    private byte[] storedPayload(int index) throws Exception {
        for (byte[] stored : steps.get()) {
            if (StepPayloads.indexOf(stored) == index) {
                return StepPayloads.payloadOf(stored);
            }
        }
        return null;
    }

    private void rejectStep(EncodedStep step, DeadLetterReason reason, String detail, Context ctx) {
        deadLettered.get(reason).inc();
        ctx.output(
                DeadLetters.TAG,
                DeadLetters.of(
                        step.payload,
                        null,
                        null,
                        null,
                        reason,
                        detail,
                        step.episodeId,
                        ctx.timerService().currentProcessingTime()));
    }

    private void clear() {
        steps.clear();
        progress.clear();
        openTrajectories--;
    }
}
