package io.creditstream.fleet;

import io.creditstream.schemas.StepEvent;
import java.util.List;

/**
 * One rollout group as the fleet produced it: the step events to send (in sending order, possibly
 * shuffled and with duplicates) and the counts of what was actually played.
 *
 * @param events the events to send; {@code steps} of them are distinct, the rest are duplicates
 * @param episodes trajectories played, the group size
 * @param successes episodes whose return was positive
 * @param steps distinct environment steps played
 */
public record RolloutGroup(
        String taskId,
        String groupId,
        List<StepEvent> events,
        int episodes,
        int successes,
        int steps) {

    public RolloutGroup {
        events = List.copyOf(events);
    }
}
