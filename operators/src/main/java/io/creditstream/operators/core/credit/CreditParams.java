package io.creditstream.operators.core.credit;

import static io.creditstream.operators.core.config.ConfigChecks.outOfRange;
import static io.creditstream.operators.core.config.ConfigChecks.requireFinite;
import static io.creditstream.operators.core.config.ConfigChecks.requireFiniteNonNegative;
import static io.creditstream.operators.core.config.ConfigChecks.requireSet;

import java.io.Serializable;
import java.util.Objects;

/**
 * The settings of a {@link CreditEstimator}, validated when constructed; serializable because Flink
 * functions carry it. Each {@code KEY_*} is the one definition of its configuration key, named in
 * the errors here and declared as an option by the job.
 *
 * @param estimator the advantage estimator
 * @param normalization whether both levels divide by (std + epsilon); also TEMPO's and IGPO's
 *     division
 * @param epsilon added to the std (not inside the sqrt) before dividing
 * @param gamma discount of the step returns G_t, in [0, 1]
 * @param stepAdvantageWeight ω in A = A^E + ω·A^S; only GiGPO uses it
 * @param invalidActionPenalty c, subtracted from the score and the step return of a step with an
 *     invalid action; 0 disables it
 * @param episodeNormScope whether the episode statistics are over step rows or trajectories
 * @param pure PURE's settings; only PURE uses them
 * @param igpo IGPO's settings; only IGPO uses them
 * @param anchorSimilarity whether GiGPO's anchor states are matched exactly or by similarity
 */
