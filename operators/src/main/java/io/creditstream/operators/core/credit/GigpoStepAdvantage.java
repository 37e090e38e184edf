package io.creditstream.operators.core.credit;

import io.creditstream.operators.core.credit.GroupNormalizer.SingletonRule;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * GiGPO's step level (docs/ALGORITHMS.md §1): within one rollout group, the steps that acted from
 * the same state form an anchor-state group, and a step's advantage A^S is its discounted return
 * normalised within that group.
 *
 * <p>A row is one step of the group: trajectories in input order, each in step order, the order
 * {@link CreditEstimator} uses. Per row t of a trajectory with penalty c:
 *
 * <ul>
 *   <li>anchor group: rows whose steps have equal anchor keys share one, numbered in the order of
 *       their first row; a step without a key is an anchor group of its own. With {@link
 *       AnchorSimilarity} on, keys are clustered greedily by their difflib ratio instead;
 *   <li>G_t = r_t + γ·G_{t+1} on the raw rewards (G past the last step = 0);
 *   <li>stepR_t = G_t − c·inv_t: the penalty is not discounted back;
 *   <li>A^S_t is the step-level VN of stepR_t within its anchor group ({@link GroupNormalizer}): a
 *       singleton anchor group gives 0, and {@code credit.normalization} says whether to divide by
 *       the std.
 * </ul>
 *
 * <p>Every estimator reports G_t and the anchor-group size of a step; only GiGPO adds ω·A^S_t to
 * its advantage.
 */
final class GigpoStepAdvantage {

    private GigpoStepAdvantage() {}

    /** The anchor-state groups of one rollout group's rows. */
    static final class AnchorGroups {
        private final int[] groupOfRow;
        private final int count;
        private final int[] size;
        private final String[] keys;

        private AnchorGroups(int[] groupOfRow, int count, String[] keys) {
            this.groupOfRow = groupOfRow;
            this.count = count;
            this.keys = keys;
            this.size = new int[count];
            for (int group : groupOfRow) {
                size[group]++;
            }
        }

        /** The anchor group of {@code row}, numbered in the order of their first rows. */
        int groupOf(int row) {
            return groupOfRow[row];
        }

        /** Rows of the group that share {@code row}'s anchor group, the row itself included. */
        int sizeOf(int row) {
            return size[groupOfRow[row]];
        }

        /** How many anchor groups there are. */
        int count() {
            return count;
        }

        /** The anchor group of every row (shared, not copied). */
        int[] groupOfRows() {
            return groupOfRow;
        }

        /**
         * The exact anchor key of anchor group {@code group}; null for a step without a key, and
         * for every group of a similarity clustering (its members' keys differ).
         */
        String keyOf(int group) {
            return keys == null ? null : keys[group];
        }
    }

    /**
     * The anchor groups of a group's {@code rowCount} rows: the anchor key of a step is its state
     * identity ({@link StepSample#anchorKey()}), matched exactly or, with {@code similarity} on, by
     * similarity.
     */
    static AnchorGroups anchorGroups(
            List<TrajectorySample> group, int rowCount, AnchorSimilarity similarity) {
        return similarity.enabled()
                ? similarAnchorGroups(group, rowCount, similarity.threshold())
                : exactAnchorGroups(group, rowCount);
    }

    private static AnchorGroups exactAnchorGroups(List<TrajectorySample> group, int rowCount) {
        int[] groupOfRow = new int[rowCount];
        String[] keys = new String[rowCount];
        Map<String, Integer> anchorIds = new HashMap<>();
        int count = 0;
        int row = 0;
        for (TrajectorySample trajectory : group) {
            for (StepSample step : trajectory.steps()) {
                String key = step.anchorKey();
                if (key == null) {
                    groupOfRow[row] = count++;
                } else {
                    Integer id = anchorIds.putIfAbsent(key, count);
                    if (id == null) {
                        keys[count] = key;
                        groupOfRow[row] = count++;
                    } else {
                        groupOfRow[row] = id;
                    }
                }
                row++;
            }
        }
        return new AnchorGroups(groupOfRow, count, keys);
    }

