package io.creditstream.operators.core.credit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * GiGPO's anchor memory (docs/ALGORITHMS.md §1.7) against hand-computed pooled statistics. Unless a
 * test says otherwise every trajectory has one step, so its step return G equals its reward.
 */
class AnchorMemoryTest {

    private static final double EPS = CreditParams.DEFAULT_EPSILON;
    private static final AnchorMemoryParams HALF = new AnchorMemoryParams(true, 8, 4096, 0.5);

    private static TrajectorySample oneStep(String episode, String anchor, double reward) {
        return new TrajectorySample(
                episode, reward, List.of(new StepSample(anchor, reward, false)));
    }

    /** The A^S of every row, in row order. */
    private static double[] stepAdvantages(AnchorMemory.Estimate estimate) {
        return estimate.credits().stream()
                .flatMap(List::stream)
                .mapToDouble(StepCredit::stepAdvantage)
                .toArray();
    }

    @Test
    void aStateReachedOnceIsPooledWithTheLastGroupAtHalfWeight() throws Exception {
        AnchorMemory memory = new AnchorMemory(CreditParams.defaults(), HALF);
        AnchorMemory.HeapTask task = new AnchorMemory.HeapTask();
        // Group 0: s reached twice, returns 1 and 0. Summary: n 2, sum 1, M2 0.5, min 0, max 1.
        task.next(memory, List.of(oneStep("e0", "s", 1), oneStep("e1", "s", 0)));

        // Group 1: s reached once (x = 1), u reached once and never before.
        AnchorMemory.Estimate estimate =
                task.next(memory, List.of(oneStep("e2", "s", 1), oneStep("e3", "u", 0)));

        // w = 0.5: V1 = 1 + 0.5·2 = 2, V2 = 1 + 0.25·2 = 1.5, μ = (1 + 0.5·1)/2 = 0.75,
        // S = (1 − 0.75)² + 0.5·(0.5 + 2·(0.5 − 0.75)²) = 0.0625 + 0.3125 = 0.375,
        // σ² = S/(V1 − V2/V1) = 0.375/1.25 = 0.3.
        double[] stepAdvantage = stepAdvantages(estimate);
        assertThat(stepAdvantage[0]).isCloseTo(0.25 / (Math.sqrt(0.3) + EPS), within(1e-9));
        assertThat(stepAdvantage[1]).isEqualTo(0.0); // u: still a singleton
        assertThat(estimate.rows()).isEqualTo(2);
        assertThat(estimate.pooledSingletons()).isEqualTo(1);
        // The plain size stays what the group itself had: 1 for both rows.
        assertThat(estimate.credits().get(0).get(0).anchorGroupSize()).isEqualTo(1);
        assertThat(task.progress().groups).isEqualTo(2);
        assertThat(task.progress().anchors).isEqualTo(2);
        assertThat(task.histories().get("s").groups).containsExactly(0L, 1L);
        assertThat(task.histories().get("s").counts).containsExactly(2, 1);
    }

    @Test
    void weightsDecayPerGroupOfAgeAndTheWindowDropsOlderGroups() throws Exception {
        AnchorMemory memory =
                new AnchorMemory(CreditParams.defaults(), new AnchorMemoryParams(true, 2, 64, 0.5));
        AnchorMemory.HeapTask task = new AnchorMemory.HeapTask();
        task.next(memory, List.of(oneStep("a", "s", 4))); // group 0: out of the window by group 3
        task.next(memory, List.of(oneStep("b", "s", 2))); // group 1: age 2 at group 3, w 0.25
        task.next(memory, List.of(oneStep("c", "s", 0))); // group 2: age 1 at group 3, w 0.5
        assertThat(task.histories().get("s").groups).containsExactly(1L, 2L);

        AnchorMemory.Estimate estimate = task.next(memory, List.of(oneStep("d", "s", 1)));

        // V1 = 1.75, V2 = 1 + 0.0625 + 0.25 = 1.3125, μ = (1 + 0.25·2 + 0.5·0)/1.75 = 6/7,
        // S = (1/7)² + 0.25·(8/7)² + 0.5·(6/7)² = 35/49, V1 − V2/V1 = 1, σ² = 5/7.
        assertThat(stepAdvantages(estimate)[0])
                .isCloseTo((1.0 / 7) / (Math.sqrt(5.0 / 7) + EPS), within(1e-9));
    }

