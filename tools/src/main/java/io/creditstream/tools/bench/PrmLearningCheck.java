package io.creditstream.tools.bench;

import io.creditstream.fleet.SimulatedFleet;
import io.creditstream.fleet.env.KeyDoorMazeEnvironment;
import io.creditstream.fleet.env.MazeOracle;
import io.creditstream.fleet.policy.NoisyExpertPolicy;
import io.creditstream.operators.core.assembly.TrajectoryGroups;
import io.creditstream.operators.core.credit.CreditParams;
import io.creditstream.operators.core.credit.Estimator;
import io.creditstream.operators.core.credit.GroupCreditAssigner;
import io.creditstream.operators.core.metrics.RankCorrelation;
import io.creditstream.operators.core.prm.ImplicitPrm;
import io.creditstream.operators.core.prm.OprlCreditAssigner;
import io.creditstream.operators.core.prm.OprlParams;
import io.creditstream.operators.core.prm.PrmParams;
import io.creditstream.operators.core.prm.PrmProgress;
import io.creditstream.schemas.AdvantageRecord;
import io.creditstream.schemas.StepEvent;
import io.creditstream.schemas.internal.Trajectory;
import io.creditstream.schemas.internal.TrajectoryGroup;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.TreeSet;
import java.util.function.Consumer;

/**
 * How well the in-stream implicit PRM learns step quality, on the key-and-door maze where every
 * (state, action) has a known quality: the change in the shortest distance to success ({@link
 * MazeOracle#quality}: +1 on a shortest path, 0 for an invalid action, −1 away).
 *
 * <p>A noisy-expert fleet plays training groups; the PRM trains on them in order through the same
 * {@link OprlCreditAssigner} the job runs. At each checkpoint the model is frozen and measured on
 * held-out groups from another seed of the same tasks:
 *
 * <ul>
 *   <li>the Spearman correlation of the step rewards r_φ with the true quality;
 *   <li>within-state ranking: for each held-out state, the share of its action pairs of different
 *       quality that r_φ orders correctly (ties count one half);
 *   <li>equal-length pair accuracy: random pairs of equal-length windows of held-out trajectories
 *       of one task, ranked by their summed true quality, against their summed r_φ. Whole
 *       trajectories of different outcome are almost never of equal length here (failures run to
 *       the step limit), and "the shorter one won" already scores ~0.99 on outcome pairs, which is
 *       reported too, for contrast;
 *   <li>the Spearman correlation of the OPRL advantage the job would emit for each held-out group
 *       at that point (one update on the group, then its rewards) with the true quality, next to
 *       the same figure for GRPO and GiGPO advantages (penalty 0), overall and in groups where
 *       every rollout failed.
 * </ul>
 *
 * <p>Deterministic for the same settings and options.
 */
public final class PrmLearningCheck {

    /** What to run. */
    public record Settings(
            int groups,
            List<Integer> checkpoints,
            int heldOutGroups,
            int tasks,
            int groupSize,
            double epsilon,
            long seed,
            int windowLength,
            int windowPairs) {

        public Settings {
            Objects.requireNonNull(checkpoints, "checkpoints");
            checkpoints = List.copyOf(new TreeSet<>(checkpoints));
            if (groups < 1) {
                throw new IllegalArgumentException("--groups must be >= 1, but was " + groups);
            }
            for (int c : checkpoints) {
                if (c < 1 || c > groups) {
                    throw new IllegalArgumentException(
                            "--checkpoints must lie in [1, --groups=" + groups + "], but has " + c);
                }
            }
            if (heldOutGroups < 1 || tasks < 1 || groupSize < 2) {
                throw new IllegalArgumentException(
                        "need --held-out-groups >= 1, --tasks >= 1, --group-size >= 2");
            }
            if (!(epsilon >= 0 && epsilon <= 1)) {
                throw new IllegalArgumentException(
                        "--epsilon must be in [0, 1], but was " + epsilon);
            }
            if (windowLength < 1 || windowPairs < 1) {
                throw new IllegalArgumentException(
                        "--window-length and --window-pairs must be >= 1");
            }
        }

        public static Settings defaults() {
            return new Settings(1000, List.of(100, 300, 1000), 64, 32, 8, 0.8, 1, 10, 4000);
        }
    }

