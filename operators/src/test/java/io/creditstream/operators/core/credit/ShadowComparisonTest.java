package io.creditstream.operators.core.credit;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ShadowComparisonTest {

    @Test
    void signsAgreeWhenBothAreNegativeZeroOrPositive() {
        ShadowComparison comparison =
                ShadowComparison.of(new double[] {-1, 0, 2, 3}, new double[] {-0.5, -0.0, 0, 1});
        // −/−, 0/−0 agree; +/0 does not; +/+ agrees.
        assertThat(comparison.agreeingSigns()).isEqualTo(3);
        assertThat(comparison.rows()).isEqualTo(4);
        assertThat(comparison.shadowConstant()).isFalse();
    }

    @Test
    void aConstantShadowRanksNothingTheOtherTellsApart() {
        ShadowComparison comparison =
                ShadowComparison.of(new double[] {1, -1}, new double[] {0, 0});
        assertThat(comparison.shadowConstant()).isTrue();
        assertThat(comparison.rankCorrelation()).isZero();
        assertThat(comparison.agreeingSigns()).isZero();
        // Both constant: they rank alike (all tied).
        assertThat(ShadowComparison.of(new double[] {0, 0}, new double[] {0, 0}).rankCorrelation())
                .isEqualTo(1.0);
        // The primary constant, the shadow not.
        assertThat(ShadowComparison.of(new double[] {0, 0}, new double[] {1, 2}).rankCorrelation())
                .isZero();
        // One row: nothing to rank.
        assertThat(ShadowComparison.of(new double[] {1}, new double[] {2}).rankCorrelation())
                .isNaN();
    }
}
