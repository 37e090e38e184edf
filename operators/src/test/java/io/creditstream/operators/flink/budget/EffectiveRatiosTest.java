package io.creditstream.operators.flink.budget;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class EffectiveRatiosTest {

    @Test
    void countsSamplesOfMixedGroupsAndMixedPrompts() {
        EffectiveRatios ratios = new EffectiveRatios(BudgetMetrics.GROUP_WINDOW);
        ratios.add(new double[] {1, 0, 1, 0}); // mixed: 4 effective samples
        ratios.add(new double[] {1, 1}); // all succeed
        ratios.add(new double[] {0, 0, 0, 0, 0, 0}); // all fail

        assertThat(ratios.groups()).isEqualTo(3);
        assertThat(ratios.gradientRatio()).isCloseTo(4.0 / 12, within(1e-12));
        assertThat(ratios.promptRatio()).isCloseTo(1.0 / 3, within(1e-12));
    }

    @Test
    void forgetsGroupsOlderThanTheWindow() {
        EffectiveRatios ratios = new EffectiveRatios(2);
        ratios.add(new double[] {1, 0});
        ratios.add(new double[] {1, 1});
        ratios.add(new double[] {0, 0});

        assertThat(ratios.gradientRatio()).isZero();
        assertThat(ratios.promptRatio()).isZero();
    }

    @Test
    void isZeroBeforeAnyGroupAndIgnoresEmptyGroups() {
        EffectiveRatios ratios = new EffectiveRatios(4);
        ratios.add(new double[0]);

        assertThat(ratios.groups()).isZero();
        assertThat(ratios.gradientRatio()).isZero();
        assertThat(ratios.promptRatio()).isZero();
    }
}