    /** The frozen model's figures after {@code groups} training groups. */
    public record Point(
            int groups,
            long updates,
            int liveFeatures,
            double stepSpearman,
            double withinStateAccuracy,
            double equalLengthPairAccuracy,
            double outcomePairAccuracy,
            double oprlAdvantageSpearman,
            double oprlAdvantageSpearmanAllFailed,
            double meanStepWeight) {}

    /** Everything one run measured. */
    public record Result(
            Settings settings,
            int heldOutSteps,
            int heldOutStates,
            double trainingSuccessRate,
            double heldOutSuccessRate,
            double heldOutAllFailedGroupRatio,
            double grpoAdvantageSpearman,
            double gigpoAdvantageSpearman,
            double gigpoAdvantageSpearmanAllFailed,
            List<Point> points,
            double seconds) {}

    private PrmLearningCheck() {}

    public static Result run(
            Settings settings, OprlParams oprl, PrmParams prm, Consumer<Point> progress) {
        long start = System.nanoTime();
        OprlCreditAssigner assigner = new OprlCreditAssigner(oprl, prm);
        SimulatedFleet training = fleet(settings, settings.seed());
        HeldOut heldOut =
                new HeldOut(
                        heldOutGroups(settings),
                        assigner,
                        new SplittableRandom(settings.seed()),
                        settings.windowLength(),
                        settings.windowPairs());

        ImplicitPrm model = new ImplicitPrm(prm);
        PrmProgress modelProgress = new PrmProgress();
        List<Point> points = new ArrayList<>();
        long episodes = 0;
        long successes = 0;
        for (int g = 1; g <= settings.groups(); g++) {
            var rollouts = training.nextRolloutGroup();
            episodes += rollouts.episodes();
            successes += rollouts.successes();
            TrajectoryGroup group = TrajectoryGroups.of(rollouts.events()).get(0);
            assigner.assign(group, model, modelProgress);
            if (settings.checkpoints().contains(g)) {
                Point point = heldOut.measure(g, model, modelProgress, prm);
                points.add(point);
                if (progress != null) {
                    progress.accept(point);
                }
            }
        }
        return new Result(
                settings,
                heldOut.steps.size(),
                heldOut.states.size(),
                (double) successes / episodes,
                heldOut.successRate(),
                heldOut.allFailedRatio(),
                heldOut.baselineSpearman(Estimator.GRPO, false),
                heldOut.baselineSpearman(Estimator.GIGPO, false),
                heldOut.baselineSpearman(Estimator.GIGPO, true),
                points,
                (System.nanoTime() - start) / 1e9);
    }

    private static SimulatedFleet fleet(Settings settings, long seed) {
        return SimulatedFleet.builder("prm-check")
                .tasks(settings.tasks())
                .groupSize(settings.groupSize())
                .seed(seed)
                .environment(KeyDoorMazeEnvironment::new)
                .policy(new NoisyExpertPolicy(settings.epsilon(), seed))
                .build();
    }

    private static List<TrajectoryGroup> heldOutGroups(Settings settings) {
        // Another seed: other rollouts of the same tasks.
        SimulatedFleet fleet = fleet(settings, settings.seed() + 0x9E3779B97F4A7C15L);
        List<TrajectoryGroup> groups = new ArrayList<>();
        for (int g = 0; g < settings.heldOutGroups(); g++) {
            groups.add(TrajectoryGroups.of(fleet.nextRolloutGroup().events()).get(0));
        }
        return groups;
    }

    /** The held-out groups with each step's true quality, and the measurements on them. */
    private static final class HeldOut {
        private final List<TrajectoryGroup> groups;
        private final OprlCreditAssigner assigner;
        private final List<StepEvent> steps = new ArrayList<>();
        private final double[] quality;

        /** Per held-out state: its observation and the true quality of each action. */
        private final Map<String, int[]> states = new LinkedHashMap<>();

        private final List<String> actions = new KeyDoorMazeEnvironment().actions();

        /** Window pairs: start rows of a and b in {@link #steps}. */
        private final int[][] windows;

        private final int windowLength;

