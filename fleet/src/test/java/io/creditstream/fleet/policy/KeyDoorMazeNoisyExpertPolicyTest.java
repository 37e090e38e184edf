package io.creditstream.fleet.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.creditstream.fleet.RolloutGroup;
import io.creditstream.fleet.SimulatedFleet;
import io.creditstream.fleet.env.KeyDoorMazeEnvironment;
import io.creditstream.fleet.env.MazeOracle;
import io.creditstream.fleet.env.StepResult;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The noisy expert: exact at epsilon 0, uniform at 1, with true log-probabilities in between. */
class KeyDoorMazeNoisyExpertPolicyTest {
    private static final int TASKS = 32;

    @Test
    void withoutNoiseItSolvesEveryTaskInTheShortestLength() {
        KeyDoorMazeEnvironment env = new KeyDoorMazeEnvironment();
        NoisyExpertPolicy expert = new NoisyExpertPolicy(0.0, 1);
        for (long seed = 0; seed < TASKS; seed++) {
            for (int episode = 0; episode < 3; episode++) {
                String observation = env.reset(seed);
                int steps = 0;
                StepResult result;
                do {
                    PolicyDecision decision = expert.act(observation, env.actions());
                    assertThat(decision.logProb()).isLessThanOrEqualTo(0).isGreaterThan(-1);
                    result = env.step(decision.action());
                    steps++;
                    observation = result.observation();
                } while (!result.done());

                assertThat(result.reward()).as("seed %d", seed).isEqualTo(1.0);
                assertThat(steps).isEqualTo(env.maze().shortestSolutionLength());
            }
        }
    }

    @Test
    void withFullNoiseItIsTheRandomPolicy() {
        KeyDoorMazeEnvironment env = new KeyDoorMazeEnvironment();
        NoisyExpertPolicy noisy = new NoisyExpertPolicy(1.0, 2);
        Map<String, Integer> counts = new HashMap<>();
        String observation = env.reset(0);
        for (int i = 0; i < 6000; i++) {
            PolicyDecision decision = noisy.act(observation, env.actions());
            assertThat(decision.logProb()).isCloseTo(-Math.log(6), within(1e-12));
            counts.merge(decision.action(), 1, Integer::sum);
            StepResult result = env.step(decision.action());
            observation = result.done() ? env.reset(i % TASKS) : result.observation();
        }
        // Expected 1000 each; 4 standard deviations is about 130.
        assertThat(counts).hasSize(6);
        assertThat(counts.values()).allSatisfy(n -> assertThat(n).isBetween(870, 1130));
    }

    @Test
    void logProbabilitiesAreTrueAndSumToOne() {
        KeyDoorMazeEnvironment env = new KeyDoorMazeEnvironment();
        for (double epsilon : new double[] {0.0, 0.2, 0.5, 0.8, 1.0}) {
            NoisyExpertPolicy policy = new NoisyExpertPolicy(epsilon, 3);
            for (long seed = 0; seed < 8; seed++) {
                String observation = env.reset(seed);
                StepResult result;
                do {
                    double total = 0;
                    for (String action : env.actions()) {
                        total +=
                                Math.exp(policy.logProbability(observation, env.actions(), action));
                    }
                    assertThat(total).isCloseTo(1.0, within(1e-12));
                    PolicyDecision decision = policy.act(observation, env.actions());
                    assertThat(decision.logProb())
                            .isEqualTo(
                                    policy.logProbability(
                                            observation, env.actions(), decision.action()));
                    result = env.step(decision.action());
                    observation = result.observation();
                } while (!result.done());
            }
        }
        String start = env.reset(0);
        List<String> optimal = MazeOracle.parse(start).optimalActions();
        NoisyExpertPolicy noisy = new NoisyExpertPolicy(0.3, 0);
        for (String action : env.actions()) {
            double expected = 0.3 / 6 + (optimal.contains(action) ? 0.7 / optimal.size() : 0);
            assertThat(noisy.logProbability(start, env.actions(), action))
                    .isCloseTo(Math.log(expected), within(1e-12));
        }
        String wrong = env.actions().stream().filter(a -> !optimal.contains(a)).findFirst().get();
        assertThat(new NoisyExpertPolicy(0, 0).logProbability(start, env.actions(), wrong))
                .isEqualTo(Double.NEGATIVE_INFINITY);
    }

    @Test
    void onTheGoalItFallsBackToUniform() {
        String atGoal = "..#..\n../.@\n..#..\nYou hold the key.\nThe door is open.";
        List<String> actions = new KeyDoorMazeEnvironment().actions();

        PolicyDecision decision = new NoisyExpertPolicy(0.0, 4).act(atGoal, actions);

        assertThat(decision.logProb()).isCloseTo(-Math.log(6), within(1e-12));
    }

    @Test
    void moderateNoiseGivesGroupsWithMixedOutcomes() {
        SimulatedFleet fleet =
                SimulatedFleet.builder("noisy-expert")
                        .tasks(16)
                        .groupSize(8)
                        .clock(() -> 0L)
                        .environment(KeyDoorMazeEnvironment::new)
                        .policy(new NoisyExpertPolicy(0.8, 9))
                        .build();
        int mixed = 0;
        int successes = 0;
        for (int group = 0; group < 16; group++) {
            RolloutGroup played = fleet.nextRolloutGroup();
            successes += played.successes();
            mixed += played.successes() > 0 && played.successes() < 8 ? 1 : 0;
        }
        // Measured: 63 of 128 episodes succeed, 15 of 16 groups are mixed.
        assertThat(successes).isBetween(32, 96);
        assertThat(mixed).as("groups with mixed outcomes").isGreaterThanOrEqualTo(12);
    }

    @Test
    void sameSeedSameChoicesAndSettingsAreChecked() {
        KeyDoorMazeEnvironment env = new KeyDoorMazeEnvironment();
        String observation = env.reset(6);
        NoisyExpertPolicy first = new NoisyExpertPolicy(0.5, 42, 3);
        NoisyExpertPolicy second = new NoisyExpertPolicy(0.5, 42, 3);
        for (int i = 0; i < 200; i++) {
            assertThat(second.act(observation, env.actions()))
                    .isEqualTo(first.act(observation, env.actions()));
        }
        assertThat(first.version()).isEqualTo(3);
        assertThat(new NoisyExpertPolicy(0.5, 42).version()).isZero();
        assertThatThrownBy(() -> new NoisyExpertPolicy(1.5, 0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("epsilon");
        assertThatThrownBy(() -> new NoisyExpertPolicy(Double.NaN, 0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("epsilon");
        assertThatThrownBy(() -> new NoisyExpertPolicy(0.5, 0, -1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("version");
        assertThatThrownBy(() -> first.act(observation, List.of()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("No actions");
        assertThatThrownBy(() -> first.act("room 1a2b3c at (0,1): exits east", env.actions()))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
