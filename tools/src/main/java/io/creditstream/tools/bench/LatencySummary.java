package io.creditstream.tools.bench;

import java.util.Arrays;

/**
 * Percentiles of latencies in milliseconds, nearest-rank: the p-th percentile is the smallest value
 * with at least p% of the values at or below it, so it is always a latency that was seen.
 *
 * @param count how many latencies
 * @param p50 the median
 * @param p99 the 99th percentile
 * @param max the largest
 */
public record LatencySummary(int count, long p50, long p99, long max) {

    /** The summary of {@code millis}; the array is not modified. */
    public static LatencySummary of(long[] millis) {
        if (millis.length == 0) {
            throw new IllegalArgumentException("no latencies to summarise");
        }
        long[] sorted = millis.clone();
        Arrays.sort(sorted);
        return new LatencySummary(
                sorted.length,
                nearestRank(sorted, 0.50),
                nearestRank(sorted, 0.99),
                sorted[sorted.length - 1]);
    }

    static long nearestRank(long[] sorted, double quantile) {
        int rank = (int) Math.ceil(quantile * sorted.length);
        return sorted[Math.max(rank, 1) - 1];
    }
}
