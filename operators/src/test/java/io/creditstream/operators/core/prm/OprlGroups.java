package io.creditstream.operators.core.prm;

import io.creditstream.schemas.StepEvent;
import io.creditstream.schemas.internal.Trajectory;
import io.creditstream.schemas.internal.TrajectoryGroup;
import java.util.ArrayList;
import java.util.List;

/** Builders of rollout groups for the OPRL tests: a step is (state, action, log-probs). */
public final class OprlGroups {
    private OprlGroups() {}

    /** One step; {@code prm} and {@code ref} may be null for the in-stream path. */
    public record Step(String state, String action, Double prm, Double ref) {
        public static Step of(String state, String action) {
            return new Step(state, action, null, null);
        }

        public static Step logged(double prm, double ref) {
            return new Step("s", "a", prm, ref);
        }
    }

    /** A trajectory: its outcome and steps. */
    public record Episode(double outcome, List<Step> steps) {
        public static Episode of(double outcome, Step... steps) {
            return new Episode(outcome, List.of(steps));
        }
    }

    public static TrajectoryGroup group(String groupId, Episode... episodes) {
        return group("exp", "task-1", groupId, episodes);
    }

    public static TrajectoryGroup group(
            String experiment, String task, String groupId, Episode... episodes) {
        List<Trajectory> trajectories = new ArrayList<>();
        for (int i = 0; i < episodes.length; i++) {
            String episodeId = groupId + "-e" + i;
            List<StepEvent> steps = new ArrayList<>();
            List<Step> spec = episodes[i].steps();
            for (int t = 0; t < spec.size(); t++) {
                boolean last = t == spec.size() - 1;
                steps.add(
                        StepEvent.newBuilder()
                                .setExperimentId(experiment)
                                .setTaskId(task)
                                .setGroupId(groupId)
                                .setEpisodeId(episodeId)
                                .setStepIndex(t)
                                .setPolicyVersion(1)
                                .setStateKey(spec.get(t).state())
                                .setObservation("room " + spec.get(t).state())
                                .setAction(spec.get(t).action())
                                .setReward(last ? episodes[i].outcome() : 0)
                                .setDone(last)
                                .setGroupSize(episodes.length)
                                .setPrmLogprob(spec.get(t).prm())
                                .setRefLogprob(spec.get(t).ref())
                                .build());
            }
            trajectories.add(
                    Trajectory.newBuilder()
                            .setExperimentId(experiment)
                            .setTaskId(task)
                            .setGroupId(groupId)
                            .setEpisodeId(episodeId)
                            .setGroupSize(episodes.length)
                            .setPolicyVersion(1)
                            .setSteps(steps)
                            .build());
        }
        return TrajectoryGroup.newBuilder()
                .setExperimentId(experiment)
                .setTaskId(task)
                .setGroupId(groupId)
                .setExpectedSize(episodes.length)
                .setTrajectories(trajectories)
                .build();
    }

    /**
     * A group where a success goes "east" through states a, b and a failure goes "west" from a and
     * then wanders: the PRM can learn that east is good in a.
     */
    public static TrajectoryGroup eastBeatsWest(String groupId) {
        return group(
                groupId,
                Episode.of(1, Step.of("a", "go east"), Step.of("b", "go east")),
                Episode.of(0, Step.of("a", "go west"), Step.of("c", "go north")),
                Episode.of(0, Step.of("a", "go west"), Step.of("c", "go south")));
    }

    /** A group of four whose outcomes, lengths, states and actions vary with {@code seed}. */
    public static TrajectoryGroup varied(String groupId, int seed) {
        return varied("exp", groupId, seed);
    }

    public static TrajectoryGroup varied(String experiment, String groupId, int seed) {
        Episode[] episodes = new Episode[4];
        for (int i = 0; i < 4; i++) {
            int length = 1 + (seed + i) % 3;
            Step[] steps = new Step[length];
            for (int t = 0; t < length; t++) {
                steps[t] =
                        Step.of(
                                "s" + (t + i + seed) % 7,
                                (seed * 7 + t * 3 + i) % 2 == 0 ? "go e" + seed % 5 : "go w");
            }
            episodes[i] = Episode.of((seed + i) % 2, steps);
        }
        return group(experiment, "task-1", groupId, episodes);
    }
}
