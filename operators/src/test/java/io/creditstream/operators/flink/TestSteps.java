package io.creditstream.operators.flink;

import io.creditstream.operators.core.assembly.StepPayloads;
import io.creditstream.schemas.StepEvent;
import io.creditstream.schemas.codec.AvroCodec;
import java.util.ArrayList;
import java.util.List;

/** Builders of test steps and trajectories with intent-revealing names. */
public final class TestSteps {
    private TestSteps() {}

    public static StepEvent step(String episode, int index, boolean done) {
        return step("g1", episode, index, done, 4);
    }

    public static StepEvent step(
            String group, String episode, int index, boolean done, int groupSize) {
        return step("exp", group, episode, index, done, groupSize);
    }

    public static StepEvent step(
            String experiment,
            String group,
            String episode,
            int index,
            boolean done,
            int groupSize) {
        return StepEvent.newBuilder()
                .setExperimentId(experiment)
                .setTaskId("task-1")
                .setGroupId(group)
                .setEpisodeId(episode)
                .setStepIndex(index)
                .setPolicyVersion(3)
                .setStateKey("s" + index)
                .setObservation("obs " + index)
                .setAction("a")
                .setReward(done ? 1.0 : 0.0)
                .setDone(done)
                .setGroupSize(groupSize)
                .build();
    }

    public static EncodedTrajectory trajectory(
            String group, String episode, int groupSize, int length) {
        return trajectory("exp", group, episode, groupSize, length);
    }

    public static EncodedTrajectory trajectory(
            String experiment, String group, String episode, int groupSize, int length) {
        AvroCodec<StepEvent> codec = AvroCodec.of(StepEvent.class);
        List<byte[]> steps = new ArrayList<>();
        for (int i = 0; i < length; i++) {
            steps.add(
                    codec.encode(step(experiment, group, episode, i, i == length - 1, groupSize)));
        }
        return new EncodedTrajectory(
                experiment, "task-1", group, episode, groupSize, length, StepPayloads.pack(steps));
    }

    /** The steps of an encoded trajectory, decoded. */
    public static List<StepEvent> decode(EncodedTrajectory trajectory) {
        AvroCodec<StepEvent> codec = AvroCodec.of(StepEvent.class);
        List<StepEvent> steps = new ArrayList<>();
        for (byte[] payload : StepPayloads.unpack(trajectory.steps)) {
            steps.add(codec.decode(payload));
        }
        return steps;
    }
}
