package io.creditstream.policy.training;

import java.util.Objects;

/**
 * One step the learner trains on: what the agent saw, what it did, how likely the sampling policy
 * made that action, and how much better than expected it turned out.
 *
 * @param observation the environment's observation text
 * @param actionIndex the action's logit index in the policy network
 * @param behaviorLogProb log-probability of the action under the policy that sampled it
 * @param advantage the step's advantage from credit assignment
 */
public record TrainingSample(
        String observation, int actionIndex, double behaviorLogProb, double advantage) {

    /** Validates eagerly: a NaN here would poison every weight in the update. */
    public TrainingSample {
        Objects.requireNonNull(observation, "observation");
        if (actionIndex < 0) {
            throw new IllegalArgumentException("actionIndex must be >= 0, got " + actionIndex);
        }
        if (!Double.isFinite(behaviorLogProb)) {
            throw new IllegalArgumentException(
                    "behaviorLogProb must be finite, got " + behaviorLogProb);
        }
        if (!Double.isFinite(advantage)) {
            throw new IllegalArgumentException("advantage must be finite, got " + advantage);
        }
    }
}
