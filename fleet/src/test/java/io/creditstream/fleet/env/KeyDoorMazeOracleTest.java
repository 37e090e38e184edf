package io.creditstream.fleet.env;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.creditstream.fleet.policy.RandomPolicy;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** The oracle reads observations back and scores actions exactly as the environment plays them. */
class KeyDoorMazeOracleTest {
    private static final int TASKS = 32;
    private static final Set<String> MOVES = Set.of("north", "south", "east", "west");

    @Test
    void followingTheOptimalActionsSolvesEveryTaskInTheShortestLength() {
        KeyDoorMazeEnvironment env = new KeyDoorMazeEnvironment();
        for (long seed = 0; seed < TASKS; seed++) {
            String observation = env.reset(seed);
            int shortest = env.maze().shortestSolutionLength();
            assertThat(MazeOracle.parse(observation).distanceToGoal()).isEqualTo(shortest);
            int steps = 0;
            StepResult result;
            do {
                MazeOracle oracle = MazeOracle.parse(observation);
                assertThat(oracle.distanceToGoal()).isEqualTo(shortest - steps);
                List<String> optimal = oracle.optimalActions();
                assertThat(optimal).as("seed %d step %d", seed, steps).isNotEmpty();
                result = env.step(optimal.get(0));
                steps++;
                assertThat(result.invalid()).isFalse();
                observation = result.observation();
            } while (!result.done());

            assertThat(result.reward()).as("seed %d", seed).isEqualTo(1.0);
            assertThat(steps).as("seed %d", seed).isEqualTo(shortest);
            MazeOracle atGoal = MazeOracle.parse(observation);
            assertThat(atGoal.atGoal()).isTrue();
            assertThat(atGoal.distanceToGoal()).isZero();
            assertThat(atGoal.optimalActions()).isEmpty();
            assertThat(atGoal.quality("west")).isZero();
        }
    }

    @Test
    void qualityIsTheDropInDistanceTheEnvironmentActuallyGives() {
        KeyDoorMazeEnvironment env = new KeyDoorMazeEnvironment();
        RandomPolicy policy = new RandomPolicy(17);
        int[] byQuality = new int[3];
        for (long seed = 0; seed < TASKS; seed++) {
            for (int episode = 0; episode < 5; episode++) {
                String observation = env.reset(seed);
                StepResult result;
                do {
                    MazeOracle before = MazeOracle.parse(observation);
                    // Every action, valid or not, is scored from the text alone.
                    for (String action : env.actions()) {
                        int quality = before.quality(action);
                        assertThat(quality).isBetween(-1, 1);
                        if (!MOVES.contains(action)) {
                            assertThat(quality).as(action).isBetween(0, 1);
                        }
                        assertThat(before.optimalActions().contains(action))
                                .isEqualTo(quality == 1);
                    }
                    String action = policy.act(observation, env.actions()).action();
                    result = env.step(action);
                    MazeOracle after = MazeOracle.parse(result.observation());
                    int quality = before.quality(action);
                    if (result.invalid()) {
                        assertThat(quality).isZero();
                        assertThat(after.distanceToGoal()).isEqualTo(before.distanceToGoal());
                    } else {
                        assertThat(quality)
                                .isEqualTo(before.distanceToGoal() - after.distanceToGoal());
                        if (!MOVES.contains(action)) {
                            // The door is the only way on, so a valid pick or open always helps.
                            assertThat(quality).as(action).isEqualTo(1);
                        }
                    }
                    byQuality[quality + 1]++;
                    observation = result.observation();
                } while (!result.done());
            }
        }
        // Steps away, neutral or invalid steps, and steps on a shortest path all occur.
        assertThat(byQuality).doesNotContain(0);
    }

    @Test
    void theOracleReadsWhatTheAgentStandsOn() {
        // On the key: neither drawn nor held, so it must be under the agent.
        MazeOracle onKey =
                MazeOracle.parse("@.#..\n..D.G\n..#..\nYou hold nothing.\nThe door is locked.");
        assertThat(onKey.optimalActions()).containsExactly("pick");
        assertThat(onKey.distanceToGoal()).isEqualTo(7);
        assertThat(onKey.holdsKey()).isFalse();
        assertThat(onKey.agent()).isEqualTo(new KeyDoorMaze.Cell(0, 0));

        // On the open door: only the way east helps.
        MazeOracle onDoor =
                MazeOracle.parse("..#..\n..@.G\n..#..\nYou hold the key.\nThe door is open.");
        assertThat(onDoor.optimalActions()).containsExactly("east");
        assertThat(onDoor.quality("west")).isEqualTo(-1);
        assertThat(onDoor.quality("north")).isZero();
        assertThat(onDoor.quality("open")).isZero();
        assertThat(onDoor.quality("dance")).isZero();
        assertThat(onDoor.distanceToGoal()).isEqualTo(2);
        assertThat(onDoor.doorOpen()).isTrue();

        // Next to the locked door with the key: open it.
        MazeOracle beforeOpening =
                MazeOracle.parse("..#..\n.@D.G\n..#..\nYou hold the key.\nThe door is locked.");
        assertThat(beforeOpening.optimalActions()).containsExactly("open");
        assertThat(beforeOpening.quality("north")).isEqualTo(-1);
    }

