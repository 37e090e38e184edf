package io.creditstream.operators.core.credit;

import java.util.List;

/**
 * PURE's min-form credit (docs/ALGORITHMS.md §6) with agent steps as PURE's reasoning steps.
 *
 * <p>Per trajectory i of n with K_i steps and process scores PR_{i,k} (a missing score counts as
 * 0):
 *
 * <ul>
 *   <li>w_{i,k} = softmax_k(−PR_{i,k}/T) over the trajectory's own steps, r_{i,k} =
 *       w_{i,k}·PR_{i,k}, outcome_i = Σ_k r_{i,k} (≈ min_k PR_{i,k});
 *   <li>step baseline: r'_{i,k} = r_{i,k} − Σ_{j≠i}(outcome_j/K_j)/(n − 1); token baseline:
 *       r'_{i,k} = r_{i,k} − rpt_i·n_{i,k} with rpt_i = Σ_{j≠i} outcome_j / Σ_{j≠i} L_j, n_{i,k}
 *       the step's token count and L_j = Σ_k (n_{j,k} + 1) (each step's separator, the last one's
 *       end token);
 *   <li>verifiable reward vr_i = solved_i − 1 with solved_i = (episode return &gt; 0), vr'_i = vr_i
 *       − Σ_{j≠i} vr_j/(n − 1);
 *   <li>the advantage of step k is its return G_{i,k} = Σ_{j≥k} r'_{i,j} + c·vr'_i (γ = 1).
 * </ul>
 *
 * <p>A group of one has no leave-one-out baseline: both baselines are 0 and vr' = vr. The
 * batch-wide whitening and the KL penalty of the reference trainer are the learner's.
 */
final class PureAdvantage {

    private PureAdvantage() {}

    static RowCredits compute(List<TrajectorySample> group, int rowCount, CreditParams params) {
        PureParams pure = params.pure();
        boolean prm = pure.rewardMode().usesProcessRewards();
        boolean vr = pure.rewardMode().usesVerifiableReward();
        boolean tokenBaseline = pure.baseline() == PureParams.Baseline.TOKEN;
        int n = group.size();

        double[] reward = new double[rowCount];
        double[] outcome = new double[n];
        double[] tokens = new double[n];
        double[] verifiable = new double[n];
        int row = 0;
        for (int t = 0; t < n; t++) {
            TrajectorySample trajectory = group.get(t);
            List<StepSample> steps = trajectory.steps();
            if (prm) {
                minFormRewards(steps, pure.temperature(), reward, row);
            }
            double sum = 0;
            long length = 0;
            for (int s = 0; s < steps.size(); s++) {
                sum += reward[row + s];
                if (tokenBaseline) {
                    length += tokenCount(trajectory, s) + 1L;
                }
            }
            outcome[t] = sum;
            tokens[t] = length;
            verifiable[t] = trajectory.episodeReturn() > 0 ? 0.0 : -1.0;
            row += steps.size();
        }

        double outcomeTotal = 0;
        double perStepTotal = 0;
        double tokenTotal = 0;
        double verifiableTotal = 0;
        for (int t = 0; t < n; t++) {
            outcomeTotal += outcome[t];
            perStepTotal += outcome[t] / group.get(t).steps().size();
            tokenTotal += tokens[t];
            verifiableTotal += verifiable[t];
        }

        RowCredits rows = RowCredits.zeros(rowCount);
        double coef = pure.verifiableRewardCoef();
        row = 0;
        for (int t = 0; t < n; t++) {
            TrajectorySample trajectory = group.get(t);
            int length = trajectory.steps().size();
            double stepBaseline = 0;
            double perToken = 0;
            double verifiableBaseline = 0;
            if (n > 1) {
                if (tokenBaseline) {
                    perToken = (outcomeTotal - outcome[t]) / (tokenTotal - tokens[t]);
                } else {
                    stepBaseline = (perStepTotal - outcome[t] / length) / (n - 1);
                }
                verifiableBaseline = (verifiableTotal - verifiable[t]) / (n - 1);
            }
            double verifiableTerm = vr ? coef * (verifiable[t] - verifiableBaseline) : 0.0;
            double processReturn = 0;
            for (int s = length - 1; s >= 0; s--) {
                int r = row + s;
                double baseline =
                        tokenBaseline ? perToken * tokenCount(trajectory, s) : stepBaseline;
                processReturn += reward[r] - baseline;
                rows.advantage()[r] = processReturn + verifiableTerm;
                rows.episodeAdvantage()[r] = verifiableTerm;
                rows.stepAdvantage()[r] = processReturn;
                rows.processReward()[r] = prm ? reward[r] : null;
            }
            row += length;
        }
        return rows;
    }

    /**
     * r_k = w_k·PR_k with w = softmax(−PR/T) over one trajectory's steps, written from {@code
     * offset}; the largest exponent is subtracted first so that no term overflows.
     */
    private static void minFormRewards(
            List<StepSample> steps, double temperature, double[] reward, int offset) {
        int k = steps.size();
        double[] score = new double[k];
        double largest = Double.NEGATIVE_INFINITY;
        for (int s = 0; s < k; s++) {
            Double processScore = steps.get(s).processScore();
            score[s] = processScore == null ? 0.0 : processScore;
            largest = Math.max(largest, -score[s] / temperature);
        }
        double[] weight = new double[k];
        double total = 0;
        for (int s = 0; s < k; s++) {
            weight[s] = Math.exp(-score[s] / temperature - largest);
            total += weight[s];
        }
        for (int s = 0; s < k; s++) {
            reward[offset + s] = weight[s] / total * score[s];
        }
    }

    private static int tokenCount(TrajectorySample trajectory, int step) {
        Integer count = trajectory.steps().get(step).tokenCount();
        if (count == null) {
            throw new IllegalArgumentException(
                    "pure with "
                            + PureParams.KEY_BASELINE
                            + "=token needs token_count on every step, but step "
                            + step
                            + " of episode "
                            + trajectory.episodeId()
                            + " has none");
        }
        return count;
    }
}
