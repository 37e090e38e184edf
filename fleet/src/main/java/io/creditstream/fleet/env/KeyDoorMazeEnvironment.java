package io.creditstream.fleet.env;

import java.util.List;
import java.util.Objects;

/**
 * A key-and-door maze ({@link KeyDoorMaze}) as a {@link TextEnvironment}: the agent must pick up
 * the key, open the door in the wall and reach the goal, for a sparse reward of 1 on the goal and 0
 * otherwise. It needs a multi-step plan, so a random policy almost never succeeds and credit
 * assignment over steps matters.
 *
 * <p>Actions are {@code north}, {@code south}, {@code east}, {@code west}, {@code pick} and {@code
 * open}. Moving into an obstacle, the wall, the locked door or off the grid, picking anywhere but
 * on the key (or twice), and opening without the key, away from the door or twice are invalid: they
 * are flagged, cost a step and change nothing, as does any other string (an LLM's unparseable
 * output). An open door is walkable; opening keeps the key. An episode ends on the goal or after
 * the task's step limit ({@link MazeSpec#stepLimit}: {@link MazeSpec#maxSteps()} unless the spec
 * has difficulty tiers).
 *
 * <p>The observation, also used as the state key, is the rendered grid ({@code #} obstacle or wall,
 * {@code .} free, {@code @} agent over anything, {@code k} key on the floor, {@code D} locked door,
 * {@code /} open door, {@code G} goal) followed by the lines "You hold the key." or "You hold
 * nothing." and "The door is open." or "The door is locked.", joined with '\n'. It is a pure
 * function of the state, and {@link MazeOracle} reads it back. Not thread-safe: one instance runs
 * one episode at a time.
 */
public final class KeyDoorMazeEnvironment implements TextEnvironment {
    public static final String NORTH = MazeGrid.NORTH;
    public static final String SOUTH = MazeGrid.SOUTH;
    public static final String EAST = MazeGrid.EAST;
    public static final String WEST = MazeGrid.WEST;
    public static final String PICK = MazeGrid.PICK;
    public static final String OPEN = MazeGrid.OPEN;

    private final MazeSpec spec;

    private KeyDoorMaze maze;

    /** Observations of the current layout by state, rendered once so each state reads the same. */
    private String[] observations;

    /** When the current episode ends: the spec's limit for the current task. */
    private int stepLimit;

    private int state;
    private int steps;
    private boolean done = true;

    /** An environment of {@link MazeSpec#standard()} mazes. */
    public KeyDoorMazeEnvironment() {
        this(MazeSpec.standard());
    }

    public KeyDoorMazeEnvironment(MazeSpec spec) {
        this.spec = Objects.requireNonNull(spec, "spec must not be null");
    }

    @Override
    public String reset(long taskSeed) {
        // Groups run one task many times in a row: keep the last layout instead of redrawing it.
        if (maze == null || maze.taskSeed() != taskSeed) {
            maze = KeyDoorMaze.generate(spec, taskSeed);
            observations = new String[maze.grid().stateCount()];
            stepLimit = spec.stepLimit(taskSeed, maze.shortestSolutionLength());
        }
        state = maze.startState();
        steps = 0;
        done = false;
        return observation(state);
    }

    @Override
    public StepResult step(String action) {
        if (done) {
            throw new IllegalStateException(
                    maze == null
                            ? "Call reset(taskSeed) before step()."
                            : "The episode is over; call reset(taskSeed) to start another.");
        }
        Objects.requireNonNull(action, "action must not be null");
        steps++;
        int index = MazeGrid.ACTIONS.indexOf(action);
        int next = index < 0 ? MazeGrid.INVALID : maze.grid().next(state, index);
        boolean invalid = next == MazeGrid.INVALID;
        if (!invalid) {
            state = next;
        }
        boolean reachedGoal = MazeGrid.cellOf(state) == maze.grid().goal;
        done = reachedGoal || steps >= stepLimit;
        return new StepResult(observation(state), reachedGoal ? 1.0 : 0.0, done, invalid);
    }

    @Override
    public List<String> actions() {
        return MazeGrid.ACTIONS;
    }

    public MazeSpec spec() {
        return spec;
    }

    /** The most steps any episode of this environment can take. */
    public int maxSteps() {
        return spec.maxSteps();
    }

    /**
     * The steps after which the current task's episodes end.
     *
     * @throws IllegalStateException before the first reset
     */
    public int stepLimit() {
        maze();
        return stepLimit;
    }

    /**
     * The layout of the last {@link #reset}.
     *
     * @throws IllegalStateException before the first reset
     */
    public KeyDoorMaze maze() {
        if (maze == null) {
            throw new IllegalStateException("No maze yet; call reset(taskSeed) first.");
        }
        return maze;
    }

    private String observation(int s) {
        String rendered = observations[s];
        if (rendered == null) {
            rendered = maze.grid().render(s);
            observations[s] = rendered;
        }
        return rendered;
    }
}
