package io.creditstream.operators.flink.budget;

import java.util.Objects;

/**
 * One task of one budget round, sent to the task's statistics and carried back with them to the
 * round; a Flink POJO.
 */
public class RoundProbe {
    public String experimentId;
    public String roundId;
    public String taskId;

    /** The task's position in the request's task_ids, 0-based. */
    public int taskIndex;

    /** How many tasks the round has. */
    public int taskCount;

    /** The request's total_budget; null for #tasks · n. */
    public Integer totalBudget;

    /** The request's default_n; null for the configured n. */
    public Integer defaultN;

    public RoundProbe() {}

    public RoundProbe(
            String experimentId,
            String roundId,
            String taskId,
            int taskIndex,
            int taskCount,
            Integer totalBudget,
            Integer defaultN) {
        this.experimentId = experimentId;
        this.roundId = roundId;
        this.taskId = taskId;
        this.taskIndex = taskIndex;
        this.taskCount = taskCount;
        this.totalBudget = totalBudget;
        this.defaultN = defaultN;
    }

    /** The key of {@link TaskStatsFunction}: {@code experimentId/taskId}. */
    public String taskKey() {
        return experimentId + "/" + taskId;
    }

    /** The key of {@link RoundAllocator}: {@code experimentId/roundId}. */
    public String roundKey() {
        return experimentId + "/" + roundId;
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof RoundProbe)) {
            return false;
        }
        RoundProbe that = (RoundProbe) o;
        return taskIndex == that.taskIndex
                && taskCount == that.taskCount
                && Objects.equals(experimentId, that.experimentId)
                && Objects.equals(roundId, that.roundId)
                && Objects.equals(taskId, that.taskId)
                && Objects.equals(totalBudget, that.totalBudget)
                && Objects.equals(defaultN, that.defaultN);
    }

    @Override
    public int hashCode() {
        return Objects.hash(
                experimentId, roundId, taskId, taskIndex, taskCount, totalBudget, defaultN);
    }

    @Override
    public String toString() {
        return "RoundProbe{"
                + roundKey()
                + ", task="
                + taskId
                + " ("
                + taskIndex
                + "/"
                + taskCount
                + "), totalBudget="
                + totalBudget
                + ", defaultN="
                + defaultN
                + "}";
    }
}
