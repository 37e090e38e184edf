package io.creditstream.it;

import io.creditstream.operators.core.GroupCreditAssigner;
import io.creditstream.operators.core.credit.CreditParams;
import io.creditstream.schemas.AdvantageRecord;
import io.creditstream.schemas.StepEvent;
import io.creditstream.schemas.internal.Trajectory;
import io.creditstream.schemas.internal.TrajectoryGroup;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What the job must output for a set of steps, computed directly with the kernel outside Flink: the
 * oracle the end-to-end tests compare against.
 */
final class ExpectedCredit {
    private ExpectedCredit() {}

    /** Key of one step's advantage record. */
    static String key(String episodeId, int stepIndex) {
        return episodeId + "#" + stepIndex;
    }

    static String key(AdvantageRecord record) {
        return key(record.getEpisodeId(), record.getStepIndex());
    }

    /** Every step's expected record, keyed by {@link #key}; duplicates in the input are ignored. */
    static Map<String, AdvantageRecord> of(Collection<StepEvent> steps, CreditParams params) {
        Map<String, Map<String, TreeMap<Integer, StepEvent>>> byGroup = new LinkedHashMap<>();
        for (StepEvent step : steps) {
            byGroup.computeIfAbsent(step.getGroupId(), g -> new LinkedHashMap<>())
                    .computeIfAbsent(step.getEpisodeId(), e -> new TreeMap<>())
                    .put(step.getStepIndex(), step);
        }
        GroupCreditAssigner assigner = new GroupCreditAssigner(params);
        Map<String, AdvantageRecord> expected = new HashMap<>();
        for (var group : byGroup.entrySet()) {
            List<Trajectory> trajectories = new ArrayList<>();
            for (var episode : group.getValue().entrySet()) {
                List<StepEvent> ordered = new ArrayList<>(episode.getValue().values());
                StepEvent first = ordered.get(0);
                trajectories.add(
                        Trajectory.newBuilder()
                                .setExperimentId(first.getExperimentId())
                                .setTaskId(first.getTaskId())
                                .setGroupId(first.getGroupId())
                                .setEpisodeId(first.getEpisodeId())
                                .setGroupSize(first.getGroupSize())
                                .setPolicyVersion(first.getPolicyVersion())
                                .setSteps(ordered)
                                .build());
            }
            trajectories.sort(Comparator.comparing(Trajectory::getEpisodeId));
            Trajectory first = trajectories.get(0);
            TrajectoryGroup assembled =
                    TrajectoryGroup.newBuilder()
                            .setExperimentId(first.getExperimentId())
                            .setTaskId(first.getTaskId())
                            .setGroupId(group.getKey())
                            .setExpectedSize(first.getGroupSize())
                            .setPartial(trajectories.size() < first.getGroupSize())
                            .setTrajectories(trajectories)
                            .build();
            for (AdvantageRecord record : assigner.assign(assembled).getRecords()) {
                expected.put(key(record), record);
            }
        }
        return expected;
    }
}
