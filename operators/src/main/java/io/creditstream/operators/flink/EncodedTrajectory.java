package io.creditstream.operators.flink;

import io.creditstream.operators.core.assembly.ScopedKey;

/**
 * A complete episode on its way to its group: the steps' encoded bytes packed in index order
 * ({@link io.creditstream.operators.core.assembly.StepPayloads}) with the fields the group
 * assembler keys and counts by. A Flink POJO: never Kryo, and no Avro serialization per hop.
 *
 * <p>It belongs to assembly but stays in this package: the group assembler keeps it in state, and
 * checkpoints record a state POJO's class name, so a move would make earlier ones unrestorable.
 */
public class EncodedTrajectory {
    public String experimentId;

    public String taskId;

    public String groupId;

    public String episodeId;

    /** Trajectories the group is declared to have. */
    public int groupSize;

    public int stepCount;

    /** The StepEvents in single-object encoding, packed in step order. */
    public byte[] steps;

    public EncodedTrajectory() {}

    public EncodedTrajectory(
            String experimentId,
            String taskId,
            String groupId,
            String episodeId,
            int groupSize,
            int stepCount,
            byte[] steps) {
        this.experimentId = experimentId;
        this.taskId = taskId;
        this.groupId = groupId;
        this.episodeId = episodeId;
        this.groupSize = groupSize;
        this.stepCount = stepCount;
        this.steps = steps;
    }

    /** The group assembler's key: the group within its experiment. */
    public String groupKey() {
        return ScopedKey.of(experimentId, groupId);
    }

    @Override
    public String toString() {
        return "EncodedTrajectory{"
                + experimentId
                + "/"
                + groupId
                + "/"
                + episodeId
                + ", "
                + stepCount
                + " steps}";
    }
}
