package io.creditstream.operators.core.credit;

import java.util.Objects;

/**
 * The verl group normalisation (VN, docs/ALGORITHMS.md §0) that every estimator shares, in double
 * precision.
 *
 * <p>For a multiset X of n values: mean = Σx/n and the unbiased std = sqrt(Σ(x − mean)²/(n − 1)),
 * both computed in two passes; a value x normalises to {@code (x − mean)/(std + eps)}, or to {@code
 * x − mean} when the std division is off. Two rules differ from the plain formula:
 *
 * <ul>
 *   <li>Singleton (n = 1): the episode level uses mean 0 and std 1, so the result is the raw value
 *       (divided by 1 + eps); the GiGPO step level uses the value itself as the mean, so the result
 *       is 0. {@link SingletonRule} picks one.
 *   <li>All equal (n &gt; 1, max = min): the mean is taken to be that common value exactly and the
 *       std to be 0, so each member normalises to exactly 0. Upstream float32 code can leave a
 *       one-ulp mean error that the tiny std then blows up to O(0.5); this rule removes that
 *       artifact instead of reproducing it.
 * </ul>
 */
public final class GroupNormalizer {

    /** What a group with a single value normalises to. */
    public enum SingletonRule {
        /** verl / GiGPO episode level: mean 0, std 1, so x becomes x/(1 + eps), or x. */
        RAW_SCORE,
        /** GiGPO step level: the mean is the value itself, so the result is 0. */
        ZERO
    }

    /**
     * The statistics of one group.
     *
     * @param count the number of values, at least 1
     * @param mean Σx/n, or the common value exactly when all values are equal
     * @param std the unbiased std; 0 when all values are equal or n = 1
     * @param allEqual whether n &gt; 1 and every value is equal
     */
    public record Stats(int count, double mean, double std, boolean allEqual) {

        public Stats {
            if (count < 1) {
                throw new IllegalArgumentException("a group needs at least one value");
            }
        }
    }

    private GroupNormalizer() {}

    /** The statistics of all {@code values}, which must not be empty. */
    public static Stats stats(double[] values) {
        Objects.requireNonNull(values, "values");
        if (values.length == 0) {
            throw new IllegalArgumentException("cannot normalise an empty group");
        }
        return statsByGroup(values, new int[values.length], 1)[0];
    }

    /**
     * The statistics of each group in one linear pass pair: value i belongs to group {@code
     * groupIds[i]}, which lies in [0, groupCount) and must have at least one value.
     */
    public static Stats[] statsByGroup(double[] values, int[] groupIds, int groupCount) {
        Objects.requireNonNull(values, "values");
        Objects.requireNonNull(groupIds, "groupIds");
        if (values.length != groupIds.length) {
            throw new IllegalArgumentException(
                    values.length + " values but " + groupIds.length + " group ids");
        }
        int[] count = new int[groupCount];
        double[] sum = new double[groupCount];
        double[] min = new double[groupCount];
        double[] max = new double[groupCount];
        for (int i = 0; i < values.length; i++) {
            int g = groupIds[i];
            double v = values[i];
            if (count[g] == 0) {
                min[g] = v;
                max[g] = v;
            } else if (v < min[g]) {
                min[g] = v;
            } else if (v > max[g]) {
                max[g] = v;
            }
            count[g]++;
            sum[g] += v;
        }
        double[] mean = new double[groupCount];
        for (int g = 0; g < groupCount; g++) {
            if (count[g] == 0) {
                throw new IllegalArgumentException("group " + g + " has no values");
            }
            mean[g] = sum[g] / count[g];
        }
        // Second pass over the deviations: the textbook torch.std formula, free of the
        // cancellation that Σx² − (Σx)²/n suffers.
        double[] squares = new double[groupCount];
        for (int i = 0; i < values.length; i++) {
            int g = groupIds[i];
            double d = values[i] - mean[g];
            squares[g] += d * d;
        }
        Stats[] stats = new Stats[groupCount];
        for (int g = 0; g < groupCount; g++) {
            int n = count[g];
            if (n == 1) {
                stats[g] = new Stats(1, mean[g], 0.0, false);
            } else if (min[g] == max[g]) {
                stats[g] = new Stats(n, min[g], 0.0, true);
            } else {
                stats[g] = new Stats(n, mean[g], Math.sqrt(squares[g] / (n - 1)), false);
            }
        }
        return stats;
    }

    /**
     * Normalises x against a group's statistics. x is usually a member of the group; under the
     * trajectory episode scope it can be a later row's score that is not, and then the plain
     * formula applies with the group's mean and std (as upstream does).
     */
    public static double normalize(
            double x, Stats stats, boolean divideByStd, double epsilon, SingletonRule singleton) {
        if (stats.count() == 1) {
            if (singleton == SingletonRule.ZERO) {
                return 0.0;
            }
            return divideByStd ? x / (1.0 + epsilon) : x;
        }
        double deviation = x - stats.mean();
        if (deviation == 0) {
            // Exact 0 even when std + eps is 0 (all equal, eps 0), and never -0.0.
            return 0.0;
        }
        return divideByStd ? deviation / (stats.std() + epsilon) : deviation;
    }

    /**
     * The verl RLOO advantage of x: n/(n − 1)·(x − mean) with n = the group size, and x itself for
     * a singleton group.
     */
    public static double leaveOneOut(double x, Stats stats) {
        int n = stats.count();
        if (n == 1) {
            return x;
        }
        double deviation = x - stats.mean();
        if (deviation == 0) {
            return 0.0;
        }
        return (double) n / (n - 1) * deviation;
    }

    /** Episode-level VN of a whole multiset: a singleton keeps its raw value (÷(1 + eps)). */
    public static double[] normalize(double[] values, boolean divideByStd, double epsilon) {
        return normalizeWithinGroups(
                values, new int[values.length], 1, divideByStd, epsilon, SingletonRule.RAW_SCORE);
    }

    /** GiGPO step-level VN of a whole multiset: a singleton normalises to 0. */
    public static double[] normalizeStepLevel(
            double[] values, boolean divideByStd, double epsilon) {
        return normalizeWithinGroups(
                values, new int[values.length], 1, divideByStd, epsilon, SingletonRule.ZERO);
    }

    /**
     * VN of every value within its own group, in time linear in the number of values; see {@link
     * #statsByGroup} for the group ids.
     */
    public static double[] normalizeWithinGroups(
            double[] values,
            int[] groupIds,
            int groupCount,
            boolean divideByStd,
            double epsilon,
            SingletonRule singleton) {
        Objects.requireNonNull(singleton, "singleton");
        Stats[] stats = statsByGroup(values, groupIds, groupCount);
        double[] normalized = new double[values.length];
        for (int i = 0; i < values.length; i++) {
            normalized[i] =
                    normalize(values[i], stats[groupIds[i]], divideByStd, epsilon, singleton);
        }
        return normalized;
    }
}
