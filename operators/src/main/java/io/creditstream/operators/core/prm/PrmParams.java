package io.creditstream.operators.core.prm;

import static io.creditstream.operators.core.config.ConfigChecks.outOfRange;
import static io.creditstream.operators.core.config.ConfigChecks.requireFinite;
import static io.creditstream.operators.core.config.ConfigChecks.requireFiniteNonNegative;
import static io.creditstream.operators.core.config.ConfigChecks.requireSet;

import io.creditstream.operators.core.config.ConfigNames;
import java.io.Serializable;
import java.util.Collections;
import java.util.EnumSet;
import java.util.Set;

/**
 * The settings of the in-stream implicit PRM ({@link ImplicitPrm}, {@link PrmFeaturizer}),
 * validated when constructed; serializable because Flink functions carry it.
 *
 * <p>A {@code with*} call checks the whole result, so a chain that raises both {@code learningRate}
 * and {@code weightDecay} must keep their product below 1 after every step.
 *
 * @param beta β of Eq.1 and Eq.2, in (0, 1]; also the β of {@link ExternalStepReward}
 * @param positiveThreshold a trajectory is positive when its outcome is strictly above this
 * @param learningRate the SGD step of the DPO update, > 0
 * @param l2 λ of the penalty (λ/2)·Σ w² over the features an update touches, part of its gradient
 * @param weightDecay decoupled decay: a touched weight is multiplied by (1 − lr·decay) before the
 *     step
 * @param hashBits features are hashed into 2^bits buckets, 1..30
 * @param maxFeatures the most features with a weight the model keeps; see {@link ImplicitPrm} for
 *     eviction
 * @param ngram action n-grams up to this length are features, 1..5
 * @param learningRateDecayGroups N of the inverse-square-root schedule lr_k = lr / sqrt(1 + k/N)
 *     for the k-th update (k from 0); 0 keeps the learning rate constant
 * @param shard which groups share one PRM
 * @param trajectoryScore the trajectory score in the DPO loss
 * @param features the feature families the featurizer emits, at least one; kept as an unmodifiable
 *     copy
 */
