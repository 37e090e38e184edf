package io.creditstream.operators.core.credit;

import io.creditstream.operators.core.credit.GigpoStepAdvantage.AnchorGroups;
import io.creditstream.operators.core.credit.GroupNormalizer.SingletonRule;
import io.creditstream.operators.core.credit.GroupNormalizer.Stats;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;

/**
 * Computes the per-step credit of one rollout group with the configured estimator (GRPO, RLOO,
 * Dr.GRPO, GiGPO, TEMPO, PURE or IGPO; docs/ALGORITHMS.md §1–§2, §5–§7), in time linear in the
 * group's steps. TEMPO, PURE and IGPO have kernels of their own ({@link TempoAdvantage}, {@link
 * PureAdvantage}, {@link IgpoAdvantage}); the rest of this Javadoc is about the other four, which
 * share the episode level below.
 *
 * <p>Per step row t of a trajectory with episode return R and penalty c:
 *
 * <ul>
 *   <li>score_t = R − c·inv_t;
 *   <li>A^E_t normalises score_t with the statistics of the episode multiset ({@link
 *       EpisodeNormScope}): VN for GRPO and GiGPO, VN without the std for Dr.GRPO, leave-one-out
 *       for RLOO;
 *   <li>GiGPO only: A^S_t is the step-level VN of the step return within its anchor-state group
 *       ({@link GigpoStepAdvantage}), and A_t = A^E_t + ω·A^S_t. The other estimators report A^S_t
 *       = 0 and A_t = A^E_t.
 * </ul>
 *
 * <p>Every estimator reports each step's discounted return G_t and anchor-group size ({@link
 * StepCredit}), computed by {@link GigpoStepAdvantage}.
 *
 * <p>The group is everything passed to one {@link #estimate} call; groups are never merged. The
 * instance is stateless apart from its parameters and safe to share between threads.
 */
public final class CreditEstimator implements Serializable {

    private static final long serialVersionUID = 1L;

    private final CreditParams params;

    public CreditEstimator(CreditParams params) {
        this.params = Objects.requireNonNull(params, "params");
        if (params.estimator() == Estimator.OPRL) {
            throw new IllegalArgumentException(
                    "oprl learns a PRM across groups; use OprlCreditAssigner, not CreditEstimator");
        }
    }

    public CreditParams params() {
        return params;
    }

    /**
     * The credit of every step of one group.
     *
     * @param group the group's trajectories; their order defines which row comes first
     * @return one list per trajectory, in input order, with one credit per step, in step order
     */
    public List<List<StepCredit>> estimate(List<TrajectorySample> group) {
        return estimate(
                group,
                (rows, stepReturn, anchors) ->
                        GigpoStepAdvantage.stepAdvantages(rows, stepReturn, anchors, params));
    }

    /**
     * GiGPO's step level A^S of every row, given the rows' step returns G_t and anchor groups: the
     * plain form normalises within the group's own anchor groups, {@link AnchorMemory} pools them
     * with the task's earlier groups.
     */
    @FunctionalInterface
    interface StepLevel {
        double[] stepAdvantages(
                List<TrajectorySample> group, double[] stepReturn, AnchorGroups anchors);
    }

    /** {@link #estimate(List)} with GiGPO's step level computed by {@code stepLevel}. */
    List<List<StepCredit>> estimate(List<TrajectorySample> group, StepLevel stepLevel) {
        Objects.requireNonNull(group, "group");
        if (group.isEmpty()) {
            throw new IllegalArgumentException("a group needs at least one trajectory");
        }
        int trajectoryCount = group.size();
        int rowCount = 0;
        for (int t = 0; t < trajectoryCount; t++) {
            TrajectorySample trajectory =
                    Objects.requireNonNull(group.get(t), "trajectory " + t + " of the group");
            rowCount += trajectory.steps().size();
        }

        double[] stepReturn = GigpoStepAdvantage.stepReturns(group, rowCount, params.gamma());
        // Similarity grouping is GiGPO's option; the other estimators report exact anchor groups.
        AnchorSimilarity similarity =
                params.estimator() == Estimator.GIGPO
                        ? params.anchorSimilarity()
                        : AnchorSimilarity.defaults();
        AnchorGroups anchors = GigpoStepAdvantage.anchorGroups(group, rowCount, similarity);
        RowCredits rows =
                switch (params.estimator()) {
                    case TEMPO -> TempoAdvantage.compute(group, rowCount, params);
                    case PURE -> PureAdvantage.compute(group, rowCount, params);
                    case IGPO -> IgpoAdvantage.compute(group, rowCount, params);
                    default -> null;
                };
        if (rows != null) {
            return credits(group, rows, stepReturn, anchors);
        }
        int[] firstRow = new int[trajectoryCount];
        double[] score = scores(group, rowCount, firstRow);
        double[] episodeAdvantage = episodeAdvantages(score, firstRow);
        boolean gigpo = params.estimator() == Estimator.GIGPO;
        double[] stepAdvantage =
                gigpo ? stepLevel.stepAdvantages(group, stepReturn, anchors) : new double[rowCount];

        double weight = params.stepAdvantageWeight();
        List<List<StepCredit>> credits = new ArrayList<>(trajectoryCount);
        int row = 0;
        for (int t = 0; t < trajectoryCount; t++) {
            int length = group.get(t).steps().size();
            List<StepCredit> trajectoryCredits = new ArrayList<>(length);
            for (int s = 0; s < length; s++, row++) {
                double advantage =
                        gigpo
                                ? episodeAdvantage[row] + weight * stepAdvantage[row]
                                : episodeAdvantage[row];
                trajectoryCredits.add(
                        new StepCredit(
                                advantage,
                                episodeAdvantage[row],
                                stepAdvantage[row],
                                stepReturn[row],
                                anchors.sizeOf(row)));
            }
            credits.add(Collections.unmodifiableList(trajectoryCredits));
        }
        return Collections.unmodifiableList(credits);
    }

