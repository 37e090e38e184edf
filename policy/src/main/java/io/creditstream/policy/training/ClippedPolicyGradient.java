package io.creditstream.policy.training;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import io.creditstream.policy.model.PolicyNetwork;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SplittableRandom;

/**
 * The learner's update: PPO's clipped surrogate objective with an entropy bonus, differentiated by
 * DJL autograd and applied by an {@link AdamOptimizer} whose state can be checkpointed.
 *
 * <p>For a sample with ratio {@code r = exp(log π(a|s) − behavior_logprob)} and advantage {@code
 * A}, the loss is {@code −mean(min(r·A, clip(r, 1−ε, 1+ε)·A)) − c_ent·mean(H(π(·|s)))}. The {@code
 * min} keeps the update pessimistic: once a sample's ratio has moved past the clip range in the
 * direction its advantage favours, it stops contributing gradient, which bounds how far a batch of
 * stale (off-policy) samples can push the policy.
 *
 * <p>With {@link UpdateOptions#importanceCap()} set, the update separates the two jobs the
 * behaviour log-prob does above (decoupled PPO with truncated importance sampling): the ratio is
 * taken against the policy as it stood when this update began, {@code r = π(a|s) / π_start(a|s)},
 * so the clip bounds only this update's own step, and each sample's surrogate is weighted by {@code
 * w = min(π_start(a|s) / π_behavior(a|s), cap)}, which corrects for the rollout having been sampled
 * by an older policy without letting one very stale sample dominate. Without it, a sample the
 * policy has already moved away from since it was played sits outside the clip range from the first
 * minibatch and gives no gradient at all, so staleness silently drops data instead of reweighting
 * it.
 *
 * <p>Each update runs {@code epochs} passes over the batch in minibatches shuffled by a generator
 * seeded from {@code (shuffleSeed, updatesApplied)}, so the order depends only on the seed and how
 * many updates came before: a learner restored from a {@link LearnerCheckpoint} continues exactly
 * as one that never stopped. Every native temporary lives in a scratch manager closed at the end of
 * its minibatch.
 *
 * <p>Not thread-safe, and DJL's PyTorch engine lets only one gradient collector run per JVM at a
 * time: run one update at a time per process.
 */
public final class ClippedPolicyGradient implements AutoCloseable {

    /**
     * An update stops once a minibatch's KL from the starting policy exceeds this many times the
     * target KL: the allowance Spinning Up's and Stable-Baselines3's PPO give their target.
     */
    static final double STOP_KL_FACTOR = 1.5;

    private final PolicyNetwork network;
    private final UpdateOptions options;
    private final AdamOptimizer optimizer;
    private final long shuffleSeed;
    private long updatesApplied;

    /**
     * A learner for {@code network} with a fresh optimizer. It does not own the network: close the
     * network separately, after the learner.
     */
    public ClippedPolicyGradient(PolicyNetwork network, UpdateOptions options, long shuffleSeed) {
        this(network, options, new AdamOptimizer(network), shuffleSeed, 0);
    }

    /**
     * A learner continuing from saved state: {@code optimizer} must be for {@code network}, and
     * {@code updatesApplied} is how many updates the saved learner had made.
     */
    public ClippedPolicyGradient(
            PolicyNetwork network,
            UpdateOptions options,
            AdamOptimizer optimizer,
            long shuffleSeed,
            long updatesApplied) {
        this.network = Objects.requireNonNull(network, "network");
        this.options = Objects.requireNonNull(options, "options");
        this.optimizer = Objects.requireNonNull(optimizer, "optimizer");
        if (updatesApplied < 0) {
            throw new IllegalArgumentException(
                    "updatesApplied must be >= 0, got " + updatesApplied);
        }
        this.shuffleSeed = shuffleSeed;
        this.updatesApplied = updatesApplied;
    }

