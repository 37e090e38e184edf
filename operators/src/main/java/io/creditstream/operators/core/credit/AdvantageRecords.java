package io.creditstream.operators.core.credit;

import io.creditstream.schemas.AdvantageBatch;
import io.creditstream.schemas.AdvantageRecord;
import io.creditstream.schemas.StepEvent;
import io.creditstream.schemas.internal.Trajectory;
import io.creditstream.schemas.internal.TrajectoryGroup;
import java.util.ArrayList;
import java.util.List;

/** Turns one group's per-step credit into its advantage batch, whatever the estimator. */
public final class AdvantageRecords {
    private AdvantageRecords() {}

    /**
     * The first non-finite number among the batch's records, described with its episode, step and
     * field; null when every number is finite. A batch with one is never written to the learner.
     */
    public static String firstNonFinite(AdvantageBatch batch) {
        for (AdvantageRecord r : batch.getRecords()) {
            String field =
                    !Double.isFinite(r.getAdvantage())
                            ? "advantage"
                            : !Double.isFinite(r.getEpisodeAdvantage())
                                    ? "episode_advantage"
                                    : !Double.isFinite(r.getStepAdvantage())
                                            ? "step_advantage"
                                            : !Double.isFinite(r.getStepReturn())
                                                    ? "step_return"
                                                    : r.getProcessReward() != null
                                                                    && !Double.isFinite(
                                                                            r.getProcessReward())
                                                            ? "process_reward"
                                                            : null;
            if (field != null) {
                return field
                        + " of episode "
                        + r.getEpisodeId()
                        + " step "
                        + r.getStepIndex()
                        + " is not finite";
            }
        }
        return null;
    }

    /**
     * @param credits one list per trajectory of the group, in group order, one entry per step
     */
    public static AdvantageBatch batch(
            TrajectoryGroup group,
            String estimator,
            List<? extends List<? extends StepAdvantage>> credits) {
        List<Trajectory> trajectories = group.getTrajectories();
        int totalSteps = 0;
        for (Trajectory trajectory : trajectories) {
            totalSteps += trajectory.getSteps().size();
        }
        List<AdvantageRecord> records = new ArrayList<>(totalSteps);
        long minVersion = Long.MAX_VALUE;
        long maxVersion = Long.MIN_VALUE;
        for (int t = 0; t < trajectories.size(); t++) {
            Trajectory trajectory = trajectories.get(t);
            List<StepEvent> steps = trajectory.getSteps();
            List<? extends StepAdvantage> stepCredits = credits.get(t);
            for (int s = 0; s < steps.size(); s++) {
                StepEvent step = steps.get(s);
                StepAdvantage credit = stepCredits.get(s);
                minVersion = Math.min(minVersion, step.getPolicyVersion());
                maxVersion = Math.max(maxVersion, step.getPolicyVersion());
                // The all-fields constructor, in schema order: Avro's builder validates and
                // copies defaults on every call, which shows on this per-step path.
                records.add(
                        new AdvantageRecord(
                                trajectory.getExperimentId(),
                                trajectory.getTaskId(),
                                trajectory.getGroupId(),
                                trajectory.getEpisodeId(),
                                step.getStepIndex(),
                                step.getPolicyVersion(),
                                credit.advantage(),
                                credit.episodeAdvantage(),
                                credit.stepAdvantage(),
                                credit.processRewardOrNull(),
                                credit.stepReturn(),
                                credit.anchorGroupSize(),
                                estimator,
                                step.getObservation(),
                                step.getAction(),
                                step.getBehaviorLogprob(),
                                group.getPartial()));
            }
        }
        return new AdvantageBatch(
                group.getGroupId(),
                group.getExperimentId(),
                minVersion,
                maxVersion,
                0L,
                records,
                null,
                null,
                null);
    }
}
