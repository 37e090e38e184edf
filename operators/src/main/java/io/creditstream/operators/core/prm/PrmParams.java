package io.creditstream.operators.core.prm;

import java.io.Serializable;
import java.util.Collections;
import java.util.EnumSet;
import java.util.Objects;
import java.util.Set;

/**
 * Immutable settings of the in-stream implicit PRM ({@link ImplicitPrm}, {@link PrmFeaturizer}).
 */
public final class PrmParams implements Serializable {

    private static final long serialVersionUID = 1L;

    public static final String KEY_BETA = ExternalStepReward.KEY_BETA;
    public static final String KEY_POSITIVE_THRESHOLD = "prm.positive-threshold";
    public static final String KEY_LEARNING_RATE = "prm.learning-rate";
    public static final String KEY_L2 = "prm.l2";
    public static final String KEY_WEIGHT_DECAY = "prm.weight-decay";
    public static final String KEY_HASH_BITS = "prm.hash-bits";
    public static final String KEY_MAX_FEATURES = "prm.max-features";
    public static final String KEY_NGRAM = "prm.ngram";
    public static final String KEY_LEARNING_RATE_DECAY_GROUPS = "prm.learning-rate-decay-groups";
    public static final String KEY_SHARD = PrmShard.CONFIG_KEY;
    public static final String KEY_TRAJECTORY_SCORE = TrajectoryScore.CONFIG_KEY;
    public static final String KEY_FEATURES = FeatureFamily.CONFIG_KEY;

    public static final double DEFAULT_BETA = ExternalStepReward.DEFAULT_BETA;

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

    private final double beta;
    private final double positiveThreshold;
    private final double learningRate;
    private final double l2;
    private final double weightDecay;
    private final int hashBits;
    private final int maxFeatures;
    private final int ngram;
    private final double learningRateDecayGroups;
    private final PrmShard shard;
    private final TrajectoryScore trajectoryScore;
    private final EnumSet<FeatureFamily> features;

    private PrmParams(Builder b) {
        this.beta = b.beta;
        this.positiveThreshold = b.positiveThreshold;
        this.learningRate = b.learningRate;
        this.l2 = b.l2;
        this.weightDecay = b.weightDecay;
        this.hashBits = b.hashBits;
        this.maxFeatures = b.maxFeatures;
        this.ngram = b.ngram;
        this.learningRateDecayGroups = b.learningRateDecayGroups;
        this.shard = b.shard;
        this.trajectoryScore = b.trajectoryScore;
        this.features = EnumSet.copyOf(b.features);
    }

    public static PrmParams defaults() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    public Builder toBuilder() {
        return new Builder()
                .beta(beta)
                .positiveThreshold(positiveThreshold)
                .learningRate(learningRate)
                .l2(l2)
                .weightDecay(weightDecay)
                .hashBits(hashBits)
                .maxFeatures(maxFeatures)
                .ngram(ngram)
                .learningRateDecayGroups(learningRateDecayGroups)
                .shard(shard)
                .trajectoryScore(trajectoryScore)
                .features(features);
    }

    /** β of Eq.1 and Eq.2. */
    public double beta() {
        return beta;
    }

    /** A trajectory is positive when its outcome is strictly above this. */
    public double positiveThreshold() {
        return positiveThreshold;
    }

    public double learningRate() {
        return learningRate;
    }

    /** λ of the penalty (λ/2)·Σ w² over the features an update touches, part of its gradient. */
    public double l2() {
        return l2;
    }

    /** Decoupled decay: a touched weight is multiplied by (1 − lr·decay) before the step. */
    public double weightDecay() {
        return weightDecay;
    }

    public int hashBits() {
        return hashBits;
    }

    /** The most features with a weight the model keeps; see {@link ImplicitPrm} for eviction. */
    public int maxFeatures() {
        return maxFeatures;
    }

    public int ngram() {
        return ngram;
    }

    /**
     * N of the inverse-square-root schedule lr_k = lr / sqrt(1 + k/N) for the k-th update (k from
     * 0); 0 keeps the learning rate constant.
     */
    public double learningRateDecayGroups() {
        return learningRateDecayGroups;
    }

    /** The learning rate of the update that follows {@code updatesDone} earlier ones. */
    public double learningRateAt(long updatesDone) {
        if (learningRateDecayGroups == 0) {
            return learningRate;
        }
        return learningRate / Math.sqrt(1.0 + updatesDone / learningRateDecayGroups);
    }

    public PrmShard shard() {
        return shard;
    }

    public TrajectoryScore trajectoryScore() {
        return trajectoryScore;
    }

    /** The feature families the featurizer emits. */
    public Set<FeatureFamily> features() {
        return Collections.unmodifiableSet(features);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PrmParams p
                && Double.compare(beta, p.beta) == 0
                && Double.compare(positiveThreshold, p.positiveThreshold) == 0
                && Double.compare(learningRate, p.learningRate) == 0
                && Double.compare(l2, p.l2) == 0
                && Double.compare(weightDecay, p.weightDecay) == 0
                && hashBits == p.hashBits
                && maxFeatures == p.maxFeatures
                && ngram == p.ngram
                && Double.compare(learningRateDecayGroups, p.learningRateDecayGroups) == 0
                && shard == p.shard
                && trajectoryScore == p.trajectoryScore
                && features.equals(p.features);
    }

