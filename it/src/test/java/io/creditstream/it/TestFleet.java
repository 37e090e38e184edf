package io.creditstream.it;

import io.creditstream.schemas.StepEvent;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Seeded test data: rollout groups whose episodes walk a small shared state space (so anchor groups
 * repeat across and within episodes), of varied length, with occasional invalid actions and a
 * sparse terminal reward.
 */
final class TestFleet {
    private TestFleet() {}

    static List<StepEvent> groups(Random random, String experiment, int groups, int groupSize) {
        List<StepEvent> steps = new ArrayList<>();
        for (int g = 0; g < groups; g++) {
            String groupId = experiment + "-g" + g;
            String taskId = "task-" + (g % 5);
            for (int e = 0; e < groupSize; e++) {
                String episodeId = groupId + "-e" + e;
                int length = 1 + random.nextInt(12);
                int state = 0;
                boolean success = random.nextDouble() < 0.4;
                for (int i = 0; i < length; i++) {
                    boolean done = i == length - 1;
                    state = Math.floorMod(state + random.nextInt(3) - 1, 6);
                    steps.add(
                            StepEvent.newBuilder()
                                    .setExperimentId(experiment)
                                    .setTaskId(taskId)
                                    .setGroupId(groupId)
                                    .setEpisodeId(episodeId)
                                    .setStepIndex(i)
                                    .setPolicyVersion(1)
                                    .setStateKey(random.nextInt(10) == 0 ? null : "room-" + state)
                                    .setObservation("you are in room " + state)
                                    .setAction("go " + random.nextInt(4))
                                    .setReward(done && success ? 1.0 : 0.0)
                                    .setInvalidAction(random.nextInt(8) == 0)
                                    .setDone(done)
                                    .setGroupSize(groupSize)
                                    .setBehaviorLogprob(-Math.log(4))
                                    .setEventTimeMs(1_000L * i)
                                    .build());
                }
            }
        }
        return steps;
    }
}
