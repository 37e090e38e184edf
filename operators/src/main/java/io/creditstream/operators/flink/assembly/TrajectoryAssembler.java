package io.creditstream.operators.flink.assembly;

import io.creditstream.operators.core.assembly.EpisodeProgress;
import io.creditstream.operators.core.assembly.PayloadHash;
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
import org.apache.flink.runtime.state.FunctionInitializationContext;
import org.apache.flink.runtime.state.FunctionSnapshotContext;
import org.apache.flink.streaming.api.checkpoint.CheckpointedFunction;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Assembles the steps of one episode (keyed by {@link EncodedStep#episodeKey()}, the episode within
 * its experiment) into a trajectory, passed on still encoded as an {@link EncodedTrajectory}.
 *
 * <p>Steps may arrive out of order and more than once: an identical duplicate (same bytes) is
 * dropped and counted, a conflicting one (same index, different content) is dead-lettered, and so
 * is a step whose task, group or group size differs from the episode's first step. The episode is
 * complete when its {@code done} step and every index below it are present.
 *
 * <p>A completed episode is remembered for {@code assembly.completed-retention} as a marker holding
 * one hash per step, so a fleet that re-sends it (an at-least-once retry) gets its steps dropped as
 * duplicates, or dead-lettered if they differ, instead of opening a phantom episode.
 *
 * <p>State: the steps' encoded bytes (prefixed with their index) in a {@code ListState} and an
 * {@link EpisodeProgress} whose bitset tells new steps from duplicates, so a step costs one
 * progress read, one list append (a RocksDB merge, no read) and one progress write; the list is
 * read once, when the trajectory is complete. Steps are not decoded here at all: the group
 * assembler decodes each step once, when its group is complete. Neither state has a TTL: timers
 * clear both, and a TTL measured in wall time would silently drop open episodes after a long
 * outage. An episode still incomplete {@code assembly.episode-timeout} after its first step is
 * evicted to the dead-letter output; that time counts only while the job runs (see {@link
 * RunningTimeouts}). In bounded (batch) runs the timers fire at the end of input, so every
 * incomplete episode is reported.
 */
public class TrajectoryAssembler
        extends KeyedProcessFunction<String, EncodedStep, EncodedTrajectory>
        implements CheckpointedFunction {
    private static final long serialVersionUID = 1L;

    /** Configuration keys, named in this operator's errors and by the job's options. */
    public static final String KEY_EPISODE_TIMEOUT = "assembly.episode-timeout";

    public static final String KEY_COMPLETED_RETENTION = "assembly.completed-retention";
    public static final String KEY_MAX_STEPS_PER_EPISODE = "assembly.max-steps-per-episode";
    public static final String KEY_MAX_OPEN_EPISODES = "assembly.max-open-episodes";

    public static final String STEPS_STATE = "trajectory-steps";
    public static final String PROGRESS_STATE = "trajectory-progress";
    public static final String OPEN_COUNTS_STATE = "open-episodes-per-experiment";

    private final Duration episodeTimeout;
    private final int maxStepsPerEpisode;
    private final int maxOpenEpisodes;
    private final Duration completedRetention;
    private final boolean boundedInput;

    private transient ListState<byte[]> steps;
    private transient ValueState<EpisodeProgress> progress;
    private transient AvroCodec<StepEvent> stepCodec;
    private transient AvroCodec<Trajectory> trajectoryCodec;
    private transient Map<DeadLetterReason, Counter> deadLettered;
    private transient Counter duplicates;
    private transient Counter completed;
    private transient OpenCounts open;
    private transient RunningTimeouts timeouts;

    /**
     * @param boundedInput true for the offline {@code estimate}, whose timers all fire at the end
     *     of input
     */
    public TrajectoryAssembler(
            Duration episodeTimeout,
            int maxStepsPerEpisode,
            int maxOpenEpisodes,
            Duration completedRetention,
            boolean boundedInput) {
        StateTtl.requirePositive(episodeTimeout, KEY_EPISODE_TIMEOUT);
        StateTtl.requirePositive(completedRetention, KEY_COMPLETED_RETENTION);
        if (maxStepsPerEpisode < 1) {
            throw new IllegalArgumentException(
                    KEY_MAX_STEPS_PER_EPISODE + " must be at least 1, got " + maxStepsPerEpisode);
        }
        if (maxOpenEpisodes < 1) {
            throw new IllegalArgumentException(
                    KEY_MAX_OPEN_EPISODES + " must be at least 1, got " + maxOpenEpisodes);
        }
        this.episodeTimeout = episodeTimeout;
        this.maxStepsPerEpisode = maxStepsPerEpisode;
        this.maxOpenEpisodes = maxOpenEpisodes;
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
        steps =
                getRuntimeContext()
                        .getListState(
                                new ListStateDescriptor<>(
                                        STEPS_STATE,
                                        PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO));
        progress =
                getRuntimeContext()
                        .getState(
                                new ValueStateDescriptor<>(
                                        PROGRESS_STATE, TypeInformation.of(EpisodeProgress.class)));
        stepCodec = StepEventCodecs.create();
        trajectoryCodec = AvroCodec.of(Trajectory.class);
        var metrics = getRuntimeContext().getMetricGroup();
        deadLettered = CreditMetrics.deadLetterCounters(metrics);
        duplicates = metrics.counter(CreditMetrics.DUPLICATE_STEPS);
        completed = metrics.counter(CreditMetrics.TRAJECTORIES_COMPLETED);
        metrics.gauge(CreditMetrics.OPEN_TRAJECTORIES, () -> open.total());
        timeouts = new RunningTimeouts(boundedInput);
    }

    @Override
    public void processElement(EncodedStep step, Context ctx, Collector<EncodedTrajectory> out)
            throws Exception {
        timeouts.observe(ctx.timerService());
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
        if (current != null && current.completed) {
            resentAfterCompletion(current, step, ctx);
            return;
        }
        if (current == null) {
            if (open.of(step.experimentId) >= maxOpenEpisodes) {
                rejectStep(
                        step,
                        DeadLetterReason.TOO_MANY_OPEN_EPISODES,
                        "experiment "
                                + step.experimentId
                                + " already has "
                                + maxOpenEpisodes
                                + " open episodes on this subtask"
                                + " (assembly.max-open-episodes)",
                        ctx);
                return;
            }
            current = new EpisodeProgress();
            current.taskId = step.taskId;
            current.groupId = step.groupId;
            current.groupSize = step.groupSize;
            current.timeoutTimer =
                    ctx.timerService().currentProcessingTime() + episodeTimeout.toMillis();
            ctx.timerService().registerProcessingTimeTimer(current.timeoutTimer);
            open.increment(step.experimentId);
        }
        // A new episode's first step is always accepted below, so a rejection never leaves an
        // episode with a timer and no stored progress.
        String inconsistency = current.inconsistency(step.taskId, step.groupId, step.groupSize);
        if (inconsistency != null) {
            rejectStep(step, DeadLetterReason.INCONSISTENT_EPISODE, inconsistency, ctx);
            return;
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
            byte[][] ordered = orderedPayloads(current, step);
            out.collect(
                    new EncodedTrajectory(
                            step.experimentId,
                            step.taskId,
                            step.groupId,
                            step.episodeId,
                            step.groupSize,
                            ordered.length,
                            StepPayloads.pack(Arrays.asList(ordered))));
            ctx.timerService().deleteProcessingTimeTimer(current.timeoutTimer);
            steps.clear();
            open.decrement(step.experimentId);
            completed.inc();
            remember(current, ordered, ctx);
        } else {
            steps.add(StepPayloads.indexed(index, step.payload));
            progress.update(current);
        }
    }

    /** Keeps a completed episode as a marker of step hashes until the retention timer. */
    private void remember(EpisodeProgress current, byte[][] ordered, Context ctx) throws Exception {
        long[] hashes = new long[ordered.length];
        for (int i = 0; i < hashes.length; i++) {
            hashes[i] = PayloadHash.of(ordered[i]);
        }
        current.completed = true;
        current.stepHashes = hashes;
        current.receivedBits = new long[0];
        current.retentionTimer =
                ctx.timerService().currentProcessingTime() + completedRetention.toMillis();
        ctx.timerService().registerProcessingTimeTimer(current.retentionTimer);
        progress.update(current);
    }

    private void resentAfterCompletion(EpisodeProgress current, EncodedStep step, Context ctx) {
        int index = step.stepIndex;
        if (index >= current.stepHashes.length) {
            rejectStep(
                    step,
                    DeadLetterReason.STEP_AFTER_DONE,
                    "step_index "
                            + index
                            + " follows the done step at "
                            + (current.stepHashes.length - 1)
                            + " of an episode that already completed",
                    ctx);
        } else if (current.stepHashes[index] == PayloadHash.of(step.payload)) {
            duplicates.inc();
        } else {
            rejectStep(
                    step,
                    DeadLetterReason.CONFLICTING_DUPLICATE,
                    "step_index "
                            + index
                            + " re-sent with different content after its episode completed",
                    ctx);
        }
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<EncodedTrajectory> out)
            throws Exception {
        timeouts.observe(ctx.timerService());
        EpisodeProgress current = progress.value();
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
        long due = timeouts.deferIfEarly(timestamp, episodeTimeout, ctx.timerService());
        if (due > timestamp) {
            current.timeoutTimer = due;
            progress.update(current);
            return;
        }
        List<StepEvent> received = new ArrayList<>(current.received);
        for (byte[] stored : steps.get()) {
            received.add(stepCodec.decode(StepPayloads.payloadOf(stored)));
        }
        received.sort((a, b) -> Integer.compare(a.getStepIndex(), b.getStepIndex()));
        String episodeId = received.isEmpty() ? null : received.get(0).getEpisodeId();
        byte[] payload =
                received.isEmpty()
                        ? new byte[0]
                        : trajectoryCodec.encode(Trajectories.of(received));
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
                                + " of running time: "
                                + current.received
                                + " steps, done step "
                                + (current.doneIndex >= 0
                                        ? "at " + current.doneIndex
                                        : "not received")
                                + "; the payload is the partial Trajectory",
                        episodeId,
                        timestamp));
        steps.clear();
        progress.clear();
        open.decrement(ScopedKey.experimentOf(ctx.getCurrentKey()));
    }

    /**
     * The complete episode's step payloads in index order: the stored ones plus {@code last}, the
     * step that completed it (never stored). Packed for the output and hashed for the completion
     * marker from the same arrays, so the steps are not unpacked again.
     */
    private byte[][] orderedPayloads(EpisodeProgress current, EncodedStep last) throws Exception {
        byte[][] ordered = new byte[current.doneIndex + 1][];
        for (byte[] stored : steps.get()) {
            ordered[StepPayloads.indexOf(stored)] = StepPayloads.payloadOf(stored);
        }
        ordered[last.stepIndex] = last.payload;
        return ordered;
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
}
