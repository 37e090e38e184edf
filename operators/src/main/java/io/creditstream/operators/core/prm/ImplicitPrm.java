package io.creditstream.operators.core.prm;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The in-stream implicit PRM of OPRL (docs/ALGORITHMS.md §3): a sparse log-linear score w·φ(step)
 * that plays the role of log π_φ(a_t) − log π_old(a_t), trained by SGD on the trajectory-level DPO
 * / Bradley–Terry loss (Eq.2) over every (positive, negative) pair of a group.
 *
 * <p>For a group with pairs P (positive = outcome &gt; {@code prm.positive-threshold}), S(τ) = Σ_t
 * w·φ(a_t) and Δ = S(τ⁺) − S(τ⁻), the objective is J(w) = −(1/|P|)·Σ_P log σ(β·Δ) + (λ/2)·Σ_{f ∈ F}
 * w_f², where F is the set of features occurring in the group; its gradient is −(β/|P|)·Σ_P
 * σ(−β·Δ)·(Φ(τ⁺) − Φ(τ⁻)) + λ·w_F with Φ(τ) = Σ_t φ(a_t). An update touches only F: w_f ← w_f·(1 −
 * lr·decay) − lr·∂J/∂w_f. Keeping both penalties sparse is what makes a {@code MapState} of the
 * weights workable; features absent from the group are left as they are.
 *
 * <p>Bound: when an update leaves more than M = {@code prm.max-features} non-zero weights, those
 * with the smallest |w| are dropped (ties: the smaller index first) until M − ⌊M/16⌋ remain. A
 * dropped feature returns at weight 0, which is what a tiny weight was closest to anyway.
 *
 * <p>Every sum runs in ascending feature index and pairs in input order, so the same inputs give
 * bit-identical weights whatever the map's iteration order. Not thread-safe: one instance per key.
 */
public final class ImplicitPrm {

    /**
     * The outcome of one update.
     *
     * @param loss the data term of Eq.2 before the update (no penalty), NaN without pairs
     * @param pairAccuracy the fraction of pairs with S(τ⁺) &gt; S(τ⁻) before the update, a tie
     *     counting one half; NaN without pairs
     * @param pairCount the number of (positive, negative) pairs; 0 leaves the weights unchanged
     * @param liveFeatures the number of non-zero weights after the update
     * @param evicted the number of weights the bound dropped in this update
     */
    public record UpdateResult(
            double loss, double pairAccuracy, int pairCount, int liveFeatures, int evicted) {

        /** Whether the weights were updated, i.e. the group had a preference pair. */
        public boolean updated() {
            return pairCount > 0;
        }
    }

    /**
     * The weights as parallel arrays, indices strictly ascending, for keyed state and checkpoints.
     *
     * @param indices feature buckets
     * @param weights their non-zero, finite weights
     */
    public record WeightSnapshot(int[] indices, double[] weights) {

        public WeightSnapshot {
            Objects.requireNonNull(indices, "indices");
            Objects.requireNonNull(weights, "weights");
            if (indices.length != weights.length) {
                throw new IllegalArgumentException(
                        indices.length + " indices but " + weights.length + " weights");
            }
            indices = indices.clone();
            weights = weights.clone();
            for (int k = 0; k < indices.length; k++) {
                if (k > 0 && indices[k] <= indices[k - 1]) {
                    throw new IllegalArgumentException(
                            "snapshot indices must be strictly ascending");
                }
                if (!Double.isFinite(weights[k])) {
                    throw new IllegalArgumentException(
                            "weight of feature "
                                    + indices[k]
                                    + " must be finite, but was "
                                    + weights[k]);
                }
            }
        }

        @Override
        public int[] indices() {
            return indices.clone();
        }

        @Override
        public double[] weights() {
            return weights.clone();
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof WeightSnapshot that
                    && Arrays.equals(indices, that.indices)
                    && Arrays.equals(weights, that.weights);
        }

        @Override
        public int hashCode() {
            return 31 * Arrays.hashCode(indices) + Arrays.hashCode(weights);
        }

        @Override
        public String toString() {
            return "WeightSnapshot{" + indices.length + " features}";
        }
    }

    private final PrmParams params;
    private final Map<Integer, Double> weights;

