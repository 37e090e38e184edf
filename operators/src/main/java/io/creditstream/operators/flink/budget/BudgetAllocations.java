package io.creditstream.operators.flink.budget;

import io.creditstream.schemas.BudgetAllocation;

/** Builders of the {@link BudgetAllocation} records the budget operators answer with. */
public final class BudgetAllocations {
    private BudgetAllocations() {}

    /** A task's answer when its round could not be allocated: no rollouts and the reason. */
    public static BudgetAllocation error(
            String experimentId, String roundId, String taskId, String error) {
        return BudgetAllocation.newBuilder()
                .setExperimentId(orEmpty(experimentId))
                .setRoundId(orEmpty(roundId))
                .setTaskId(orEmpty(taskId))
                .setRollouts(0)
                .setSuccessRate(0.0)
                .setValue(0.0)
                .setError(error)
                .build();
    }

    /** A task's allocated rollouts. */
    public static BudgetAllocation of(
            String experimentId,
            String roundId,
            String taskId,
            int rollouts,
            double successRate,
            double value) {
        return BudgetAllocation.newBuilder()
                .setExperimentId(orEmpty(experimentId))
                .setRoundId(orEmpty(roundId))
                .setTaskId(orEmpty(taskId))
                .setRollouts(rollouts)
                .setSuccessRate(successRate)
                .setValue(value)
                .setError(null)
                .build();
    }

    // Avro strings are not nullable; an answer must still go out for a request missing its ids.
    private static String orEmpty(String value) {
        return value == null ? "" : value;
    }
}