    /**
     * Runs one update over {@code samples} and returns what it saw.
     *
     * <p>Every sample is checked before any weight changes. If the loss turns out non-finite the
     * update stops with an {@link IllegalStateException}; minibatches already applied stay applied.
     *
     * @throws IllegalArgumentException if the batch is empty, an action index is out of range or an
     *     observation is malformed
     */
    public UpdateStats update(List<TrainingSample> samples) {
        Objects.requireNonNull(samples, "samples");
        if (samples.isEmpty()) {
            throw new IllegalArgumentException("cannot update on an empty batch");
        }
        int actionCount = network.actions().size();
        List<String> observations = new ArrayList<>(samples.size());
        for (int i = 0; i < samples.size(); i++) {
            TrainingSample sample = Objects.requireNonNull(samples.get(i), "sample " + i);
            if (sample.actionIndex() >= actionCount) {
                throw new IllegalArgumentException(
                        "sample "
                                + i
                                + " has action index "
                                + sample.actionIndex()
                                + " but the policy has "
                                + actionCount
                                + " actions "
                                + network.actions());
            }
            observations.add(sample.observation());
        }
        float[] features = network.encoder().encodeBatch(observations);
        float[] startLogProbs = chosenLogProbs(samples, features);

        SplittableRandom random = new SplittableRandom(shuffleSeed ^ mix(updatesApplied));
        int minibatch = Math.min(options.minibatchSize(), samples.size());
        StatsAccumulator stats = new StatsAccumulator();
        epochs:
        for (int epoch = 0; epoch < options.epochs(); epoch++) {
            int[] order = permutation(samples.size(), random);
            for (int start = 0; start < order.length; start += minibatch) {
                int end = Math.min(start + minibatch, order.length);
                if (!step(samples, features, startLogProbs, order, start, end, stats)) {
                    break epochs;
                }
            }
        }
        updatesApplied++;
        return stats.result(samples.size());
    }

    /** The network this learner trains. */
    public PolicyNetwork network() {
        return network;
    }

    /** The options every update uses. */
    public UpdateOptions options() {
        return options;
    }

    /** The optimizer and its state. */
    public AdamOptimizer optimizer() {
        return optimizer;
    }

    /** The seed minibatch shuffling derives from. */
    public long shuffleSeed() {
        return shuffleSeed;
    }

    /** Updates completed so far; the next update's shuffle derives from it. */
    public long updatesApplied() {
        return updatesApplied;
    }

    /** Frees the optimizer's state; the network is left open. */
    @Override
    public void close() {
        optimizer.close();
    }

    /** log π_start(a|s) of every sample's action under the weights as they are now, no gradient. */
    private float[] chosenLogProbs(List<TrainingSample> samples, float[] features) {
        int actionCount = network.actions().size();
        float[] chosen = new float[samples.size()];
        try (NDManager scratch = network.newScratchManager()) {
            float[] all = network.logSoftmax(scratch, features, false).toFloatArray();
            for (int i = 0; i < chosen.length; i++) {
                chosen[i] = all[i * actionCount + samples.get(i).actionIndex()];
            }
        }
        return chosen;
    }

    /**
     * One optimizer step on the minibatch {@code order[start, end)}; false, without a step, when
     * {@link UpdateOptions#targetKl()} says the update has moved far enough.
     */
    private boolean step(
            List<TrainingSample> samples,
            float[] features,
            float[] startLogProbs,
            int[] order,
            int start,
            int end,
            StatsAccumulator stats) {
        int size = end - start;
        int width = network.encoder().featureCount();
        int actionCount = network.actions().size();
        float[] batchFeatures = new float[size * width];
        float[] chosenMask = new float[size * actionCount];
        // The log-prob the ratio is taken against, each sample's importance weight (1 without a
        // cap) and, for the statistics, the untruncated π_start / π_behavior.
        float[] reference = new float[size];
        float[] weights = new float[size];
        double[] behaviorRatios = new double[size];
        float[] advantages = new float[size];
        boolean truncated = options.importanceCap().isPresent();
        double cap = options.importanceCap().orElse(Double.POSITIVE_INFINITY);
        for (int row = 0; row < size; row++) {
            int index = order[start + row];
            TrainingSample sample = samples.get(index);
            System.arraycopy(features, index * width, batchFeatures, row * width, width);
            chosenMask[row * actionCount + sample.actionIndex()] = 1f;
            double behaviorRatio = Math.exp(startLogProbs[index] - sample.behaviorLogProb());
            behaviorRatios[row] = behaviorRatio;
            reference[row] = truncated ? startLogProbs[index] : (float) sample.behaviorLogProb();
            weights[row] = truncated ? (float) Math.min(behaviorRatio, cap) : 1f;
            advantages[row] = (float) sample.advantage();
        }

        Map<String, NDArray> trainable = network.trainableArrays();
        try (NDManager scratch = network.newScratchManager()) {
            float loss;
            float[] ratios;
            float[] entropies;
            try (GradientCollector collector = scratch.getEngine().newGradientCollector()) {
                NDArray logProbs = network.logSoftmax(scratch, batchFeatures, true);
                NDArray chosen =
                        logProbs.mul(scratch.create(chosenMask, new Shape(size, actionCount)))
                                .sum(new int[] {1});
                NDArray ratio = chosen.sub(scratch.create(reference)).exp();
                NDArray advantage = scratch.create(advantages);
                float epsilon = (float) options.clipEpsilon();
                NDArray surrogate =
                        ratio.mul(advantage)
                                .minimum(ratio.clip(1f - epsilon, 1f + epsilon).mul(advantage))
                                .mul(scratch.create(weights))
                                .mean();
                NDArray entropy = logProbs.exp().mul(logProbs).sum(new int[] {1}).neg();
                NDArray objective = surrogate.neg();
                if (options.entropyCoefficient() != 0) {
                    objective =
                            objective.sub(entropy.mean().mul((float) options.entropyCoefficient()));
                }
                loss = objective.getFloat();
                if (!Float.isFinite(loss)) {
                    throw new IllegalStateException(
                            "non-finite loss "
                                    + loss
                                    + "; check the batch's advantages and behavior log-probs");
                }
                ratios = ratio.toFloatArray();
                entropies = entropy.toFloatArray();
                if (options.targetKl().isPresent()
                        && klFromStart(chosen.toFloatArray(), startLogProbs, order, start)
                                > STOP_KL_FACTOR * options.targetKl().getAsDouble()) {
                    return false;
                }
                collector.backward(objective);
            }

            Map<String, NDArray> gradients = new LinkedHashMap<>();
            try {
                double squaredNorm = 0;
                for (Map.Entry<String, NDArray> entry : trainable.entrySet()) {
                    NDArray gradient = entry.getValue().getGradient();
                    gradient.attach(scratch);
                    gradients.put(entry.getKey(), gradient);
                    squaredNorm += gradient.square().sum().getFloat();
                }
                double norm = Math.sqrt(squaredNorm);
                if (!Double.isFinite(norm)) {
                    throw new IllegalStateException(
                            "non-finite gradient norm "
                                    + norm
                                    + "; this minibatch was not applied");
                }
                if (options.maxGradNorm().isPresent()
                        && norm > options.maxGradNorm().getAsDouble()) {
                    float scale = (float) (options.maxGradNorm().getAsDouble() / (norm + 1e-6));
                    gradients.values().forEach(gradient -> gradient.muli(scale));
                }
                optimizer.step(gradients, options.learningRate(), scratch);
                stats.add(loss, ratios, entropies, options.clipEpsilon(), norm);
                stats.addBehaviorRatios(behaviorRatios, cap);
            } finally {
                // PyTorch accumulates into .grad: clear it so the next backward starts from zero.
                for (NDArray gradient : gradients.values()) {
                    gradient.subi(gradient);
                }
            }
        }
        return true;
    }

