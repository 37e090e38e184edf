package io.creditstream.fleet.env;

import java.util.Arrays;
import java.util.List;

/**
 * The rules of one key-and-door grid, shared by {@link KeyDoorMazeEnvironment}, which plays them,
 * and {@link MazeOracle}, which scores them from observation text, so that the two can never
 * disagree about what an action does or how an observation reads.
 *
 * <p>A state is packed into one int, {@code cell << 2 | doorOpen << 1 | holdsKey}, so that distance
 * tables are plain arrays. Immutable, hence thread-safe.
 */
final class MazeGrid {
    static final String NORTH = "north";
    static final String SOUTH = "south";
    static final String EAST = "east";
    static final String WEST = "west";
    static final String PICK = "pick";
    static final String OPEN = "open";
    static final List<String> ACTIONS = List.of(NORTH, SOUTH, EAST, WEST, PICK, OPEN);

    static final int PICK_INDEX = 4;
    static final int OPEN_INDEX = 5;

    /** {@link #next} of an action that the state does not allow. */
    static final int INVALID = -1;

    /** The key cell of a grid whose key is held, and so is on no cell any more. */
    static final int NO_CELL = -1;

    /** The distance of a state from which the goal cannot be reached. */
    static final int UNREACHABLE = Integer.MAX_VALUE;

    static final String HOLDS_KEY = "You hold the key.";
    static final String HOLDS_NOTHING = "You hold nothing.";
    static final String DOOR_OPEN = "The door is open.";
    static final String DOOR_LOCKED = "The door is locked.";

    static final char AGENT = '@';
    static final char BLOCKED = '#';
    static final char FREE = '.';
    static final char KEY = 'k';
    static final char LOCKED_DOOR = 'D';
    static final char OPEN_DOOR = '/';
    static final char GOAL = 'G';

    private static final int[] ROW_STEP = {-1, 1, 0, 0};
    private static final int[] COL_STEP = {0, 0, 1, -1};

    final int rows;
    final int cols;
    final int door;
    final int goal;
    final int key;

    /** Obstacles and wall cells; the door cell is not blocked here, its passability is state. */
    private final boolean[] blocked;

    MazeGrid(int rows, int cols, boolean[] blocked, int door, int goal, int key) {
        if (blocked.length != rows * cols) {
            throw new IllegalArgumentException(
                    "blocked has " + blocked.length + " cells, expected " + rows * cols);
        }
        this.rows = rows;
        this.cols = cols;
        this.blocked = blocked.clone();
        this.door = door;
        this.goal = goal;
        this.key = key;
    }

    static int state(int cell, boolean holdsKey, boolean doorOpen) {
        return cell << 2 | (doorOpen ? 2 : 0) | (holdsKey ? 1 : 0);
    }

    static int cellOf(int state) {
        return state >>> 2;
    }

    static boolean holdsKey(int state) {
        return (state & 1) != 0;
    }

    static boolean doorOpen(int state) {
        return (state & 2) != 0;
    }

    int stateCount() {
        return rows * cols * 4;
    }

    boolean isBlocked(int cell) {
        return blocked[cell];
    }

    /**
     * Whether {@code state} can occur in play: the agent stands on a walkable cell, and the door is
     * open only if the key was picked (opening keeps it).
     */
    boolean isPlayable(int state) {
        int cell = cellOf(state);
        if (blocked[cell] || (doorOpen(state) && !holdsKey(state))) {
            return false;
        }
        return cell != door || doorOpen(state);
    }

    /**
     * The state that action {@code action} (an index into {@link #ACTIONS}) leads to, or {@link
     * #INVALID} if the rules forbid it: moving into an obstacle, the wall, the locked door or off
     * the grid; picking anywhere but on the key or twice; opening without the key, away from the
     * door or an open door.
     */
    int next(int state, int action) {
        int cell = cellOf(state);
        boolean holdsKey = holdsKey(state);
        boolean doorOpen = doorOpen(state);
        if (action >= 0 && action < PICK_INDEX) {
            int row = cell / cols + ROW_STEP[action];
            int col = cell % cols + COL_STEP[action];
            if (row < 0 || row >= rows || col < 0 || col >= cols) {
                return INVALID;
            }
            int target = row * cols + col;
            if (blocked[target] || (target == door && !doorOpen)) {
                return INVALID;
            }
            return state(target, holdsKey, doorOpen);
        }
        if (action == PICK_INDEX) {
            return !holdsKey && cell == key ? state(cell, true, doorOpen) : INVALID;
        }
        if (action == OPEN_INDEX) {
            return holdsKey && !doorOpen && adjacent(cell, door)
                    ? state(cell, true, true)
                    : INVALID;
        }
        throw new IllegalArgumentException(
                "action index must be in [0, " + ACTIONS.size() + "), got " + action);
    }

