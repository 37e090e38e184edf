package io.creditstream.operators.core.prm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

/** Checks of Eq.1 on external log-probs and of the records it refuses. */
class ExternalStepRewardTest {

    @Test
    void rewardIsBetaTimesTheLogRatio() {
        ExternalStepReward eq1 = ExternalStepReward.withDefaults();

        assertThat(eq1.beta()).isEqualTo(0.05);
        assertThat(eq1.reward(-12.5, -14.0)).isCloseTo(0.05 * 1.5, within(1e-12));
        assertThat(new ExternalStepReward(0.5).rewardOrNull(-3.0, -1.0)).isEqualTo(-1.0);
    }

    @Test
    void missingOrNonFiniteLogProbsAreRefusedNotComputed() {
        ExternalStepReward eq1 = ExternalStepReward.withDefaults();
        Double[][] bad = {
            {null, -1.0},
            {-1.0, null},
            {Double.NaN, -1.0},
            {-1.0, Double.NaN},
            {Double.POSITIVE_INFINITY, -1.0},
            {-1.0, Double.NEGATIVE_INFINITY},
            {Double.MAX_VALUE, -Double.MAX_VALUE}
        };
        for (Double[] pair : bad) {
            assertThat(eq1.rewardOrNull(pair[0], pair[1])).isNull();
            assertThatThrownBy(() -> eq1.reward(pair[0], pair[1]))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageMatching(".*(prm_logprob|ref_logprob|overflows).*");
        }
        assertThat(eq1.accepts(null, -1.0)).isFalse();
        assertThat(eq1.accepts(-2.0, -1.0)).isTrue();
        assertThatThrownBy(() -> eq1.reward(Double.NaN, -1.0)).hasMessageContaining("prm_logprob");
    }

    @Test
    void betaOutsideItsRangeIsRejectedWithTheKey() {
        assertThatThrownBy(() -> new ExternalStepReward(0)).hasMessageContaining("prm.beta");
        assertThatThrownBy(() -> new ExternalStepReward(1.5)).hasMessageContaining("prm.beta");
        assertThatThrownBy(() -> new ExternalStepReward(Double.NaN))
                .hasMessageContaining("prm.beta");
    }
}
