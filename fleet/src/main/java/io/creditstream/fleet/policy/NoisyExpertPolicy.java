package io.creditstream.fleet.policy;

import io.creditstream.fleet.env.MazeOracle;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * An epsilon-greedy expert for key-and-door mazes: with probability {@code epsilon} a uniformly
 * random action, otherwise a uniformly random one of {@link MazeOracle#optimalActions()}. Between
 * the expert (epsilon 0) and the random policy (epsilon 1) it produces rollout groups with mixed
 * outcomes, which learning checks need, and reports the true log-probability of each choice under
 * the mixture so importance ratios computed from it are exact.
 *
 * <p>On standard mazes about half the episodes succeed at epsilon 0.8 (a quarter at 0.85, two
 * thirds at 0.75), and nearly every group of eight then has both successes and failures.
 *
 * <p>Where no listed action is optimal (on the goal, or in a maze without a way to it) the expert
 * part falls back to uniform over the actions. Seeded and deterministic; not thread-safe.
 */
public final class NoisyExpertPolicy implements AgentPolicy {
    private final double epsilon;
    private final SplittableRandom random;
    private final long version;

    public NoisyExpertPolicy(double epsilon, long seed) {
        this(epsilon, seed, 0L);
    }

    public NoisyExpertPolicy(double epsilon, long seed, long version) {
        if (!(epsilon >= 0 && epsilon <= 1)) {
            throw new IllegalArgumentException("epsilon must be in [0, 1], got " + epsilon);
        }
        if (version < 0) {
            throw new IllegalArgumentException("version must not be negative, got " + version);
        }
        this.epsilon = epsilon;
        this.random = new SplittableRandom(seed);
        this.version = version;
    }

    /**
     * {@inheritDoc}
     *
     * @throws IllegalArgumentException if {@code actions} is empty or {@code observation} is not a
     *     key-and-door maze observation
     */
    @Override
    public PolicyDecision act(String observation, List<String> actions) {
        List<String> expert = expertActions(observation, actions);
        // Always draw the coin, so that the sequence of draws does not depend on epsilon's value.
        boolean explore = random.nextDouble() < epsilon;
        String action =
                explore
                        ? actions.get(random.nextInt(actions.size()))
                        : expert.get(random.nextInt(expert.size()));
        return new PolicyDecision(action, Math.log(probability(action, actions, expert)));
    }

    /**
     * The log-probability with which {@link #act} chooses {@code action}; negative infinity for an
     * action it never chooses. Over all distinct actions the probabilities sum to 1.
     */
    public double logProbability(String observation, List<String> actions, String action) {
        return Math.log(probability(action, actions, expertActions(observation, actions)));
    }

    private double probability(String action, List<String> actions, List<String> expert) {
        // Counted, not tested for membership, so a list that names an action twice stays exact.
        return epsilon * count(actions, action) / actions.size()
                + (1 - epsilon) * count(expert, action) / expert.size();
    }

    private static List<String> expertActions(String observation, List<String> actions) {
        if (actions.isEmpty()) {
            throw new IllegalArgumentException("No actions to choose from for: " + observation);
        }
        List<String> optimal = MazeOracle.parse(observation).optimalActions();
        List<String> expert = new ArrayList<>(optimal.size());
        for (String action : actions) {
            if (optimal.contains(action)) {
                expert.add(action);
            }
        }
        return expert.isEmpty() ? actions : expert;
    }

    private static int count(List<String> list, String action) {
        int n = 0;
        for (String a : list) {
            if (a.equals(action)) {
                n++;
            }
        }
        return n;
    }

    public double epsilon() {
        return epsilon;
    }

    @Override
    public long version() {
        return version;
    }
}
