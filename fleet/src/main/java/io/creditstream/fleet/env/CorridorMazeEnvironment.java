package io.creditstream.fleet.env;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A small grid room split by a wall with one gap, in which the agent must walk from its start cell
 * through the gap to the goal: sparse reward (1 on reaching the goal, else 0), and because rooms
 * are tiny, different rollouts of one task keep revisiting the same cells, which is what makes
 * GiGPO's anchor-state groups non-trivial.
 *
 * <p>The layout is a pure function of the task seed. Moving into a wall or the room's edge is a
 * valid no-op; {@value #INVALID_ACTION} is never applicable and is reported as an invalid action.
 * An episode ends on the goal or after {@code maxSteps} steps. Not thread-safe: one instance runs
 * one episode at a time.
 */
public final class CorridorMazeEnvironment implements TextEnvironment {
    public static final String NORTH = "north";
    public static final String SOUTH = "south";
    public static final String EAST = "east";
    public static final String WEST = "west";

    /** An action the room never accepts, standing in for an LLM's unparseable output. */
    public static final String INVALID_ACTION = "open door";

    /**
     * With 20 steps a random policy succeeds on about 23% of episodes, from about 3% on the hardest
     * rooms to 60% on the easiest: a spread of difficulties for GRPO groups and the budget
     * allocator, at 18 steps per episode on average.
     */
    public static final int DEFAULT_MAX_STEPS = 20;

    private static final List<String> ACTIONS = List.of(NORTH, SOUTH, EAST, WEST, INVALID_ACTION);

    private final int maxSteps;

    private Layout layout;
    private int position;
    private int steps;
    private boolean done = true;

    public CorridorMazeEnvironment() {
        this(DEFAULT_MAX_STEPS);
    }

    public CorridorMazeEnvironment(int maxSteps) {
        if (maxSteps < 1) {
            throw new IllegalArgumentException("maxSteps must be at least 1, got " + maxSteps);
        }
        this.maxSteps = maxSteps;
    }

    @Override
    public String reset(long taskSeed) {
        // Groups run one task many times in a row: keep the last layout instead of rebuilding it.
        if (layout == null || layout.taskSeed != taskSeed) {
            layout = Layout.generate(taskSeed);
        }
        position = layout.start;
        steps = 0;
        done = false;
        return layout.observations[position];
    }

    @Override
    public StepResult step(String action) {
        if (done) {
            throw new IllegalStateException(
                    layout == null
                            ? "Call reset(taskSeed) before step()."
                            : "The episode is over; call reset(taskSeed) to start another.");
        }
        steps++;
        boolean invalid = false;
        switch (action) {
            case NORTH -> position = layout.move(position, 0, -1);
            case SOUTH -> position = layout.move(position, 0, 1);
            case EAST -> position = layout.move(position, 1, 0);
            case WEST -> position = layout.move(position, -1, 0);
            default -> invalid = true;
        }
        boolean reachedGoal = position == layout.goal;
        done = reachedGoal || steps >= maxSteps;
        return new StepResult(
                layout.observations[position], reachedGoal ? 1.0 : 0.0, done, invalid);
    }

    @Override
    public List<String> actions() {
        return ACTIONS;
    }

    public int maxSteps() {
        return maxSteps;
    }

    /** Steps on a shortest path from start to goal of the task's room; for tests and docs. */
    static int shortestPath(long taskSeed) {
        Layout l = Layout.generate(taskSeed);
        return l.distances(l.start)[l.goal];
    }

    /** One task's room: its size, wall cells, start and goal, and every cell's observation. */
    private static final class Layout {
        private static final int MIN_WIDTH = 3;
        private static final int MAX_WIDTH = 4;
        private static final int MIN_HEIGHT = 2;
        private static final int MAX_HEIGHT = 3;

        final long taskSeed;
        final int width;
        final int height;
        final boolean[] wall;
        final int start;
        final int goal;
        final String[] observations;

        private Layout(long taskSeed, int width, int height, boolean[] wall, int start, int goal) {
            this.taskSeed = taskSeed;
            this.width = width;
            this.height = height;
            this.wall = wall;
            this.start = start;
            this.goal = goal;
            this.observations = renderObservations();
        }

        /**
         * A room {@code width} x {@code height} with a wall column that has one gap; start left of
         * it, goal right of it, so every success passes through the gap.
         */
        static Layout generate(long taskSeed) {
            SplittableRandom random = new SplittableRandom(taskSeed);
            int width = MIN_WIDTH + random.nextInt(MAX_WIDTH - MIN_WIDTH + 1);
            int height = MIN_HEIGHT + random.nextInt(MAX_HEIGHT - MIN_HEIGHT + 1);
            int wallColumn = 1 + random.nextInt(width - 2);
            int gapRow = random.nextInt(height);
            boolean[] wall = new boolean[width * height];
            for (int y = 0; y < height; y++) {
                wall[y * width + wallColumn] = y != gapRow;
            }
            int start = random.nextInt(height) * width + random.nextInt(wallColumn);
            int goalColumn = wallColumn + 1 + random.nextInt(width - wallColumn - 1);
            int goal = random.nextInt(height) * width + goalColumn;
            return new Layout(taskSeed, width, height, wall, start, goal);
        }

        int move(int from, int dx, int dy) {
            int x = from % width + dx;
            int y = from / width + dy;
            if (x < 0 || x >= width || y < 0 || y >= height || wall[y * width + x]) {
                return from;
            }
            return y * width + x;
        }

        int[] distances(int from) {
            int[] distance = new int[wall.length];
            Arrays.fill(distance, -1);
            distance[from] = 0;
            ArrayDeque<Integer> queue = new ArrayDeque<>();
            queue.add(from);
            while (!queue.isEmpty()) {
                int cell = queue.poll();
                for (int[] d : new int[][] {{0, -1}, {0, 1}, {1, 0}, {-1, 0}}) {
                    int next = move(cell, d[0], d[1]);
                    if (distance[next] < 0) {
                        distance[next] = distance[cell] + 1;
                        queue.add(next);
                    }
                }
            }
            return distance;
        }

        /**
         * Renders each cell once: observations are the anchor-state keys, so they must be canonical
         * (the same cell always reads the same), and rendering per step would cost throughput.
         */
        private String[] renderObservations() {
            String room = String.format("room %06x", (int) (mix(taskSeed) & 0xFFFFFF));
            String[] rendered = new String[wall.length];
            for (int cell = 0; cell < wall.length; cell++) {
                if (wall[cell]) {
                    continue;
                }
                List<String> exits = new ArrayList<>(4);
                if (move(cell, 0, -1) != cell) {
                    exits.add(NORTH);
                }
                if (move(cell, 0, 1) != cell) {
                    exits.add(SOUTH);
                }
                if (move(cell, 1, 0) != cell) {
                    exits.add(EAST);
                }
                if (move(cell, -1, 0) != cell) {
                    exits.add(WEST);
                }
                rendered[cell] =
                        room
                                + " at ("
                                + cell % width
                                + ","
                                + cell / width
                                + (cell == goal ? "): the exit is here" : "): exits ")
                                + (cell == goal ? "" : String.join(" ", exits));
            }
            return rendered;
        }

        /** SplitMix64's finaliser, so nearby seeds give unrelated room names. */
        private static long mix(long z) {
            z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
            z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
            return z ^ (z >>> 31);
        }
    }
}
