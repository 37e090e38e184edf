package io.creditstream.operators.core.credit;

import java.util.List;

/**
 * IGPO's information-gain turn advantages (docs/ALGORITHMS.md §7) with agent steps as turns.
 *
 * <p>A step's {@link StepSample#answerProb()} is the belief P_k before turn k acts. For a
 * trajectory of T turns:
 *
 * <ul>
 *   <li>IG_k = P_{k+1} − P_k (or log P_{k+1} − log P_k) for k = 0..T−2 is turn k's reward; a gain
 *       of exactly 0 becomes 1e-10 so that the turn keeps its reward; a gain that is missing (a
 *       step without answer_prob) or not finite is dropped, and a trajectory with a dropped gain,
 *       or with one turn, keeps only its outcome;
 *   <li>the last turn's reward is the outcome (the episode return);
 *   <li>the group's rewards are normalised in one pool ({@code joint}) or in a pool of gains and a
 *       pool of outcomes ({@code separate}): r̂ = (r − mean)/(std + ε) with std = sqrt(population
 *       variance + 1e-8), std = 1 for a pool of one, and r̂ = 0 for every member of a pool whose
 *       values are all equal;
 *   <li>walking back from the last turn, a turn with r̂ ≠ 0 is a boundary with A = r̂ + γ·A of the
 *       next boundary (0 past the last); a turn with r̂ = 0 takes the next boundary's A, or 0 when
 *       none follows.
 * </ul>
 */
final class IgpoAdvantage {

    /** Added to the population variance before the square root, as the reference does. */
    static final double VARIANCE_FLOOR = 1e-8;

    /** What an information gain of exactly 0 becomes, so that its turn keeps a reward. */
    static final double ZERO_GAIN = 1e-10;

    /** The pools a placed reward is normalised in; NONE marks a turn without a reward. */
    private static final int NONE = -1;

    private static final int GAIN = 0;
    private static final int OUTCOME = 1;

    /** Selects both pools at once (joint normalisation). */
    private static final int ANY = -2;

    private IgpoAdvantage() {}

    static RowCredits compute(List<TrajectorySample> group, int rowCount, CreditParams params) {
        IgpoParams igpo = params.igpo();
        // reward[row] is the raw reward placed on that turn, pool[row] its pool.
        double[] reward = new double[rowCount];
        int[] pool = new int[rowCount];
        int row = 0;
        for (TrajectorySample trajectory : group) {
            List<StepSample> steps = trajectory.steps();
            int turns = steps.size();
            boolean gainsComplete = turns > 1;
            for (int k = 0; k + 1 < turns && gainsComplete; k++) {
                double gain = gain(steps.get(k), steps.get(k + 1), igpo.gain());
                if (!Double.isFinite(gain)) {
                    gainsComplete = false;
                } else {
                    reward[row + k] = gain == 0.0 ? ZERO_GAIN : gain;
                }
            }
            for (int k = 0; k + 1 < turns; k++) {
                pool[row + k] = gainsComplete ? GAIN : NONE;
                if (!gainsComplete) {
                    reward[row + k] = 0;
                }
            }
            reward[row + turns - 1] = trajectory.episodeReturn();
            pool[row + turns - 1] = OUTCOME;
            row += turns;
        }

        boolean joint = igpo.normMode() == IgpoParams.NormMode.JOINT;
        double[] normalized = new double[rowCount];
        if (joint) {
            normalizePool(reward, pool, ANY, normalized, params);
        } else {
            normalizePool(reward, pool, GAIN, normalized, params);
            normalizePool(reward, pool, OUTCOME, normalized, params);
        }

        RowCredits rows = RowCredits.zeros(rowCount);
        double gamma = igpo.gamma();
        row = 0;
        for (TrajectorySample trajectory : group) {
            int turns = trajectory.steps().size();
            double outcomeAdvantage = normalized[row + turns - 1];
            double next = 0;
            for (int k = turns - 1; k >= 0; k--) {
                int r = row + k;
                // Exactly 0 is the reference's test for "no reward on this turn".
                if (normalized[r] != 0) {
                    next = normalized[r] + gamma * next;
                }
                rows.advantage()[r] = next;
                rows.episodeAdvantage()[r] = outcomeAdvantage;
                rows.stepAdvantage()[r] = normalized[r];
                rows.processReward()[r] = pool[r] == GAIN ? reward[r] : null;
            }
            row += turns;
        }
        return rows;
    }

    /** IG between the beliefs before two consecutive turns; NaN when one is missing. */
    private static double gain(StepSample before, StepSample after, IgpoParams.Gain type) {
        Double p0 = before.answerProb();
        Double p1 = after.answerProb();
        if (p0 == null || p1 == null) {
            return Double.NaN;
        }
        return type == IgpoParams.Gain.PROB_DIFF ? p1 - p0 : Math.log(p1) - Math.log(p0);
    }

    /**
     * Normalises the rewards of one pool ({@code which}, or {@link #ANY}) into {@code normalized};
     * rows outside it are left as they are.
     */
    private static void normalizePool(
            double[] reward, int[] pool, int which, double[] normalized, CreditParams params) {
        int count = 0;
        double sum = 0;
        double min = Double.POSITIVE_INFINITY;
        double max = Double.NEGATIVE_INFINITY;
        for (int r = 0; r < reward.length; r++) {
            if (inPool(pool[r], which)) {
                count++;
                sum += reward[r];
                min = Math.min(min, reward[r]);
                max = Math.max(max, reward[r]);
            }
        }
        if (count == 0) {
            return;
        }
        if (min == max) {
            // All equal (a pool of one included): every deviation is exactly 0, not a rounding
            // residue that the variance floor would turn into a small non-zero boundary.
            for (int r = 0; r < reward.length; r++) {
                if (inPool(pool[r], which)) {
                    normalized[r] = 0.0;
                }
            }
            return;
        }
        double mean = sum / count;
        double squares = 0;
        for (int r = 0; r < reward.length; r++) {
            if (inPool(pool[r], which)) {
                double d = reward[r] - mean;
                squares += d * d;
            }
        }
        double std = Math.sqrt(squares / count + VARIANCE_FLOOR);
        boolean divide = params.normalization().dividesByStd();
        for (int r = 0; r < reward.length; r++) {
            if (inPool(pool[r], which)) {
                double deviation = reward[r] - mean;
                normalized[r] = divide ? deviation / (std + params.epsilon()) : deviation;
            }
        }
    }

    private static boolean inPool(int pool, int which) {
        return which == ANY ? pool != NONE : pool == which;
    }
}
