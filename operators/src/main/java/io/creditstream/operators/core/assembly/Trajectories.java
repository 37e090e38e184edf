package io.creditstream.operators.core.assembly;

import io.creditstream.schemas.StepEvent;
import io.creditstream.schemas.internal.Trajectory;
import java.util.List;

/** Builds the {@link Trajectory} record of an episode from its steps. */
public final class Trajectories {
    private Trajectories() {}

    /**
     * The trajectory of steps given in index order. Its policy version is the oldest of its steps
     * (the conservative choice for staleness), its time the earliest event time.
     */
    public static Trajectory of(List<StepEvent> ordered) {
        if (ordered.isEmpty()) {
            throw new IllegalArgumentException("a trajectory needs at least one step");
        }
        long policyVersion = Long.MAX_VALUE;
        long firstEventTime = Long.MAX_VALUE;
        for (StepEvent step : ordered) {
            policyVersion = Math.min(policyVersion, step.getPolicyVersion());
            firstEventTime = Math.min(firstEventTime, step.getEventTimeMs());
        }
        StepEvent first = ordered.get(0);
        return new Trajectory(
                first.getExperimentId(),
                first.getTaskId(),
                first.getGroupId(),
                first.getEpisodeId(),
                first.getGroupSize(),
                policyVersion,
                firstEventTime,
                ordered);
    }
}