    @Override
    public int hashCode() {
        return Objects.hash(
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

    @Override
    public String toString() {
        return "PrmParams{beta="
                + beta
                + ", positiveThreshold="
                + positiveThreshold
                + ", learningRate="
                + learningRate
                + ", l2="
                + l2
                + ", weightDecay="
                + weightDecay
                + ", hashBits="
                + hashBits
                + ", maxFeatures="
                + maxFeatures
                + ", ngram="
                + ngram
                + ", learningRateDecayGroups="
                + learningRateDecayGroups
                + ", shard="
                + shard.configName()
                + ", trajectoryScore="
                + trajectoryScore.configName()
                + ", features="
                + FeatureFamily.toConfig(features)
                + "}";
    }

    /** Builds {@link PrmParams}; every setter rejects a bad value at once, naming its key. */
    public static final class Builder {
        private double beta = DEFAULT_BETA;
        private double positiveThreshold = DEFAULT_POSITIVE_THRESHOLD;
        private double learningRate = DEFAULT_LEARNING_RATE;
        private double l2 = DEFAULT_L2;
        private double weightDecay = DEFAULT_WEIGHT_DECAY;
        private int hashBits = DEFAULT_HASH_BITS;
        private int maxFeatures = DEFAULT_MAX_FEATURES;
        private int ngram = DEFAULT_NGRAM;
        private double learningRateDecayGroups = DEFAULT_LEARNING_RATE_DECAY_GROUPS;
        private PrmShard shard = DEFAULT_SHARD;
        private TrajectoryScore trajectoryScore = DEFAULT_TRAJECTORY_SCORE;
        private Set<FeatureFamily> features = DEFAULT_FEATURES;

        private Builder() {}

        public Builder beta(double beta) {
            this.beta = ExternalStepReward.requireBeta(beta);
            return this;
        }

        public Builder positiveThreshold(double positiveThreshold) {
            if (!Double.isFinite(positiveThreshold)) {
                throw new IllegalArgumentException(
                        KEY_POSITIVE_THRESHOLD
                                + " must be a finite number (default "
                                + DEFAULT_POSITIVE_THRESHOLD
                                + "), but was "
                                + positiveThreshold);
            }
            this.positiveThreshold = positiveThreshold;
            return this;
        }

        public Builder learningRate(double learningRate) {
            if (!(learningRate > 0) || !Double.isFinite(learningRate)) {
                throw new IllegalArgumentException(
                        KEY_LEARNING_RATE
                                + " must be a finite number > 0 (default "
                                + DEFAULT_LEARNING_RATE
                                + "), but was "
                                + learningRate);
            }
            this.learningRate = learningRate;
            return this;
        }

        public Builder l2(double l2) {
            this.l2 = nonNegative(KEY_L2, l2, DEFAULT_L2);
            return this;
        }

        public Builder weightDecay(double weightDecay) {
            this.weightDecay = nonNegative(KEY_WEIGHT_DECAY, weightDecay, DEFAULT_WEIGHT_DECAY);
            return this;
        }

        public Builder hashBits(int hashBits) {
            if (hashBits < 1 || hashBits > 30) {
                throw new IllegalArgumentException(
                        KEY_HASH_BITS
                                + " must be in [1, 30] (2^bits buckets; default "
                                + DEFAULT_HASH_BITS
                                + "), but was "
                                + hashBits);
            }
            this.hashBits = hashBits;
            return this;
        }

        public Builder maxFeatures(int maxFeatures) {
            if (maxFeatures < 1) {
                throw new IllegalArgumentException(
                        KEY_MAX_FEATURES
                                + " must be >= 1 (default "
                                + DEFAULT_MAX_FEATURES
                                + "), but was "
                                + maxFeatures);
            }
            this.maxFeatures = maxFeatures;
            return this;
        }

        public Builder ngram(int ngram) {
            if (ngram < 1 || ngram > 5) {
                throw new IllegalArgumentException(
                        KEY_NGRAM
                                + " must be in [1, 5] (default "
                                + DEFAULT_NGRAM
                                + "), but was "
                                + ngram);
            }
            this.ngram = ngram;
            return this;
        }

        public Builder learningRateDecayGroups(double groups) {
            this.learningRateDecayGroups =
                    nonNegative(
                            KEY_LEARNING_RATE_DECAY_GROUPS,
                            groups,
                            DEFAULT_LEARNING_RATE_DECAY_GROUPS);
            return this;
        }

        public Builder shard(PrmShard shard) {
            if (shard == null) {
                throw new IllegalArgumentException(
                        KEY_SHARD + " must be set; accepted values: experiment, task, global");
            }
            this.shard = shard;
            return this;
        }

        public Builder trajectoryScore(TrajectoryScore trajectoryScore) {
            if (trajectoryScore == null) {
                throw new IllegalArgumentException(
                        KEY_TRAJECTORY_SCORE + " must be set; accepted values: sum, mean");
            }
            this.trajectoryScore = trajectoryScore;
            return this;
        }

        public Builder features(Set<FeatureFamily> features) {
            if (features == null || features.isEmpty()) {
                throw new IllegalArgumentException(
                        KEY_FEATURES
                                + " must name at least one feature family; accepted values:"
                                + " action, state-action, observation-action");
            }
            this.features = EnumSet.copyOf(features);
            return this;
        }

        public PrmParams build() {
            if (weightDecay > 0 && learningRate * weightDecay >= 1) {
                throw new IllegalArgumentException(
                        KEY_LEARNING_RATE
                                + " × "
                                + KEY_WEIGHT_DECAY
                                + " must be < 1 or the decay flips the weights' sign, but was "
                                + learningRate * weightDecay);
            }
            return new PrmParams(this);
        }

        private static double nonNegative(String key, double value, double fallback) {
            if (!Double.isFinite(value) || value < 0) {
                throw new IllegalArgumentException(
                        key
                                + " must be a finite number >= 0 (default "
                                + fallback
                                + "), but was "
                                + value);
            }
            return value;
        }
    }
}