    @Test
    void meanNormalizationSubtractsTheWeightedMeanOnly() throws Exception {
        AnchorMemory memory =
                new AnchorMemory(
                        CreditParams.defaults().withNormalization(Normalization.MEAN), HALF);
        AnchorMemory.HeapTask task = new AnchorMemory.HeapTask();
        task.next(memory, List.of(oneStep("e0", "s", 1), oneStep("e1", "s", 0)));
        AnchorMemory.Estimate estimate = task.next(memory, List.of(oneStep("e2", "s", 1)));
        assertThat(stepAdvantages(estimate)[0]).isCloseTo(0.25, within(1e-9));
    }

    @Test
    void theCurrentGroupsRowsCountWithWeightOne() throws Exception {
        AnchorMemory memory =
                new AnchorMemory(
                        CreditParams.defaults().withNormalization(Normalization.MEAN),
                        new AnchorMemoryParams(true, 8, 64, 0.25));
        AnchorMemory.HeapTask task = new AnchorMemory.HeapTask();
        task.next(memory, List.of(oneStep("e0", "s", 4)));
        // Current x = 0 and 2 (weight 1 each), remembered 4 at w = 0.25:
        // μ = (0 + 2 + 0.25·4)/(2 + 0.25) = 3/2.25 = 4/3.
        AnchorMemory.Estimate estimate =
                task.next(memory, List.of(oneStep("e1", "s", 0), oneStep("e2", "s", 2)));
        assertThat(stepAdvantages(estimate))
                .containsExactly(new double[] {-4.0 / 3, 2.0 / 3}, within(1e-9));
    }

    @Test
    void twoRowsEachSideWithStdMatchTheWeightedFormula() throws Exception {
        AnchorMemory memory = new AnchorMemory(CreditParams.defaults(), HALF);
        AnchorMemory.HeapTask task = new AnchorMemory.HeapTask();
        // Remembered: 0 and 2 (n 2, sum 2, M2 2). Current: 1 and 3.
        task.next(memory, List.of(oneStep("e0", "s", 0), oneStep("e1", "s", 2)));
        AnchorMemory.Estimate estimate =
                task.next(memory, List.of(oneStep("e2", "s", 1), oneStep("e3", "s", 3)));
        // V1 = 2 + 1 = 3, V2 = 2 + 0.5 = 2.5, μ = (4 + 0.5·2)/3 = 5/3,
        // S = (1 − 5/3)² + (3 − 5/3)² + 0.5·(2 + 2·(1 − 5/3)²) = 4/9 + 16/9 + 1 + 4/9 = 33/9,
        // V1 − V2/V1 = 3 − 5/6 = 13/6, σ² = (33/9)/(13/6) = 22/13.
        double sigma = Math.sqrt(22.0 / 13);
        assertThat(stepAdvantages(estimate))
                .containsExactly(
                        new double[] {(1 - 5.0 / 3) / (sigma + EPS), (3 - 5.0 / 3) / (sigma + EPS)},
                        within(1e-9));
    }

    @Test
    void equalPooledValuesGiveExactlyZero() throws Exception {
        AnchorMemory memory = new AnchorMemory(CreditParams.defaults(), HALF);
        AnchorMemory.HeapTask task = new AnchorMemory.HeapTask();
        task.next(memory, List.of(oneStep("e0", "s", 0.7), oneStep("e1", "s", 0.7)));
        AnchorMemory.Estimate estimate = task.next(memory, List.of(oneStep("e2", "s", 0.7)));
        assertThat(stepAdvantages(estimate)[0]).isEqualTo(0.0);
        assertThat(estimate.pooledSingletons()).isZero();
    }

