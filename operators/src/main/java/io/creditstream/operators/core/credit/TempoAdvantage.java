package io.creditstream.operators.core.credit;

import io.creditstream.operators.core.credit.GroupNormalizer.Stats;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * TEMPO's prefix-tree advantage (docs/ALGORITHMS.md §5) with agent steps as the tokens.
 *
 * <p>The trajectories of a group form a tree: each step is one node, keyed by its {@link
 * StepSample#actionKey()}, and two trajectories share a node while their keys agree position by
 * position from the first step. V(node) is the mean outcome of the trajectories through it and V of
 * the root is the group mean μ. Step k of trajectory i, with parent node p and its own node c, gets
 *
 * <pre>A = (((r_i − μ) + V(c)) − V(p)) / (σ + ε)</pre>
 *
 * <p>with σ the unbiased std of the outcomes, or no division under {@code credit.normalization=
 * mean}. The numerator is summed in that order, as the reference does. A group of one trajectory (σ
 * undefined upstream) and a group whose outcomes are all equal get A = 0 at every step. A step
 * without a key never shares its node, so its trajectory branches there. Linear in the group's
 * steps: one hash lookup per step.
 */
final class TempoAdvantage {

    private TempoAdvantage() {}

    /** A node of the prefix tree: the outcomes of the trajectories through it. */
    private static final class Node {
        private double sum;
        private int count;
        private Map<String, Node> children;

        double value() {
            return sum / count;
        }

        Node child(String key) {
            if (key == null) {
                return new Node();
            }
            if (children == null) {
                children = new HashMap<>();
            }
            return children.computeIfAbsent(key, k -> new Node());
        }
    }

    static RowCredits compute(List<TrajectorySample> group, int rowCount, CreditParams params) {
        int n = group.size();
        double[] outcome = new double[n];
        for (int t = 0; t < n; t++) {
            outcome[t] = group.get(t).episodeReturn();
        }
        Stats stats = GroupNormalizer.stats(outcome);
        RowCredits rows = RowCredits.zeros(rowCount);
        if (n == 1 || stats.allEqual()) {
            // σ := 1 for a singleton (upstream divides by a NaN std) makes every numerator 0, as
            // does a group whose outcomes are all equal.
            return rows;
        }
        Node root = new Node();
        Node[] nodeOfRow = new Node[rowCount];
        int row = 0;
        for (int t = 0; t < n; t++) {
            Node node = root;
            for (StepSample step : group.get(t).steps()) {
                node = node.child(step.actionKey());
                node.sum += outcome[t];
                node.count++;
                nodeOfRow[row++] = node;
            }
        }
        double mean = stats.mean();
        double denominator =
                params.normalization().dividesByStd() ? stats.std() + params.epsilon() : 1.0;
        row = 0;
        for (int t = 0; t < n; t++) {
            double deviation = outcome[t] - mean;
            double parentValue = mean;
            int length = group.get(t).steps().size();
            for (int s = 0; s < length; s++, row++) {
                double childValue = nodeOfRow[row].value();
                double numerator = (deviation + childValue) - parentValue;
                rows.advantage()[row] = numerator / denominator;
                rows.episodeAdvantage()[row] = deviation / denominator;
                rows.stepAdvantage()[row] = (childValue - parentValue) / denominator;
                parentValue = childValue;
            }
        }
        return rows;
    }
}