        HeldOut(
                List<TrajectoryGroup> groups,
                OprlCreditAssigner assigner,
                SplittableRandom random,
                int windowLength,
                int windowPairs) {
            this.groups = groups;
            this.windowLength = windowLength;
            this.assigner = assigner;
            Map<String, List<int[]>> trajectoriesByTask = new HashMap<>();
            for (TrajectoryGroup group : groups) {
                for (Trajectory trajectory : group.getTrajectories()) {
                    int first = steps.size();
                    steps.addAll(trajectory.getSteps());
                    trajectoriesByTask
                            .computeIfAbsent(group.getTaskId(), t -> new ArrayList<>())
                            .add(new int[] {first, steps.size() - first});
                }
            }
            quality = new double[steps.size()];
            for (int k = 0; k < quality.length; k++) {
                MazeOracle oracle = MazeOracle.parse(steps.get(k).getObservation());
                quality[k] = oracle.quality(steps.get(k).getAction());
                states.computeIfAbsent(
                        steps.get(k).getObservation(),
                        observation -> {
                            int[] q = new int[actions.size()];
                            for (int a = 0; a < q.length; a++) {
                                q[a] = oracle.quality(actions.get(a));
                            }
                            return q;
                        });
            }
            this.windows = drawWindows(trajectoriesByTask, random, windowPairs);
        }

        private int[][] drawWindows(
                Map<String, List<int[]>> byTask, SplittableRandom random, int pairs) {
            List<List<int[]>> tasks = new ArrayList<>();
            for (List<int[]> trajectories : byTask.values()) {
                List<int[]> longEnough = new ArrayList<>();
                for (int[] t : trajectories) {
                    if (t[1] >= windowLength) {
                        longEnough.add(t);
                    }
                }
                if (longEnough.size() >= 2) {
                    tasks.add(longEnough);
                }
            }
            List<int[]> drawn = new ArrayList<>();
            for (int attempt = 0; attempt < pairs * 20 && drawn.size() < pairs; attempt++) {
                if (tasks.isEmpty()) {
                    break;
                }
                List<int[]> task = tasks.get(random.nextInt(tasks.size()));
                int[] a = task.get(random.nextInt(task.size()));
                int[] b = task.get(random.nextInt(task.size()));
                int startA = a[0] + random.nextInt(a[1] - windowLength + 1);
                int startB = b[0] + random.nextInt(b[1] - windowLength + 1);
                if (windowQuality(startA) != windowQuality(startB)) {
                    drawn.add(new int[] {startA, startB});
                }
            }
            return drawn.toArray(new int[0][]);
        }

        private double windowQuality(int start) {
            double sum = 0;
            for (int k = start; k < start + windowLength; k++) {
                sum += quality[k];
            }
            return sum;
        }

        Point measure(int trained, ImplicitPrm model, PrmProgress progress, PrmParams params) {
            double[] rewards = new double[steps.size()];
            for (int k = 0; k < rewards.length; k++) {
                rewards[k] = params.beta() * model.score(assigner.features(steps.get(k)));
            }

            double rankedRight = 0;
            long rankedPairs = 0;
            for (Map.Entry<String, int[]> state : states.entrySet()) {
                int[] q = state.getValue();
                double[] score = new double[q.length];
                for (int a = 0; a < q.length; a++) {
                    score[a] =
                            model.score(
                                    assigner.features(
                                            state.getKey(), state.getKey(), actions.get(a)));
                }
                for (int a = 0; a < q.length; a++) {
                    for (int b = a + 1; b < q.length; b++) {
                        if (q[a] != q[b]) {
                            rankedPairs++;
                            rankedRight += agreement(q[a] - q[b], score[a] - score[b]);
                        }
                    }
                }
            }

            double windowRight = 0;
            for (int[] pair : windows) {
                windowRight +=
                        agreement(
                                windowQuality(pair[0]) - windowQuality(pair[1]),
                                windowSum(rewards, pair[0]) - windowSum(rewards, pair[1]));
            }

            double outcomeRight = 0;
            long outcomePairs = 0;
            int row = 0;
            for (TrajectoryGroup group : groups) {
                List<double[]> trajectories = new ArrayList<>();
                for (Trajectory trajectory : group.getTrajectories()) {
                    double sum = 0;
                    for (int t = 0; t < trajectory.getSteps().size(); t++) {
                        sum += rewards[row++];
                    }
                    trajectories.add(
                            new double[] {
                                GroupCreditAssigner.episodeReturn(trajectory.getSteps()), sum
                            });
                }
                for (double[] pos : trajectories) {
                    for (double[] neg : trajectories) {
                        if (pos[0] > params.positiveThreshold()
                                && !(neg[0] > params.positiveThreshold())) {
                            outcomePairs++;
                            outcomeRight += agreement(1, pos[1] - neg[1]);
                        }
                    }
                }
            }

            // What the job would emit for each held-out group now: a copy of the model takes
            // the group's update, then scores it (the real model is left as it was).
            ImplicitPrm.WeightSnapshot snapshot = model.snapshot();
            double[] advantages = new double[steps.size()];
            boolean[] allFailed = new boolean[steps.size()];
            double stepWeights = 0;
            row = 0;
            for (TrajectoryGroup group : groups) {
                PrmProgress copy = copy(progress);
                OprlCreditAssigner.Result result =
                        assigner.assign(group, ImplicitPrm.restore(params, snapshot), copy);
                stepWeights += result.stepWeight();
                boolean failed = allFailed(group, params.positiveThreshold());
                for (AdvantageRecord record : result.batch().getRecords()) {
                    allFailed[row] = failed;
                    advantages[row++] = record.getAdvantage();
                }
            }
            return new Point(
                    trained,
                    progress.updates,
                    model.liveFeatures(),
                    RankCorrelation.spearman(rewards, quality),
                    rankedPairs == 0 ? Double.NaN : rankedRight / rankedPairs,
                    windows.length == 0 ? Double.NaN : windowRight / windows.length,
                    outcomePairs == 0 ? Double.NaN : outcomeRight / outcomePairs,
                    RankCorrelation.spearman(advantages, quality),
                    RankCorrelation.spearman(
                            select(advantages, allFailed), select(quality, allFailed)),
                    stepWeights / groups.size());
        }

