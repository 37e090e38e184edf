package io.creditstream.policy.training;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.creditstream.policy.model.MazeObservations;
import io.creditstream.policy.model.NetworkSpec;
import io.creditstream.policy.model.PolicyNetwork;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.Test;

class ClippedPolicyGradientTest {

    private static final NetworkSpec SPEC = NetworkSpec.keyDoorMaze(7, 11).withHiddenSize(32);
    private static final String OBSERVATION = MazeObservations.AGENT_NEAR_KEY;

    @Test
    void raisesTheProbabilityOfAGoodActionAndLowersABadOne() {
        try (PolicyNetwork network = PolicyNetwork.create(SPEC, 8);
                ClippedPolicyGradient learner =
                        new ClippedPolicyGradient(
                                network,
                                UpdateOptions.DEFAULTS.withLearningRate(1e-2).withEpochs(1),
                                8)) {
            int east = network.actionIndex("east");
            int west = network.actionIndex("west");
            float[] before = network.logProbabilities(OBSERVATION);
            List<TrainingSample> batch =
                    List.of(
                            TrainingBatches.onPolicy(network, OBSERVATION, "east", 1.0),
                            TrainingBatches.onPolicy(network, OBSERVATION, "west", -1.0));

            UpdateStats first = learner.update(batch);
            for (int i = 0; i < 4; i++) {
                learner.update(batch);
            }

            float[] after = network.logProbabilities(OBSERVATION);
            assertThat(after[east]).isGreaterThan(before[east]);
            assertThat(after[west]).isLessThan(before[west]);
            assertThat(first.meanRatio()).isCloseTo(1.0, within(1e-6));
            assertThat(first.clipFraction()).isZero();
            assertThat(first.approxKl()).isCloseTo(0.0, within(1e-9));
            assertThat(first.entropy()).isCloseTo(Math.log(6), within(0.01));
            assertThat(first.samples()).isEqualTo(2);
            assertThat(first.optimizerSteps()).isEqualTo(1);
            assertThat(first.gradNorm()).isPositive();
            assertThat(learner.updatesApplied()).isEqualTo(5);
            assertThat(learner.optimizer().steps()).isEqualTo(5);
        }
    }

    @Test
    void zeroAdvantagesWithoutEntropyBonusLeaveThePolicyUnchanged() {
        UpdateOptions options = UpdateOptions.DEFAULTS.withEntropyCoefficient(0).withEpochs(3);
        try (PolicyNetwork network = PolicyNetwork.create(SPEC, 9);
                ClippedPolicyGradient learner = new ClippedPolicyGradient(network, options, 9)) {
            Map<String, float[]> before = network.weights();
            List<TrainingSample> batch =
                    TrainingBatches.randomOnPolicy(network, 20, 1).stream()
                            .map(
                                    s ->
                                            new TrainingSample(
                                                    s.observation(),
                                                    s.actionIndex(),
                                                    s.behaviorLogProb(),
                                                    0.0))
                            .toList();

            UpdateStats stats = learner.update(batch);

            assertWeightsEqual(network.weights(), before);
            assertThat(stats.loss()).isZero();
            assertThat(stats.gradNorm()).isZero();
            assertThat(stats.optimizerSteps()).isEqualTo(3);
        }
    }

    @Test
    void samplesPastTheClipRangeInTheFavouredDirectionGiveNoGradient() {
        UpdateOptions options = UpdateOptions.DEFAULTS.withEntropyCoefficient(0);
        try (PolicyNetwork network = PolicyNetwork.create(SPEC, 10);
                ClippedPolicyGradient learner = new ClippedPolicyGradient(network, options, 10)) {
            Map<String, float[]> before = network.weights();
            TrainingSample east = TrainingBatches.onPolicy(network, OBSERVATION, "east", 1.0);
            TrainingSample west = TrainingBatches.onPolicy(network, OBSERVATION, "west", 1.0);
            List<TrainingSample> batch =
                    List.of(
                            // ratio e > 1 + ε with a positive advantage: already pushed far enough
                            new TrainingSample(
                                    OBSERVATION,
                                    east.actionIndex(),
                                    east.behaviorLogProb() - 1,
                                    1.0),
                            // ratio 1/e < 1 − ε with a negative advantage: already pulled far
                            // enough
                            new TrainingSample(
                                    OBSERVATION,
                                    west.actionIndex(),
                                    west.behaviorLogProb() + 1,
                                    -1.0));

            UpdateStats stats = learner.update(batch);

            assertThat(stats.clipFraction()).isEqualTo(1.0);
            assertThat(stats.meanRatio()).isCloseTo((Math.E + 1 / Math.E) / 2, within(1e-5));
            assertThat(stats.gradNorm()).isZero();
            assertWeightsEqual(network.weights(), before);
        }
    }

