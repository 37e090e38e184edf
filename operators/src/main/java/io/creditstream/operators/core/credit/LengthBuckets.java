package io.creditstream.operators.core.credit;

import java.util.List;

/**
 * Fixed buckets of trajectory length (steps), for counting the trajectories the staleness check
 * kept and dropped by length: counters per bucket add up across subtasks and restarts, which a
 * windowed histogram's quantiles do not, and a length distribution (not only a mean) shows whether
 * dropping removes the long episodes. The bounds are one step apart up to 10 and ever coarser above
 * (2, 5, 10, then 50 steps and more), so that a median is resolved to a few steps for the short
 * episodes of a small task and to a tenth for the long ones (the 7x11 maze's limit is 100).
 */
public final class LengthBuckets {
    private LengthBuckets() {}

    /** Inclusive upper bounds of the buckets before the last; the last holds every longer one. */
    public static final List<Integer> UPPER_BOUNDS =
            List.of(
                    1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 12, 14, 16, 18, 20, 25, 30, 35, 40, 50, 60, 70,
                    80, 90, 100, 150, 200, 300, 500, 1000);

    /** The label of the last, unbounded bucket. */
    public static final String UNBOUNDED = "inf";

    /** How many buckets there are. */
    public static int count() {
        return UPPER_BOUNDS.size() + 1;
    }

    /**
     * The bucket a trajectory of {@code length} steps falls in: the first bound it does not exceed.
     */
    public static int bucketOf(int length) {
        for (int i = 0; i < UPPER_BOUNDS.size(); i++) {
            if (length <= UPPER_BOUNDS.get(i)) {
                return i;
            }
        }
        return UPPER_BOUNDS.size();
    }

    /** The label of bucket {@code index}: its upper bound, or {@value #UNBOUNDED} for the last. */
    public static String label(int index) {
        return index < UPPER_BOUNDS.size() ? String.valueOf(UPPER_BOUNDS.get(index)) : UNBOUNDED;
    }

    /**
     * The {@code q}-quantile of the lengths counted in {@code counts} (one per bucket), linearly
     * interpolated within its bucket as if the lengths there were spread evenly over (lower,
     * upper]; for the unbounded bucket, its lower bound (the quantile is at least that). NaN when
     * nothing was counted.
     *
     * @throws IllegalArgumentException if {@code counts} has not one entry per bucket or q is not
     *     in [0, 1]
     */
    public static double quantile(long[] counts, double q) {
        if (counts.length != count()) {
            throw new IllegalArgumentException(
                    "expected " + count() + " bucket counts, got " + counts.length);
        }
        if (!(q >= 0 && q <= 1)) {
            throw new IllegalArgumentException("quantile must be in [0, 1], got " + q);
        }
        long total = 0;
        for (long c : counts) {
            total += c;
        }
        if (total == 0) {
            return Double.NaN;
        }
        double rank = q * total;
        long below = 0;
        for (int i = 0; i < counts.length; i++) {
            if (counts[i] > 0 && below + counts[i] >= rank) {
                double lower = i == 0 ? 0 : UPPER_BOUNDS.get(i - 1);
                if (i == UPPER_BOUNDS.size()) {
                    return lower;
                }
                double upper = UPPER_BOUNDS.get(i);
                return lower + (upper - lower) * (rank - below) / counts[i];
            }
            below += counts[i];
        }
        throw new IllegalStateException("unreachable: the rank lies within the total");
    }
}
