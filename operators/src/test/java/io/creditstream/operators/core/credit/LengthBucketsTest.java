package io.creditstream.operators.core.credit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class LengthBucketsTest {

    @Test
    void aLengthFallsInTheFirstBucketWhoseBoundItDoesNotExceed() {
        assertThat(LengthBuckets.bucketOf(0)).isZero();
        assertThat(LengthBuckets.bucketOf(1)).isZero();
        assertThat(LengthBuckets.bucketOf(10)).isEqualTo(9);
        assertThat(LengthBuckets.bucketOf(11)).isEqualTo(10);
        assertThat(LengthBuckets.bucketOf(12)).isEqualTo(10);
        assertThat(LengthBuckets.bucketOf(100)).isEqualTo(24);
        assertThat(LengthBuckets.bucketOf(101)).isEqualTo(25);
        assertThat(LengthBuckets.bucketOf(1000)).isEqualTo(29);
        assertThat(LengthBuckets.bucketOf(1001)).isEqualTo(30);
        assertThat(LengthBuckets.count()).isEqualTo(31);
        assertThat(LengthBuckets.label(0)).isEqualTo("1");
        assertThat(LengthBuckets.label(24)).isEqualTo("100");
        assertThat(LengthBuckets.label(30)).isEqualTo("inf");
    }

    @Test
    void quantilesInterpolateWithinTheBucketTheRankFallsIn() {
        long[] counts = new long[LengthBuckets.count()];
        // 10 lengths in (18, 20], 30 in (90, 100]: the maze's successes and its 100-step failures.
        counts[LengthBuckets.bucketOf(20)] = 10;
        counts[LengthBuckets.bucketOf(100)] = 30;
        // Rank 20 of 40: the 10th of the 30 in (90, 100].
        assertThat(LengthBuckets.quantile(counts, 0.5))
                .isCloseTo(90 + 10.0 * 10 / 30, within(1e-9));
        // Rank 5: half-way through (18, 20].
        assertThat(LengthBuckets.quantile(counts, 0.125)).isCloseTo(19, within(1e-9));
        assertThat(LengthBuckets.quantile(counts, 1)).isCloseTo(100, within(1e-9));
        // An empty bucket between does not take the rank.
        assertThat(LengthBuckets.quantile(counts, 0.25)).isCloseTo(20, within(1e-9));
    }

    @Test
    void theUnboundedBucketGivesItsLowerBoundAndNothingCountedGivesNaN() {
        long[] counts = new long[LengthBuckets.count()];
        assertThat(LengthBuckets.quantile(counts, 0.5)).isNaN();
        counts[LengthBuckets.count() - 1] = 3;
        assertThat(LengthBuckets.quantile(counts, 0.5)).isEqualTo(1000);
    }

    @Test
    void wrongInputIsRefused() {
        assertThatThrownBy(() -> LengthBuckets.quantile(new long[3], 0.5))
                .hasMessageContaining("expected 31 bucket counts");
        assertThatThrownBy(() -> LengthBuckets.quantile(new long[31], 1.5))
                .hasMessageContaining("[0, 1]");
    }
}