    /** A model with all weights 0, held in its own map. */
    public ImplicitPrm(PrmParams params) {
        this(params, new HashMap<>());
    }

    /**
     * A model that reads and writes the given map in place, e.g. a view of keyed map state, so that
     * an update gets and puts only the features of its group; only eviction (above the bound) and
     * {@link #snapshot} scan it. The map must hold non-zero finite weights and nothing else.
     */
    public ImplicitPrm(PrmParams params, Map<Integer, Double> weights) {
        this.params = Objects.requireNonNull(params, "params");
        this.weights = Objects.requireNonNull(weights, "weights");
    }

    /** A model holding the weights of a snapshot. */
    public static ImplicitPrm restore(PrmParams params, WeightSnapshot snapshot) {
        ImplicitPrm prm = new ImplicitPrm(params);
        int[] indices = snapshot.indices;
        double[] values = snapshot.weights;
        if (indices.length > params.maxFeatures()) {
            throw new IllegalArgumentException(
                    "snapshot holds "
                            + indices.length
                            + " features, more than "
                            + PrmParams.KEY_MAX_FEATURES
                            + "="
                            + params.maxFeatures());
        }
        for (int k = 0; k < indices.length; k++) {
            if (values[k] != 0) {
                prm.weights.put(indices[k], values[k]);
            }
        }
        return prm;
    }

    public PrmParams params() {
        return params;
    }

    /** The weights, indices ascending. */
    public WeightSnapshot snapshot() {
        TreeMap<Integer, Double> sorted = new TreeMap<>(weights);
        int[] indices = new int[sorted.size()];
        double[] values = new double[sorted.size()];
        int k = 0;
        for (Map.Entry<Integer, Double> e : sorted.entrySet()) {
            indices[k] = e.getKey();
            values[k] = e.getValue();
            k++;
        }
        return new WeightSnapshot(indices, values);
    }

    /** The number of non-zero weights. */
    public int liveFeatures() {
        return weights.size();
    }

    /** The weight of one feature, 0 when absent. */
    public double weight(int feature) {
        return weights.getOrDefault(feature, 0.0);
    }

    /** w·φ of one step: the stand-in for log π_φ(a_t) − log π_old(a_t). */
    public double score(FeatureVector step) {
        double sum = 0;
        for (int k = 0; k < step.size(); k++) {
            Double w = weights.get(step.index(k));
            if (w != null) {
                sum += w * step.value(k);
            }
        }
        return sum;
    }

    /** S(τ) = Σ_t w·φ(a_t), or its mean over the steps under {@code prm.trajectory-score=mean}. */
    public double trajectoryScore(TrajectoryFeatures trajectory) {
        double sum = 0;
        for (FeatureVector step : trajectory.steps()) {
            sum += score(step);
        }
        return sum * lengthScale(trajectory);
    }

    /** 1 for the paper's sum, 1/T for the mean. */
    private double lengthScale(TrajectoryFeatures trajectory) {
        return params.trajectoryScore() == TrajectoryScore.MEAN
                ? 1.0 / trajectory.steps().size()
                : 1.0;
    }

    /** r_φ(a_t) = β·w·φ(a_t) of every step (Eq.1). */
    public double[] stepRewards(TrajectoryFeatures trajectory) {
        List<FeatureVector> steps = trajectory.steps();
        double[] rewards = new double[steps.size()];
        for (int t = 0; t < rewards.length; t++) {
            rewards[t] = params.beta() * score(steps.get(t));
        }
        return rewards;
    }

    /** The trajectory with its current step rewards, ready for {@link OprlAdvantage}. */
    public OprlTrajectory toOprl(TrajectoryFeatures trajectory) {
        return new OprlTrajectory(trajectory.outcome(), stepRewards(trajectory));
    }

    /**
     * Every (positive, negative) pair of the group as index pairs, positives then negatives in
     * order.
     */
    public List<int[]> pairs(List<TrajectoryFeatures> group) {
        List<int[]> pairs = new ArrayList<>();
        double threshold = params.positiveThreshold();
        for (int i = 0; i < group.size(); i++) {
            if (group.get(i).outcome() > threshold) {
                for (int j = 0; j < group.size(); j++) {
                    if (!(group.get(j).outcome() > threshold)) {
                        pairs.add(new int[] {i, j});
                    }
                }
            }
        }
        return pairs;
    }

