package io.creditstream.fleet.env;

/**
 * The shape of a family of key-and-door mazes: a {@code rows} x {@code cols} grid split by a wall
 * in column {@code wallColumn} (0-based) that has one locked door, rooms sprinkled with obstacles,
 * and an episode limit. {@link KeyDoorMaze#generate} turns a spec and a task seed into one layout.
 *
 * @param rows grid height, 1 to {@value #MAX_SIDE}
 * @param cols grid width, 3 to {@value #MAX_SIDE}: left room, wall, right room
 * @param wallColumn the wall's column, between 1 and {@code cols - 2} so both rooms are non-empty
 * @param obstacleProbability chance that a room cell other than start, key and goal is an obstacle,
 *     in [0, 1)
 * @param maxSteps steps after which an episode ends without reward, at least 1
 */
public record MazeSpec(
        int rows, int cols, int wallColumn, double obstacleProbability, int maxSteps) {

    /**
     * The largest side: observations are prompts, so they must stay short, and the oracle keeps one
     * distance table of {@code 4 * rows * cols} ints per layout.
     */
    public static final int MAX_SIDE = 64;

    public MazeSpec {
        if (rows < 1 || rows > MAX_SIDE) {
            throw new IllegalArgumentException(
                    "rows must be between 1 and " + MAX_SIDE + ", got " + rows);
        }
        if (cols < 3 || cols > MAX_SIDE) {
            throw new IllegalArgumentException(
                    "cols must be between 3 (left room, wall, right room) and "
                            + MAX_SIDE
                            + ", got "
                            + cols);
        }
        if (wallColumn < 1 || wallColumn > cols - 2) {
            throw new IllegalArgumentException(
                    "wallColumn must be between 1 and cols - 2 = "
                            + (cols - 2)
                            + " so that both rooms have at least one column, got "
                            + wallColumn);
        }
        if (rows * wallColumn < 2) {
            throw new IllegalArgumentException(
                    "the left room has "
                            + rows * wallColumn
                            + " cell, but start and key need two distinct cells there;"
                            + " add rows or move the wall right");
        }
        if (!(obstacleProbability >= 0 && obstacleProbability < 1)) {
            throw new IllegalArgumentException(
                    "obstacleProbability must be in [0, 1), got " + obstacleProbability);
        }
        if (maxSteps < 1) {
            throw new IllegalArgumentException("maxSteps must be at least 1, got " + maxSteps);
        }
    }

    /**
     * Two 7 x 5 rooms, a quarter of their cells obstacles, 100 steps: long enough for an expert to
     * fetch the key, open the door and walk on, too hard for a random policy to solve by luck.
     */
    public static MazeSpec standard() {
        return new MazeSpec(7, 11, 5, 0.25, 100);
    }

    /** Two 3 x 2 rooms without obstacles and 30 steps, for smoke tests and hand-checked layouts. */
    public static MazeSpec small() {
        return new MazeSpec(3, 5, 2, 0.0, 30);
    }
}
