package io.creditstream.operators.flink.budget;

import io.creditstream.operators.core.credit.GroupCreditAssigner;
import io.creditstream.schemas.StepEvent;
import io.creditstream.schemas.internal.Trajectory;
import io.creditstream.schemas.internal.TrajectoryGroup;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * One completed rollout group's success outcomes for one task, the input of {@link
 * TaskStatsFunction}; a Flink POJO.
 */
public class TaskOutcome {
    public String experimentId;
    public String taskId;

    /** The newest policy version that produced any of the group's trajectories. */
    public long policyVersion;

    /** One reward per trajectory, 1.0 for a success and 0.0 for a failure. */
    public double[] rewards;

    public TaskOutcome() {}

    public TaskOutcome(String experimentId, String taskId, long policyVersion, double[] rewards) {
        this.experimentId = experimentId;
        this.taskId = taskId;
        this.policyVersion = policyVersion;
        this.rewards = rewards;
    }

    /**
     * The outcome of an assembled group. A trajectory whose episode return is positive counts as a
     * success (1.0), any other as a failure (0.0): the reference maps its {−1, 0, 1} rewards to {0,
     * 1} with −1 → 0, and any positive return is taken as a success here so that shaped or scaled
     * returns still feed the tracker. A trajectory without steps is a failure. The policy version
     * is the largest of the trajectories' (0 for a group without trajectories).
     */
    public static TaskOutcome of(TrajectoryGroup group) {
        List<Trajectory> trajectories = group.getTrajectories();
        double[] rewards = new double[trajectories.size()];
        long version = trajectories.isEmpty() ? 0 : Long.MIN_VALUE;
        for (int i = 0; i < rewards.length; i++) {
            Trajectory trajectory = trajectories.get(i);
            List<StepEvent> steps = trajectory.getSteps();
            boolean success =
                    steps != null
                            && !steps.isEmpty()
                            && GroupCreditAssigner.episodeReturn(steps) > 0;
            rewards[i] = success ? 1.0 : 0.0;
            version = Math.max(version, trajectory.getPolicyVersion());
        }
        return new TaskOutcome(group.getExperimentId(), group.getTaskId(), version, rewards);
    }

    /** The key of {@link TaskStatsFunction}: {@code experimentId/taskId}. */
    public String key() {
        return experimentId + "/" + taskId;
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof TaskOutcome)) {
            return false;
        }
        TaskOutcome that = (TaskOutcome) o;
        return policyVersion == that.policyVersion
                && Objects.equals(experimentId, that.experimentId)
                && Objects.equals(taskId, that.taskId)
                && Arrays.equals(rewards, that.rewards);
    }

    @Override
    public int hashCode() {
        return 31 * Objects.hash(experimentId, taskId, policyVersion) + Arrays.hashCode(rewards);
    }

    @Override
    public String toString() {
        return "TaskOutcome{"
                + key()
                + ", policyVersion="
                + policyVersion
                + ", rewards="
                + Arrays.toString(rewards)
                + "}";
    }
}
