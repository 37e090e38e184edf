package io.creditstream.operators.core.prm;

import io.creditstream.operators.core.credit.StepAdvantage;

/**
 * The OPRL credit of one step with the parts it is made of.
 *
 * @param advantage A = A^E + α·A^S (Eq.5)
 * @param episodeAdvantage A^E of the step's trajectory (Eq.3)
 * @param stepAdvantage A^S, the step reward normalised against the group's pooled step rewards
 *     (Eq.4)
 * @param processReward r_φ(a_t), the step reward before normalisation (Eq.1)
 */
public record OprlStepCredit(
        double advantage, double episodeAdvantage, double stepAdvantage, double processReward)
        implements StepAdvantage {

    @Override
    public Double processRewardOrNull() {
        return processReward;
    }
}