    @Test
    void samplesPastTheClipRangeAgainstTheirAdvantageStillPull() {
        UpdateOptions options = UpdateOptions.DEFAULTS.withEntropyCoefficient(0);
        try (PolicyNetwork network = PolicyNetwork.create(SPEC, 10);
                ClippedPolicyGradient learner = new ClippedPolicyGradient(network, options, 10)) {
            Map<String, float[]> before = network.weights();
            TrainingSample east = TrainingBatches.onPolicy(network, OBSERVATION, "east", 1.0);
            // ratio e > 1 + ε but a negative advantage: the unclipped term is the smaller one
            TrainingSample overshot =
                    new TrainingSample(
                            OBSERVATION, east.actionIndex(), east.behaviorLogProb() - 1, -1.0);

            UpdateStats stats = learner.update(List.of(overshot));

            assertThat(stats.clipFraction()).isEqualTo(1.0);
            assertThat(stats.gradNorm()).isPositive();
            assertThat(network.weights().get("logits.weight"))
                    .isNotEqualTo(before.get("logits.weight"));
        }
    }

    @Test
    void withAnImportanceCapAStaleSampleStillPullsThroughItsTruncatedWeight() {
        // The sample the test above lets give no gradient (played when the action was e times less
        // likely): with the cap, the ratio is taken against the policy at the update's start (1 in
        // its first step) and the staleness becomes the weight min(e, 2) = 2.
        UpdateOptions options =
                UpdateOptions.DEFAULTS.withEntropyCoefficient(0).withEpochs(1).withImportanceCap(2);
        try (PolicyNetwork network = PolicyNetwork.create(SPEC, 10);
                ClippedPolicyGradient learner = new ClippedPolicyGradient(network, options, 10)) {
            TrainingSample east = TrainingBatches.onPolicy(network, OBSERVATION, "east", 1.0);
            float[] before = network.logProbabilities(OBSERVATION);
            TrainingSample stale =
                    new TrainingSample(
                            OBSERVATION, east.actionIndex(), east.behaviorLogProb() - 1, 1.0);

            UpdateStats stats = learner.update(List.of(stale));

            assertThat(stats.meanRatio()).isCloseTo(1.0, within(1e-6));
            assertThat(stats.clipFraction()).isZero();
            // w = e: (e − 1) − 1
            assertThat(stats.behaviorKl()).isCloseTo(Math.E - 2, within(1e-5));
            assertThat(stats.truncatedFraction()).isEqualTo(1.0);
            assertThat(stats.gradNorm()).isPositive();
            assertThat(network.logProbabilities(OBSERVATION)[east.actionIndex()])
                    .isGreaterThan(before[east.actionIndex()]);
        }
    }

    @Test
    void theImportanceWeightScalesTheGradientUpToTheCap() {
        // One sample, one step: the gradient is the on-policy sample's times the weight, and the
        // weight is π_start/π_behaviour = 1.5 under a cap of 2, and the cap 1.2 above it.
        double onPolicy = firstStepGradNorm(0.0, 2.0);
        double weighted = firstStepGradNorm(Math.log(1.5), 2.0);
        double capped = firstStepGradNorm(Math.log(1.5), 1.2);

        assertThat(onPolicy).isPositive();
        assertThat(weighted / onPolicy).isCloseTo(1.5, within(1e-4));
        assertThat(capped / onPolicy).isCloseTo(1.2, within(1e-4));
    }

