package io.creditstream.tools.soak;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SoakStatisticsTest {

    /** Samples every 10 s; sample i has a heap of {@code heap(i)} bytes and i open episodes. */
    private static List<SoakSample> samples(int count, java.util.function.IntToLongFunction heap) {
        List<SoakSample> samples = new ArrayList<>();
        for (int i = 1; i <= count; i++) {
            samples.add(
                    new SoakSample(
                            10.0 * i, 0, 0, 0, 0, 0, 0, heap.applyAsLong(i), 0, 0, 0, i, 0, 0));
        }
        return samples;
    }

    @Test
    void aFlatFigureHasEqualHalvesAndNoSlope() {
        SoakStatistics.Trend trend =
                SoakStatistics.trend(samples(60, i -> 200), SoakSample::heapBytes, 120);

        assertThat(trend.samples()).isEqualTo(49);
        assertThat(trend.firstHalfMean()).isEqualTo(200);
        assertThat(trend.secondHalfMean()).isEqualTo(200);
        assertThat(trend.changePercent()).isZero();
        assertThat(trend.slopePerMinute()).isZero();
    }

    @Test
    void aLinearCreepShowsAsItsSlopePerMinute() {
        // One unit per 10 s sample: 6 per minute.
        SoakStatistics.Trend trend =
                SoakStatistics.trend(samples(60, i -> 1000 + i), SoakSample::heapBytes, 0);

        assertThat(trend.slopePerMinute()).isCloseTo(6, within(1e-9));
        // Samples 1..30 and 31..60: means 1015.5 and 1045.5.
        assertThat(trend.firstHalfMean()).isEqualTo(1015.5);
        assertThat(trend.secondHalfMean()).isEqualTo(1045.5);
        assertThat(trend.changePercent()).isCloseTo(100 * 30 / 1015.5, within(1e-9));
    }

    @Test
    void theWarmUpIsLeftOutAndTheOddSampleGoesToTheSecondHalf() {
        // A start-up bump in the first 20 s, then flat: the warm-up hides the bump.
        List<SoakSample> samples = samples(7, i -> i <= 2 ? 900 : 100);

        SoakStatistics.Trend trend = SoakStatistics.trend(samples, SoakSample::heapBytes, 30);

        assertThat(trend.samples()).isEqualTo(5);
        assertThat(trend.firstHalfMean()).isEqualTo(100);
        assertThat(trend.slopePerMinute()).isZero();
        SoakStatistics.Trend openEpisodes =
                SoakStatistics.trend(samples, SoakSample::openTrajectories, 30);
        // Samples 3..7 after the warm-up: halves 3, 4 and 5, 6, 7.
        assertThat(openEpisodes.firstHalfMean()).isEqualTo(3.5);
        assertThat(openEpisodes.secondHalfMean()).isEqualTo(6);
    }

    @Test
    void tooFewSamplesGiveNaNNotAnError() {
        SoakStatistics.Trend one =
                SoakStatistics.trend(samples(1, i -> 5), SoakSample::heapBytes, 0);
        assertThat(one.slopePerMinute()).isNaN();
        assertThat(one.firstHalfMean()).isNaN();
        assertThat(one.secondHalfMean()).isEqualTo(5);

        SoakStatistics.Trend none =
                SoakStatistics.trend(samples(3, i -> 5), SoakSample::heapBytes, 1_000);
        assertThat(none.samples()).isZero();
        assertThat(none.slopePerMinute()).isNaN();
        assertThat(new SoakStatistics.Trend(2, 0, 5, 1).changePercent())
                .as("from a zero mean")
                .isNaN();
    }

    @Test
    void expectsOneLetterPerInstanceByReasonAndOneDuplicatePerResend() {
        Map<HostileKind, Long> instances = new EnumMap<>(HostileKind.class);
        for (HostileKind kind : HostileKind.values()) {
            instances.put(kind, 3L);
        }
        instances.put(HostileKind.RANDOM_BYTES, 4L);

        Map<String, Long> letters = SoakStatistics.expectedDeadLetters(instances);

        // Random bytes and the empty value share malformed-bytes.
        assertThat(letters).containsEntry("malformed-bytes", 7L);
        assertThat(letters).containsEntry("estimator-failure", 3L);
        assertThat(letters).containsEntry("step-after-done", 3L);
        assertThat(letters).hasSize(HostileKind.values().length - 2);
        assertThat(letters.values().stream().mapToLong(Long::longValue).sum()).isEqualTo(31);
        assertThat(SoakStatistics.expectedDuplicates(instances)).isEqualTo(3);
        assertThat(SoakStatistics.expectedDeadLetters(Map.of(HostileKind.IDENTICAL_RESEND, 5L)))
                .isEmpty();
    }

    @Test
    void theAccountingBalancesOnlyWhenEveryRecordHadItsFate() {
        Map<String, Long> expected = Map.of("malformed-bytes", 2L, "invalid-id", 1L);
        SoakStatistics.Accounting balanced =
                new SoakStatistics.Accounting(1_000, 4, 1_004, 1_000, expected, expected, 1, 1);
        assertThat(balanced.balanced()).isTrue();
        assertThat(balanced.deadLetters()).isEqualTo(3);
        assertThat(balanced.expectedDeadLetterTotal()).isEqualTo(3);

        assertThat(
                        new SoakStatistics.Accounting(
                                        1_000, 4, 1_004, 999, expected, expected, 1, 1)
                                .everyGoodStepOut())
                .as("a step lost")
                .isFalse();
        assertThat(
                        new SoakStatistics.Accounting(
                                        1_000, 4, 1_004, 1_001, expected, expected, 1, 1)
                                .everyGoodStepOut())
                .as("a step out twice")
                .isFalse();
        assertThat(
                        new SoakStatistics.Accounting(
                                        1_000, 4, 1_003, 1_000, expected, expected, 1, 1)
                                .everyRecordIn())
                .isFalse();
        Map<String, Long> otherReason =
                Map.of("malformed-bytes", 2L, "invalid-id", 1L, "episode-timeout", 1L);
        assertThat(
                        new SoakStatistics.Accounting(
                                        1_000, 4, 1_004, 1_000, expected, otherReason, 1, 1)
                                .hostileAsExpected())
                .as("a good episode timed out")
                .isFalse();
        assertThat(
                        new SoakStatistics.Accounting(
                                        1_000, 4, 1_004, 1_000, expected, expected, 1, 0)
                                .balanced())
                .as("the re-send was not counted")
                .isFalse();
    }
}
