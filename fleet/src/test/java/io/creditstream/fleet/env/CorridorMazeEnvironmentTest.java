package io.creditstream.fleet.env;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.creditstream.fleet.SimulatedFleet;
import io.creditstream.fleet.policy.RandomPolicy;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The maze's rules: determinism, sparse reward, episode end, invalid actions. */
class CorridorMazeEnvironmentTest {

    @Test
    void sameSeedAndActionsGiveTheSameEpisode() {
        assertThat(play(42L, 7L)).isEqualTo(play(42L, 7L));
    }

    @Test
    void tasksHaveDifferentRooms() {
        Set<String> firstObservations = new HashSet<>();
        CorridorMazeEnvironment env = new CorridorMazeEnvironment();
        for (int task = 0; task < 20; task++) {
            firstObservations.add(env.reset(SimulatedFleet.taskSeed(task)));
        }
        assertThat(firstObservations).hasSize(20);
    }

    @Test
    void rewardIsOneOnlyWhenTheEpisodeEndsAtTheGoal() {
        CorridorMazeEnvironment env = new CorridorMazeEnvironment();
        RandomPolicy policy = new RandomPolicy(3);
        int successes = 0;
        for (int episode = 0; episode < 500; episode++) {
            String observation = env.reset(SimulatedFleet.taskSeed(episode % 10));
            int steps = 0;
            while (true) {
                StepResult result = env.step(policy.act(observation, env.actions()).action());
                steps++;
                assertThat(result.reward()).isIn(0.0, 1.0);
                if (result.reward() > 0) {
                    assertThat(result.done()).isTrue();
                    assertThat(result.observation()).endsWith("the exit is here");
                    successes++;
                }
                if (result.done()) {
                    assertThat(result.reward() > 0 || steps == env.maxSteps()).isTrue();
                    break;
                }
                observation = result.observation();
            }
            assertThat(steps).isBetween(1, env.maxSteps());
        }
        assertThat(successes).isPositive().isLessThan(500);
    }

    @Test
    void theInvalidActionIsFlaggedAndChangesNothing() {
        CorridorMazeEnvironment env = new CorridorMazeEnvironment();
        String start = env.reset(SimulatedFleet.taskSeed(0));

        StepResult result = env.step(CorridorMazeEnvironment.INVALID_ACTION);

        assertThat(result.invalid()).isTrue();
        assertThat(result.observation()).isEqualTo(start);
        assertThat(result.reward()).isZero();
        assertThat(env.actions()).contains(CorridorMazeEnvironment.INVALID_ACTION).hasSize(5);
    }

    @Test
    void episodeEndsAfterMaxStepsWhenTheGoalIsNotReached() {
        CorridorMazeEnvironment env = new CorridorMazeEnvironment(3);
        env.reset(SimulatedFleet.taskSeed(0));
        StepResult last = null;
        for (int i = 0; i < 3; i++) {
            last = env.step(CorridorMazeEnvironment.INVALID_ACTION);
            assertThat(last.done()).isEqualTo(i == 2);
        }
        assertThat(last.reward()).isZero();
        assertThatThrownBy(() -> env.step(CorridorMazeEnvironment.NORTH))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("reset");
    }

    @Test
    void stepBeforeResetAndBadSettingsAreRejected() {
        assertThatThrownBy(() -> new CorridorMazeEnvironment().step(CorridorMazeEnvironment.EAST))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("reset");
        assertThatThrownBy(() -> new CorridorMazeEnvironment(0))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void goalIsNeverAtTheStartAndAlwaysReachable() {
        for (int task = 0; task < 200; task++) {
            assertThat(CorridorMazeEnvironment.shortestPath(SimulatedFleet.taskSeed(task)))
                    .as("task %d", task)
                    .isBetween(2, 7);
        }
    }

    /** Plays one episode with a seeded random policy and returns the observations seen. */
    private static List<String> play(long taskSeed, long policySeed) {
        CorridorMazeEnvironment env = new CorridorMazeEnvironment();
        RandomPolicy policy = new RandomPolicy(policySeed);
        List<String> seen = new ArrayList<>();
        String observation = env.reset(taskSeed);
        seen.add(observation);
        StepResult result;
        do {
            result = env.step(policy.act(observation, env.actions()).action());
            observation = result.observation();
            seen.add(observation + " r=" + result.reward() + " done=" + result.done());
        } while (!result.done());
        return seen;
    }
}
