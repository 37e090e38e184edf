package io.creditstream.fleet;

import java.util.List;

/** Decides which tasks the fleet plays next, and how many rollouts each gets. */
public interface RoundPlanner {

    /** One task's share of a round. */
    record Assignment(String taskId, int rollouts) {}

    /** The next round; an assignment of 0 rollouts is skipped. */
    List<Assignment> nextRound();
}