    /** The credits of a TEMPO, PURE or IGPO group from its kernel's rows. */
    private static List<List<StepCredit>> credits(
            List<TrajectorySample> group,
            RowCredits rows,
            double[] stepReturn,
            AnchorGroups anchors) {
        List<List<StepCredit>> credits = new ArrayList<>(group.size());
        int row = 0;
        for (TrajectorySample trajectory : group) {
            int length = trajectory.steps().size();
            List<StepCredit> trajectoryCredits = new ArrayList<>(length);
            for (int s = 0; s < length; s++, row++) {
                trajectoryCredits.add(
                        new StepCredit(
                                rows.advantage()[row],
                                rows.episodeAdvantage()[row],
                                rows.stepAdvantage()[row],
                                stepReturn[row],
                                anchors.sizeOf(row),
                                rows.processReward()[row]));
            }
            credits.add(Collections.unmodifiableList(trajectoryCredits));
        }
        return Collections.unmodifiableList(credits);
    }

    /**
     * score_t = R − c·inv_t of every row; fills {@code firstRow} with each trajectory's first row.
     */
    private double[] scores(List<TrajectorySample> group, int rowCount, int[] firstRow) {
        double penalty = params.invalidActionPenalty();
        double[] score = new double[rowCount];
        int row = 0;
        for (int t = 0; t < group.size(); t++) {
            TrajectorySample trajectory = group.get(t);
            firstRow[t] = row;
            for (StepSample step : trajectory.steps()) {
                score[row] =
                        step.invalidAction()
                                ? trajectory.episodeReturn() - penalty
                                : trajectory.episodeReturn();
                row++;
            }
        }
        return score;
    }

    /** A^E of every row: each row's own score against the statistics of the episode multiset. */
    private double[] episodeAdvantages(double[] score, int[] firstRow) {
        Stats stats = GroupNormalizer.stats(episodeMultiset(score, firstRow));
        double epsilon = params.epsilon();
        double[] advantage = new double[score.length];
        for (int i = 0; i < score.length; i++) {
            switch (params.estimator()) {
                case GRPO:
                case GIGPO:
                    advantage[i] =
                            GroupNormalizer.normalize(
                                    score[i],
                                    stats,
                                    params.normalization().dividesByStd(),
                                    epsilon,
                                    SingletonRule.RAW_SCORE);
                    break;
                case DR_GRPO:
                    // Dr.GRPO is defined by norm_adv_by_std_in_grpo=False, whatever the setting.
                    advantage[i] =
                            GroupNormalizer.normalize(
                                    score[i], stats, false, epsilon, SingletonRule.RAW_SCORE);
                    break;
                case RLOO:
                    advantage[i] = GroupNormalizer.leaveOneOut(score[i], stats);
                    break;
                default:
                    throw new IllegalStateException("unhandled estimator " + params.estimator());
            }
        }
        return advantage;
    }

    private double[] episodeMultiset(double[] score, int[] firstRow) {
        if (params.episodeNormScope() == EpisodeNormScope.STEPS) {
            return score;
        }
        double[] firstScores = new double[firstRow.length];
        for (int t = 0; t < firstRow.length; t++) {
            firstScores[t] = score[firstRow[t]];
        }
        return firstScores;
    }
}
