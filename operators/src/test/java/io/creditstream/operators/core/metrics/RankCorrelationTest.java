package io.creditstream.operators.core.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class RankCorrelationTest {

    @Test
    void monotoneSamplesCorrelateFully() {
        assertThat(RankCorrelation.spearman(new double[] {1, 5, 9}, new double[] {0, 2, 100}))
                .isCloseTo(1.0, within(1e-12));
        assertThat(RankCorrelation.spearman(new double[] {1, 5, 9}, new double[] {3, 2, 1}))
                .isCloseTo(-1.0, within(1e-12));
    }

    @Test
    void tiesShareTheirAverageRank() {
        // Ranks x: 1, 2.5, 2.5, 4; y: 1, 2, 3, 4. Deviations (−1.5, 0, 0, 1.5) and
        // (−1.5, −0.5, 0.5, 1.5): ρ = 4.5 / √(4.5 · 5).
        assertThat(RankCorrelation.ranks(new double[] {1, 2, 2, 3}))
                .containsExactly(1, 2.5, 2.5, 4);
        assertThat(
                        RankCorrelation.spearman(
                                new double[] {1, 2, 2, 3}, new double[] {10, 20, 30, 40}))
                .isCloseTo(4.5 / Math.sqrt(22.5), within(1e-12));
    }

    @Test
    void noRankingGivesNaN() {
        assertThat(RankCorrelation.spearman(new double[] {1}, new double[] {2})).isNaN();
        assertThat(RankCorrelation.spearman(new double[] {1, 1}, new double[] {2, 3})).isNaN();
        assertThatThrownBy(() -> RankCorrelation.spearman(new double[] {1}, new double[] {}))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
