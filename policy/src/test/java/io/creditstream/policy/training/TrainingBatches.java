package io.creditstream.policy.training;

import io.creditstream.policy.model.MazeObservations;
import io.creditstream.policy.model.PolicyNetwork;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/** Batches of training samples with behavior log-probs taken from a network, for tests. */
final class TrainingBatches {

    private TrainingBatches() {}

    /** One sample: {@code action} in {@code observation} with {@code advantage}, on-policy. */
    static TrainingSample onPolicy(
            PolicyNetwork network, String observation, String action, double advantage) {
        int index = network.actionIndex(action);
        return new TrainingSample(
                observation, index, network.logProbabilities(observation)[index], advantage);
    }

    /**
     * {@code size} on-policy samples over every agent position with actions and advantages drawn
     * from {@code seed}.
     */
    static List<TrainingSample> randomOnPolicy(PolicyNetwork network, int size, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        List<String> positions = MazeObservations.everyAgentPosition();
        List<TrainingSample> samples = new ArrayList<>();
        for (int i = 0; i < size; i++) {
            String observation = positions.get(random.nextInt(positions.size()));
            String action = network.actions().get(random.nextInt(network.actions().size()));
            samples.add(onPolicy(network, observation, action, random.nextDouble(-1, 1)));
        }
        return samples;
    }
}