    @Test
    void anUnsolvableStateIsUnreachableAndHasNoOptimalAction() {
        // The key is walled off from the agent.
        MazeOracle stuck =
                MazeOracle.parse("k#...\n#@D.G\n..#..\nYou hold nothing.\nThe door is locked.");

        assertThat(stuck.distanceToGoal()).isEqualTo(MazeOracle.UNREACHABLE);
        assertThat(stuck.optimalActions()).isEmpty();
        assertThat(stuck.quality("south")).isZero();
    }

    @Test
    void malformedObservationsAreRejectedNamingTheProblem() {
        String ok = "You hold nothing.\nThe door is locked.";
        assertRejected(null, "null");
        assertRejected("k.#..\n.@D.G", "line");
        assertRejected("k.#..\n.@D.G\n..#..\nYou hold a sword.\nThe door is locked.", "You hold");
        assertRejected("k.#..\n.@D.G\n..#..\nYou hold nothing.\nThe door is ajar.", "The door");
        assertRejected("k.#..\n.@D.G\n..#..\n" + ok + "\n", "The door");
        assertRejected("k.#..\n.@D.G\n..#.\n" + ok, "Grid line 3 has 4 characters");
        assertRejected("k.#..\n.@D.G\n..#x.\n" + ok, "'x' at row 3, column 4");
        assertRejected("k.#..\n..D.G\n..#..\n" + ok, "No agent");
        assertRejected("k.#..\n.@D.G\n.@#..\n" + ok, "More than one agent");
        assertRejected("k.#..\n.@D.G\n.k#..\n" + ok, "More than one key");
        assertRejected("k.#..\n.@D.G\n..D..\n" + ok, "More than one door");
        assertRejected("k.#.G\n.@D.G\n..#..\n" + ok, "More than one goal");
        assertRejected(
                "k.#..\n.@D.G\n..#..\nYou hold the key.\nThe door is locked.", "both on the floor");
        assertRejected("k.#..\n.@D.G\n..#..\nYou hold nothing.\nThe door is open.", "drawn 'D'");
        assertRejected("..#..\n.@/.G\n..#..\nYou hold the key.\nThe door is locked.", "drawn '/'");
        assertRejected(
                "..#..\n.@/.G\n..#..\nYou hold nothing.\nThe door is open.", "key is not held");
        assertRejected("..#..\n..@.G\n..#..\n" + ok, "the key 'k' (and it is not held) the door");
        assertRejected(
                "..#..\n..@.G\n..#..\nYou hold the key.\nThe door is locked.",
                "yet the door is locked");
        assertRejected("room 1a2b3c at (0,1): exits east", "line");
    }

    @Test
    void parsingIsThreadSafeAndAgreesAcrossThreads() {
        List<String> observations = new ArrayList<>();
        KeyDoorMazeEnvironment env = new KeyDoorMazeEnvironment();
        RandomPolicy policy = new RandomPolicy(3);
        for (long seed = 0; seed < TASKS; seed++) {
            String observation = env.reset(seed);
            for (int i = 0; i < 40; i++) {
                observations.add(observation);
                StepResult result = env.step(policy.act(observation, env.actions()).action());
                observation = result.observation();
            }
        }
        int[] sequential =
                observations.stream().mapToInt(o -> MazeOracle.parse(o).distanceToGoal()).toArray();

        int[] parallel =
                IntStream.range(0, observations.size())
                        .parallel()
                        .map(i -> MazeOracle.parse(observations.get(i)).distanceToGoal())
                        .toArray();

        assertThat(parallel).isEqualTo(sequential);
    }

    private static void assertRejected(String observation, String reason) {
        assertThatThrownBy(() -> MazeOracle.parse(observation))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(reason);
    }
}
