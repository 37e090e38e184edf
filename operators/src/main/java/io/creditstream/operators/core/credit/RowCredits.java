package io.creditstream.operators.core.credit;

/**
 * What a TEMPO, PURE or IGPO kernel computes for one group, one entry per row (trajectories in
 * input order, each in step order): the parts {@link CreditEstimator} puts into each {@link
 * StepCredit}.
 *
 * @param advantage what the learner uses
 * @param episodeAdvantage the trajectory-level part
 * @param stepAdvantage the step-level part
 * @param processReward the step's process reward, or null where there is none
 */
record RowCredits(
        double[] advantage,
        double[] episodeAdvantage,
        double[] stepAdvantage,
        Double[] processReward) {

    /** Zeroed rows with no process rewards. */
    static RowCredits zeros(int rowCount) {
        return new RowCredits(
                new double[rowCount],
                new double[rowCount],
                new double[rowCount],
                new Double[rowCount]);
    }
}