    @Test
    void summariesOutsideTheWindowLeaveAPlainSingleton() throws Exception {
        AnchorMemory memory =
                new AnchorMemory(CreditParams.defaults(), new AnchorMemoryParams(true, 1, 64, 0.5));
        AnchorMemory.HeapTask task = new AnchorMemory.HeapTask();
        task.next(memory, List.of(oneStep("e0", "s", 1)));
        task.next(memory, List.of(oneStep("e1", "other", 0))); // s is now two groups back
        AnchorMemory.Estimate estimate = task.next(memory, List.of(oneStep("e2", "s", 0)));
        assertThat(stepAdvantages(estimate)[0]).isEqualTo(0.0);
        assertThat(estimate.pooledSingletons()).isEqualTo(1);
    }

    @Test
    void withAnEmptyMemoryTheCreditsAreExactlyPlainGigpos() {
        Random random = new Random(42);
        List<TrajectorySample> group = new ArrayList<>();
        for (int t = 0; t < 8; t++) {
            List<StepSample> steps = new ArrayList<>();
            int length = 1 + random.nextInt(6);
            for (int s = 0; s < length; s++) {
                String anchor = random.nextInt(5) == 0 ? null : "s" + random.nextInt(4);
                steps.add(new StepSample(anchor, random.nextDouble(), random.nextInt(7) == 0));
            }
            group.add(new TrajectorySample("e" + t, random.nextInt(2), steps));
        }
        CreditParams params = CreditParams.defaults();
        AnchorMemory memory = new AnchorMemory(params, HALF);
        // Bitwise: isEqualTo on the records compares every double exactly.
        assertThat(memory.estimate(group, key -> null, 0).credits())
                .isEqualTo(new CreditEstimator(params).estimate(group));
        // A memory whose only summaries are too old is empty too.
        AnchorHistory old = new AnchorHistory().followedBy(0, new double[] {5, -5}, 8);
        assertThat(memory.estimate(group, key -> old, 9).credits())
                .isEqualTo(new CreditEstimator(params).estimate(group));
    }

    @Test
    void multiStepTrajectoriesPoolTheirPenalisedStepReturns() throws Exception {
        CreditParams params = CreditParams.defaults().withGamma(0.5);
        AnchorMemory memory = new AnchorMemory(params, HALF);
        AnchorMemory.HeapTask task = new AnchorMemory.HeapTask();
        // Group 0: a → b with rewards 0, 1: G = 0.5 at a, 1 at b.
        task.next(
                memory,
                List.of(
                        new TrajectorySample(
                                "e0",
                                1,
                                List.of(
                                        new StepSample("a", 0, false),
                                        new StepSample("b", 1, false)))));
        // Group 1: a with an invalid action, reward 0, done: stepR = 0 − 0.1.
        AnchorMemory.Estimate estimate =
                task.next(
                        memory,
                        List.of(
                                new TrajectorySample(
                                        "e1", 0, List.of(new StepSample("a", 0, true)))));
        // x = −0.1 (w 1), remembered 0.5 (w 0.5): V1 = 1.5, V2 = 1.25, μ = (−0.1 + 0.25)/1.5 = 0.1,
        // S = 0.04 + 0.5·0.16 = 0.12, V1 − V2/V1 = 1.5 − 5/6 = 2/3, σ² = 0.18.
        assertThat(stepAdvantages(estimate)[0])
                .isCloseTo(-0.2 / (Math.sqrt(0.18) + EPS), within(1e-9));
    }

    @Test
    void theLeastRecentlySeenAnchorsAreForgottenPastTheBound() throws Exception {
        AnchorMemory memory =
                new AnchorMemory(CreditParams.defaults(), new AnchorMemoryParams(true, 8, 2, 0.5));
        AnchorMemory.HeapTask task = new AnchorMemory.HeapTask();
        task.next(memory, List.of(oneStep("e0", "b", 1), oneStep("e1", "a", 0)));
        task.next(memory, List.of(oneStep("e2", "c", 1)));
        // a and b were both last seen in group 0: the smaller key goes first.
        assertThat(task.histories().keySet()).containsExactlyInAnyOrder("b", "c");
        assertThat(task.progress().anchors).isEqualTo(2);

        task.next(memory, List.of(oneStep("e3", "b", 1)));
        task.next(memory, List.of(oneStep("e4", "d", 1)));
        assertThat(task.histories().keySet()).containsExactlyInAnyOrder("b", "d");
        assertThat(task.progress().anchors).isEqualTo(2);
    }

