package io.creditstream.operators.core.assembly;

import io.creditstream.schemas.StepEvent;
import io.creditstream.schemas.internal.Trajectory;
import io.creditstream.schemas.internal.TrajectoryGroup;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Builds {@link TrajectoryGroup} records from step events outside the streaming job (offline
 * checks, tests), the way the job's assemblers would: steps in index order (a repeated index keeps
 * the last copy), trajectories by episode id, a group partial when it has fewer trajectories than
 * its group_size.
 */
public final class TrajectoryGroups {
    private TrajectoryGroups() {}

    /** Every group of the events, in the order of each group's first event. */
    public static List<TrajectoryGroup> of(Iterable<StepEvent> events) {
        Map<String, Map<String, TreeMap<Integer, StepEvent>>> byGroup = new LinkedHashMap<>();
        for (StepEvent step : events) {
            byGroup.computeIfAbsent(step.getGroupId(), g -> new LinkedHashMap<>())
                    .computeIfAbsent(step.getEpisodeId(), e -> new TreeMap<>())
                    .put(step.getStepIndex(), step);
        }
        List<TrajectoryGroup> groups = new ArrayList<>(byGroup.size());
        for (Map.Entry<String, Map<String, TreeMap<Integer, StepEvent>>> group :
                byGroup.entrySet()) {
            List<Trajectory> trajectories = new ArrayList<>();
            for (TreeMap<Integer, StepEvent> episode : group.getValue().values()) {
                trajectories.add(Trajectories.of(new ArrayList<>(episode.values())));
            }
            trajectories.sort(Comparator.comparing(Trajectory::getEpisodeId));
            Trajectory first = trajectories.get(0);
            groups.add(
                    new TrajectoryGroup(
                            first.getExperimentId(),
                            first.getTaskId(),
                            group.getKey(),
                            first.getGroupSize(),
                            trajectories.size() < first.getGroupSize(),
                            trajectories));
        }
        return groups;
    }
}
