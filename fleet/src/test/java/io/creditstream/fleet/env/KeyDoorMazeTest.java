package io.creditstream.fleet.env;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.creditstream.fleet.SimulatedFleet;
import java.util.HashSet;
import java.util.IntSummaryStatistics;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Layout generation: a pure function of spec and seed, always solvable, of plausible length. */
class KeyDoorMazeTest {
    private static final int TASKS = 32;

    @Test
    void sameSeedGivesTheSameLayout() {
        for (long seed = 0; seed < TASKS; seed++) {
            KeyDoorMaze first = KeyDoorMaze.generate(MazeSpec.standard(), seed);
            KeyDoorMaze second = KeyDoorMaze.generate(MazeSpec.standard(), seed);

            assertThat(second).isEqualTo(first).hasSameHashCodeAs(first);
            assertThat(second.initialObservation()).isEqualTo(first.initialObservation());
            assertThat(second.start()).isEqualTo(first.start());
            assertThat(second.shortestSolutionLength()).isEqualTo(first.shortestSolutionLength());
        }
    }

    @Test
    void differentSeedsGiveDifferentLayouts() {
        Set<KeyDoorMaze> layouts = new HashSet<>();
        Set<String> observations = new HashSet<>();
        for (long seed = 0; seed < TASKS; seed++) {
            KeyDoorMaze maze = KeyDoorMaze.generate(MazeSpec.standard(), seed);
            layouts.add(maze);
            observations.add(maze.initialObservation());
        }
        // Obstacles alone make a collision between 32 standard layouts astronomically unlikely.
        assertThat(layouts).hasSize(TASKS);
        assertThat(observations).hasSize(TASKS);
    }

    @Test
    void layoutsFollowTheSpec() {
        MazeSpec spec = MazeSpec.standard();
        for (long seed = 0; seed < TASKS; seed++) {
            KeyDoorMaze maze = KeyDoorMaze.generate(spec, seed);
            int wall = spec.wallColumn();

            assertThat(maze.rows()).isEqualTo(7);
            assertThat(maze.cols()).isEqualTo(11);
            assertThat(maze.door().col()).isEqualTo(wall);
            for (int row = 0; row < maze.rows(); row++) {
                assertThat(maze.isBlocked(row, wall)).isEqualTo(row != maze.door().row());
            }
            assertThat(maze.start().col()).isLessThan(wall);
            assertThat(maze.key().col()).isLessThan(wall);
            assertThat(maze.key()).isNotEqualTo(maze.start());
            assertThat(maze.goal().col()).isGreaterThan(wall);
            for (KeyDoorMaze.Cell cell :
                    new KeyDoorMaze.Cell[] {maze.start(), maze.key(), maze.goal()}) {
                assertThat(maze.isBlocked(cell.row(), cell.col()))
                        .as("seed %d %s", seed, cell)
                        .isFalse();
            }
            // Solvable means the cells on both sides of the door are free.
            assertThat(maze.isBlocked(maze.door().row(), wall - 1)).isFalse();
            assertThat(maze.isBlocked(maze.door().row(), wall + 1)).isFalse();
        }
    }

    @Test
    void obstaclesCoverAboutTheSpecifiedShareOfRoomCells() {
        int blocked = 0;
        int roomCells = 0;
        for (long seed = 0; seed < 200; seed++) {
            KeyDoorMaze maze = KeyDoorMaze.generate(MazeSpec.standard(), seed);
            for (int row = 0; row < maze.rows(); row++) {
                for (int col = 0; col < maze.cols(); col++) {
                    if (col != maze.spec().wallColumn()) {
                        roomCells++;
                        blocked += maze.isBlocked(row, col) ? 1 : 0;
                    }
                }
            }
        }
        // Start, key and goal are never obstacles and redraws favour open rooms: a bit under 25%.
        assertThat((double) blocked / roomCells).isBetween(0.15, 0.25);
    }

    @Test
    void everyDefaultTaskIsSolvableInAPlausibleNumberOfSteps() {
        IntSummaryStatistics lengths = new IntSummaryStatistics();
        for (long seed = 0; seed < TASKS; seed++) {
            lengths.accept(
                    KeyDoorMaze.generate(MazeSpec.standard(), seed).shortestSolutionLength());
        }
        // Measured: 9 to 29 steps, 18.1 on average (fetch the key, open, cross, walk on).
        assertThat(lengths.getMin()).as("shortest of %s", lengths).isGreaterThanOrEqualTo(4);
        assertThat(lengths.getMax()).as("longest of %s", lengths).isLessThanOrEqualTo(30);
    }

    @Test
    void theFleetsTaskSeedsAreSolvableToo() {
        for (int task = 0; task < TASKS; task++) {
            KeyDoorMaze maze =
                    KeyDoorMaze.generate(MazeSpec.standard(), SimulatedFleet.taskSeed(task));
            assertThat(maze.shortestSolutionLength()).as("task %d", task).isBetween(4, 30);
        }
    }

    @Test
    void smallMazesWithoutObstaclesHaveOnlyTheWall() {
        KeyDoorMaze maze = KeyDoorMaze.generate(MazeSpec.small(), 0);

        assertThat(maze.initialObservation())
                .isEqualTo("k.#..\n.@D.G\n..#..\nYou hold nothing.\nThe door is locked.");
        assertThat(maze.start()).isEqualTo(new KeyDoorMaze.Cell(1, 1));
        assertThat(maze.key()).isEqualTo(new KeyDoorMaze.Cell(0, 0));
        assertThat(maze.door()).isEqualTo(new KeyDoorMaze.Cell(1, 2));
        assertThat(maze.goal()).isEqualTo(new KeyDoorMaze.Cell(1, 4));
        // north, west, pick, east, south, open, east, east, east
        assertThat(maze.shortestSolutionLength()).isEqualTo(9);
        assertThatThrownBy(() -> maze.isBlocked(3, 0))
                .isInstanceOf(IndexOutOfBoundsException.class);
    }

    @Test
    void badSpecsAreRejectedWithTheReason() {
        assertThatThrownBy(() -> new MazeSpec(0, 11, 5, 0.25, 100))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("rows");
        assertThatThrownBy(() -> new MazeSpec(7, 2, 1, 0.25, 100))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("cols");
        assertThatThrownBy(() -> new MazeSpec(7, 11, 10, 0.25, 100))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("wallColumn");
        assertThatThrownBy(() -> new MazeSpec(7, 11, 0, 0.25, 100))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("wallColumn");
        assertThatThrownBy(() -> new MazeSpec(1, 3, 1, 0.25, 100))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("start and key");
        assertThatThrownBy(() -> new MazeSpec(7, 11, 5, 1.0, 100))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("obstacleProbability");
        assertThatThrownBy(() -> new MazeSpec(7, 11, 5, Double.NaN, 100))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("obstacleProbability");
        assertThatThrownBy(() -> new MazeSpec(7, 11, 5, 0.25, 0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("maxSteps");
        assertThatThrownBy(() -> KeyDoorMaze.generate(null, 0))
                .isInstanceOf(NullPointerException.class)
                .hasMessageContaining("spec");
    }

    @Test
    void aSpecTooDenseToSolveFailsInsteadOfLooping() {
        // Only a start next to a key next to the door, with the goal right behind it, would do.
        MazeSpec dense = new MazeSpec(10, 20, 10, 0.999, 100);

        assertThatThrownBy(() -> KeyDoorMaze.generate(dense, 0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("lower obstacleProbability");
    }
}