    /** The data term of Eq.2 at the current weights; NaN for a group without pairs. */
    public double loss(List<TrajectoryFeatures> group) {
        List<int[]> pairs = pairs(group);
        if (pairs.isEmpty()) {
            return Double.NaN;
        }
        double[] scores = scores(group);
        double sum = 0;
        for (int[] pair : pairs) {
            sum -= logSigmoid(params.beta() * (scores[pair[0]] - scores[pair[1]]));
        }
        return sum / pairs.size();
    }

    /** J(w): the data term plus (λ/2)·Σ w² over the group's features; NaN without pairs. */
    double objective(List<TrajectoryFeatures> group) {
        double loss = loss(group);
        double penalty = 0;
        FeatureVector all = union(aggregates(group));
        for (int k = 0; k < all.size(); k++) {
            double w = weight(all.index(k));
            penalty += w * w;
        }
        return loss + 0.5 * params.l2() * penalty;
    }

    /** ∂J/∂w over the group's features, indices ascending; empty without pairs. */
    SortedMap<Integer, Double> gradient(List<TrajectoryFeatures> group) {
        SortedMap<Integer, Double> gradient = new TreeMap<>();
        List<int[]> pairs = pairs(group);
        if (pairs.isEmpty()) {
            return gradient;
        }
        List<FeatureVector> phi = aggregates(group);
        FeatureVector g = gradient(phi, dots(phi), pairs);
        for (int k = 0; k < g.size(); k++) {
            gradient.put(g.index(k), g.value(k));
        }
        return gradient;
    }

    /**
     * One SGD step on the group's pairs; a group without a pair leaves the weights unchanged.
     * Following Algorithm 1, the caller scores the group's steps after this returns.
     */
    public UpdateResult update(List<TrajectoryFeatures> group) {
        return update(group, params.learningRate());
    }

    /**
     * One SGD step with the given learning rate (a schedule's value for this update) instead of
     * {@code prm.learning-rate}.
     */
    public UpdateResult update(List<TrajectoryFeatures> group, double lr) {
        Objects.requireNonNull(group, "group");
        if (!(lr > 0) || !Double.isFinite(lr)) {
            throw new IllegalArgumentException(
                    "learning rate must be finite and > 0, but was " + lr);
        }
        List<int[]> pairs = pairs(group);
        if (pairs.isEmpty()) {
            return new UpdateResult(Double.NaN, Double.NaN, 0, weights.size(), 0);
        }
        // Φ and S(τ) once per trajectory; accuracy, loss and gradient all start from them.
        List<FeatureVector> phi = aggregates(group);
        double[] scores = dots(phi);
        double correct = 0;
        double loss = 0;
        for (int[] pair : pairs) {
            double delta = scores[pair[0]] - scores[pair[1]];
            correct += delta > 0 ? 1.0 : delta == 0 ? 0.5 : 0.0;
            loss -= logSigmoid(params.beta() * delta);
        }
        FeatureVector gradient = gradient(phi, scores, pairs);
        double keep = 1.0 - lr * params.weightDecay();
        for (int k = 0; k < gradient.size(); k++) {
            int feature = gradient.index(k);
            double w = weight(feature) * keep - lr * gradient.value(k);
            if (w == 0) {
                weights.remove(feature);
            } else {
                weights.put(feature, w);
            }
        }
        // Features of the group whose gradient is exactly 0 still decay.
        if (keep != 1.0) {
            FeatureVector all = union(phi);
            for (int k = 0; k < all.size(); k++) {
                int feature = all.index(k);
                if (!gradient.contains(feature)) {
                    double w = weight(feature) * keep;
                    if (w == 0) {
                        weights.remove(feature);
                    } else {
                        weights.put(feature, w);
                    }
                }
            }
        }
        int evicted = evict();
        return new UpdateResult(
                loss / pairs.size(), correct / pairs.size(), pairs.size(), weights.size(), evicted);
    }

