package io.creditstream.fleet.policy;

import java.util.List;
import java.util.SplittableRandom;

/**
 * A uniform random policy over the available actions: the zero-knowledge baseline whose
 * log-probability is exactly {@code log(1/|A|)}. Not thread-safe.
 */
public final class RandomPolicy implements AgentPolicy {
    private final SplittableRandom random;
    private final long version;

    public RandomPolicy(long seed) {
        this(seed, 0L);
    }

    public RandomPolicy(long seed, long version) {
        if (version < 0) {
            throw new IllegalArgumentException("version must not be negative, got " + version);
        }
        this.random = new SplittableRandom(seed);
        this.version = version;
    }

    @Override
    public PolicyDecision act(String observation, List<String> actions) {
        if (actions.isEmpty()) {
            throw new IllegalArgumentException("No actions to choose from for: " + observation);
        }
        String action = actions.get(random.nextInt(actions.size()));
        return new PolicyDecision(action, -Math.log(actions.size()));
    }

    @Override
    public long version() {
        return version;
    }
}
