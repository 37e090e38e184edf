package io.creditstream.fleet.env;

import java.util.List;
import java.util.SplittableRandom;

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
 * @param stepLimitFactors difficulty tiers, empty for none: each task falls in one tier (a pure
 *     function of its seed, {@link #tier}), and its episodes end after min({@code maxSteps},
 *     ⌈shortest solution × factor⌉) steps. A factor is at least 1 (the shortest solution stays
 *     possible); {@code Infinity} keeps {@code maxSteps}. A tight limit leaves no room for detours,
 *     so tasks of one grid size differ in how hard they are
 */
public record MazeSpec(
        int rows,
        int cols,
        int wallColumn,
        double obstacleProbability,
        int maxSteps,
        List<Double> stepLimitFactors) {

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
        stepLimitFactors = List.copyOf(stepLimitFactors);
        for (double factor : stepLimitFactors) {
            if (!(factor >= 1)) {
                throw new IllegalArgumentException(
                        "step limit factors must be at least 1 (Infinity for no tighter limit), so"
                                + " that the shortest solution fits; got "
                                + factor);
            }
        }
    }

    /** A spec whose every task ends after {@code maxSteps} steps: no difficulty tiers. */
    public MazeSpec(int rows, int cols, int wallColumn, double obstacleProbability, int maxSteps) {
        this(rows, cols, wallColumn, obstacleProbability, maxSteps, List.of());
    }

    /**
     * The difficulty tier of task {@code taskSeed}, an index into {@link #stepLimitFactors}; 0 when
     * there are no tiers. Drawn from the seed independently of the layout's own draws.
     */
    public int tier(long taskSeed) {
        if (stepLimitFactors.isEmpty()) {
            return 0;
        }
        return new SplittableRandom(~taskSeed).nextInt(stepLimitFactors.size());
    }

    /**
     * The steps after which an episode of task {@code taskSeed} ends, for a layout whose shortest
     * solution takes {@code shortestSolution} steps.
     */
    public int stepLimit(long taskSeed, int shortestSolution) {
        if (stepLimitFactors.isEmpty()) {
            return maxSteps;
        }
        double factor = stepLimitFactors.get(tier(taskSeed));
        if (Double.isInfinite(factor)) {
            return maxSteps;
        }
        return (int) Math.min(maxSteps, Math.ceil(shortestSolution * factor));
    }

    /**
     * Two 7 x 5 rooms, a quarter of their cells obstacles, 100 steps: long enough for an expert to
     * fetch the key, open the door and walk on, too hard for a random policy to solve by luck.
     */
    public static MazeSpec standard() {
        return new MazeSpec(7, 11, 5, 0.25, 100);
    }

    /**
     * The standard layouts in five difficulty tiers: episodes end after 1×, 1.5×, 2× or 3× the
     * shortest solution, or after the standard 100 steps. Success rates then spread across tasks
     * (the hardest tier needs a perfect path), which is what rollout budgets need to matter.
     */
    public static MazeSpec spread() {
        return new MazeSpec(
                7, 11, 5, 0.25, 100, List.of(1.0, 1.5, 2.0, 3.0, Double.POSITIVE_INFINITY));
    }

    /**
     * The standard layouts in four gentler tiers: episodes end after 2×, 3× or 5× the shortest
     * solution, or after the standard 100 steps. Every tier leaves room for detours, while success
     * rates still differ by tier. (The five tiers of {@link #spread()} include a perfect-path tier,
     * and uniform groups stayed below 1% success on them in 16,000 episodes of the closed loop.)
     */
    public static MazeSpec graded() {
        return new MazeSpec(7, 11, 5, 0.25, 100, List.of(2.0, 3.0, 5.0, Double.POSITIVE_INFINITY));
    }

    /** Two 3 x 2 rooms without obstacles and 30 steps, for smoke tests and hand-checked layouts. */
    public static MazeSpec small() {
        return new MazeSpec(3, 5, 2, 0.0, 30);
    }
}
