package io.creditstream.operators.core.credit;

/**
 * What every estimator computes for one step, as the advantage record carries it; the defaults are
 * the record's values for estimators that have no such part.
 */
public interface StepAdvantage {
    /** What the learner uses. */
    double advantage();

    double episodeAdvantage();

    double stepAdvantage();

    /** The step's process reward r_φ, or null for estimators without one. */
    default Double processRewardOrNull() {
        return null;
    }

    /** GiGPO's discounted step return; 0 for the others. */
    default double stepReturn() {
        return 0;
    }

    /** GiGPO's anchor-state group size; 1 for the others. */
    default int anchorGroupSize() {
        return 1;
    }
}
