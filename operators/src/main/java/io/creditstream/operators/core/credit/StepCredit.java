package io.creditstream.operators.core.credit;

/**
 * The credit one step receives, with the parts it is made of.
 *
 * @param advantage the value the learner uses; for GiGPO {@code episodeAdvantage +
 *     ω·stepAdvantage}, for the other estimators as their section of docs/ALGORITHMS.md says
 * @param episodeAdvantage A^E, the group-normalised episode score of this step row (TEMPO: the GRPO
 *     part; PURE: the verifiable-reward term; IGPO: the normalised outcome)
 * @param stepAdvantage A^S, the normalised step return within the anchor group for GiGPO; TEMPO's
 *     prefix-value difference, PURE's process-reward return, IGPO's normalised turn reward; else 0
 * @param stepReturn the discounted return G_t of the raw rewards, before any penalty
 * @param anchorGroupSize rows of the group that share this step's anchor key (1 for no key),
 *     reported by every estimator as a metric
 * @param processReward the step's process reward (PURE: the min-form reward w·PR; IGPO: the
 *     information gain), or null when the estimator has none for this step
 */
public record StepCredit(
        double advantage,
        double episodeAdvantage,
        double stepAdvantage,
        double stepReturn,
        int anchorGroupSize,
        Double processReward)
        implements StepAdvantage {

    /** The credit of an estimator without process rewards. */
    public StepCredit(
            double advantage,
            double episodeAdvantage,
            double stepAdvantage,
            double stepReturn,
            int anchorGroupSize) {
        this(advantage, episodeAdvantage, stepAdvantage, stepReturn, anchorGroupSize, null);
    }

    @Override
    public Double processRewardOrNull() {
        return processReward;
    }
}
