package io.creditstream.policy.model;

import io.creditstream.fleet.policy.AgentPolicy;
import io.creditstream.fleet.policy.PolicyDecision;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SplittableRandom;

/**
 * The fleet's view of a published {@link PolicyNetwork}: samples an action from the softmax with a
 * seeded generator and reports the log-probability it was sampled with, which becomes the step's
 * {@code behavior_logprob} and so the denominator of the learner's importance ratio.
 *
 * <p>The log-probability is the network's float32 value widened to double, the same number the
 * learner recomputes for an unchanged policy, so that an on-policy ratio is exactly 1.
 *
 * <p>A snapshot is immutable, so each observation's log-probabilities are computed once and kept
 * (least recently used first out, at most {@code cacheCapacity} observations): a maze fleet
 * revisits a few thousand states millions of times, and a forward pass per step was most of a
 * fleet's CPU. The draws and reported log-probs are exactly those without the cache. Make a new
 * instance per snapshot, as the fleet does; never reuse one across a change of the network's
 * weights.
 *
 * <p><b>Not thread-safe:</b> it holds a generator and reads a network that is itself meant for one
 * thread. Give each fleet worker its own instance over its own network ({@link
 * PolicySnapshotStore#load} once per worker). It does not own the network; whoever loaded it closes
 * it.
 */
public final class DjlAgentPolicy implements AgentPolicy {

    private final PolicyNetwork network;
    private final long version;
    private final SplittableRandom random;
    private final Map<String, float[]> logProbsByObservation;
    private final int cacheCapacity;

    /** Observations whose log-probabilities a policy keeps by default (~5 MB on the 7x11 maze). */
    public static final int DEFAULT_CACHE_CAPACITY = 16_384;

    /**
     * A policy sampling from {@code network}, reporting {@code version} (the snapshot's), with
     * draws determined by {@code seed}, caching up to {@link #DEFAULT_CACHE_CAPACITY} observations.
     */
    public DjlAgentPolicy(PolicyNetwork network, long version, long seed) {
        this(network, version, seed, DEFAULT_CACHE_CAPACITY);
    }

    /**
     * As {@link #DjlAgentPolicy(PolicyNetwork, long, long)} with at most {@code cacheCapacity}
     * cached observations; 0 evaluates the network on every step.
     */
    public DjlAgentPolicy(PolicyNetwork network, long version, long seed, int cacheCapacity) {
        if (cacheCapacity < 0) {
            throw new IllegalArgumentException(
                    "cacheCapacity must be >= 0 (0 = no cache), was " + cacheCapacity);
        }
        this.network = Objects.requireNonNull(network, "network");
        this.version = version;
        this.random = new SplittableRandom(seed);
        this.cacheCapacity = cacheCapacity;
        this.logProbsByObservation =
                new LinkedHashMap<>(16, 0.75f, true) {
                    @Override
                    protected boolean removeEldestEntry(Map.Entry<String, float[]> eldest) {
                        return size() > DjlAgentPolicy.this.cacheCapacity;
                    }
                };
    }

    /**
     * Samples an action for {@code observation}.
     *
     * @throws IllegalArgumentException if {@code actions} is not the network's action set, or the
     *     observation is malformed
     */
    @Override
    public PolicyDecision act(String observation, List<String> actions) {
        List<String> known = network.actions();
        if (!known.equals(actions) && !sameSet(known, actions)) {
            throw new IllegalArgumentException(
                    "the environment offers actions "
                            + actions
                            + " but this policy was trained on "
                            + known);
        }
        float[] logProbs = logProbabilities(observation);
        int chosen = sample(logProbs, random.nextDouble());
        return new PolicyDecision(known.get(chosen), logProbs[chosen]);
    }

    private float[] logProbabilities(String observation) {
        if (cacheCapacity == 0) {
            return network.logProbabilities(observation);
        }
        float[] cached = logProbsByObservation.get(observation);
        if (cached == null) {
            cached = network.logProbabilities(observation);
            logProbsByObservation.put(observation, cached);
        }
        return cached;
    }

    /** Distinct observations whose log-probabilities are cached now. */
    public int cachedObservations() {
        return logProbsByObservation.size();
    }

    /** The snapshot version this policy samples from. */
    @Override
    public long version() {
        return version;
    }

    /**
     * The index whose cumulative probability first exceeds {@code uniform}; rounding leftovers go
     * to the last action with non-zero probability.
     */
    public static int sample(float[] logProbs, double uniform) {
        double cumulative = 0;
        int lastPossible = -1;
        for (int i = 0; i < logProbs.length; i++) {
            double p = Math.exp(logProbs[i]);
            if (p > 0) {
                lastPossible = i;
            }
            cumulative += p;
            if (uniform < cumulative) {
                return i;
            }
        }
        if (lastPossible < 0) {
            throw new IllegalStateException("policy gives no action a positive probability");
        }
        return lastPossible;
    }

    private static boolean sameSet(List<String> known, List<String> offered) {
        return offered != null
                && offered.size() == known.size()
                && new HashSet<>(offered).equals(new HashSet<>(known));
    }
}