public record PrmParams(
        double beta,
        double positiveThreshold,
        double learningRate,
        double l2,
        double weightDecay,
        int hashBits,
        int maxFeatures,
        int ngram,
        double learningRateDecayGroups,
        PrmShard shard,
        TrajectoryScore trajectoryScore,
        Set<FeatureFamily> features)
        implements Serializable {

    private static final long serialVersionUID = 1L;

    public static final String KEY_BETA = "prm.beta";
    public static final String KEY_POSITIVE_THRESHOLD = "prm.positive-threshold";
    public static final String KEY_LEARNING_RATE = "prm.learning-rate";
    public static final String KEY_L2 = "prm.l2";
    public static final String KEY_WEIGHT_DECAY = "prm.weight-decay";
    public static final String KEY_HASH_BITS = "prm.hash-bits";
    public static final String KEY_MAX_FEATURES = "prm.max-features";
    public static final String KEY_NGRAM = "prm.ngram";
    public static final String KEY_LEARNING_RATE_DECAY_GROUPS = "prm.learning-rate-decay-groups";
    public static final String KEY_SHARD = "prm.shard";
    public static final String KEY_TRAJECTORY_SCORE = "prm.trajectory-score";
    public static final String KEY_FEATURES = "prm.features";

    /** The paper's experiments use β = 0.05. */
    public static final double DEFAULT_BETA = 0.05;

    /** WebShop and Sokoban count success &gt; 0 as positive (docs/ALGORITHMS.md §3). */
    public static final double DEFAULT_POSITIVE_THRESHOLD = 0.0;

    /**
     * The paper's 1e-6 is for an LLM; a log-linear model over sparse counts needs a far larger step
     * to move at all, and β = 0.05 already shrinks the gradient twenty-fold.
     */
    public static final double DEFAULT_LEARNING_RATE = 1.0;

    public static final double DEFAULT_L2 = 0.0;
    public static final double DEFAULT_WEIGHT_DECAY = 0.0;

    /** 2^18 buckets, the usual hashing-trick size for sparse text features. */
    public static final int DEFAULT_HASH_BITS = 18;

    public static final int DEFAULT_MAX_FEATURES = 100_000;

    /** Action n-grams up to this length are features; 1 means unigrams only. */
    public static final int DEFAULT_NGRAM = 2;

    /** 0: a constant learning rate. */
    public static final double DEFAULT_LEARNING_RATE_DECAY_GROUPS = 0;

    public static final PrmShard DEFAULT_SHARD = PrmShard.EXPERIMENT;

    public static final TrajectoryScore DEFAULT_TRAJECTORY_SCORE = TrajectoryScore.SUM;

    public static final Set<FeatureFamily> DEFAULT_FEATURES =
            Collections.unmodifiableSet(EnumSet.allOf(FeatureFamily.class));

    /**
     * Checks every setting.
     *
     * @throws IllegalArgumentException naming the key, what it accepts and the value given
     */
    public PrmParams {
        requireBeta(beta);
        requireFinite(KEY_POSITIVE_THRESHOLD, positiveThreshold, DEFAULT_POSITIVE_THRESHOLD);
        if (!(learningRate > 0) || !Double.isFinite(learningRate)) {
            throw outOfRange(
                    KEY_LEARNING_RATE, "a finite number > 0", DEFAULT_LEARNING_RATE, learningRate);
        }
        requireFiniteNonNegative(KEY_L2, l2, DEFAULT_L2);
        requireFiniteNonNegative(KEY_WEIGHT_DECAY, weightDecay, DEFAULT_WEIGHT_DECAY);
        if (weightDecay > 0 && learningRate * weightDecay >= 1) {
            throw new IllegalArgumentException(
                    KEY_LEARNING_RATE
                            + " × "
                            + KEY_WEIGHT_DECAY
                            + " must be < 1 or the decay flips the weights' sign, but was "
                            + learningRate * weightDecay);
        }
        if (hashBits < 1 || hashBits > 30) {
            throw outOfRange(
                    KEY_HASH_BITS, "in [1, 30] (2^bits buckets)", DEFAULT_HASH_BITS, hashBits);
        }
        if (maxFeatures < 1) {
            throw outOfRange(KEY_MAX_FEATURES, ">= 1", DEFAULT_MAX_FEATURES, maxFeatures);
        }
        if (ngram < 1 || ngram > 5) {
            throw outOfRange(KEY_NGRAM, "in [1, 5]", DEFAULT_NGRAM, ngram);
        }
        requireFiniteNonNegative(
                KEY_LEARNING_RATE_DECAY_GROUPS,
                learningRateDecayGroups,
                DEFAULT_LEARNING_RATE_DECAY_GROUPS);
        requireSet(shard, KEY_SHARD, PrmShard.values(), PrmShard::configName);
        requireSet(
                trajectoryScore,
                KEY_TRAJECTORY_SCORE,
                TrajectoryScore.values(),
                TrajectoryScore::configName);
        if (features == null || features.isEmpty()) {
            throw new IllegalArgumentException(
                    KEY_FEATURES
                            + " must name at least one feature family; accepted values: "
                            + ConfigNames.accepted(
                                    FeatureFamily.values(), FeatureFamily::configName));
        }
        features = Collections.unmodifiableSet(EnumSet.copyOf(features));
    }

    /** The defaults of every setting. */
    public static PrmParams defaults() {
        return new PrmParams(
                DEFAULT_BETA,
                DEFAULT_POSITIVE_THRESHOLD,
                DEFAULT_LEARNING_RATE,
                DEFAULT_L2,
                DEFAULT_WEIGHT_DECAY,
                DEFAULT_HASH_BITS,
                DEFAULT_MAX_FEATURES,
                DEFAULT_NGRAM,
                DEFAULT_LEARNING_RATE_DECAY_GROUPS,
                DEFAULT_SHARD,
                DEFAULT_TRAJECTORY_SCORE,
                DEFAULT_FEATURES);
    }

    public PrmParams withBeta(double beta) {
        return new PrmParams(
                beta,
                positiveThreshold,
                learningRate,
                l2,
                weightDecay,
                hashBits,
                maxFeatures,
                ngram,
                learningRateDecayGroups,
                shard,
                trajectoryScore,
                features);
    }

    public PrmParams withLearningRate(double learningRate) {
        return new PrmParams(
                beta,
                positiveThreshold,
                learningRate,
                l2,
                weightDecay,
                hashBits,
                maxFeatures,
                ngram,
                learningRateDecayGroups,
                shard,
                trajectoryScore,
                features);
    }

    public PrmParams withL2(double l2) {
        return new PrmParams(
                beta,
                positiveThreshold,
                learningRate,
                l2,
                weightDecay,
                hashBits,
                maxFeatures,
                ngram,
                learningRateDecayGroups,
                shard,
                trajectoryScore,
                features);
    }

    public PrmParams withWeightDecay(double weightDecay) {
        return new PrmParams(
                beta,
                positiveThreshold,
                learningRate,
                l2,
                weightDecay,
                hashBits,
                maxFeatures,
                ngram,
                learningRateDecayGroups,
                shard,
                trajectoryScore,
                features);
    }

    public PrmParams withHashBits(int hashBits) {
        return new PrmParams(
                beta,
                positiveThreshold,
                learningRate,
                l2,
                weightDecay,
                hashBits,
                maxFeatures,
                ngram,
                learningRateDecayGroups,
                shard,
                trajectoryScore,
                features);
    }

    public PrmParams withMaxFeatures(int maxFeatures) {
        return new PrmParams(
                beta,
                positiveThreshold,
                learningRate,
                l2,
                weightDecay,
                hashBits,
                maxFeatures,
                ngram,
                learningRateDecayGroups,
                shard,
                trajectoryScore,
                features);
    }

    public PrmParams withNgram(int ngram) {
        return new PrmParams(
                beta,
                positiveThreshold,
                learningRate,
                l2,
                weightDecay,
                hashBits,
                maxFeatures,
                ngram,
                learningRateDecayGroups,
                shard,
                trajectoryScore,
                features);
    }

    public PrmParams withLearningRateDecayGroups(double learningRateDecayGroups) {
        return new PrmParams(
                beta,
                positiveThreshold,
                learningRate,
                l2,
                weightDecay,
                hashBits,
                maxFeatures,
                ngram,
                learningRateDecayGroups,
                shard,
                trajectoryScore,
                features);
    }

    public PrmParams withShard(PrmShard shard) {
        return new PrmParams(
                beta,
                positiveThreshold,
                learningRate,
                l2,
                weightDecay,
                hashBits,
                maxFeatures,
                ngram,
                learningRateDecayGroups,
                shard,
                trajectoryScore,
                features);
    }

    public PrmParams withTrajectoryScore(TrajectoryScore trajectoryScore) {
        return new PrmParams(
                beta,
                positiveThreshold,
                learningRate,
                l2,
                weightDecay,
                hashBits,
                maxFeatures,
                ngram,
                learningRateDecayGroups,
                shard,
                trajectoryScore,
                features);
    }

    public PrmParams withFeatures(Set<FeatureFamily> features) {
        return new PrmParams(
                beta,
                positiveThreshold,
                learningRate,
                l2,
                weightDecay,
                hashBits,
                maxFeatures,
                ngram,
                learningRateDecayGroups,
                shard,
                trajectoryScore,
                features);
    }

    /**
     * β, unless it is outside (0, 1], the range the paper keeps it in; shared with {@link
     * ExternalStepReward}.
     */
    static double requireBeta(double beta) {
        // The negated form also rejects NaN.
        if (!(beta > 0 && beta <= 1)) {
            throw outOfRange(KEY_BETA, "in (0, 1]", DEFAULT_BETA, beta);
        }
        return beta;
    }

    /** The learning rate of the update that follows {@code updatesDone} earlier ones. */
    public double learningRateAt(long updatesDone) {
        if (learningRateDecayGroups == 0) {
            return learningRate;
        }
        return learningRate / Math.sqrt(1.0 + updatesDone / learningRateDecayGroups);
    }
}
