package io.creditstream.fleet.env;

import java.util.Objects;
import java.util.SplittableRandom;

/**
 * One key-and-door maze layout: two rooms split by a wall whose only passage is a locked door, the
 * agent's start and the key in the left room, the goal in the right one. Solving it takes a plan
 * (fetch the key, pick it, walk to the door, open it, walk on), so unlike a corridor a random
 * policy almost never succeeds, while the layout stays small enough for an exact oracle.
 *
 * <p>A layout is a pure function of its {@link MazeSpec} and task seed, and is always solvable.
 * Immutable, hence thread-safe. Equality compares the layout, not the seed that drew it.
 */
public final class KeyDoorMaze {
    /**
     * Draws after which {@link #generate} gives up; at the standard density a solvable layout takes
     * a few draws, so reaching this means the spec's obstacle probability is too high.
     */
    static final int MAX_DRAWS = 10_000;

    /** A grid position, 0-based, row 0 at the top. */
    public record Cell(int row, int col) {}

    private final MazeSpec spec;
    private final long taskSeed;
    private final MazeGrid grid;
    private final int start;
    private final int shortestSolutionLength;

    private KeyDoorMaze(
            MazeSpec spec, long taskSeed, MazeGrid grid, int start, int shortestSolution) {
        this.spec = spec;
        this.taskSeed = taskSeed;
        this.grid = grid;
        this.start = start;
        this.shortestSolutionLength = shortestSolution;
    }

    /**
     * The layout of task {@code taskSeed}: the door row, the start, the key (a different left-room
     * cell), the goal (a right-room cell) and then each other room cell's obstacle coin, all from
     * one {@link SplittableRandom} seeded with the task seed, redrawn in full from the same
     * generator until the maze is solvable (start reaches the key, the key reaches the door's left
     * side, and the door's right side reaches the goal).
     *
     * @throws IllegalArgumentException if no solvable layout turns up in {@value #MAX_DRAWS} draws,
     *     which means the spec's obstacle probability is too high
     */
    public static KeyDoorMaze generate(MazeSpec spec, long taskSeed) {
        Objects.requireNonNull(spec, "spec must not be null");
        SplittableRandom random = new SplittableRandom(taskSeed);
        int rows = spec.rows();
        int cols = spec.cols();
        int wall = spec.wallColumn();
        for (int draw = 0; draw < MAX_DRAWS; draw++) {
            int door = random.nextInt(rows) * cols + wall;
            int start = randomCell(random, cols, rows, 0, wall);
            int key;
            do {
                key = randomCell(random, cols, rows, 0, wall);
            } while (key == start);
            int goal = randomCell(random, cols, rows, wall + 1, cols);
            boolean[] blocked = new boolean[rows * cols];
            for (int cell = 0; cell < blocked.length; cell++) {
                if (cell % cols == wall) {
                    blocked[cell] = cell != door;
                } else if (cell != start && cell != key && cell != goal) {
                    blocked[cell] = random.nextDouble() < spec.obstacleProbability();
                }
            }
            MazeGrid grid = new MazeGrid(rows, cols, blocked, door, goal, key);
            // The right room is only reachable through the door and the door only opens with the
            // key, so a finite distance from the start is exactly the three reachability
            // conditions.
            int distance = grid.distancesToGoal()[MazeGrid.state(start, false, false)];
            if (distance != MazeGrid.UNREACHABLE) {
                return new KeyDoorMaze(spec, taskSeed, grid, start, distance);
            }
        }
        throw new IllegalArgumentException(
                "No solvable layout for task seed "
                        + taskSeed
                        + " in "
                        + MAX_DRAWS
                        + " draws of "
                        + spec
                        + "; lower obstacleProbability");
    }

    private static int randomCell(
            SplittableRandom random, int cols, int rows, int fromCol, int toColExclusive) {
        int row = random.nextInt(rows);
        int col = fromCol + random.nextInt(toColExclusive - fromCol);
        return row * cols + col;
    }

    public MazeSpec spec() {
        return spec;
    }

    public long taskSeed() {
        return taskSeed;
    }

    public int rows() {
        return grid.rows;
    }

    public int cols() {
        return grid.cols;
    }

    public Cell start() {
        return cell(start);
    }

    public Cell key() {
        return cell(grid.key);
    }

    public Cell door() {
        return cell(grid.door);
    }

    public Cell goal() {
        return cell(grid.goal);
    }

    /**
     * Whether the cell is an obstacle or part of the wall. The door cell is not blocked: whether it
     * can be entered depends on the episode (it must be opened first).
     *
     * @throws IndexOutOfBoundsException if the cell is off the grid
     */
    public boolean isBlocked(int row, int col) {
        Objects.checkIndex(row, grid.rows);
        Objects.checkIndex(col, grid.cols);
        return grid.isBlocked(row * grid.cols + col);
    }

    /** The fewest actions that solve the maze from the start, counting the pick and the open. */
    public int shortestSolutionLength() {
        return shortestSolutionLength;
    }

    /** The observation at the start of every episode. */
    public String initialObservation() {
        return grid.render(startState());
    }

    MazeGrid grid() {
        return grid;
    }

    int startState() {
        return MazeGrid.state(start, false, false);
    }

    private Cell cell(int index) {
        return new Cell(index / grid.cols, index % grid.cols);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof KeyDoorMaze m
                && start == m.start
                && spec.equals(m.spec)
                && grid.equals(m.grid);
    }

    @Override
    public int hashCode() {
        return (spec.hashCode() * 31 + grid.hashCode()) * 31 + start;
    }

    @Override
    public String toString() {
        return "KeyDoorMaze(seed " + taskSeed + ")\n" + initialObservation();
    }
}
