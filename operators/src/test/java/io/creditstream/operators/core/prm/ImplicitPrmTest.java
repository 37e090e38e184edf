package io.creditstream.operators.core.prm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.creditstream.operators.core.prm.ImplicitPrm.UpdateResult;
import io.creditstream.operators.core.prm.ImplicitPrm.WeightSnapshot;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.SortedMap;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Checks of the in-stream implicit PRM: Eq.2, its gradient, learning, determinism and bounds. */
class ImplicitPrmTest {

    private static final double EPS = 1e-6;

    private static FeatureVector vector(double... indexValuePairs) {
        SortedMap<Integer, Double> map = new TreeMap<>();
        for (int k = 0; k < indexValuePairs.length; k += 2) {
            map.merge((int) indexValuePairs[k], indexValuePairs[k + 1], Double::sum);
        }
        return FeatureVector.of(map);
    }

    private static TrajectoryFeatures trajectory(double outcome, FeatureVector... steps) {
        return new TrajectoryFeatures(outcome, List.of(steps));
    }

    private static ImplicitPrm withWeights(PrmParams params, SortedMap<Integer, Double> weights) {
        int[] indices = new int[weights.size()];
        double[] values = new double[weights.size()];
        int k = 0;
        for (Map.Entry<Integer, Double> e : weights.entrySet()) {
            indices[k] = e.getKey();
            values[k++] = e.getValue();
        }
        return ImplicitPrm.restore(params, new WeightSnapshot(indices, values));
    }

    @Test
    void oneUpdateThenScoringFollowsAlgorithmOneByHand() {
        PrmParams params = PrmParams.defaults().withLearningRate(1.0);
        ImplicitPrm prm = new ImplicitPrm(params);
        List<TrajectoryFeatures> group =
                List.of(trajectory(1, vector(0, 1)), trajectory(0, vector(1, 1)));

        UpdateResult result = prm.update(group);

        // At w = 0: Δ = 0, loss = log 2, accuracy ½ (a tie), ∂J/∂w0 = −β·σ(0) = −0.025.
        assertThat(result.pairCount()).isEqualTo(1);
        assertThat(result.loss()).isCloseTo(Math.log(2), within(1e-12));
        assertThat(result.pairAccuracy()).isEqualTo(0.5);
        assertThat(prm.weight(0)).isCloseTo(0.025, within(1e-15));
        assertThat(prm.weight(1)).isCloseTo(-0.025, within(1e-15));
        assertThat(result.liveFeatures()).isEqualTo(2);

        // The group's step rewards come from the updated PRM: r_φ = β·w·φ = ±0.00125.
        List<OprlTrajectory> scored = List.of(prm.toOprl(group.get(0)), prm.toOprl(group.get(1)));
        assertThat(scored.get(0).stepReward(0)).isCloseTo(0.00125, within(1e-15));
        assertThat(scored.get(1).stepReward(0)).isCloseTo(-0.00125, within(1e-15));

        List<List<OprlStepCredit>> credits =
                new OprlAdvantage(OprlParams.defaults()).estimate(scored);
        // Pool {±0.00125}: std = 0.00125·√2. RLOO over {1, 0}: ±1.
        double std = 0.00125 * Math.sqrt(2);
        assertThat(credits.get(0).get(0).advantage())
                .isCloseTo(1 + 0.00125 / (std + EPS), within(1e-9));
        assertThat(credits.get(1).get(0).advantage())
                .isCloseTo(-1 - 0.00125 / (std + EPS), within(1e-9));
    }

    @Test
    void groupWithoutPreferencePairLeavesTheWeightsUnchanged() {
        SortedMap<Integer, Double> w = new TreeMap<>(Map.of(0, 0.4, 1, -0.2, 7, 1.0));
        ImplicitPrm prm = withWeights(PrmParams.defaults(), w);
        WeightSnapshot before = prm.snapshot();
        List<TrajectoryFeatures> allFailed =
                List.of(
                        trajectory(0, vector(0, 1), vector(1, 2)),
                        trajectory(-1, vector(7, 1)),
                        trajectory(0, vector(0, 1)));

        UpdateResult result = prm.update(allFailed);

        assertThat(result.updated()).isFalse();
        assertThat(result.pairCount()).isZero();
        assertThat(result.loss()).isNaN();
        assertThat(prm.snapshot()).isEqualTo(before);
        // A^S still follows the pooled rule on the unchanged PRM's rewards {0.02, −0.02 | 0.05 |
        // 0.02}; outcomes {0, −1, 0} have no pair at threshold 0 yet differ, so RLOO gives
        // A^E = 3/2·(0 + 1/3) = 0.5 and 3/2·(−1 + 1/3) = −1.
        List<OprlTrajectory> scored = new ArrayList<>();
        for (TrajectoryFeatures t : allFailed) {
            scored.add(prm.toOprl(t));
        }
        assertThat(scored.get(0).stepRewards())
                .containsExactly(new double[] {0.02, -0.02}, within(1e-15));
        double mean = (0.02 - 0.02 + 0.05 + 0.02) / 4;
        double std =
                Math.sqrt(
                        (sq(0.02 - mean) + sq(-0.02 - mean) + sq(0.05 - mean) + sq(0.02 - mean))
                                / 3);
        List<List<OprlStepCredit>> credits =
                new OprlAdvantage(OprlParams.defaults()).estimate(scored);
        assertThat(credits.get(1).get(0).episodeAdvantage()).isCloseTo(-1, within(1e-12));
        assertThat(credits.get(1).get(0).advantage())
                .isCloseTo(-1 + (0.05 - mean) / (std + EPS), within(1e-9));
        assertThat(credits.get(0).get(1).advantage())
                .isCloseTo(0.5 + (-0.02 - mean) / (std + EPS), within(1e-9));
    }

