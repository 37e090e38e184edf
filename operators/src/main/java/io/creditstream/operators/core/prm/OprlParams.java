package io.creditstream.operators.core.prm;

import static io.creditstream.operators.core.config.ConfigChecks.outOfRange;
import static io.creditstream.operators.core.config.ConfigChecks.requireFiniteNonNegative;
import static io.creditstream.operators.core.config.ConfigChecks.requireSet;

import io.creditstream.operators.core.credit.CreditParams;
import io.creditstream.operators.core.credit.Normalization;
import java.io.Serializable;

/**
 * The settings of the OPRL combination rule {@link OprlAdvantage}, validated when constructed.
 * {@code normalization} and {@code epsilon} are read from the same keys as {@link CreditParams}'s
 * ({@link CreditParams#KEY_NORMALIZATION}, {@link CreditParams#KEY_EPSILON}) and share their
 * defaults.
 *
 * @param episodeEstimator how the outcomes become the episode advantage A^E
 * @param stepWeight α in A = A^E + α·A^S; 0 turns the step term off
 * @param normalization whether A^S and the GRPO A^E divide by (std + eps); RLOO never does, as in
 *     verl
 * @param epsilon added to the std, not inside the sqrt
 * @param warmupGroups the number of PRM updates before the in-stream step rewards enter the
 *     advantage (A = A^E until then); external log-prob rewards are used at once
 * @param stepWeightScaling the paper's constant α, or α scaled by the PRM's pair accuracy
 * @param stepTerm which groups receive the step term
 */
public record OprlParams(
        EpisodeEstimator episodeEstimator,
        double stepWeight,
        Normalization normalization,
        double epsilon,
        int warmupGroups,
        StepWeightScaling stepWeightScaling,
        StepTermScope stepTerm)
        implements Serializable {

    private static final long serialVersionUID = 1L;

    public static final String KEY_EPISODE_ESTIMATOR = "credit.oprl.episode-estimator";
    public static final String KEY_STEP_WEIGHT = "credit.oprl.step-weight";
    public static final String KEY_WARMUP_GROUPS = "credit.oprl.warmup-groups";
    public static final String KEY_STEP_WEIGHT_SCALING = "credit.oprl.step-weight-scaling";
    public static final String KEY_STEP_TERM = "credit.oprl.step-term";

    /** The paper's WebShop and Sokoban runs use RLOO (docs/ALGORITHMS.md §3). */
    public static final EpisodeEstimator DEFAULT_EPISODE_ESTIMATOR = EpisodeEstimator.RLOO;

    /** α = 1 in the paper's Eq.5. */
    public static final double DEFAULT_STEP_WEIGHT = 1.0;

    /** The paper uses the PRM's rewards from its first update on. */
    public static final int DEFAULT_WARMUP_GROUPS = 0;

    public static final StepWeightScaling DEFAULT_STEP_WEIGHT_SCALING = StepWeightScaling.CONSTANT;
    public static final StepTermScope DEFAULT_STEP_TERM = StepTermScope.ALL_GROUPS;

    /**
     * Checks every setting.
     *
     * @throws IllegalArgumentException naming the key, what it accepts and the value given
     */
    public OprlParams {
        requireSet(
                episodeEstimator,
                KEY_EPISODE_ESTIMATOR,
                EpisodeEstimator.values(),
                EpisodeEstimator::configName);
        if (!Double.isFinite(stepWeight)) {
            throw new IllegalArgumentException(
                    KEY_STEP_WEIGHT
                            + " must be a finite number (default "
                            + DEFAULT_STEP_WEIGHT
                            + ", 0 turns the step term off), but was "
                            + stepWeight);
        }
        requireSet(
                normalization,
                CreditParams.KEY_NORMALIZATION,
                Normalization.values(),
                Normalization::configName);
        requireFiniteNonNegative(CreditParams.KEY_EPSILON, epsilon, CreditParams.DEFAULT_EPSILON);
        if (warmupGroups < 0) {
            throw outOfRange(KEY_WARMUP_GROUPS, ">= 0", DEFAULT_WARMUP_GROUPS, warmupGroups);
        }
        requireSet(
                stepWeightScaling,
                KEY_STEP_WEIGHT_SCALING,
                StepWeightScaling.values(),
                StepWeightScaling::configName);
        requireSet(stepTerm, KEY_STEP_TERM, StepTermScope.values(), StepTermScope::configName);
    }

    /** The paper's settings, with the credit defaults' normalization and epsilon. */
    public static OprlParams defaults() {
        return new OprlParams(
                DEFAULT_EPISODE_ESTIMATOR,
                DEFAULT_STEP_WEIGHT,
                CreditParams.DEFAULT_NORMALIZATION,
                CreditParams.DEFAULT_EPSILON,
                DEFAULT_WARMUP_GROUPS,
                DEFAULT_STEP_WEIGHT_SCALING,
                DEFAULT_STEP_TERM);
    }

    public OprlParams withEpisodeEstimator(EpisodeEstimator episodeEstimator) {
        return new OprlParams(
                episodeEstimator,
                stepWeight,
                normalization,
                epsilon,
                warmupGroups,
                stepWeightScaling,
                stepTerm);
    }

    public OprlParams withStepWeight(double stepWeight) {
        return new OprlParams(
                episodeEstimator,
                stepWeight,
                normalization,
                epsilon,
                warmupGroups,
                stepWeightScaling,
                stepTerm);
    }

    public OprlParams withNormalization(Normalization normalization) {
        return new OprlParams(
                episodeEstimator,
                stepWeight,
                normalization,
                epsilon,
                warmupGroups,
                stepWeightScaling,
                stepTerm);
    }

    public OprlParams withEpsilon(double epsilon) {
        return new OprlParams(
                episodeEstimator,
                stepWeight,
                normalization,
                epsilon,
                warmupGroups,
                stepWeightScaling,
                stepTerm);
    }

    public OprlParams withWarmupGroups(int warmupGroups) {
        return new OprlParams(
                episodeEstimator,
                stepWeight,
                normalization,
                epsilon,
                warmupGroups,
                stepWeightScaling,
                stepTerm);
    }

    public OprlParams withStepWeightScaling(StepWeightScaling stepWeightScaling) {
        return new OprlParams(
                episodeEstimator,
                stepWeight,
                normalization,
                epsilon,
                warmupGroups,
                stepWeightScaling,
                stepTerm);
    }

    public OprlParams withStepTerm(StepTermScope stepTerm) {
        return new OprlParams(
                episodeEstimator,
                stepWeight,
                normalization,
                epsilon,
                warmupGroups,
                stepWeightScaling,
                stepTerm);
    }
}
