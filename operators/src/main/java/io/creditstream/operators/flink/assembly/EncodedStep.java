package io.creditstream.operators.flink.assembly;

import io.creditstream.operators.core.assembly.ScopedKey;
import io.creditstream.schemas.StepEvent;
import java.util.Arrays;
import java.util.Objects;

/**
 * A validated step in its wire form, with the few fields assembly needs decoded beside it. The job
 * shuffles and stores the bytes as they came from Kafka instead of re-serializing the decoded
 * record at every hop; the step is decoded again only once, when its trajectory is complete. A
 * Flink POJO (public fields, no-arg constructor): never Kryo.
 */
public class EncodedStep {
    /** The experiment: every assembly key is scoped by it (see {@link ScopedKey}). */
    public String experimentId;

    public String taskId;

    /** The episode the step belongs to. */
    public String episodeId;

    public int stepIndex;

    public boolean done;

    /** The rollout group, and its declared size, that the episode belongs to. */
    public String groupId;

    public int groupSize;

    /** The StepEvent in Avro single-object encoding. */
    public byte[] payload;

    public EncodedStep() {}

    public EncodedStep(
            String experimentId,
            String taskId,
            String groupId,
            String episodeId,
            int stepIndex,
            boolean done,
            int groupSize,
            byte[] payload) {
        this.experimentId = experimentId;
        this.taskId = taskId;
        this.groupId = groupId;
        this.episodeId = episodeId;
        this.stepIndex = stepIndex;
        this.done = done;
        this.groupSize = groupSize;
        this.payload = payload;
    }

    /** The assembly fields of a decoded step beside its encoding. */
    public static EncodedStep of(StepEvent step, byte[] payload) {
        return new EncodedStep(
                step.getExperimentId(),
                step.getTaskId(),
                step.getGroupId(),
                step.getEpisodeId(),
                step.getStepIndex(),
                step.getDone(),
                step.getGroupSize(),
                payload);
    }

    /** The trajectory assembler's key: the episode within its experiment. */
    public String episodeKey() {
        return ScopedKey.of(experimentId, episodeId);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof EncodedStep other
                && stepIndex == other.stepIndex
                && done == other.done
                && groupSize == other.groupSize
                && Objects.equals(experimentId, other.experimentId)
                && Objects.equals(taskId, other.taskId)
                && Objects.equals(episodeId, other.episodeId)
                && Objects.equals(groupId, other.groupId)
                && Arrays.equals(payload, other.payload);
    }

    @Override
    public int hashCode() {
        return Objects.hash(experimentId, episodeId, stepIndex, done, groupId, groupSize) * 31
                + Arrays.hashCode(payload);
    }

    @Override
    public String toString() {
        return "EncodedStep{"
                + experimentId
                + "/"
                + episodeId
                + "#"
                + stepIndex
                + (done ? ", done" : "")
                + "}";
    }
}