public record CreditParams(
        Estimator estimator,
        Normalization normalization,
        double epsilon,
        double gamma,
        double stepAdvantageWeight,
        double invalidActionPenalty,
        EpisodeNormScope episodeNormScope,
        PureParams pure,
        IgpoParams igpo,
        AnchorSimilarity anchorSimilarity)
        implements Serializable {

    private static final long serialVersionUID = 1L;

    public static final String KEY_ESTIMATOR = "credit.estimator";
    public static final String KEY_NORMALIZATION = "credit.normalization";
    public static final String KEY_EPSILON = "credit.epsilon";
    public static final String KEY_GAMMA = "credit.gamma";
    public static final String KEY_STEP_ADVANTAGE_WEIGHT = "credit.step-advantage-weight";
    public static final String KEY_INVALID_ACTION_PENALTY = "credit.invalid-action-penalty";
    public static final String KEY_EPISODE_NORM_SCOPE = "credit.episode-norm-scope";

    public static final Estimator DEFAULT_ESTIMATOR = Estimator.GIGPO;
    public static final Normalization DEFAULT_NORMALIZATION = Normalization.MEAN_STD;
    public static final double DEFAULT_EPSILON = 1e-6;

    /** Every GiGPO example script overrides the yaml's 1.0 with 0.95 (docs/ALGORITHMS.md §1). */
    public static final double DEFAULT_GAMMA = 0.95;

    public static final double DEFAULT_STEP_ADVANTAGE_WEIGHT = 1.0;
    public static final double DEFAULT_INVALID_ACTION_PENALTY = 0.1;
    public static final EpisodeNormScope DEFAULT_EPISODE_NORM_SCOPE = EpisodeNormScope.STEPS;

    /**
     * Checks every setting.
     *
     * @throws IllegalArgumentException naming the key, what it accepts and the value given
     */
    public CreditParams {
        requireSet(estimator, KEY_ESTIMATOR, Estimator.values(), Estimator::configName);
        requireSet(
                normalization,
                KEY_NORMALIZATION,
                Normalization.values(),
                Normalization::configName);
        requireFiniteNonNegative(KEY_EPSILON, epsilon, DEFAULT_EPSILON);
        // The negated form also rejects NaN.
        if (!(gamma >= 0 && gamma <= 1)) {
            throw outOfRange(KEY_GAMMA, "in [0, 1]", DEFAULT_GAMMA, gamma);
        }
        requireFinite(
                KEY_STEP_ADVANTAGE_WEIGHT, stepAdvantageWeight, DEFAULT_STEP_ADVANTAGE_WEIGHT);
        if (!Double.isFinite(invalidActionPenalty) || invalidActionPenalty < 0) {
            throw new IllegalArgumentException(
                    KEY_INVALID_ACTION_PENALTY
                            + " must be a finite number >= 0 (it is subtracted; default "
                            + DEFAULT_INVALID_ACTION_PENALTY
                            + ", 0 disables it), but was "
                            + invalidActionPenalty);
        }
        requireSet(
                episodeNormScope,
                KEY_EPISODE_NORM_SCOPE,
                EpisodeNormScope.values(),
                EpisodeNormScope::configName);
        Objects.requireNonNull(pure, "pure");
        Objects.requireNonNull(igpo, "igpo");
        Objects.requireNonNull(anchorSimilarity, "anchorSimilarity");
    }

    /** The default settings. */
    public static CreditParams defaults() {
        return new CreditParams(
                DEFAULT_ESTIMATOR,
                DEFAULT_NORMALIZATION,
                DEFAULT_EPSILON,
                DEFAULT_GAMMA,
                DEFAULT_STEP_ADVANTAGE_WEIGHT,
                DEFAULT_INVALID_ACTION_PENALTY,
                DEFAULT_EPISODE_NORM_SCOPE,
                PureParams.defaults(),
                IgpoParams.defaults(),
                AnchorSimilarity.defaults());
    }

    public CreditParams withEstimator(Estimator estimator) {
        return new CreditParams(
                estimator,
                normalization,
                epsilon,
                gamma,
                stepAdvantageWeight,
                invalidActionPenalty,
                episodeNormScope,
                pure,
                igpo,
                anchorSimilarity);
    }

    public CreditParams withNormalization(Normalization normalization) {
        return new CreditParams(
                estimator,
                normalization,
                epsilon,
                gamma,
                stepAdvantageWeight,
                invalidActionPenalty,
                episodeNormScope,
                pure,
                igpo,
                anchorSimilarity);
    }

    public CreditParams withEpsilon(double epsilon) {
        return new CreditParams(
                estimator,
                normalization,
                epsilon,
                gamma,
                stepAdvantageWeight,
                invalidActionPenalty,
                episodeNormScope,
                pure,
                igpo,
                anchorSimilarity);
    }

    public CreditParams withGamma(double gamma) {
        return new CreditParams(
                estimator,
                normalization,
                epsilon,
                gamma,
                stepAdvantageWeight,
                invalidActionPenalty,
                episodeNormScope,
                pure,
                igpo,
                anchorSimilarity);
    }

    public CreditParams withStepAdvantageWeight(double stepAdvantageWeight) {
        return new CreditParams(
                estimator,
                normalization,
                epsilon,
                gamma,
                stepAdvantageWeight,
                invalidActionPenalty,
                episodeNormScope,
                pure,
                igpo,
                anchorSimilarity);
    }

    public CreditParams withInvalidActionPenalty(double invalidActionPenalty) {
        return new CreditParams(
                estimator,
                normalization,
                epsilon,
                gamma,
                stepAdvantageWeight,
                invalidActionPenalty,
                episodeNormScope,
                pure,
                igpo,
                anchorSimilarity);
    }

    public CreditParams withEpisodeNormScope(EpisodeNormScope episodeNormScope) {
        return new CreditParams(
                estimator,
                normalization,
                epsilon,
                gamma,
                stepAdvantageWeight,
                invalidActionPenalty,
                episodeNormScope,
                pure,
                igpo,
                anchorSimilarity);
    }

    public CreditParams withPure(PureParams pure) {
        return new CreditParams(
                estimator,
                normalization,
                epsilon,
                gamma,
                stepAdvantageWeight,
                invalidActionPenalty,
                episodeNormScope,
                pure,
                igpo,
                anchorSimilarity);
    }

    public CreditParams withIgpo(IgpoParams igpo) {
        return new CreditParams(
                estimator,
                normalization,
                epsilon,
                gamma,
                stepAdvantageWeight,
                invalidActionPenalty,
                episodeNormScope,
                pure,
                igpo,
                anchorSimilarity);
    }

    public CreditParams withAnchorSimilarity(AnchorSimilarity anchorSimilarity) {
        return new CreditParams(
                estimator,
                normalization,
                epsilon,
                gamma,
                stepAdvantageWeight,
                invalidActionPenalty,
                episodeNormScope,
                pure,
                igpo,
                anchorSimilarity);
    }
}
