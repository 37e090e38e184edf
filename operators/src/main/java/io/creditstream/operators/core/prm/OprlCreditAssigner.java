package io.creditstream.operators.core.prm;

import io.creditstream.operators.core.credit.AdvantageRecords;
import io.creditstream.operators.core.credit.Estimator;
import io.creditstream.operators.core.credit.GroupCreditAssigner;
import io.creditstream.schemas.AdvantageBatch;
import io.creditstream.schemas.StepEvent;
import io.creditstream.schemas.internal.Trajectory;
import io.creditstream.schemas.internal.TrajectoryGroup;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The OPRL estimator of one group (docs/ALGORITHMS.md §3), shared by the streaming job and the
 * offline {@code estimate}: step rewards from the events' log-probs where the fleet sends them,
 * else from the in-stream implicit PRM, which first takes one DPO step on the group's preference
 * pairs (Algorithm 1: rewards come from the updated model); then A = A^E + α·A^S.
 *
 * <p>A step uses the external reward r = β·(prm_logprob − ref_logprob) whenever both log-probs are
 * present; the job's validator has already sent non-finite ones to the dead-letter queue. A group
 * whose every step carries both never touches the in-stream PRM: the external PRM is trained
 * elsewhere, and training ours on its fleet would only cost time.
 *
 * <p>α is {@code credit.oprl.step-weight} for external rewards. For in-stream rewards it is 0
 * during the warm-up, scaled by the PRM's running pair accuracy under {@code confidence} scaling,
 * and 0 for a group without a pair under {@code paired-groups}. Outcomes are the episode returns;
 * {@code credit.invalid-action-penalty} is a GRPO/GiGPO setting and not applied here.
 */
public final class OprlCreditAssigner implements Serializable {
    private static final long serialVersionUID = 1L;

    /**
     * One group's credit and what the PRM did for it.
     *
     * @param batch the advantage records, trajectories in group order, steps in step order
     * @param update the in-stream PRM's update, or null when every step had external log-probs
     * @param stepWeight the α applied to this group's A^S
     * @param externalSteps steps whose reward came from the events' log-probs
     * @param inStreamSteps steps whose reward came from the in-stream PRM
     */
    public record Result(
            AdvantageBatch batch,
            ImplicitPrm.UpdateResult update,
            double stepWeight,
            int externalSteps,
            int inStreamSteps) {}

    private final OprlParams oprlParams;
    private final PrmParams prmParams;
    private final OprlAdvantage advantage;
    private final ExternalStepReward external;
    private final PrmFeaturizer featurizer;

    public OprlCreditAssigner(OprlParams oprlParams, PrmParams prmParams) {
        this.oprlParams = Objects.requireNonNull(oprlParams, "oprlParams");
        this.prmParams = Objects.requireNonNull(prmParams, "prmParams");
        this.advantage = new OprlAdvantage(oprlParams);
        this.external = new ExternalStepReward(prmParams.beta());
        this.featurizer = new PrmFeaturizer(prmParams);
    }

    public OprlParams oprlParams() {
        return oprlParams;
    }

    public PrmParams prmParams() {
        return prmParams;
    }

    /** The key of the PRM that this group trains and reads ({@code prm.shard}). */
    public String shardKey(TrajectoryGroup group) {
        return prmParams.shard().key(group.getExperimentId(), group.getTaskId());
    }

    /** Whitespace tokens of a text; none for null or blank. */
    public static List<String> tokens(String text) {
        if (text == null) {
            return List.of();
        }
        // A hand-rolled scan: a regex split per step shows up in the estimator's profile.
        List<String> tokens = new ArrayList<>();
        int start = -1;
        for (int i = 0; i < text.length(); i++) {
            if (Character.isWhitespace(text.charAt(i))) {
                if (start >= 0) {
                    tokens.add(text.substring(start, i));
                    start = -1;
                }
            } else if (start < 0) {
                start = i;
            }
        }
        if (start >= 0) {
            tokens.add(text.substring(start));
        }
        return tokens;
    }

