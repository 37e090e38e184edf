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

    @Test
    void fewerThanTwoValuesAreUndefinedNotAnError() {
        assertThat(RankCorrelation.spearman(new double[] {1}, new double[] {2})).isNaN();
        assertThat(RankCorrelation.spearman(new double[0], new double[0])).isNaN();
    }

    @Test
    void monotoneIsOneReversedIsMinusOneAndConstantIsUndefined() {
        assertThat(RankCorrelation.spearman(new double[] {1, 2, 3, 4}, new double[] {1, 4, 9, 16}))
                .isEqualTo(1.0);
        assertThat(RankCorrelation.spearman(new double[] {1, 2, 3}, new double[] {3, 2, 1}))
                .isEqualTo(-1.0);
        assertThat(RankCorrelation.spearman(new double[] {1, 2, 3}, new double[] {5, 5, 5}))
                .isNaN();
    }

    @Test
    void matchesAHandComputedCaseWithTies() {
        // x ranks {1, 2.5, 2.5, 4}, y ranks {2, 1, 3, 4}: Pearson of those is 3/sqrt(22.5).
        double rho =
                RankCorrelation.spearman(
                        new double[] {1, 2, 2, 3}, new double[] {0.5, 0.1, 0.7, 0.9});
        double mx = 2.5;
        double[] rx = {1, 2.5, 2.5, 4};
        double[] ry = {2, 1, 3, 4};
        double sxy = 0;
        double sxx = 0;
        double syy = 0;
        for (int k = 0; k < 4; k++) {
            sxy += (rx[k] - mx) * (ry[k] - mx);
            sxx += (rx[k] - mx) * (rx[k] - mx);
            syy += (ry[k] - mx) * (ry[k] - mx);
        }
        assertThat(rho).isCloseTo(sxy / Math.sqrt(sxx * syy), within(1e-15));
        assertThat(rho).isCloseTo(3 / Math.sqrt(22.5), within(1e-12));
    }
}
