package io.creditstream.operators.flink.budget;

import io.creditstream.schemas.BudgetRequest;
import io.creditstream.schemas.StepEvent;
import io.creditstream.schemas.internal.Trajectory;
import io.creditstream.schemas.internal.TrajectoryGroup;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Builders of budget test records with intent-revealing names. */
final class BudgetTestData {
    static final String EXPERIMENT = "exp";

    private BudgetTestData() {}

    /** A group of {@code task} whose trajectories have these episode returns, one step each. */
    static TrajectoryGroup groupWithReturns(String task, long policyVersion, double... returns) {
        List<Trajectory> trajectories = new ArrayList<>();
        for (int i = 0; i < returns.length; i++) {
            StepEvent step =
                    StepEvent.newBuilder()
                            .setExperimentId(EXPERIMENT)
                            .setTaskId(task)
                            .setGroupId("g")
                            .setEpisodeId("e" + i)
                            .setStepIndex(0)
                            .setPolicyVersion(policyVersion)
                            .setStateKey("s0")
                            .setObservation("obs")
                            .setAction("a")
                            .setReward(returns[i])
                            .setDone(true)
                            .setGroupSize(returns.length)
                            .build();
            trajectories.add(
                    Trajectory.newBuilder()
                            .setExperimentId(EXPERIMENT)
                            .setTaskId(task)
                            .setGroupId("g")
                            .setEpisodeId("e" + i)
                            .setGroupSize(returns.length)
                            .setPolicyVersion(policyVersion)
                            .setSteps(List.of(step))
                            .build());
        }
        return TrajectoryGroup.newBuilder()
                .setExperimentId(EXPERIMENT)
                .setTaskId(task)
                .setGroupId("g")
                .setExpectedSize(returns.length)
                .setPartial(false)
                .setTrajectories(trajectories)
                .build();
    }

    /** An outcome of {@code successes} successes followed by {@code failures} failures. */
    static TaskOutcome outcome(String task, long policyVersion, int successes, int failures) {
        double[] rewards = new double[successes + failures];
        Arrays.fill(rewards, 0, successes, 1.0);
        return new TaskOutcome(EXPERIMENT, task, policyVersion, rewards);
    }

    static RoundProbe probe(String round, String task, int index, int count) {
        return new RoundProbe(EXPERIMENT, round, task, index, count, null, null);
    }

    static BudgetRequest request(String round, List<String> tasks) {
        return BudgetRequest.newBuilder()
                .setExperimentId(EXPERIMENT)
                .setRoundId(round)
                .setTaskIds(tasks)
                .setTotalBudget(null)
                .setDefaultN(null)
                .build();
    }
}