    /** φ of one step: its anchor key and observation tokens crossed with its action tokens. */
    public FeatureVector features(StepEvent step) {
        return features(
                GroupCreditAssigner.anchorKey(step), step.getObservation(), step.getAction());
    }

    /** φ of a (state, action) that need not have been played, e.g. to rank a state's actions. */
    public FeatureVector features(String anchorKey, String observation, String action) {
        return featurizer.featurize(anchorKey, tokens(observation), tokens(action));
    }

    /**
     * Computes the group's advantages, first updating {@code prm} (and {@code progress}) on its
     * pairs when any step needs the in-stream PRM.
     *
     * @param prm the shard's PRM, updated in place
     * @param progress the shard's progress, updated in place
     */
    public Result assign(TrajectoryGroup group, ImplicitPrm prm, PrmProgress progress) {
        List<Trajectory> trajectories = group.getTrajectories();
        int n = trajectories.size();
        double[] outcomes = new double[n];
        Double[][] externalRewards = new Double[n][];
        int externalSteps = 0;
        int totalSteps = 0;
        for (int i = 0; i < n; i++) {
            List<StepEvent> steps = trajectories.get(i).getSteps();
            outcomes[i] = GroupCreditAssigner.episodeReturn(steps);
            externalRewards[i] = new Double[steps.size()];
            for (int t = 0; t < steps.size(); t++) {
                StepEvent step = steps.get(t);
                Double reward = external.rewardOrNull(step.getPrmLogprob(), step.getRefLogprob());
                externalRewards[i][t] = reward;
                if (reward != null) {
                    externalSteps++;
                }
            }
            totalSteps += steps.size();
        }
        int inStreamSteps = totalSteps - externalSteps;

        ImplicitPrm.UpdateResult update = null;
        List<TrajectoryFeatures> features = null;
        if (inStreamSteps > 0) {
            features = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                List<StepEvent> steps = trajectories.get(i).getSteps();
                List<FeatureVector> vectors = new ArrayList<>(steps.size());
                for (StepEvent step : steps) {
                    vectors.add(features(step));
                }
                features.add(new TrajectoryFeatures(outcomes[i], vectors));
            }
            update = prm.update(features, prmParams.learningRateAt(progress.updates));
            progress.record(update);
        }

        List<OprlTrajectory> scored = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            double[] rewards = new double[externalRewards[i].length];
            for (int t = 0; t < rewards.length; t++) {
                Double known = externalRewards[i][t];
                rewards[t] =
                        known != null
                                ? known
                                : prmParams.beta() * prm.score(features.get(i).steps().get(t));
            }
            scored.add(new OprlTrajectory(outcomes[i], rewards));
        }
        double alpha = stepWeight(outcomes, inStreamSteps > 0, progress);
        List<List<OprlStepCredit>> credits = advantage.estimate(scored, alpha);
        return new Result(
                AdvantageRecords.batch(group, Estimator.OPRL.configName(), credits),
                update,
                alpha,
                externalSteps,
                inStreamSteps);
    }

    private double stepWeight(double[] outcomes, boolean usesInStreamPrm, PrmProgress progress) {
        double alpha = oprlParams.stepWeight();
        if (oprlParams.stepTerm() == StepTermScope.PAIRED_GROUPS && !hasPair(outcomes)) {
            return 0;
        }
        if (!usesInStreamPrm) {
            return alpha;
        }
        if (progress.updates < oprlParams.warmupGroups()) {
            return 0;
        }
        if (oprlParams.stepWeightScaling() == StepWeightScaling.CONFIDENCE) {
            alpha *= progress.confidence();
        }
        return alpha;
    }

    private boolean hasPair(double[] outcomes) {
        boolean positive = false;
        boolean negative = false;
        for (double outcome : outcomes) {
            if (outcome > prmParams.positiveThreshold()) {
                positive = true;
            } else {
                negative = true;
            }
        }
        return positive && negative;
    }
}