    /** The gradient norm of one update on one sample played {@code lag} nats less likely. */
    private static double firstStepGradNorm(double lag, double cap) {
        UpdateOptions options =
                UpdateOptions.DEFAULTS
                        .withEntropyCoefficient(0)
                        .withEpochs(1)
                        .withImportanceCap(cap);
        try (PolicyNetwork network = PolicyNetwork.create(SPEC, 11);
                ClippedPolicyGradient learner = new ClippedPolicyGradient(network, options, 11)) {
            TrainingSample east = TrainingBatches.onPolicy(network, OBSERVATION, "east", 1.0);
            UpdateStats stats =
                    learner.update(
                            List.of(
                                    new TrainingSample(
                                            OBSERVATION,
                                            east.actionIndex(),
                                            east.behaviorLogProb() - lag,
                                            1.0)));
            assertThat(stats.truncatedFraction()).isEqualTo(Math.exp(lag) > cap ? 1.0 : 0.0);
            return stats.gradNorm();
        }
    }

    @Test
    void repeatedUpdatesDoNotLeakNativeArrays() {
        UpdateOptions options =
                UpdateOptions.DEFAULTS.withMinibatchSize(8).withEpochs(2).withMaxGradNorm(0.5);
        try (PolicyNetwork network = PolicyNetwork.create(SPEC, 12);
                ClippedPolicyGradient learner = new ClippedPolicyGradient(network, options, 12)) {
            List<TrainingSample> batch = TrainingBatches.randomOnPolicy(network, 30, 2);
            learner.update(batch);
            int networkArrays = network.liveArrayCount();
            int optimizerArrays = learner.optimizer().liveArrayCount();

            // A fresh on-policy batch per update, as a learner sees. Replaying one batch for 22
            // epochs once failed this test under heavy load with a non-finite gradient norm (not
            // reproduced; the likely cause is ratios driven far outside the clip range), which is
            // not what it checks.
            for (int i = 0; i < 10; i++) {
                learner.update(TrainingBatches.randomOnPolicy(network, 30, 3 + i));
            }

            assertThat(network.liveArrayCount()).isEqualTo(networkArrays);
            assertThat(learner.optimizer().liveArrayCount())
                    .isEqualTo(optimizerArrays)
                    .isEqualTo(2 * network.trainableArrays().size());
        }
    }

    @Test
    void rejectsABadBatchBeforeChangingAnyWeight() {
        try (PolicyNetwork network = PolicyNetwork.create(SPEC, 13);
                ClippedPolicyGradient learner =
                        new ClippedPolicyGradient(network, UpdateOptions.DEFAULTS, 13)) {
            Map<String, float[]> before = network.weights();
            TrainingSample good = TrainingBatches.onPolicy(network, OBSERVATION, "east", 1.0);

            assertThatThrownBy(() -> learner.update(List.of()))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("empty batch");
            assertThatThrownBy(
                            () ->
                                    learner.update(
                                            List.of(
                                                    good,
                                                    new TrainingSample(OBSERVATION, 6, -1, 1))))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("sample 1 has action index 6");
            assertThatThrownBy(
                            () ->
                                    learner.update(
                                            List.of(good, new TrainingSample("bad", 0, -1, 1))))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("observation 1 of the batch");
            assertWeightsEqual(network.weights(), before);
            assertThat(learner.updatesApplied()).isZero();
        }
    }

    @Test
    void updatesOnAThreadOtherThanTheOneThatStartedTheEngine() throws Exception {
        // PyTorch's grad mode is per thread and on by default: the update must not depend on it.
        try (PolicyNetwork network = PolicyNetwork.create(SPEC, 14);
                PolicyNetwork twin = PolicyNetwork.create(SPEC, 14);
                ClippedPolicyGradient learner =
                        new ClippedPolicyGradient(network, UpdateOptions.DEFAULTS, 14);
                ClippedPolicyGradient twinLearner =
                        new ClippedPolicyGradient(twin, UpdateOptions.DEFAULTS, 14)) {
            List<TrainingSample> batch = TrainingBatches.randomOnPolicy(network, 16, 3);
            learner.update(batch);

            ExecutorService other = Executors.newSingleThreadExecutor();
            try {
                other.submit(() -> twinLearner.update(batch)).get();
            } finally {
                other.shutdown();
            }

            assertWeightsEqual(twin.weights(), network.weights());
        }
    }

