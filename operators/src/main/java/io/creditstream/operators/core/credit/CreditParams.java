package io.creditstream.operators.core.credit;

import io.creditstream.operators.core.config.ConfigNames;
import java.io.Serializable;
import java.util.Objects;

/**
 * Immutable settings of a {@link CreditEstimator}; serializable because Flink functions carry it.
 */
public final class CreditParams implements Serializable {

    private static final long serialVersionUID = 1L;

    public static final String KEY_ESTIMATOR = Estimator.CONFIG_KEY;
    public static final String KEY_NORMALIZATION = Normalization.CONFIG_KEY;
    public static final String KEY_EPSILON = "credit.epsilon";
    public static final String KEY_GAMMA = "credit.gamma";
    public static final String KEY_STEP_ADVANTAGE_WEIGHT = "credit.step-advantage-weight";
    public static final String KEY_INVALID_ACTION_PENALTY = "credit.invalid-action-penalty";
    public static final String KEY_EPISODE_NORM_SCOPE = EpisodeNormScope.CONFIG_KEY;

    public static final Estimator DEFAULT_ESTIMATOR = Estimator.GIGPO;
    public static final Normalization DEFAULT_NORMALIZATION = Normalization.MEAN_STD;
    public static final double DEFAULT_EPSILON = 1e-6;

    /** Every GiGPO example script overrides the yaml's 1.0 with 0.95 (docs/ALGORITHMS.md §1). */
    public static final double DEFAULT_GAMMA = 0.95;

    public static final double DEFAULT_STEP_ADVANTAGE_WEIGHT = 1.0;
    public static final double DEFAULT_INVALID_ACTION_PENALTY = 0.1;
    public static final EpisodeNormScope DEFAULT_EPISODE_NORM_SCOPE = EpisodeNormScope.STEPS;

    private final Estimator estimator;
    private final Normalization normalization;
    private final double epsilon;
    private final double gamma;
    private final double stepAdvantageWeight;
    private final double invalidActionPenalty;
    private final EpisodeNormScope episodeNormScope;

    private CreditParams(Builder builder) {
        this.estimator = builder.estimator;
        this.normalization = builder.normalization;
        this.epsilon = builder.epsilon;
        this.gamma = builder.gamma;
        this.stepAdvantageWeight = builder.stepAdvantageWeight;
        this.invalidActionPenalty = builder.invalidActionPenalty;
        this.episodeNormScope = builder.episodeNormScope;
    }

    /** The default settings. */
    public static CreditParams defaults() {
        return builder().build();
    }

    /** A builder holding the defaults. */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder holding these settings, to derive a variant. */
    public Builder toBuilder() {
        return new Builder()
                .estimator(estimator)
                .normalization(normalization)
                .epsilon(epsilon)
                .gamma(gamma)
                .stepAdvantageWeight(stepAdvantageWeight)
                .invalidActionPenalty(invalidActionPenalty)
                .episodeNormScope(episodeNormScope);
    }

    public Estimator estimator() {
        return estimator;
    }

    public Normalization normalization() {
        return normalization;
    }

    /** Added to the std (not inside the sqrt) before dividing. */
    public double epsilon() {
        return epsilon;
    }

    /** Discount of the step returns G_t. */
    public double gamma() {
        return gamma;
    }

    /** ω in A = A^E + ω·A^S; only GiGPO uses it. */
    public double stepAdvantageWeight() {
        return stepAdvantageWeight;
    }

    /** c, subtracted from the score and the step return of a step with an invalid action. */
    public double invalidActionPenalty() {
        return invalidActionPenalty;
    }