    @Test
    void pastTheBoundTheMemoryForgetsDownToItsLowWaterMarkSoOneScanServesManyGroups() {
        // Bound 32: the low-water mark is 32 − 32/16 = 30.
        AnchorMemory memory =
                new AnchorMemory(CreditParams.defaults(), new AnchorMemoryParams(true, 8, 32, 0.5));
        AnchorMemory.HeapTask task = new AnchorMemory.HeapTask();
        for (int i = 0; i < 32; i++) {
            task.next(memory, List.of(oneStep("e" + i, "s" + (100 + i), 1)));
        }
        assertThat(task.progress().anchors).isEqualTo(32);

        // The 33rd anchor crosses the bound: the three least recent (s100, s101, s102) go at once.
        task.next(memory, List.of(oneStep("e32", "s132", 1)));
        assertThat(task.progress().anchors).isEqualTo(30);
        assertThat(task.histories()).doesNotContainKeys("s100", "s101", "s102");
        assertThat(task.histories()).containsKeys("s103", "s132");

        // Two more new anchors fit under the bound again: nothing is forgotten (no scan).
        task.next(memory, List.of(oneStep("e33", "s133", 1)));
        task.next(memory, List.of(oneStep("e34", "s134", 1)));
        assertThat(task.progress().anchors).isEqualTo(32);
        assertThat(task.histories()).containsKey("s103");

        task.next(memory, List.of(oneStep("e35", "s135", 1)));
        assertThat(task.progress().anchors).isEqualTo(30);
        assertThat(task.histories()).doesNotContainKeys("s103", "s104", "s105");
    }

    @Test
    void leastRecentOrdersByLastGroupThenKey() {
        Map<String, AnchorHistory> all = new HashMap<>();
        long[] last = {5, 1, 3, 1, 9};
        String[] keys = {"p", "z", "q", "y", "r"};
        for (int i = 0; i < keys.length; i++) {
            AnchorHistory history = new AnchorHistory();
            history.lastGroup = last[i];
            all.put(keys[i], history);
        }
        assertThat(AnchorMemory.leastRecent(all.entrySet(), 3)).containsExactly("y", "z", "q");
    }

    @Test
    void settingsAreValidatedWithTheirKeys() {
        assertThatThrownBy(() -> new AnchorMemoryParams(true, 0, 10, 0.5))
                .hasMessageContaining(AnchorMemoryParams.KEY_GROUPS)
                .hasMessageContaining("was 0");
        assertThatThrownBy(() -> new AnchorMemoryParams(true, 8, 0, 0.5))
                .hasMessageContaining(AnchorMemoryParams.KEY_MAX_ANCHORS);
        assertThatThrownBy(() -> new AnchorMemoryParams(true, 8, 10, 0))
                .hasMessageContaining(AnchorMemoryParams.KEY_DECAY)
                .hasMessageContaining("(0, 1]");
        assertThatThrownBy(() -> new AnchorMemoryParams(true, 8, 10, Double.NaN))
                .hasMessageContaining(AnchorMemoryParams.KEY_DECAY);
        assertThatThrownBy(
                        () ->
                                new AnchorMemory(
                                        CreditParams.defaults().withEstimator(Estimator.GRPO),
                                        HALF))
                .hasMessageContaining(AnchorMemoryParams.KEY_ENABLED)
                .hasMessageContaining("credit.estimator=gigpo");
        assertThatThrownBy(
                        () ->
                                new AnchorMemory(
                                        CreditParams.defaults()
                                                .withAnchorSimilarity(
                                                        new AnchorSimilarity(true, 0.9)),
                                        HALF))
                .hasMessageContaining(AnchorSimilarity.KEY_ENABLED);
        assertThat(AnchorMemoryParams.defaults().enabled()).isFalse();
    }
}
