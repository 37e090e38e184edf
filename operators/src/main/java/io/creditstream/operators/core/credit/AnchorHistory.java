package io.creditstream.operators.core.credit;

import java.util.Arrays;

/**
 * What a task remembers of one anchor state: per recent group that reached it, the summary of the
 * step values (stepR_t = G_t − c·inv_t) its rows had there, oldest group first. A summary is the
 * count, the sum, the sum of squared deviations from that group's own mean, and the min and max:
 * exactly what the weighted pooled mean and std of §1.7 need, so no single return is stored.
 *
 * <p>A mutable Flink POJO (public fields, no-arg constructor), kept as the value of map state keyed
 * by anchor key. The arrays are parallel and never longer than {@code
 * credit.gigpo.anchor-memory.groups}.
 */
public class AnchorHistory {

    /** The task's group number of the newest summary: how recently the anchor was seen. */
    public long lastGroup;

    /** The task's group number of each summary, ascending. */
    public long[] groups = new long[0];

    public int[] counts = new int[0];
    public double[] sums = new double[0];

    /** Σ(x − that group's mean)² over the group's rows of this anchor. */
    public double[] squaredDeviations = new double[0];

    public double[] mins = new double[0];
    public double[] maxs = new double[0];

    public AnchorHistory() {}

    /** How many group summaries are held. */
    public int size() {
        return groups.length;
    }

    /**
     * A new history: this one's summaries from groups still inside the window when group {@code
     * group} + 1 comes (group numbers above {@code group − window}), then the summary of {@code
     * values} for group {@code group}. This one is not changed.
     *
     * @param values the step values of the anchor's rows in group {@code group}, in row order
     */
    AnchorHistory followedBy(long group, double[] values, int window) {
        int keep = 0;
        while (keep < groups.length && groups[groups.length - 1 - keep] > group - window) {
            keep++;
        }
        // Summaries are appended in group order, so the kept ones are the newest `keep`.
        int from = groups.length - keep;
        AnchorHistory next = new AnchorHistory();
        next.lastGroup = group;
        next.groups = Arrays.copyOfRange(groups, from, groups.length + 1);
        next.counts = Arrays.copyOfRange(counts, from, counts.length + 1);
        next.sums = Arrays.copyOfRange(sums, from, sums.length + 1);
        next.squaredDeviations =
                Arrays.copyOfRange(squaredDeviations, from, squaredDeviations.length + 1);
        next.mins = Arrays.copyOfRange(mins, from, mins.length + 1);
        next.maxs = Arrays.copyOfRange(maxs, from, maxs.length + 1);

        double sum = 0;
        double min = values[0];
        double max = values[0];
        for (double v : values) {
            sum += v;
            min = Math.min(min, v);
            max = Math.max(max, v);
        }
        double mean = sum / values.length;
        double squares = 0;
        for (double v : values) {
            double d = v - mean;
            squares += d * d;
        }
        next.groups[keep] = group;
        next.counts[keep] = values.length;
        next.sums[keep] = sum;
        next.squaredDeviations[keep] = min == max ? 0.0 : squares;
        next.mins[keep] = min;
        next.maxs[keep] = max;
        return next;
    }

    @Override
    public String toString() {
        return "AnchorHistory{lastGroup="
                + lastGroup
                + ", groups="
                + Arrays.toString(groups)
                + ", counts="
                + Arrays.toString(counts)
                + ", sums="
                + Arrays.toString(sums)
                + "}";
    }
}
