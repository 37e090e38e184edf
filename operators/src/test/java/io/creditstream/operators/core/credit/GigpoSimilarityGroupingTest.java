package io.creditstream.operators.core.credit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * GiGPO's similarity grouping (docs/ALGORITHMS.md §1.4): greedy, in row order, against each
 * cluster's first member, with difflib's ratio(row's key, first member's key). The ratios below are
 * worked out by hand (see {@link SequenceMatcherRatioTest}).
 */
class GigpoSimilarityGroupingTest {

    private static final double EPS = 1e-6;
    private static final double TOL = 1e-9;

    @Test
    void offByDefaultKeysMustBeEqual() {
        assertThat(CreditParams.defaults().anchorSimilarity().enabled()).isFalse();
        assertThat(sizes(CreditParams.defaults(), "abcdefghij", "abcdefghiX"))
                .containsExactly(1, 1);
    }

    @Test
    void aRowJoinsAClusterAtTheThreshold() {
        // ratio("abcdefghiX", "abcdefghij") = 2·9/20 = 0.9: exactly the threshold joins.
        assertThat(sizes(similarity(0.9), "abcdefghij", "abcdefghiX")).containsExactly(2, 2);
        assertThat(sizes(similarity(0.91), "abcdefghij", "abcdefghiX")).containsExactly(1, 1);
    }

    @Test
    void onlyTheFirstMemberOfAClusterIsComparedSoSimilarityIsNotTransitive() {
        // B is 0.9 from A and joins A's cluster. C is 0.8 from A (the cluster's first member)
        // although 0.9 from B ("abcdefgh" + "X"), so it starts a cluster of its own.
        assertThat(sizes(similarity(0.9), "abcdefghij", "abcdefghiX", "abcdefghXY"))
                .containsExactly(2, 2, 1);
    }

    @Test
    void aRowJoinsTheFirstClusterThatIsSimilarEnoughNotTheMostSimilar() {
        String p = "abcdefghijklmnopqrst";
        // Q: 2·16/40 = 0.8 from P, below 0.85: a cluster of its own.
        String q = "abcdefghijklmnopWXYZ";
        // R: 2·17/40 = 0.85 from P, 2·19/40 = 0.95 from Q; P's cluster comes first.
        String r = "abcdefghijklmnopqWYZ";
        assertThat(sizes(similarity(0.85), p, q, r)).containsExactly(2, 1, 2);
    }

    @Test
    void theRowIsDifflibsFirstSequenceAndTheClusterMemberItsSecond() {
        // ratio("diet", "tide") = 0.5 but ratio("tide", "diet") = 0.25.
        assertThat(sizes(similarity(0.4), "tide", "diet")).containsExactly(2, 2);
        assertThat(sizes(similarity(0.4), "diet", "tide")).containsExactly(1, 1);
    }

    @Test
    void repeatedKeysFollowTheRuleAfterNewClustersAppear() {
        // A, C (0.8 from A: new cluster), A again (joins A's), B (0.9 from A: joins A's), C again.
        assertThat(
                        sizes(
                                similarity(0.9),
                                "abcdefghij",
                                "abcdefghXY",
                                "abcdefghij",
                                "abcdefghiX",
                                "abcdefghXY"))
                .containsExactly(3, 2, 3, 3, 2);
    }

    @Test
    void stepsWithoutAnAnchorKeyStayAlone() {
        List<TrajectorySample> group =
                List.of(
                        new TrajectorySample(
                                "a",
                                1.0,
                                List.of(new StepSample(null, 0, false), step("abcdefghij"))),
                        new TrajectorySample(
                                "b",
                                0.0,
                                List.of(new StepSample(null, 0, false), step("abcdefghij"))));
        List<List<StepCredit>> credits = new CreditEstimator(similarity(0.9)).estimate(group);
        assertThat(credits.get(0).get(0).anchorGroupSize()).isEqualTo(1);
        assertThat(credits.get(1).get(0).anchorGroupSize()).isEqualTo(1);
        assertThat(credits.get(0).get(1).anchorGroupSize()).isEqualTo(2);
    }

    @Test
    void similarStatesShareTheStepAdvantage() {
        // Two one-step trajectories from states 0.9 apart, returns 1 and 0, γ irrelevant.
        List<TrajectorySample> group =
                List.of(
                        new TrajectorySample(
                                "a", 1.0, List.of(new StepSample("abcdefghij", 1, false))),
                        new TrajectorySample(
                                "b", 0.0, List.of(new StepSample("abcdefghiX", 0, false))));

        List<List<StepCredit>> exact = new CreditEstimator(CreditParams.defaults()).estimate(group);
        assertThat(exact.get(0).get(0).stepAdvantage()).isZero();

        List<List<StepCredit>> similar = new CreditEstimator(similarity(0.9)).estimate(group);
        double mean = 0.5;
        double std = Math.sqrt((0.25 + 0.25) / 1);
        double stepA = (1 - mean) / (std + EPS);
        assertThat(similar.get(0).get(0).stepAdvantage()).isCloseTo(stepA, within(TOL));
        assertThat(similar.get(1).get(0).stepAdvantage()).isCloseTo(-stepA, within(TOL));
        // The episode level is unchanged by the grouping.
        assertThat(similar.get(0).get(0).episodeAdvantage())
                .isCloseTo(exact.get(0).get(0).episodeAdvantage(), within(TOL));
        assertThat(similar.get(0).get(0).advantage())
                .isCloseTo(exact.get(0).get(0).episodeAdvantage() + stepA, within(TOL));
    }

    @Test
    void otherEstimatorsReportExactAnchorGroups() {
        CreditParams grpo = similarity(0.9).withEstimator(Estimator.GRPO);
        assertThat(sizes(grpo, "abcdefghij", "abcdefghiX")).containsExactly(1, 1);
    }

    @Test
    void theThresholdMustLieStrictlyBetweenZeroAndOne() {
        for (double bad : new double[] {0.0, 1.0, -0.5, 1.5, Double.NaN}) {
            assertThatThrownBy(() -> new AnchorSimilarity(true, bad))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining(AnchorSimilarity.KEY_THRESHOLD)
                    .hasMessageContaining("(0, 1)");
        }
    }

    private static CreditParams similarity(double threshold) {
        return CreditParams.defaults().withAnchorSimilarity(new AnchorSimilarity(true, threshold));
    }

    private static StepSample step(String anchorKey) {
        return new StepSample(anchorKey, 0, false);
    }

    /** The anchor-group size of each key, one one-step trajectory per key, in row order. */
    private static List<Integer> sizes(CreditParams params, String... keys) {
        List<TrajectorySample> group = new ArrayList<>();
        for (int i = 0; i < keys.length; i++) {
            group.add(new TrajectorySample("t" + i, i % 2, List.of(step(keys[i]))));
        }
        List<Integer> sizes = new ArrayList<>();
        for (List<StepCredit> trajectory : new CreditEstimator(params).estimate(group)) {
            sizes.add(trajectory.get(0).anchorGroupSize());
        }
        return sizes;
    }
}