    @Test
    void aTargetKlStopsTheUpdateOnceItHasMovedThePolicyThatFar() {
        // 32 samples in minibatches of 8 for 8 epochs: 32 steps when nothing stops it.
        UpdateOptions options =
                UpdateOptions.DEFAULTS.withLearningRate(1e-2).withMinibatchSize(8).withEpochs(8);
        double[] klAfter = new double[3];
        int[] steps = new int[3];
        UpdateOptions[] variants = {
            options, options.withTargetKl(0.01), options.withTargetKl(1e-12)
        };
        for (int v = 0; v < variants.length; v++) {
            try (PolicyNetwork network = PolicyNetwork.create(SPEC, 15);
                    ClippedPolicyGradient learner =
                            new ClippedPolicyGradient(network, variants[v], 15)) {
                List<TrainingSample> batch = TrainingBatches.randomOnPolicy(network, 32, 15);
                steps[v] = learner.update(batch).optimizerSteps();
                klAfter[v] = klFromBehavior(network, batch);
            }
        }

        assertThat(steps[0]).isEqualTo(32);
        assertThat(klAfter[0]).isGreaterThan(0.015);
        // Stopped part-way, having moved less.
        assertThat(steps[1]).isBetween(2, 31);
        assertThat(klAfter[1]).isLessThan(klAfter[0]);
        // The first step always runs: before it the policy has not moved at all.
        assertThat(steps[2]).isEqualTo(1);
        assertThat(klAfter[2]).isPositive().isLessThan(klAfter[1]);
    }

    /** Mean (q − 1) − log q over the batch, q = π_now(a|s) / π_behavior(a|s). */
    private static double klFromBehavior(PolicyNetwork network, List<TrainingSample> batch) {
        double sum = 0;
        for (TrainingSample sample : batch) {
            double logQ =
                    network.logProbabilities(sample.observation())[sample.actionIndex()]
                            - sample.behaviorLogProb();
            sum += Math.expm1(logQ) - logQ;
        }
        return sum / batch.size();
    }

    @Test
    void optionsAreValidatedWhenBuilt() {
        assertThatThrownBy(() -> UpdateOptions.DEFAULTS.withLearningRate(0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("learningRate");
        assertThatThrownBy(() -> UpdateOptions.DEFAULTS.withClipEpsilon(1.5))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("clipEpsilon must be in (0, 1)");
        assertThatThrownBy(() -> UpdateOptions.DEFAULTS.withMinibatchSize(0))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> UpdateOptions.DEFAULTS.withMaxGradNorm(-1))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> UpdateOptions.DEFAULTS.withImportanceCap(0.5))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("importanceCap must be a finite number >= 1");
        assertThat(UpdateOptions.DEFAULTS.learningRate()).isEqualTo(1e-3);
        assertThat(UpdateOptions.DEFAULTS.epochs()).isEqualTo(4);
        assertThat(UpdateOptions.DEFAULTS.minibatchSize()).isEqualTo(256);
        assertThat(UpdateOptions.DEFAULTS.clipEpsilon()).isEqualTo(0.2);
        assertThat(UpdateOptions.DEFAULTS.entropyCoefficient()).isEqualTo(0.01);
        assertThat(UpdateOptions.DEFAULTS.maxGradNorm()).hasValue(1.0);
        assertThat(UpdateOptions.DEFAULTS.withMaxGradNorm(0).maxGradNorm()).isEmpty();
        assertThat(UpdateOptions.DEFAULTS.importanceCap()).isEmpty();
        assertThatThrownBy(() -> UpdateOptions.DEFAULTS.withTargetKl(0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("targetKl must be a positive finite number");
        assertThat(UpdateOptions.DEFAULTS.targetKl()).isEmpty();
    }

    static void assertWeightsEqual(Map<String, float[]> actual, Map<String, float[]> expected) {
        assertThat(actual.keySet()).containsExactlyElementsOf(expected.keySet());
        expected.forEach((name, values) -> assertThat(actual.get(name)).as(name).isEqualTo(values));
    }
}
