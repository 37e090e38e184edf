package io.creditstream.operators.core.prm;

import io.creditstream.operators.core.credit.GroupNormalizer;
import io.creditstream.operators.core.credit.GroupNormalizer.SingletonRule;
import io.creditstream.operators.core.credit.GroupNormalizer.Stats;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The OPRL / iStar combination rule of one group (docs/ALGORITHMS.md §3 Eq.3–5): A = A^E + α·A^S
 * from the outcomes and the already computed step rewards r_φ.
 *
 * <p>Rules, all through {@link GroupNormalizer}:
 *
 * <ul>
 *   <li>A^E (Eq.3) per trajectory from the N outcomes: {@code grpo} is VN with the configured
 *       normalisation (a singleton keeps its raw score ÷(1 + eps), all equal gives 0); {@code rloo}
 *       is n/(n − 1)·(s − mean) (a singleton keeps s, all equal gives 0) and never divides by the
 *       std, as in verl.
 *   <li>A^S (Eq.4) of a step is its r_φ normalised against the pool of every step reward of every
 *       trajectory of the group, so longer trajectories weigh more in the pooled mean and std. The
 *       pool is a singleton only for one trajectory of one step; it then follows the same verl
 *       convention §3 adopts for Eq.3 (mean 0, std 1: the raw r_φ ÷(1 + eps)), so that both levels
 *       share one rule. All pooled rewards equal gives A^S = 0 exactly.
 * </ul>
 *
 * <p>The instance is stateless apart from its parameters and safe to share between threads.
 */
public final class OprlAdvantage implements Serializable {

    private static final long serialVersionUID = 1L;

    private final OprlParams params;

    public OprlAdvantage(OprlParams params) {
        this.params = Objects.requireNonNull(params, "params");
    }

    public OprlParams params() {
        return params;
    }

    /**
     * The credit of every step of one group.
     *
     * @param group the group's trajectories, not empty
     * @return one list per trajectory, in input order, with one credit per step, in step order
     */
    public List<List<OprlStepCredit>> estimate(List<OprlTrajectory> group) {
        return estimate(group, params.stepWeight());
    }

    /**
     * The credit of every step of one group with the step term weighted by {@code alpha} instead of
     * {@code credit.oprl.step-weight}: the in-stream PRM's warm-up and confidence scaling choose it
     * per group.
     */
    public List<List<OprlStepCredit>> estimate(List<OprlTrajectory> group, double alpha) {
        Objects.requireNonNull(group, "group");
        if (!Double.isFinite(alpha)) {
            throw new IllegalArgumentException("step weight must be finite, but was " + alpha);
        }
        if (group.isEmpty()) {
            throw new IllegalArgumentException("a group needs at least one trajectory");
        }
        int n = group.size();
        double[] outcomes = new double[n];
        int stepCount = 0;
        for (int i = 0; i < n; i++) {
            OprlTrajectory trajectory =
                    Objects.requireNonNull(group.get(i), "trajectory " + i + " of the group");
            outcomes[i] = trajectory.outcome();
            stepCount += trajectory.length();
        }
        double[] pooled = new double[stepCount];
        int row = 0;
        for (OprlTrajectory trajectory : group) {
            for (int t = 0; t < trajectory.length(); t++) {
                pooled[row++] = trajectory.stepReward(t);
            }
        }

        boolean divide = params.normalization().dividesByStd();
        double eps = params.epsilon();
        Stats outcomeStats = GroupNormalizer.stats(outcomes);
        Stats stepStats = GroupNormalizer.stats(pooled);

        List<List<OprlStepCredit>> credits = new ArrayList<>(n);
        for (OprlTrajectory trajectory : group) {
            double episode = episodeAdvantage(trajectory.outcome(), outcomeStats, divide, eps);
            List<OprlStepCredit> steps = new ArrayList<>(trajectory.length());
            for (int t = 0; t < trajectory.length(); t++) {
                double reward = trajectory.stepReward(t);
                double step =
                        GroupNormalizer.normalize(
                                reward, stepStats, divide, eps, SingletonRule.RAW_SCORE);
                steps.add(new OprlStepCredit(episode + alpha * step, episode, step, reward));
            }
            credits.add(List.copyOf(steps));
        }
        return List.copyOf(credits);
    }

    private double episodeAdvantage(double outcome, Stats stats, boolean divide, double eps) {
        return switch (params.episodeEstimator()) {
            case GRPO ->
                    GroupNormalizer.normalize(outcome, stats, divide, eps, SingletonRule.RAW_SCORE);
            case RLOO -> GroupNormalizer.leaveOneOut(outcome, stats);
        };
    }
}
