package io.creditstream.tools.soak;

import io.creditstream.operators.core.input.DeadLetterReason;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.ToDoubleFunction;

/**
 * What the soak concludes from its samples and counts, as plain arithmetic: whether a figure stayed
 * flat (means of the two halves after the warm-up, least-squares slope), and whether every record
 * had the fate it must have.
 */
public final class SoakStatistics {
    private SoakStatistics() {}

    /**
     * A figure's course after the warm-up.
     *
     * @param samples the samples after the warm-up
     * @param firstHalfMean mean of the earlier half of them (the later half has the odd one)
     * @param secondHalfMean mean of the later half
     * @param slopePerMinute least-squares slope against elapsed minutes; NaN under 2 samples or
     *     when they share one time
     */
    public record Trend(
            int samples, double firstHalfMean, double secondHalfMean, double slopePerMinute) {

        /** The second half's mean relative to the first's, in percent; NaN from a zero mean. */
        public double changePercent() {
            return firstHalfMean == 0
                    ? Double.NaN
                    : 100 * (secondHalfMean - firstHalfMean) / firstHalfMean;
        }
    }

    /**
     * The trend of {@code value} over the samples taken at or after {@code warmUpSeconds}.
     * Comparing halves shows a step or a rise; the slope shows a steady creep that would go
     * unnoticed between two neighbouring means.
     */
    public static Trend trend(
            List<SoakSample> samples, ToDoubleFunction<SoakSample> value, double warmUpSeconds) {
        List<SoakSample> after =
                samples.stream().filter(s -> s.elapsedSeconds() >= warmUpSeconds).toList();
        int n = after.size();
        int half = n / 2;
        return new Trend(
                n,
                mean(after.subList(0, half), value),
                mean(after.subList(half, n), value),
                slopePerMinute(after, value));
    }

    private static double mean(List<SoakSample> samples, ToDoubleFunction<SoakSample> value) {
        return samples.stream().mapToDouble(value).average().orElse(Double.NaN);
    }

    /** Ordinary least squares of value against elapsed minutes. */
    static double slopePerMinute(List<SoakSample> samples, ToDoubleFunction<SoakSample> value) {
        int n = samples.size();
        if (n < 2) {
            return Double.NaN;
        }
        double meanX = 0;
        double meanY = 0;
        for (SoakSample s : samples) {
            meanX += s.elapsedSeconds() / 60;
            meanY += value.applyAsDouble(s);
        }
        meanX /= n;
        meanY /= n;
        double sxy = 0;
        double sxx = 0;
        for (SoakSample s : samples) {
            double dx = s.elapsedSeconds() / 60 - meanX;
            sxy += dx * (value.applyAsDouble(s) - meanY);
            sxx += dx * dx;
        }
        return sxx == 0 ? Double.NaN : sxy / sxx;
    }

    /**
     * The dead letters the hostile records must cause, by reason code: one per instance of each
     * kind that has a reason.
     */
    public static Map<String, Long> expectedDeadLetters(Map<HostileKind, Long> instances) {
        Map<String, Long> expected = new TreeMap<>();
        instances.forEach(
                (kind, count) -> {
                    DeadLetterReason reason = kind.expectedReason();
                    if (reason != null && count > 0) {
                        expected.merge(reason.code(), count, Long::sum);
                    }
                });
        return expected;
    }

    /** The duplicate steps the hostile records must cause: one per identical re-send. */
    public static long expectedDuplicates(Map<HostileKind, Long> instances) {
        return instances.getOrDefault(HostileKind.IDENTICAL_RESEND, 0L);
    }

    /**
     * Where every record sent went, after the drain.
     *
     * @param goodSteps good steps sent; each must come out as exactly one advantage record
     * @param hostileRecords hostile records sent
     * @param deadLettersByReason dead letters counted by the job, by reason (only those above 0)
     */
    public record Accounting(
            long goodSteps,
            long hostileRecords,
            long eventsIn,
            long recordsOut,
            Map<String, Long> expectedDeadLetters,
            Map<String, Long> deadLettersByReason,
            long expectedDuplicates,
            long duplicateSteps) {

        public Accounting {
            expectedDeadLetters = Map.copyOf(expectedDeadLetters);
            deadLettersByReason = Map.copyOf(deadLettersByReason);
        }

        /** Every good step came out once: no fewer (lost) and no more (counted twice). */
        public boolean everyGoodStepOut() {
            return recordsOut == goodSteps;
        }

        /** The job read every record sent. */
        public boolean everyRecordIn() {
            return eventsIn == goodSteps + hostileRecords;
        }

        /** Each hostile record had its one expected fate, and nothing else was rejected. */
        public boolean hostileAsExpected() {
            return expectedDeadLetters.equals(deadLettersByReason)
                    && expectedDuplicates == duplicateSteps;
        }

        public boolean balanced() {
            return everyGoodStepOut() && everyRecordIn() && hostileAsExpected();
        }

        public long deadLetters() {
            return deadLettersByReason.values().stream().mapToLong(Long::longValue).sum();
        }

        public long expectedDeadLetterTotal() {
            return expectedDeadLetters.values().stream().mapToLong(Long::longValue).sum();
        }
    }
}
