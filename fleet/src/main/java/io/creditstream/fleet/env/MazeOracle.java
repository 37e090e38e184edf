package io.creditstream.fleet.env;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The exact quality of every action in a key-and-door maze state, read from the observation text
 * alone, so that logged step events can be scored after the fact without the environment or the
 * task seed: the ground truth against which learned credit assignment is checked.
 *
 * <p>{@link #distanceToGoal()} is the fewest actions (moves, pick and open each count one) from the
 * state to the goal; {@link #quality} of an action is the drop in that distance it brings, so +1 on
 * a shortest path, 0 for an invalid action, -1 for a step away.
 *
 * <p>Distances come from one backward search per layout (the static grid plus the key's cell while
 * it lies on the floor), kept in a bounded LRU cache of {@value #CACHE_CAPACITY} layouts shared by
 * all threads, so scoring millions of steps of a few hundred tasks costs one parse each. Instances
 * are immutable and the class is thread-safe.
 */
public final class MazeOracle {
    /** {@link #distanceToGoal()} of a state from which the goal cannot be reached. */
    public static final int UNREACHABLE = MazeGrid.UNREACHABLE;

    /** Layouts whose distance tables are kept; a standard layout's table is about 1.2 KiB. */
    static final int CACHE_CAPACITY = 1024;

    private static final Map<String, Solved> CACHE =
            Collections.synchronizedMap(
                    new LinkedHashMap<>(64, 0.75f, true) {
                        @Override
                        protected boolean removeEldestEntry(Map.Entry<String, Solved> eldest) {
                            return size() > CACHE_CAPACITY;
                        }
                    });

    /** A layout with its distance table. */
    private record Solved(MazeGrid grid, int[] distances) {}

    private final MazeGrid grid;
    private final int[] distances;
    private final int state;

    private MazeOracle(MazeGrid grid, int[] distances, int state) {
        this.grid = grid;
        this.distances = distances;
        this.state = state;
    }

    /**
     * Reads an observation as {@link KeyDoorMazeEnvironment} renders it. What the agent stands on
     * is inferred: the key if it is neither on the floor nor held, the door if it is not drawn, the
     * goal if it is not drawn, else a free cell.
     *
     * @throws IllegalArgumentException naming the problem if the text is not such an observation or
     *     describes a state no episode can reach
     */
    public static MazeOracle parse(String observation) {
        if (observation == null) {
            throw new IllegalArgumentException("observation must not be null");
        }
        String[] lines = observation.split("\n", -1);
        if (lines.length < 3) {
            throw new IllegalArgumentException(
                    "A maze observation has grid lines then a key line and a door line, got "
                            + lines.length
                            + " line(s): "
                            + quote(observation));
        }
        int rows = lines.length - 2;
        boolean holdsKey = statusLine(lines[rows], MazeGrid.HOLDS_KEY, MazeGrid.HOLDS_NOTHING);
        boolean doorOpen = statusLine(lines[rows + 1], MazeGrid.DOOR_OPEN, MazeGrid.DOOR_LOCKED);
        int cols = lines[0].length();
        if (cols == 0) {
            throw new IllegalArgumentException("Grid line 1 is empty in " + quote(observation));
        }
        boolean[] blocked = new boolean[rows * cols];
        int agent = MazeGrid.NO_CELL;
        int key = MazeGrid.NO_CELL;
        int door = MazeGrid.NO_CELL;
        int goal = MazeGrid.NO_CELL;
        for (int row = 0; row < rows; row++) {
            String line = lines[row];
            if (line.length() != cols) {
                throw new IllegalArgumentException(
                        "Grid line "
                                + (row + 1)
                                + " has "
                                + line.length()
                                + " characters, but line 1 has "
                                + cols
                                + ": "
                                + quote(line));
            }
            for (int col = 0; col < cols; col++) {
                int cell = row * cols + col;
                char c = line.charAt(col);
                switch (c) {
                    case MazeGrid.FREE -> {}
                    case MazeGrid.BLOCKED -> blocked[cell] = true;
                    case MazeGrid.AGENT -> agent = unique(agent, cell, "agent '@'");
                    case MazeGrid.KEY -> key = unique(key, cell, "key 'k'");
                    case MazeGrid.LOCKED_DOOR, MazeGrid.OPEN_DOOR -> {
                        door = unique(door, cell, "door ('D' or '/')");
                        if ((c == MazeGrid.OPEN_DOOR) != doorOpen) {
                            throw new IllegalArgumentException(
                                    "The door is drawn '"
                                            + c
                                            + "' but the last line says "
                                            + quote(lines[rows + 1]));
                        }
                    }
                    case MazeGrid.GOAL -> goal = unique(goal, cell, "goal 'G'");
                    default ->
                            throw new IllegalArgumentException(
                                    "Unexpected character "
                                            + quote(String.valueOf(c))
                                            + " at row "
                                            + (row + 1)
                                            + ", column "
                                            + (col + 1)
                                            + "; the grid uses only # . @ k D / G");
                }
            }
        }
        if (agent == MazeGrid.NO_CELL) {
            throw new IllegalArgumentException("No agent '@' in the grid: " + quote(observation));
        }
        if (holdsKey && key != MazeGrid.NO_CELL) {
            throw new IllegalArgumentException(
                    "The key is both on the floor 'k' and held ('" + MazeGrid.HOLDS_KEY + "')");
        }
        if (doorOpen && !holdsKey) {
            throw new IllegalArgumentException(
                    "The door is open but the key is not held; opening keeps the key");
        }
        // The agent is drawn over what it stands on; at most one thing can be hidden there.
        boolean keyHidden = !holdsKey && key == MazeGrid.NO_CELL;
        boolean doorHidden = door == MazeGrid.NO_CELL;
        boolean goalHidden = goal == MazeGrid.NO_CELL;
        if ((keyHidden ? 1 : 0) + (doorHidden ? 1 : 0) + (goalHidden ? 1 : 0) > 1) {
            throw new IllegalArgumentException(
                    "Missing from the grid:"
                            + (keyHidden ? " the key 'k' (and it is not held)" : "")
                            + (doorHidden ? " the door 'D' or '/'" : "")
                            + (goalHidden ? " the goal 'G'" : "")
                            + "; the agent can stand on only one of them");
        }
        if (doorHidden && !doorOpen) {
            throw new IllegalArgumentException(
                    "No door in the grid, yet the door is locked; only an open door can be under"
                            + " the agent");
        }
        key = keyHidden ? agent : key;
        door = doorHidden ? agent : door;
        goal = goalHidden ? agent : goal;
        Solved solved = solve(new MazeGrid(rows, cols, blocked, door, goal, key));
        return new MazeOracle(
                solved.grid(), solved.distances(), MazeGrid.state(agent, holdsKey, doorOpen));
    }

    private static Solved solve(MazeGrid grid) {
        String layout = grid.layoutKey();
        Solved solved = CACHE.get(layout);
        if (solved == null) {
            // Computed outside the lock: two threads may both solve a new layout, harmlessly.
            solved = new Solved(grid, grid.distancesToGoal());
            CACHE.put(layout, solved);
        }
        return solved;
    }

    private static boolean statusLine(String line, String yes, String no) {
        if (line.equals(yes)) {
            return true;
        }
        if (line.equals(no)) {
            return false;
        }
        throw new IllegalArgumentException(
                "Expected the line " + quote(yes) + " or " + quote(no) + ", got " + quote(line));
    }

    private static int unique(int seen, int cell, String what) {
        if (seen != MazeGrid.NO_CELL) {
            throw new IllegalArgumentException("More than one " + what + " in the grid");
        }
        return cell;
    }

    private static String quote(String text) {
        String shown = text.length() > 200 ? text.substring(0, 200) + "..." : text;
        return "'" + shown.replace("\n", "\\n") + "'";
    }

    /** The fewest actions from this state to the goal, 0 on the goal, or {@link #UNREACHABLE}. */
    public int distanceToGoal() {
        return distances[state];
    }

    /** Whether the agent stands on the goal, where the episode has ended. */
    public boolean atGoal() {
        return MazeGrid.cellOf(state) == grid.goal;
    }

    public boolean holdsKey() {
        return MazeGrid.holdsKey(state);
    }

    public boolean doorOpen() {
        return MazeGrid.doorOpen(state);
    }

    /** Where the agent stands, 0-based. */
    public KeyDoorMaze.Cell agent() {
        int cell = MazeGrid.cellOf(state);
        return new KeyDoorMaze.Cell(cell / grid.cols, cell % grid.cols);
    }

    /**
     * {@code distanceToGoal()} now minus after {@code action}: +1 on a shortest path, -1 for a move
     * away, 0 for a move that neither helps nor hurts, for an invalid action or an unknown string
     * (both change nothing), and for every action on the goal or where the goal is unreachable.
     * Moves are reversible and pick and open only add options, so it is always -1, 0 or +1.
     */
    public int quality(String action) {
        Objects.requireNonNull(action, "action must not be null");
        int index = MazeGrid.ACTIONS.indexOf(action);
        if (index < 0 || atGoal() || distances[state] == UNREACHABLE) {
            return 0;
        }
        int next = grid.next(state, index);
        return next == MazeGrid.INVALID ? 0 : distances[state] - distances[next];
    }

    /**
     * The actions of quality +1, in the environment's action order; empty on the goal or where the
     * goal is unreachable.
     */
    public List<String> optimalActions() {
        List<String> optimal = new ArrayList<>(2);
        for (String action : MazeGrid.ACTIONS) {
            if (quality(action) == 1) {
                optimal.add(action);
            }
        }
        return List.copyOf(optimal);
    }

    @Override
    public String toString() {
        return "MazeOracle(agent "
                + agent()
                + ", key "
                + (holdsKey() ? "held" : "on floor")
                + ", door "
                + (doorOpen() ? "open" : "locked")
                + ", distance "
                + (distanceToGoal() == UNREACHABLE ? "unreachable" : distanceToGoal())
                + ")";
    }
}
