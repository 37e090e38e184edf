package io.creditstream.policy.service;

import io.creditstream.fleet.env.MazeSpec;
import io.creditstream.policy.model.NetworkSpec;
import java.util.Locale;

/** The key-and-door maze family a learner trains for and a fleet plays, by its CLI name. */
public enum Maze {
    /** {@link MazeSpec#standard()}: two 7 x 5 rooms with obstacles, 100 steps. */
    STANDARD(MazeSpec.standard()),
    /** {@link MazeSpec#small()}: two 3 x 2 rooms, no obstacles, 30 steps; for tests and demos. */
    SMALL(MazeSpec.small()),
    /**
     * {@link MazeSpec#spread()}: the standard layouts with tasks in five step-limit tiers, so that
     * success rates spread across tasks (what rollout budgets are measured on).
     */
    SPREAD(MazeSpec.spread()),
    /**
     * {@link MazeSpec#graded()}: the standard layouts with tasks in four looser step-limit tiers
     * (2×, 3×, 5× the shortest solution, or 100 steps).
     */
    GRADED(MazeSpec.graded());

    private final MazeSpec spec;

    Maze(MazeSpec spec) {
        this.spec = spec;
    }

    /** The maze spec the fleet's environment generates layouts from. */
    public MazeSpec spec() {
        return spec;
    }

    /** The policy network shape for this maze with {@code hiddenSize} units per hidden layer. */
    public NetworkSpec networkSpec(int hiddenSize) {
        return NetworkSpec.keyDoorMaze(spec.rows(), spec.cols()).withHiddenSize(hiddenSize);
    }

    /** Whether a network of {@code spec} reads this maze's observations. */
    public boolean fits(NetworkSpec network) {
        return network.rows() == spec.rows()
                && network.cols() == spec.cols()
                && network.actions().equals(NetworkSpec.KEY_DOOR_ACTIONS);
    }

    /** The lower-case name used on the command line. */
    public String cliName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * The maze named {@code name}, case-insensitively.
     *
     * @throws IllegalArgumentException for any other name, listing the valid ones
     */
    public static Maze parse(String name) {
        for (Maze maze : values()) {
            if (maze.name().equalsIgnoreCase(name == null ? "" : name.trim())) {
                return maze;
            }
        }
        throw new IllegalArgumentException(
                "unknown maze '"
                        + name
                        + "'; use standard (7x11), small (3x5), spread (7x11 in five"
                        + " step-limit tiers) or graded (7x11 in four looser tiers)");
    }
}
