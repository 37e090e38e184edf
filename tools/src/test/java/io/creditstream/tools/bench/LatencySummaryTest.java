package io.creditstream.tools.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class LatencySummaryTest {
    @Test
    void nearestRankPercentilesAreLatenciesThatWereSeen() {
        long[] millis = new long[200];
        for (int i = 0; i < millis.length; i++) {
            millis[i] = 200 - i; // 200 .. 1, unsorted on purpose
        }

        LatencySummary summary = LatencySummary.of(millis);

        assertThat(summary.count()).isEqualTo(200);
        assertThat(summary.p50()).isEqualTo(100); // rank ceil(0.5 * 200) = 100
        assertThat(summary.p99()).isEqualTo(198); // rank ceil(0.99 * 200) = 198
        assertThat(summary.max()).isEqualTo(200);
        assertThat(millis[0]).as("the input is left as it was").isEqualTo(200);
    }

    @Test
    void oneLatencyIsEveryPercentile() {
        LatencySummary summary = LatencySummary.of(new long[] {42});

        assertThat(summary.p50()).isEqualTo(42);
        assertThat(summary.p99()).isEqualTo(42);
        assertThat(summary.max()).isEqualTo(42);
    }

    @Test
    void nothingToSummariseIsAnError() {
        assertThatThrownBy(() -> LatencySummary.of(new long[0]))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