        double baselineSpearman(Estimator estimator, boolean onlyAllFailed) {
            GroupCreditAssigner baseline =
                    new GroupCreditAssigner(
                            CreditParams.defaults()
                                    .withEstimator(estimator)
                                    .withInvalidActionPenalty(0));
            double[] advantages = new double[steps.size()];
            boolean[] keep = new boolean[steps.size()];
            int row = 0;
            for (TrajectoryGroup group : groups) {
                boolean failed = allFailed(group, 0);
                for (AdvantageRecord record : baseline.assign(group).getRecords()) {
                    keep[row] = !onlyAllFailed || failed;
                    advantages[row++] = record.getAdvantage();
                }
            }
            return RankCorrelation.spearman(select(advantages, keep), select(quality, keep));
        }

        double successRate() {
            long episodes = 0;
            long successes = 0;
            for (TrajectoryGroup group : groups) {
                for (Trajectory trajectory : group.getTrajectories()) {
                    episodes++;
                    if (GroupCreditAssigner.episodeReturn(trajectory.getSteps()) > 0) {
                        successes++;
                    }
                }
            }
            return (double) successes / episodes;
        }

        double allFailedRatio() {
            long failed = groups.stream().filter(g -> allFailed(g, 0)).count();
            return (double) failed / groups.size();
        }

        private double windowSum(double[] values, int start) {
            double sum = 0;
            for (int k = start; k < start + windowLength; k++) {
                sum += values[k];
            }
            return sum;
        }
    }

    /** 1 when the prediction orders a pair as the truth does, 1/2 on a predicted tie, else 0. */
    private static double agreement(double truth, double predicted) {
        if (predicted == 0) {
            return 0.5;
        }
        return Math.signum(truth) == Math.signum(predicted) ? 1 : 0;
    }

    private static boolean allFailed(TrajectoryGroup group, double threshold) {
        for (Trajectory trajectory : group.getTrajectories()) {
            if (GroupCreditAssigner.episodeReturn(trajectory.getSteps()) > threshold) {
                return false;
            }
        }
        return true;
    }

    private static PrmProgress copy(PrmProgress progress) {
        PrmProgress copy = new PrmProgress();
        copy.updates = progress.updates;
        copy.groups = progress.groups;
        copy.pairAccuracy = progress.pairAccuracy;
        copy.liveFeatures = progress.liveFeatures;
        return copy;
    }

    private static double[] select(double[] values, boolean[] keep) {
        double[] out = new double[values.length];
        int n = 0;
        for (int k = 0; k < values.length; k++) {
            if (keep[k]) {
                out[n++] = values[k];
            }
        }
        return Arrays.copyOf(out, n);
    }
}
