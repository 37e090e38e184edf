package io.creditstream.operators.core.credit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.creditstream.operators.core.credit.GroupNormalizer.SingletonRule;
import io.creditstream.operators.core.credit.GroupNormalizer.Stats;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** Hand-computed checks of the shared verl normalisation (docs/ALGORITHMS.md §0). */
class GroupNormalizerTest {

    private static final double EPS = 1e-6;
    private static final double TOL = 1e-9;

    private static double sq(double x) {
        return x * x;
    }

    @Test
    void usesTheUnbiasedStdWithEpsilonAddedToIt() {
        double[] values = {1, 0, 0, 1};
        double mean = (1 + 0 + 0 + 1) / 4.0;
        double std = Math.sqrt((sq(1 - mean) + sq(0 - mean) + sq(0 - mean) + sq(1 - mean)) / 3);

        double[] normalized = GroupNormalizer.normalize(values, true, EPS);

        assertThat(normalized[0]).isCloseTo((1 - mean) / (std + EPS), within(TOL));
        assertThat(normalized[1]).isCloseTo((0 - mean) / (std + EPS), within(TOL));
        assertThat(normalized[2]).isCloseTo((0 - mean) / (std + EPS), within(TOL));
        assertThat(normalized[3]).isCloseTo((1 - mean) / (std + EPS), within(TOL));
        // The population std (÷n) would give 0.5/0.5 = 1; the unbiased one gives less.
        assertThat(normalized[0]).isCloseTo(0.5 / Math.sqrt(1.0 / 3), within(1e-5));
        assertThat(normalized[0]).isLessThan(0.9);
    }

    @Test
    void addsEpsilonToTheStdNotInsideTheSqrt() {
        double eps = 0.5;
        double[] values = {0, 2};
        double mean = (0 + 2) / 2.0;
        double std = Math.sqrt((sq(0 - mean) + sq(2 - mean)) / 1);

        double[] normalized = GroupNormalizer.normalize(values, true, eps);

        assertThat(normalized[1]).isCloseTo((2 - mean) / (std + eps), within(TOL));
        assertThat(normalized[1]).isNotCloseTo((2 - mean) / Math.sqrt(sq(std) + eps), within(1e-3));
    }

    @Test
    void onlySubtractsTheMeanWhenTheStdDivisionIsOff() {
        double[] normalized = GroupNormalizer.normalize(new double[] {1, 0, 0, 1}, false, EPS);

        double mean = (1 + 0 + 0 + 1) / 4.0;
        assertThat(normalized)
                .containsExactly(new double[] {1 - mean, -mean, -mean, 1 - mean}, within(TOL));
    }

    @Test
    void episodeSingletonKeepsItsRawScore() {
        // mean := 0, std := 1
        assertThat(GroupNormalizer.normalize(new double[] {0.8}, true, EPS)[0])
                .isCloseTo((0.8 - 0) / (1 + EPS), within(TOL));
        assertThat(GroupNormalizer.normalize(new double[] {0.8}, false, EPS)[0])
                .isCloseTo(0.8, within(TOL));
        assertThat(GroupNormalizer.normalize(new double[] {-2.5}, true, EPS)[0])
                .isCloseTo(-2.5 / (1 + EPS), within(TOL));
    }

    @Test
    void stepSingletonNormalisesToZero() {
        assertThat(GroupNormalizer.normalizeStepLevel(new double[] {0.8}, true, EPS)[0]).isZero();
        assertThat(GroupNormalizer.normalizeStepLevel(new double[] {0.8}, false, EPS)[0]).isZero();
    }

    @Test
    void stepLevelAgreesWithEpisodeLevelBeyondSingletons() {
        double[] values = {0.3, 1.7, -0.4, 2.0, 0.3};
        assertThat(GroupNormalizer.normalizeStepLevel(values, true, EPS))
                .containsExactly(GroupNormalizer.normalize(values, true, EPS), within(TOL));
        assertThat(GroupNormalizer.normalizeStepLevel(values, false, EPS))
                .containsExactly(GroupNormalizer.normalize(values, false, EPS), within(TOL));
    }

