package io.creditstream.policy.model;

import java.util.ArrayList;
import java.util.List;

/** Key-and-door maze observations as the fleet's environment prints them, for tests. */
public final class MazeObservations {

    /** The default 7×11 maze with the agent next to the key, holding nothing, door locked. */
    public static final String AGENT_NEAR_KEY =
            String.join(
                    "\n",
                    "..#..#....G",
                    ".@..kD.#...",
                    "...#.#..#..",
                    ".....#.....",
                    "..#..#.#...",
                    ".....#.....",
                    ".....#.....",
                    "You hold nothing.",
                    "The door is locked.");

    private static final String[] GRID = {
        "..#..#....G",
        "....kD.#...",
        "...#.#..#..",
        ".....#.....",
        "..#..#.#...",
        ".....#.....",
        ".....#.....",
    };

    private MazeObservations() {}

    /** The default maze with the agent at {@code (row, col)} of a free cell. */
    public static String agentAt(int row, int col) {
        StringBuilder grid = new StringBuilder();
        for (int r = 0; r < GRID.length; r++) {
            char[] line = GRID[r].toCharArray();
            if (r == row) {
                if (line[col] != '.') {
                    throw new IllegalArgumentException("cell " + row + "," + col + " is not free");
                }
                line[col] = '@';
            }
            grid.append(line).append('\n');
        }
        return grid + "You hold nothing.\nThe door is locked.";
    }

    /** Every free-cell placement of the agent in the default maze, in row-major order. */
    public static List<String> everyAgentPosition() {
        List<String> observations = new ArrayList<>();
        for (int r = 0; r < GRID.length; r++) {
            for (int c = 0; c < GRID[r].length(); c++) {
                if (GRID[r].charAt(c) == '.') {
                    observations.add(agentAt(r, c));
                }
            }
        }
        return observations;
    }
}