    private boolean adjacent(int a, int b) {
        return Math.abs(a / cols - b / cols) + Math.abs(a % cols - b % cols) == 1;
    }

    /**
     * The minimal number of actions from every state to the goal ({@link #UNREACHABLE} where there
     * is none): one breadth-first search backwards from the goal over the reversed transitions of
     * all playable states, cheaper than a forward search per state.
     */
    int[] distancesToGoal() {
        int n = stateCount();
        // The reversed transition graph in compressed-row form: predecessors of t are
        // predecessors[offsets[t]] .. predecessors[offsets[t + 1] - 1].
        int[] offsets = new int[n + 1];
        for (int s = 0; s < n; s++) {
            if (isPlayable(s) && cellOf(s) != goal) {
                for (int a = 0; a < ACTIONS.size(); a++) {
                    int t = next(s, a);
                    if (t != INVALID) {
                        offsets[t + 1]++;
                    }
                }
            }
        }
        for (int t = 0; t < n; t++) {
            offsets[t + 1] += offsets[t];
        }
        int[] predecessors = new int[offsets[n]];
        int[] fill = Arrays.copyOf(offsets, n);
        for (int s = 0; s < n; s++) {
            if (isPlayable(s) && cellOf(s) != goal) {
                for (int a = 0; a < ACTIONS.size(); a++) {
                    int t = next(s, a);
                    if (t != INVALID) {
                        predecessors[fill[t]++] = s;
                    }
                }
            }
        }
        int[] distance = new int[n];
        Arrays.fill(distance, UNREACHABLE);
        int[] queue = new int[n];
        int head = 0;
        int tail = 0;
        for (int flags = 0; flags < 4; flags++) {
            int s = goal << 2 | flags;
            if (isPlayable(s)) {
                distance[s] = 0;
                queue[tail++] = s;
            }
        }
        while (head < tail) {
            int s = queue[head++];
            for (int i = offsets[s]; i < offsets[s + 1]; i++) {
                int p = predecessors[i];
                if (distance[p] == UNREACHABLE) {
                    distance[p] = distance[s] + 1;
                    queue[tail++] = p;
                }
            }
        }
        return distance;
    }

    /**
     * The observation of {@code state}: the grid, the agent drawn over whatever it stands on, then
     * what the agent holds and whether the door is open. It is also the state key, so it depends on
     * the state only.
     */
    String render(int state) {
        int agent = cellOf(state);
        boolean holdsKey = holdsKey(state);
        boolean doorOpen = doorOpen(state);
        StringBuilder out = new StringBuilder(rows * (cols + 1) + 40);
        for (int cell = 0; cell < rows * cols; cell++) {
            char c;
            if (cell == agent) {
                c = AGENT;
            } else if (blocked[cell]) {
                c = BLOCKED;
            } else if (cell == door) {
                c = doorOpen ? OPEN_DOOR : LOCKED_DOOR;
            } else if (cell == goal) {
                c = GOAL;
            } else if (cell == key && !holdsKey) {
                c = KEY;
            } else {
                c = FREE;
            }
            out.append(c);
            if (cell % cols == cols - 1) {
                out.append('\n');
            }
        }
        return out.append(holdsKey ? HOLDS_KEY : HOLDS_NOTHING)
                .append('\n')
                .append(doorOpen ? DOOR_OPEN : DOOR_LOCKED)
                .toString();
    }

    /**
     * A string that identifies this grid's rules: the static cells and the key's cell. Two grids
     * with equal keys have equal distance tables.
     */
    String layoutKey() {
        char[] cells = new char[rows * cols];
        for (int cell = 0; cell < cells.length; cell++) {
            cells[cell] =
                    blocked[cell]
                            ? BLOCKED
                            : cell == door ? LOCKED_DOOR : cell == goal ? GOAL : FREE;
        }
        return rows + "x" + cols + ":" + new String(cells) + ":" + key;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof MazeGrid g
                && rows == g.rows
                && cols == g.cols
                && door == g.door
                && goal == g.goal
                && key == g.key
                && Arrays.equals(blocked, g.blocked);
    }

    @Override
    public int hashCode() {
        return ((rows * 31 + cols) * 31 + door) * 31
                + (goal * 31 + key) * 31
                + Arrays.hashCode(blocked);
    }
}