    public EpisodeNormScope episodeNormScope() {
        return episodeNormScope;
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof CreditParams)) {
            return false;
        }
        CreditParams that = (CreditParams) o;
        return estimator == that.estimator
                && normalization == that.normalization
                && Double.compare(epsilon, that.epsilon) == 0
                && Double.compare(gamma, that.gamma) == 0
                && Double.compare(stepAdvantageWeight, that.stepAdvantageWeight) == 0
                && Double.compare(invalidActionPenalty, that.invalidActionPenalty) == 0
                && episodeNormScope == that.episodeNormScope;
    }

    @Override
    public int hashCode() {
        return Objects.hash(
                estimator,
                normalization,
                epsilon,
                gamma,
                stepAdvantageWeight,
                invalidActionPenalty,
                episodeNormScope);
    }

    @Override
    public String toString() {
        return "CreditParams{"
                + KEY_ESTIMATOR
                + "="
                + estimator.configName()
                + ", "
                + KEY_NORMALIZATION
                + "="
                + normalization.configName()
                + ", "
                + KEY_EPSILON
                + "="
                + epsilon
                + ", "
                + KEY_GAMMA
                + "="
                + gamma
                + ", "
                + KEY_STEP_ADVANTAGE_WEIGHT
                + "="
                + stepAdvantageWeight
                + ", "
                + KEY_INVALID_ACTION_PENALTY
                + "="
                + invalidActionPenalty
                + ", "
                + KEY_EPISODE_NORM_SCOPE
                + "="
                + episodeNormScope.configName()
                + "}";
    }

    /** Builds {@link CreditParams}; every setter rejects a bad value at once, naming its key. */
    public static final class Builder {
        private Estimator estimator = DEFAULT_ESTIMATOR;
        private Normalization normalization = DEFAULT_NORMALIZATION;
        private double epsilon = DEFAULT_EPSILON;
        private double gamma = DEFAULT_GAMMA;
        private double stepAdvantageWeight = DEFAULT_STEP_ADVANTAGE_WEIGHT;
        private double invalidActionPenalty = DEFAULT_INVALID_ACTION_PENALTY;
        private EpisodeNormScope episodeNormScope = DEFAULT_EPISODE_NORM_SCOPE;

        private Builder() {}

        public Builder estimator(Estimator estimator) {
            this.estimator =
                    requireSet(estimator, KEY_ESTIMATOR, Estimator.values(), Estimator::configName);
            return this;
        }

        public Builder normalization(Normalization normalization) {
            this.normalization =
                    requireSet(
                            normalization,
                            KEY_NORMALIZATION,
                            Normalization.values(),
                            Normalization::configName);
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

        public Builder gamma(double gamma) {
            // The negated form also rejects NaN.
            if (!(gamma >= 0 && gamma <= 1)) {
                throw new IllegalArgumentException(
                        KEY_GAMMA
                                + " must be in [0, 1] (default "
                                + DEFAULT_GAMMA
                                + "), but was "
                                + gamma);
            }
            this.gamma = gamma;
            return this;
        }

        public Builder stepAdvantageWeight(double stepAdvantageWeight) {
            if (!Double.isFinite(stepAdvantageWeight)) {
                throw new IllegalArgumentException(
                        KEY_STEP_ADVANTAGE_WEIGHT
                                + " must be a finite number (default "
                                + DEFAULT_STEP_ADVANTAGE_WEIGHT
                                + "), but was "
                                + stepAdvantageWeight);
            }
            this.stepAdvantageWeight = stepAdvantageWeight;
            return this;
        }

        public Builder invalidActionPenalty(double invalidActionPenalty) {
            if (!Double.isFinite(invalidActionPenalty) || invalidActionPenalty < 0) {
                throw new IllegalArgumentException(
                        KEY_INVALID_ACTION_PENALTY
                                + " must be a finite number >= 0 (it is subtracted; default "
                                + DEFAULT_INVALID_ACTION_PENALTY
                                + ", 0 disables it), but was "
                                + invalidActionPenalty);
            }
            this.invalidActionPenalty = invalidActionPenalty;
            return this;
        }

        public Builder episodeNormScope(EpisodeNormScope episodeNormScope) {
            this.episodeNormScope =
                    requireSet(
                            episodeNormScope,
                            KEY_EPISODE_NORM_SCOPE,
                            EpisodeNormScope.values(),
                            EpisodeNormScope::configName);
            return this;
        }

        public CreditParams build() {
            return new CreditParams(this);
        }

        private static <T> T requireSet(
                T value, String key, T[] values, java.util.function.Function<T, String> name) {
            if (value == null) {
                throw new IllegalArgumentException(
                        key
                                + " must be set; accepted values: "
                                + ConfigNames.accepted(values, name));
            }
            return value;
        }
    }
}
