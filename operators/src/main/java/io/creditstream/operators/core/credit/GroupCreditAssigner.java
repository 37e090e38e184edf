package io.creditstream.operators.core.credit;

import io.creditstream.schemas.AdvantageBatch;
import io.creditstream.schemas.StepEvent;
import io.creditstream.schemas.internal.Trajectory;
import io.creditstream.schemas.internal.TrajectoryGroup;
import java.util.ArrayList;
import java.util.List;

/**
 * Turns one assembled rollout group into its advantage records with the configured estimator: the
 * bridge between the wire records and the Flink-free kernels, shared by the streaming job and the
 * offline {@code estimate}.
 */
public final class GroupCreditAssigner implements java.io.Serializable {
    private static final long serialVersionUID = 1L;

    private final CreditParams params;
    private transient CreditEstimator estimator;

    public GroupCreditAssigner(CreditParams params) {
        this.params = params;
    }

    public CreditParams params() {
        return params;
    }

    /** The anchor identity of a step: its state_key, else its observation (exact match). */
    public static String anchorKey(StepEvent step) {
        return step.getStateKey() != null ? step.getStateKey() : step.getObservation();
    }

    /**
     * TEMPO's token for a step: its action, else its anchor identity (state_key, else observation),
     * so that steps without an action still branch where their states differ. The two kinds get
     * different prefixes so that an action never matches a state of the same spelling; null
     * (neither) matches nothing.
     */
    static String actionKey(StepEvent step, String anchorKey) {
        if (step.getAction() != null) {
            return "a:" + step.getAction();
        }
        return anchorKey != null ? "s:" + anchorKey : null;
    }

    /** The outcome of an episode: the terminal step's episode_return, else the sum of rewards. */
    public static double episodeReturn(List<StepEvent> steps) {
        Double declared = steps.get(steps.size() - 1).getEpisodeReturn();
        if (declared != null) {
            return declared;
        }
        double sum = 0;
        for (StepEvent step : steps) {
            sum += step.getReward();
        }
        return sum;
    }

    /** Converts a trajectory to the kernel's input form. */
    public static TrajectorySample toSample(Trajectory trajectory) {
        List<StepEvent> steps = trajectory.getSteps();
        List<StepSample> samples = new ArrayList<>(steps.size());
        for (StepEvent step : steps) {
            String anchorKey = anchorKey(step);
            samples.add(
                    new StepSample(
                            anchorKey,
                            step.getReward(),
                            step.getInvalidAction(),
                            actionKey(step, anchorKey),
                            step.getProcessScore(),
                            step.getTokenCount(),
                            step.getAnswerProb()));
        }
        return new TrajectorySample(trajectory.getEpisodeId(), episodeReturn(steps), samples);
    }

    /** Computes every step's advantage; the batch holds the group's records in step order. */
    public AdvantageBatch assign(TrajectoryGroup group) {
        if (estimator == null) {
            estimator = new CreditEstimator(params);
        }
        List<Trajectory> trajectories = group.getTrajectories();
        List<TrajectorySample> samples = new ArrayList<>(trajectories.size());
        for (Trajectory trajectory : trajectories) {
            samples.add(toSample(trajectory));
        }
        List<List<StepCredit>> credits = estimator.estimate(samples);
        return AdvantageRecords.batch(group, params.estimator().configName(), credits);
    }
}