    @Test
    void allEqualValuesNormaliseToExactlyZero() {
        // The float32 artifacts of §0: upstream gets |A| = 0.056, 0.466 and 0.007 here.
        for (double[] values :
                new double[][] {filled(8, 0.7), filled(6, 9.6), filled(8, 0.1), filled(2, -3.3)}) {
            for (boolean divideByStd : new boolean[] {true, false}) {
                for (double a : GroupNormalizer.normalize(values, divideByStd, EPS)) {
                    assertThat(a).isEqualTo(0.0);
                }
                for (double a : GroupNormalizer.normalizeStepLevel(values, divideByStd, EPS)) {
                    assertThat(a).isEqualTo(0.0);
                }
            }
            Stats stats = GroupNormalizer.stats(values);
            assertThat(stats.allEqual()).isTrue();
            assertThat(stats.mean()).isEqualTo(values[0]);
            assertThat(stats.std()).isZero();
        }
    }

    @Test
    void allEqualWithZeroEpsilonStillGivesZeroNotNaN() {
        assertThat(GroupNormalizer.normalize(filled(3, 0.7), true, 0.0))
                .containsExactly(0.0, 0.0, 0.0);
    }

    @Test
    void nearlyEqualValuesAreNotTreatedAsEqual() {
        double[] values = {1.0, Math.nextUp(1.0)};
        assertThat(GroupNormalizer.stats(values).allEqual()).isFalse();
        assertThat(GroupNormalizer.normalize(values, false, EPS)[1]).isPositive();
    }

    @Test
    void aValueOutsideAnAllEqualGroupUsesTheFormulaWithZeroStd() {
        Stats stats = GroupNormalizer.stats(new double[] {1, 1});

        assertThat(GroupNormalizer.normalize(0.9, stats, true, EPS, SingletonRule.RAW_SCORE))
                .isCloseTo((0.9 - 1) / (0 + EPS), within(TOL));
        assertThat(GroupNormalizer.normalize(0.9, stats, false, EPS, SingletonRule.RAW_SCORE))
                .isCloseTo(0.9 - 1, within(TOL));
    }

    @Test
    void leaveOneOutScalesTheDeviationByNOverNMinusOne() {
        Stats stats = GroupNormalizer.stats(new double[] {1, 0, 0, 1});
        double mean = (1 + 0 + 0 + 1) / 4.0;

        assertThat(GroupNormalizer.leaveOneOut(1, stats))
                .isCloseTo(4.0 / (4 - 1) * (1 - mean), within(TOL));
        assertThat(GroupNormalizer.leaveOneOut(0, stats))
                .isCloseTo(4.0 / (4 - 1) * (0 - mean), within(TOL));
        // Equivalent to s minus the mean of the others: 1 − (0+0+1)/3.
        assertThat(GroupNormalizer.leaveOneOut(1, stats)).isCloseTo(1 - 1.0 / 3, within(TOL));
    }

    @Test
    void leaveOneOutOfASingletonIsTheRawScore() {
        assertThat(GroupNormalizer.leaveOneOut(0.8, GroupNormalizer.stats(new double[] {0.8})))
                .isCloseTo(0.8, within(TOL));
    }

    @Test
    void leaveOneOutOfEqualValuesIsExactlyZero() {
        assertThat(GroupNormalizer.leaveOneOut(0.7, GroupNormalizer.stats(filled(8, 0.7))))
                .isEqualTo(0.0);
    }

    @Test
    void normalisesEachGroupOnItsOwn() {
        double[] values = {1, 10, 0, 20, 0, 30, 1, 7};
        int[] groups = {0, 1, 0, 1, 0, 1, 0, 2};

        double[] normalized =
                GroupNormalizer.normalizeWithinGroups(
                        values, groups, 3, true, EPS, SingletonRule.ZERO);

        double[] first = GroupNormalizer.normalize(new double[] {1, 0, 0, 1}, true, EPS);
        double[] second = GroupNormalizer.normalize(new double[] {10, 20, 30}, true, EPS);
        assertThat(new double[] {normalized[0], normalized[2], normalized[4], normalized[6]})
                .containsExactly(first, within(TOL));
        assertThat(new double[] {normalized[1], normalized[3], normalized[5]})
                .containsExactly(second, within(TOL));
        assertThat(normalized[7]).isZero();

        double mean = (10 + 20 + 30) / 3.0;
        double std = Math.sqrt((sq(10 - mean) + sq(20 - mean) + sq(30 - mean)) / 2);
        assertThat(normalized[5]).isCloseTo((30 - mean) / (std + EPS), within(TOL));
    }

    @Test
    void rejectsEmptyInput() {
        assertThatThrownBy(() -> GroupNormalizer.normalize(new double[0], true, EPS))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> GroupNormalizer.statsByGroup(new double[] {1}, new int[] {0}, 2))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("group 1");
    }

    private static double[] filled(int n, double value) {
        double[] values = new double[n];
        Arrays.fill(values, value);
        return values;
    }
}