    /**
     * λ·w_F over every feature F of the group, then for each pair in order −c·Φ(τ⁺) and +c·Φ(τ⁻)
     * with c = (β/|P|)·σ(−β·Δ).
     */
    private FeatureVector gradient(List<FeatureVector> phi, double[] scores, List<int[]> pairs) {
        FeatureVector all = union(phi);
        double[] penalty = new double[all.size()];
        for (int k = 0; k < penalty.length; k++) {
            penalty[k] = params.l2() * weight(all.index(k));
        }
        List<FeatureVector> terms = new ArrayList<>(1 + 2 * pairs.size());
        double[] coefficients = new double[1 + 2 * pairs.size()];
        terms.add(FeatureVector.withValues(all, penalty));
        coefficients[0] = 1.0;
        double beta = params.beta();
        double scale = beta / pairs.size();
        int t = 1;
        for (int[] pair : pairs) {
            double coefficient = scale * sigmoid(-beta * (scores[pair[0]] - scores[pair[1]]));
            terms.add(phi.get(pair[0]));
            coefficients[t++] = -coefficient;
            terms.add(phi.get(pair[1]));
            coefficients[t++] = coefficient;
        }
        return FeatureVector.sum(terms, coefficients);
    }

    private int evict() {
        int size = weights.size();
        if (size <= params.maxFeatures()) {
            return 0;
        }
        // Evicting a sixteenth below the bound makes the full scan of the weights (a RocksDB
        // iteration in the job) happen once per maxFeatures/16 new features, not on every update
        // at capacity. Bounds under 16 keep exactly maxFeatures.
        int excess = size - (params.maxFeatures() - params.maxFeatures() / 16);
        List<Map.Entry<Integer, Double>> entries = new ArrayList<>(weights.entrySet());
        entries.sort(
                (a, b) -> {
                    int byMagnitude =
                            Double.compare(Math.abs(a.getValue()), Math.abs(b.getValue()));
                    return byMagnitude != 0 ? byMagnitude : Integer.compare(a.getKey(), b.getKey());
                });
        for (int k = 0; k < excess; k++) {
            weights.remove(entries.get(k).getKey());
        }
        return excess;
    }

    private double[] scores(List<TrajectoryFeatures> group) {
        double[] scores = new double[group.size()];
        for (int i = 0; i < scores.length; i++) {
            scores[i] = trajectoryScore(group.get(i));
        }
        return scores;
    }

    /** w·Φ of each aggregate, summed in ascending feature order. */
    private double[] dots(List<FeatureVector> phi) {
        double[] dots = new double[phi.size()];
        for (int i = 0; i < dots.length; i++) {
            dots[i] = score(phi.get(i));
        }
        return dots;
    }

    /** Φ(τ) = Σ_t φ(a_t) (÷T under the mean score) of each trajectory, so that S(τ) = w·Φ(τ). */
    private List<FeatureVector> aggregates(List<TrajectoryFeatures> group) {
        List<FeatureVector> phi = new ArrayList<>(group.size());
        for (TrajectoryFeatures trajectory : group) {
            List<FeatureVector> steps = trajectory.steps();
            double[] scale = new double[steps.size()];
            Arrays.fill(scale, lengthScale(trajectory));
            phi.add(FeatureVector.sum(steps, scale));
        }
        return phi;
    }

    /** The features present in any of the vectors (values meaningless). */
    private static FeatureVector union(List<FeatureVector> vectors) {
        double[] ones = new double[vectors.size()];
        Arrays.fill(ones, 1.0);
        List<FeatureVector> counts = new ArrayList<>(vectors.size());
        for (FeatureVector v : vectors) {
            counts.add(FeatureVector.withValues(v, onesLike(v)));
        }
        return FeatureVector.sum(counts, ones);
    }

    private static double[] onesLike(FeatureVector v) {
        double[] ones = new double[v.size()];
        Arrays.fill(ones, 1.0);
        return ones;
    }

    static double sigmoid(double x) {
        if (x >= 0) {
            return 1.0 / (1.0 + Math.exp(-x));
        }
        double e = Math.exp(x);
        return e / (1.0 + e);
    }

    /** log σ(x) without overflow for large |x|. */
    static double logSigmoid(double x) {
        return x >= 0 ? -Math.log1p(Math.exp(-x)) : x - Math.log1p(Math.exp(x));
    }
}