    /**
     * Mean of {@code (q − 1) − log q}, {@code q = π(a|s) / π_start(a|s)}, over a minibatch: how far
     * this update has moved the policy on those samples, whatever their rollouts' age.
     */
    private static double klFromStart(
            float[] chosenLogProbs, float[] startLogProbs, int[] order, int start) {
        double sum = 0;
        for (int row = 0; row < chosenLogProbs.length; row++) {
            double logQ = chosenLogProbs[row] - startLogProbs[order[start + row]];
            sum += Math.expm1(logQ) - logQ;
        }
        return sum / chosenLogProbs.length;
    }

    private static int[] permutation(int n, SplittableRandom random) {
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        for (int i = n - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int swap = order[i];
            order[i] = order[j];
            order[j] = swap;
        }
        return order;
    }

    /** SplitMix64's finaliser: distinct update counts give unrelated shuffle seeds. */
    private static long mix(long value) {
        long z = value + 0x9E3779B97F4A7C15L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** Sums per-minibatch statistics, weighted by minibatch size. */
    private static final class StatsAccumulator {
        private double loss;
        private double ratio;
        private double clipped;
        private double approxKl;
        private double entropy;
        private double gradNorm;
        private double behaviorKl;
        private double truncated;
        private long seen;
        private int steps;

        void add(float batchLoss, float[] ratios, float[] entropies, double epsilon, double norm) {
            int n = ratios.length;
            loss += (double) batchLoss * n;
            for (int i = 0; i < n; i++) {
                double r = ratios[i];
                ratio += r;
                if (r < 1 - epsilon || r > 1 + epsilon) {
                    clipped++;
                }
                approxKl += (r - 1) - Math.log(r);
                entropy += entropies[i];
            }
            gradNorm += norm;
            seen += n;
            steps++;
        }

        void addBehaviorRatios(double[] ratios, double cap) {
            for (double r : ratios) {
                // The mean of r itself is 1 in expectation whatever the lag (importance weights
                // average to 1 under the behaviour policy): (r − 1) − log r estimates the KL.
                behaviorKl += (r - 1) - Math.log(r);
                if (r > cap) {
                    truncated++;
                }
            }
        }

        UpdateStats result(int samples) {
            return new UpdateStats(
                    loss / seen,
                    ratio / seen,
                    clipped / seen,
                    approxKl / seen,
                    entropy / seen,
                    samples,
                    steps,
                    gradNorm / steps,
                    behaviorKl / seen,
                    truncated / seen);
        }
    }
}
