package io.creditstream.learner.study;

import io.creditstream.fleet.AgentPolicy;
import io.creditstream.fleet.PolicyDecision;
import io.creditstream.learner.policy.DjlAgentPolicy;
import io.creditstream.learner.policy.PolicyNetwork;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SplittableRandom;

/**
 * {@link DjlAgentPolicy} for one frozen snapshot, with each observation's log-probabilities
 * computed once: the same draws from the same seed, so the same actions and behavior log-probs, bit
 * for bit (ClosedLoopStudyTest checks it), but a maze group revisits a few hundred states thousands
 * of times, and a forward pass per step was most of a study's time.
 *
 * <p>Valid only while the network is not updated: make a new one after every update.
 */
final class SnapshotSampler implements AgentPolicy {

    private final PolicyNetwork network;
    private final long version;
    private final SplittableRandom random;
    private final Map<String, float[]> logProbs = new HashMap<>();

    SnapshotSampler(PolicyNetwork network, long version, long seed) {
        this.network = Objects.requireNonNull(network, "network");
        this.version = version;
        this.random = new SplittableRandom(seed);
    }

    @Override
    public PolicyDecision act(String observation, List<String> actions) {
        List<String> known = network.actions();
        if (!known.equals(actions)) {
            throw new IllegalArgumentException(
                    "the environment offers actions "
                            + actions
                            + " but this policy was trained on "
                            + known);
        }
        float[] row = logProbs.computeIfAbsent(observation, network::logProbabilities);
        int chosen = DjlAgentPolicy.sample(row, random.nextDouble());
        return new PolicyDecision(known.get(chosen), row[chosen]);
    }

    @Override
    public long version() {
        return version;
    }

    /** Distinct observations evaluated so far. */
    int cachedObservations() {
        return logProbs.size();
    }
}
