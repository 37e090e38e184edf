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
    public static final String KEY_WARMUP_GROUPS = "credit.oprl.warmup-groups";
    public static final String KEY_STEP_WEIGHT_SCALING = StepWeightScaling.CONFIG_KEY;
    public static final String KEY_STEP_TERM = StepTermScope.CONFIG_KEY;

    /** The paper's WebShop and Sokoban runs use RLOO (docs/ALGORITHMS.md §3). */
    public static final EpisodeEstimator DEFAULT_EPISODE_ESTIMATOR = EpisodeEstimator.RLOO;

    /** α = 1 in the paper's Eq.5. */
    public static final double DEFAULT_STEP_WEIGHT = 1.0;

    public static final Normalization DEFAULT_NORMALIZATION = Normalization.MEAN_STD;
    public static final double DEFAULT_EPSILON = CreditParams.DEFAULT_EPSILON;

    /** The paper uses the PRM's rewards from its first update on. */
    public static final int DEFAULT_WARMUP_GROUPS = 0;

    public static final StepWeightScaling DEFAULT_STEP_WEIGHT_SCALING = StepWeightScaling.CONSTANT;
    public static final StepTermScope DEFAULT_STEP_TERM = StepTermScope.ALL_GROUPS;

    private final EpisodeEstimator episodeEstimator;
    private final double stepWeight;
    private final Normalization normalization;
    private final double epsilon;
    private final int warmupGroups;
    private final StepWeightScaling stepWeightScaling;
    private final StepTermScope stepTerm;

    private OprlParams(Builder builder) {
        this.episodeEstimator = builder.episodeEstimator;
        this.stepWeight = builder.stepWeight;
        this.normalization = builder.normalization;
        this.epsilon = builder.epsilon;
        this.warmupGroups = builder.warmupGroups;
        this.stepWeightScaling = builder.stepWeightScaling;
        this.stepTerm = builder.stepTerm;
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
                .epsilon(epsilon)
                .warmupGroups(warmupGroups)
                .stepWeightScaling(stepWeightScaling)
                .stepTerm(stepTerm);
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

    /**
     * The number of PRM updates before the in-stream step rewards enter the advantage (A = A^E
     * until then); external log-prob rewards are used at once.
     */
    public int warmupGroups() {
        return warmupGroups;
    }

    public StepWeightScaling stepWeightScaling() {
        return stepWeightScaling;
    }

    public StepTermScope stepTerm() {
        return stepTerm;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof OprlParams that
                && episodeEstimator == that.episodeEstimator
                && Double.compare(stepWeight, that.stepWeight) == 0
                && normalization == that.normalization
                && Double.compare(epsilon, that.epsilon) == 0
                && warmupGroups == that.warmupGroups
                && stepWeightScaling == that.stepWeightScaling
                && stepTerm == that.stepTerm;
    }

    @Override
    public int hashCode() {
        return Objects.hash(
                episodeEstimator,
                stepWeight,
                normalization,
                epsilon,
                warmupGroups,
                stepWeightScaling,
                stepTerm);
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
                + ", "
                + KEY_WARMUP_GROUPS
                + "="
                + warmupGroups
                + ", "
                + KEY_STEP_WEIGHT_SCALING
                + "="
                + stepWeightScaling.configName()
                + ", "
                + KEY_STEP_TERM
                + "="
                + stepTerm.configName()
                + "}";
    }

    /** Builds {@link OprlParams}; every setter rejects a bad value at once, naming its key. */
    public static final class Builder {
        private EpisodeEstimator episodeEstimator = DEFAULT_EPISODE_ESTIMATOR;
        private double stepWeight = DEFAULT_STEP_WEIGHT;
        private Normalization normalization = DEFAULT_NORMALIZATION;
        private double epsilon = DEFAULT_EPSILON;
        private int warmupGroups = DEFAULT_WARMUP_GROUPS;
        private StepWeightScaling stepWeightScaling = DEFAULT_STEP_WEIGHT_SCALING;
        private StepTermScope stepTerm = DEFAULT_STEP_TERM;

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

        public Builder warmupGroups(int warmupGroups) {
            if (warmupGroups < 0) {
                throw new IllegalArgumentException(
                        KEY_WARMUP_GROUPS
                                + " must be >= 0 (default "
                                + DEFAULT_WARMUP_GROUPS
                                + "), but was "
                                + warmupGroups);
            }
            this.warmupGroups = warmupGroups;
            return this;
        }

        public Builder stepWeightScaling(StepWeightScaling stepWeightScaling) {
            if (stepWeightScaling == null) {
                throw new IllegalArgumentException(
                        KEY_STEP_WEIGHT_SCALING
                                + " must be set; accepted values: constant, confidence");
            }
            this.stepWeightScaling = stepWeightScaling;
            return this;
        }

        public Builder stepTerm(StepTermScope stepTerm) {
            if (stepTerm == null) {
                throw new IllegalArgumentException(
                        KEY_STEP_TERM + " must be set; accepted values: all-groups, paired-groups");
            }
            this.stepTerm = stepTerm;
            return this;
        }

        public OprlParams build() {
            return new OprlParams(this);
        }
    }
}
