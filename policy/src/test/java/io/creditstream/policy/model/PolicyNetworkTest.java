package io.creditstream.policy.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PolicyNetworkTest {

    private static final NetworkSpec SPEC = NetworkSpec.keyDoorMaze(7, 11);

    @Test
    void sameSeedGivesBitIdenticalWeights() {
        try (PolicyNetwork first = PolicyNetwork.create(SPEC, 42);
                PolicyNetwork second = PolicyNetwork.create(SPEC, 42);
                PolicyNetwork other = PolicyNetwork.create(SPEC, 43)) {
            Map<String, float[]> weights = first.weights();

            assertThat(weights.keySet())
                    .containsExactly(
                            "hidden1.weight",
                            "hidden1.bias",
                            "hidden2.weight",
                            "hidden2.bias",
                            "logits.weight",
                            "logits.bias");
            assertThat(weights.get("hidden1.weight")).hasSize(128 * SPEC.inputSize());
            weights.forEach(
                    (name, values) -> assertThat(second.weights().get(name)).isEqualTo(values));
            assertThat(other.weights().get("hidden1.weight"))
                    .isNotEqualTo(weights.get("hidden1.weight"));
        }
    }

    @Test
    void startsNearUniformSoEveryActionIsExplored() {
        try (PolicyNetwork network = PolicyNetwork.create(SPEC, 1)) {
            float[] logProbs = network.logProbabilities(MazeObservations.AGENT_NEAR_KEY);

            assertThat(logProbs).hasSize(6);
            double total = 0;
            for (float logProb : logProbs) {
                assertThat((double) logProb).isCloseTo(Math.log(1.0 / 6), within(0.05));
                total += Math.exp(logProb);
            }
            assertThat(total).isCloseTo(1.0, within(1e-5));
        }
    }

    @Test
    void batchAndSingleEvaluationAgree() {
        List<String> observations = MazeObservations.everyAgentPosition().subList(0, 5);
        try (PolicyNetwork network = PolicyNetwork.create(SPEC.withHiddenSize(16), 3)) {
            float[][] batch = network.logProbabilities(observations);

            for (int i = 0; i < observations.size(); i++) {
                float[] single = network.logProbabilities(observations.get(i));
                for (int a = 0; a < single.length; a++) {
                    assertThat(batch[i][a]).isCloseTo(single[a], within(1e-6f));
                }
            }
        }
    }

    @Test
    void writeThenReadRoundTripsEveryBit() throws IOException {
        NetworkSpec spec = SPEC.withHiddenSize(32).withActivation(NetworkSpec.Activation.RELU);
        try (PolicyNetwork original = PolicyNetwork.create(spec, 7)) {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            original.writeTo(new DataOutputStream(bytes));

            try (PolicyNetwork copy =
                    PolicyNetwork.readFrom(
                            new DataInputStream(new ByteArrayInputStream(bytes.toByteArray())))) {
                assertThat(copy.spec()).isEqualTo(spec);
                original.weights()
                        .forEach(
                                (name, values) ->
                                        assertThat(copy.weights().get(name)).isEqualTo(values));
                List<String> observations = MazeObservations.everyAgentPosition();
                assertThat(copy.logProbabilities(observations))
                        .isDeepEqualTo(original.logProbabilities(observations));
            }
        }
    }

    @Test
    void rejectsBytesThatAreNotANetwork() {
        byte[] junk = {1, 2, 3, 4, 5, 6, 7, 8};

        assertThatThrownBy(
                        () ->
                                PolicyNetwork.readFrom(
                                        new DataInputStream(new ByteArrayInputStream(junk))))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("not a policy network");
    }

    @Test
    void inferenceDoesNotLeakNativeArrays() {
        try (PolicyNetwork network = PolicyNetwork.create(SPEC, 5)) {
            network.logProbabilities(MazeObservations.AGENT_NEAR_KEY);
            int live = network.liveArrayCount();

            for (int i = 0; i < 50; i++) {
                network.logProbabilities(MazeObservations.AGENT_NEAR_KEY);
            }

            assertThat(network.liveArrayCount()).isEqualTo(live);
        }
    }

    @Test
    void namesAnUnknownAction() {
        try (PolicyNetwork network = PolicyNetwork.create(SPEC.withHiddenSize(4), 5)) {
            assertThat(network.actionIndex("west")).isEqualTo(3);
            assertThatThrownBy(() -> network.actionIndex("jump"))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("unknown action \"jump\"");
        }
    }
}