    /**
     * The reference's greedy clustering: in row order, a row joins the first cluster whose first
     * member's key has {@code ratio(row's key, that key) >= threshold}, else it starts one.
     *
     * <p>Two shortcuts that cannot change the result: clusters are only ever appended and their
     * first members never change, so a key seen before need not be compared again with the clusters
     * before the one it joined last time; and a comparison whose upper bounds (length, then shared
     * characters) are below the threshold skips the full ratio.
     */
    private static AnchorGroups similarAnchorGroups(
            List<TrajectorySample> group, int rowCount, double threshold) {
        int[] groupOfRow = new int[rowCount];
        // Each key as code points once: a row is compared with many clusters.
        List<int[]> firstKeys = new ArrayList<>();
        List<Integer> clusterIds = new ArrayList<>();
        Map<String, Integer> firstCandidate = new HashMap<>();
        int count = 0;
        int row = 0;
        for (TrajectorySample trajectory : group) {
            for (StepSample step : trajectory.steps()) {
                String key = step.anchorKey();
                if (key == null) {
                    groupOfRow[row++] = count++;
                    continue;
                }
                int[] points = key.codePoints().toArray();
                int cluster = firstCandidate.getOrDefault(key, 0);
                while (cluster < firstKeys.size()
                        && !similar(points, firstKeys.get(cluster), threshold)) {
                    cluster++;
                }
                if (cluster == firstKeys.size()) {
                    firstKeys.add(points);
                    clusterIds.add(count++);
                }
                firstCandidate.put(key, cluster);
                groupOfRow[row++] = clusterIds.get(cluster);
            }
        }
        return new AnchorGroups(groupOfRow, count, null);
    }

    private static boolean similar(int[] key, int[] firstKey, double threshold) {
        int a = key.length;
        int b = firstKey.length;
        // difflib's real_quick_ratio(): at most every character of the shorter string matches.
        if (a + b > 0 && 2.0 * Math.min(a, b) / (a + b) < threshold) {
            return false;
        }
        if (SequenceMatcherRatio.quickRatioBound(key, firstKey) < threshold) {
            return false;
        }
        return SequenceMatcherRatio.ratio(key, firstKey, true) >= threshold;
    }

    /** G_t of every row: the discounted return of the raw rewards from that step on. */
    static double[] stepReturns(List<TrajectorySample> group, int rowCount, double gamma) {
        double[] stepReturn = new double[rowCount];
        int row = 0;
        for (TrajectorySample trajectory : group) {
            List<StepSample> steps = trajectory.steps();
            double g = 0.0;
            for (int s = steps.size() - 1; s >= 0; s--) {
                g = steps.get(s).reward() + gamma * g;
                stepReturn[row + s] = g;
            }
            row += steps.size();
        }
        return stepReturn;
    }

    /**
     * A^S of every row: stepR_t = G_t − c·inv_t normalised within its anchor group.
     *
     * @param stepReturns G_t of every row, from {@link #stepReturns}
     */
    static double[] stepAdvantages(
            List<TrajectorySample> group,
            double[] stepReturns,
            AnchorGroups anchors,
            CreditParams params) {
        double[] stepR = penalisedStepReturns(group, stepReturns, params.invalidActionPenalty());
        return GroupNormalizer.normalizeWithinGroups(
                stepR,
                anchors.groupOfRow,
                anchors.count,
                params.normalization().dividesByStd(),
                params.epsilon(),
                SingletonRule.ZERO);
    }

    /** stepR_t = G_t − c·inv_t of every row: the values the step level normalises. */
    static double[] penalisedStepReturns(
            List<TrajectorySample> group, double[] stepReturns, double penalty) {
        double[] stepR = new double[stepReturns.length];
        int row = 0;
        for (TrajectorySample trajectory : group) {
            for (StepSample step : trajectory.steps()) {
                stepR[row] = step.invalidAction() ? stepReturns[row] - penalty : stepReturns[row];
                row++;
            }
        }
        return stepR;
    }
}
