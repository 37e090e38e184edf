package io.creditstream.operators.core.credit;

/**
 * The credit one step receives, with the parts it is made of.
 *
 * @param advantage the value the learner uses: {@code episodeAdvantage + ω·stepAdvantage}
 * @param episodeAdvantage A^E, the group-normalised episode score of this step row
 * @param stepAdvantage A^S, the normalised step return within the anchor group (GiGPO only, else 0)
 * @param stepReturn the discounted return G_t of the raw rewards, before any penalty
 * @param anchorGroupSize rows of the group that share this step's anchor key (1 for no key),
 *     reported by every estimator as a metric
 */
public record StepCredit(
        double advantage,
        double episodeAdvantage,
        double stepAdvantage,
        double stepReturn,
        int anchorGroupSize)
        implements StepAdvantage {}
