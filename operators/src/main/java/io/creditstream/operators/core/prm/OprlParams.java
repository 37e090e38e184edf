package io.creditstream.operators.core.prm;

import io.creditstream.operators.core.credit.CreditParams;
import io.creditstream.operators.core.credit.Normalization;
import java.io.Serializable;
import java.util.Objects;

/** Immutable settings of the OPRL combination rule {@link OprlAdvantage}. */
public final class OprlParams implements Serializable {

    private static final long serialVersionUID = 1L;

    public static final String KEY_EPISODE_ESTIMATOR = EpisodeEstimator.CONFIG_KEY;
    public static final String KEY_STEP_WEIGHT = "credit.oprl.step-weight";
    public static final String KEY_NORMALIZATION = CreditParams.KEY_NORMALIZATION;
    public static final String KEY_EPSILON = CreditParams.KEY_EPSILON;

    /** The paper's WebShop and Sokoban runs use RLOO (ALGORITHMS.md §3). */
    public static final EpisodeEstimator DEFAULT_EPISODE_ESTIMATOR = EpisodeEstimator.RLOO;

    /** α = 1 in the paper's Eq.5. */
    public static final double DEFAULT_STEP_WEIGHT = 1.0;

    public static final Normalization DEFAULT_NORMALIZATION = Normalization.MEAN_STD;
    public static final double DEFAULT_EPSILON = CreditParams.DEFAULT_EPSILON;

    private final EpisodeEstimator episodeEstimator;
    private final double stepWeight;
    private final Normalization normalization;
    private final double epsilon;

    private OprlParams(Builder builder) {
        this.episodeEstimator = builder.episodeEstimator;
        this.stepWeight = builder.stepWeight;
        this.normalization = builder.normalization;
        this.epsilon = builder.epsilon;
    }

    public static OprlParams defaults() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    public Builder toBuilder() {
        return new Builder()
                .episodeEstimator(episodeEstimator)
                .stepWeight(stepWeight)
                .normalization(normalization)
                .epsilon(epsilon);
    }

    public EpisodeEstimator episodeEstimator() {
        return episodeEstimator;
    }

    /** α in A = A^E + α·A^S. */
    public double stepWeight() {
        return stepWeight;
    }

    /** Whether A^S and the GRPO A^E divide by (std + eps); RLOO never does, as in verl. */
    public Normalization normalization() {
        return normalization;
    }

    /** Added to the std, not inside the sqrt. */
    public double epsilon() {
        return epsilon;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof OprlParams that
                && episodeEstimator == that.episodeEstimator
                && Double.compare(stepWeight, that.stepWeight) == 0
                && normalization == that.normalization
                && Double.compare(epsilon, that.epsilon) == 0;
    }

    @Override
    public int hashCode() {
        return Objects.hash(episodeEstimator, stepWeight, normalization, epsilon);
    }

    @Override
    public String toString() {
        return "OprlParams{"
                + KEY_EPISODE_ESTIMATOR
                + "="
                + episodeEstimator.configName()
                + ", "
                + KEY_STEP_WEIGHT
                + "="
                + stepWeight
                + ", "
                + KEY_NORMALIZATION
                + "="
                + normalization.configName()
                + ", "
                + KEY_EPSILON
                + "="
                + epsilon
                + "}";
    }

    /** Builds {@link OprlParams}; every setter rejects a bad value at once, naming its key. */
    public static final class Builder {
        private EpisodeEstimator episodeEstimator = DEFAULT_EPISODE_ESTIMATOR;
        private double stepWeight = DEFAULT_STEP_WEIGHT;
        private Normalization normalization = DEFAULT_NORMALIZATION;
        private double epsilon = DEFAULT_EPSILON;

        private Builder() {}

        public Builder episodeEstimator(EpisodeEstimator episodeEstimator) {
            if (episodeEstimator == null) {
                throw new IllegalArgumentException(
                        KEY_EPISODE_ESTIMATOR + " must be set; accepted values: grpo, rloo");
            }
            this.episodeEstimator = episodeEstimator;
            return this;
        }

        public Builder stepWeight(double stepWeight) {
            if (!Double.isFinite(stepWeight)) {
                throw new IllegalArgumentException(
                        KEY_STEP_WEIGHT
                                + " must be a finite number (default "
                                + DEFAULT_STEP_WEIGHT
                                + ", 0 turns the step term off), but was "
                                + stepWeight);
            }
            this.stepWeight = stepWeight;
            return this;
        }

        public Builder normalization(Normalization normalization) {
            if (normalization == null) {
                throw new IllegalArgumentException(
                        KEY_NORMALIZATION + " must be set; accepted values: mean-std, mean");
            }
            this.normalization = normalization;
            return this;
        }

        public Builder epsilon(double epsilon) {
            if (!Double.isFinite(epsilon) || epsilon < 0) {
                throw new IllegalArgumentException(
                        KEY_EPSILON
                                + " must be a finite number >= 0 (default "
                                + DEFAULT_EPSILON
                                + "), but was "
                                + epsilon);
            }
            this.epsilon = epsilon;
            return this;
        }

        public OprlParams build() {
            return new OprlParams(this);
        }
    }
}