    private static double sq(double x) {
        return x * x;
    }

    @ParameterizedTest
    @EnumSource(TrajectoryScore.class)
    void analyticGradientMatchesCentralFiniteDifferences(TrajectoryScore score) {
        Random random = new Random(20250919L);
        PrmParams params =
                PrmParams.defaults().withBeta(0.5).withL2(0.1).withTrajectoryScore(score);
        List<TrajectoryFeatures> group = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            List<FeatureVector> steps = new ArrayList<>();
            int length = 1 + random.nextInt(4);
            for (int t = 0; t < length; t++) {
                double[] pairs = new double[6];
                for (int k = 0; k < 6; k += 2) {
                    pairs[k] = random.nextInt(12);
                    pairs[k + 1] = 0.5 + random.nextDouble();
                }
                steps.add(vector(pairs));
            }
            group.add(new TrajectoryFeatures(i < 2 ? 1.0 : 0.0, steps));
        }
        SortedMap<Integer, Double> w = new TreeMap<>();
        for (int f = 0; f < 12; f++) {
            w.put(f, random.nextGaussian());
        }
        ImplicitPrm prm = withWeights(params, w);

        SortedMap<Integer, Double> analytic = prm.gradient(group);

        assertThat(analytic).isNotEmpty();
        double h = 1e-5;
        double diffNorm = 0;
        double norm = 0;
        for (Map.Entry<Integer, Double> e : analytic.entrySet()) {
            SortedMap<Integer, Double> plus = new TreeMap<>(w);
            SortedMap<Integer, Double> minus = new TreeMap<>(w);
            plus.put(e.getKey(), w.get(e.getKey()) + h);
            minus.put(e.getKey(), w.get(e.getKey()) - h);
            double numeric =
                    (withWeights(params, plus).objective(group)
                                    - withWeights(params, minus).objective(group))
                            / (2 * h);
            assertThat(e.getValue()).isCloseTo(numeric, within(1e-8));
            diffNorm += sq(e.getValue() - numeric);
            norm += sq(e.getValue());
        }
        assertThat(Math.sqrt(diffNorm / norm)).isLessThan(1e-6);
    }

    @Test
    void meanTrajectoryScoreDividesTheSumByTheLength() {
        PrmParams mean = PrmParams.defaults().withTrajectoryScore(TrajectoryScore.MEAN);
        SortedMap<Integer, Double> w = new TreeMap<>(Map.of(1, 0.5, 2, -1.0));
        TrajectoryFeatures trajectory =
                new TrajectoryFeatures(1, List.of(vector(1, 2), vector(2, 1), vector(1, 1)));

        assertThat(withWeights(mean, w).trajectoryScore(trajectory))
                .isCloseTo((1.0 - 1.0 + 0.5) / 3, within(1e-15));
        assertThat(withWeights(PrmParams.defaults(), w).trajectoryScore(trajectory))
                .isCloseTo(0.5, within(1e-15));
        // Step rewards are per step whatever the trajectory score.
        assertThat(withWeights(mean, w).stepRewards(trajectory))
                .containsExactly(0.05 * 1.0, 0.05 * -1.0, 0.05 * 0.5);
    }

    /** Positives always pick "right"; negatives pick "left" in some states: separable by action. */
    private static List<List<TrajectoryFeatures>> separableGroups(
            PrmFeaturizer featurizer, int count) {
        Random random = new Random(7);
        List<List<TrajectoryFeatures>> groups = new ArrayList<>();
        for (int g = 0; g < count; g++) {
            List<TrajectoryFeatures> group = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                boolean success = i % 2 == 0;
                List<FeatureVector> steps = new ArrayList<>();
                for (int t = 0; t < 4; t++) {
                    String state = "cell-" + random.nextInt(3);
                    boolean left = !success && (t == 0 || random.nextBoolean());
                    steps.add(
                            featurizer.featurize(
                                    state,
                                    List.of("wall", "north"),
                                    List.of("move", left ? "left" : "right")));
                }
                group.add(new TrajectoryFeatures(success ? 1 : 0, steps));
            }
            groups.add(group);
        }
        return groups;
    }

    @Test
    void updatesLowerTheLossAndRaisePairAccuracyOnASeparableProblem() {
        PrmParams params = PrmParams.defaults().withLearningRate(2.0);
        PrmFeaturizer featurizer = new PrmFeaturizer(params);
        ImplicitPrm prm = new ImplicitPrm(params);
        List<List<TrajectoryFeatures>> groups = separableGroups(featurizer, 60);
        List<TrajectoryFeatures> probe = groups.get(0);
        double initialLoss = prm.loss(probe);

        UpdateResult first = prm.update(groups.get(0));
        UpdateResult last = first;
        for (int g = 1; g < groups.size(); g++) {
            last = prm.update(groups.get(g));
        }

        assertThat(first.pairAccuracy()).isEqualTo(0.5);
        assertThat(first.pairCount()).isEqualTo(4);
        assertThat(last.pairAccuracy()).isEqualTo(1.0);
        assertThat(last.loss()).isLessThan(first.loss());
        assertThat(prm.loss(probe)).isLessThan(initialLoss);
        // The learned step reward prefers "right" over "left" in the same state.
        double right =
                prm.score(
                        featurizer.featurize(
                                "cell-0", List.of("wall", "north"), List.of("move", "right")));
        double left =
                prm.score(
                        featurizer.featurize(
                                "cell-0", List.of("wall", "north"), List.of("move", "left")));
        assertThat(right).isGreaterThan(left);
    }

    @Test
    void sameInputsGiveBitIdenticalWeights() {
        PrmParams params =
                PrmParams.defaults().withL2(0.01).withWeightDecay(0.01).withMaxFeatures(20);
        PrmFeaturizer featurizer = new PrmFeaturizer(params);
        ImplicitPrm a = new ImplicitPrm(params);
        ImplicitPrm b = new ImplicitPrm(params);
        for (List<TrajectoryFeatures> group : separableGroups(featurizer, 30)) {
            assertThat(a.update(group)).isEqualTo(b.update(group));
        }
        for (List<TrajectoryFeatures> group : separableGroups(new PrmFeaturizer(params), 30)) {
            b.update(group);
            a.update(group);
        }

        assertThat(a.snapshot()).isEqualTo(b.snapshot());
        assertThat(ImplicitPrm.restore(params, a.snapshot()).snapshot()).isEqualTo(a.snapshot());
    }

    @Test
    void liveFeaturesStayWithinTheBoundDroppingTheSmallestWeights() {
        PrmParams params = PrmParams.defaults().withMaxFeatures(3);
        ImplicitPrm prm = new ImplicitPrm(params);
        // Feature 0 appears twice as often as the others, so its |w| grows fastest and survives.
        List<TrajectoryFeatures> group =
                List.of(
                        trajectory(1, vector(0, 2, 1, 1, 2, 1)),
                        trajectory(0, vector(3, 1, 4, 1, 5, 1)));

        UpdateResult result = prm.update(group);

        assertThat(result.evicted()).isEqualTo(3);
        assertThat(result.liveFeatures()).isEqualTo(3);
        assertThat(prm.liveFeatures()).isEqualTo(3);
        // |w| = 0.05 for feature 0, 0.025 for the rest: ties go to the smaller index first.
        assertThat(prm.snapshot().indices()).containsExactly(0, 4, 5);
        for (int g = 0; g < 20; g++) {
            prm.update(List.of(trajectory(1, vector(10 + g, 1)), trajectory(0, vector(40 + g, 1))));
            assertThat(prm.liveFeatures()).isLessThanOrEqualTo(3);
        }
    }

    @Test
    void anUpdateWritesOnlyTheFeaturesOfItsGroupIntoAnExternalMap() {
        List<Integer> written = new ArrayList<>();
        Map<Integer, Double> store =
                new java.util.HashMap<>(Map.of(99, 0.5)) {
                    @Override
                    public Double put(Integer key, Double value) {
                        written.add(key);
                        return super.put(key, value);
                    }
                };
        ImplicitPrm prm = new ImplicitPrm(PrmParams.defaults(), store);

        prm.update(List.of(trajectory(1, vector(3, 1)), trajectory(0, vector(1, 1, 2, 1))));

        assertThat(written).containsExactly(1, 2, 3);
        assertThat(store).containsEntry(99, 0.5).hasSize(4);
        assertThat(prm.weight(3)).isPositive();
    }
}
