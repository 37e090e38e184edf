package io.creditstream.policy.study;

import io.creditstream.fleet.RolloutGroup;
import io.creditstream.fleet.SimulatedFleet;
import io.creditstream.fleet.curve.Curve;
import io.creditstream.fleet.curve.CurvePoint;
import io.creditstream.fleet.curve.EpisodeWindow;
import io.creditstream.fleet.env.KeyDoorMazeEnvironment;
import io.creditstream.fleet.policy.AgentPolicy;
import io.creditstream.fleet.policy.RandomPolicy;
import io.creditstream.fleet.policy.SwitchablePolicy;
import io.creditstream.operators.core.assembly.TrajectoryGroups;
import io.creditstream.operators.core.credit.AnchorMemory;
import io.creditstream.operators.core.credit.Estimator;
import io.creditstream.operators.core.credit.GroupCreditAssigner;
import io.creditstream.operators.core.prm.ImplicitPrm;
import io.creditstream.operators.core.prm.OprlCreditAssigner;
import io.creditstream.operators.core.prm.PrmProgress;
import io.creditstream.policy.model.DjlAgentPolicy;
import io.creditstream.policy.model.PolicyNetwork;
import io.creditstream.policy.training.ClippedPolicyGradient;
import io.creditstream.policy.training.TrainingSample;
import io.creditstream.policy.training.UpdateStats;
import io.creditstream.schemas.AdvantageBatch;
import io.creditstream.schemas.AdvantageRecord;
import io.creditstream.schemas.StepEvent;
import io.creditstream.schemas.internal.TrajectoryGroup;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * An in-process closed training loop over the project's real pieces, to measure how fast a policy
 * learns the key-and-door maze with each credit estimator: the {@link SimulatedFleet} plays rollout
 * groups with the current policy snapshot (a {@link DjlAgentPolicy} per update, as in the fleet
 * service); {@link TrajectoryGroups} assembles them; {@link GroupCreditAssigner} (grpo, gigpo,
 * tempo, pure, igpo) or {@link OprlCreditAssigner} (oprl, one implicit PRM kept for the whole run)
 * assigns advantages; one {@link ClippedPolicyGradient} update trains on every step of those groups
 * with the fleet's behavior log-probs. Then the loop repeats with the updated policy until the
 * episode budget is spent. No Kafka and no Flink: it measures the estimators, not the transport.
 *
 * <p>Strictly on-policy: every group of an update is played by the policy of the previous update,
 * and the fleet's policy version is the update count. A run is a pure function of its settings as
 * far as the CPU PyTorch engine is (same weights, draws and shuffles; float sums inside libtorch
 * are deterministic for a fixed thread count). Only the curve's wall seconds vary.
 *
 * <p>Uses DJL autograd, of which only one may run per JVM: run one study at a time per process.
 */
public final class InProcessStudy {

    private final StudySettings settings;
    private final LongSupplier nanoTime;

    /** A study of {@code settings} timed by {@link System#nanoTime()}. */
    public InProcessStudy(StudySettings settings) {
        this(settings, System::nanoTime);
    }

    /** A study of {@code settings} timed by {@code nanoTime}, for tests. */
    public InProcessStudy(StudySettings settings, LongSupplier nanoTime) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.nanoTime = Objects.requireNonNull(nanoTime, "nanoTime");
    }

    /** The settings this study runs. */
    public StudySettings settings() {
        return settings;
    }

    /** Steps credited, steps alone in their step group, and alone after pooling (if on). */
    private final long[] anchorSingletons = new long[3];

    /**
     * Of the last run's steps: how many were credited, how many were alone in their group's step
     * group (plain GiGPO's singletons), and how many were still alone after the anchor memory
     * pooled the task's earlier groups (0 without the memory).
     */
    public long[] anchorSingletons() {
        return anchorSingletons.clone();
    }

    /** Runs the study to its episode budget. */
    public Curve run() {
        return run(point -> {});
    }

    /** Runs the study to its episode budget, handing each curve point to {@code progress}. */
    public Curve run(Consumer<CurvePoint> progress) {
        return run(progress, update -> {});
    }

    /**
     * Runs the study to its episode budget, handing each curve point to {@code progress} and each
     * update's statistics to {@code diagnostics}.
     */
    public Curve run(Consumer<CurvePoint> progress, Consumer<UpdateDiagnostics> diagnostics) {
        Objects.requireNonNull(progress, "progress");
        Objects.requireNonNull(diagnostics, "diagnostics");
        long start = nanoTime.getAsLong();
        List<CurvePoint> points = new ArrayList<>();
        try (PolicyNetwork network = PolicyNetwork.create(settings.networkSpec(), settings.seed());
                ClippedPolicyGradient learner =
                        new ClippedPolicyGradient(network, settings.update(), settings.seed())) {
            SwitchablePolicy policy = new SwitchablePolicy();
            policy.use(new DjlAgentPolicy(network, 0, policySeed(settings.seed(), 0)));
            SimulatedFleet fleet = fleet(settings, policy);
            Credit credit = new Credit(settings, anchorSingletons);
            EpisodeWindow window = new EpisodeWindow(settings.window());

            long episodes = 0;
            while (episodes < settings.episodes()) {
                long groupsLeft = (settings.episodes() - episodes) / settings.groupSize();
                long groups = Math.min(settings.groupsPerUpdate(), groupsLeft);
                List<TrainingSample> samples = new ArrayList<>();
                double absAdvantage = 0;
                double maxAbsAdvantage = 0;
                for (int g = 0; g < groups; g++) {
                    RolloutGroup played = fleet.nextRolloutGroup();
                    episodes += recordEpisodes(played.events(), window);
                    TrajectoryGroup group = TrajectoryGroups.of(played.events()).get(0);
                    for (AdvantageRecord record : credit.assign(group).getRecords()) {
                        samples.add(
                                new TrainingSample(
                                        record.getObservation(),
                                        network.actionIndex(record.getAction()),
                                        record.getBehaviorLogprob(),
                                        record.getAdvantage()));
                        absAdvantage += Math.abs(record.getAdvantage());
                        maxAbsAdvantage =
                                Math.max(maxAbsAdvantage, Math.abs(record.getAdvantage()));
                    }
                }
                UpdateStats stats = learner.update(samples);
                long updates = learner.updatesApplied();
                policy.use(
                        new DjlAgentPolicy(network, updates, policySeed(settings.seed(), updates)));
                CurvePoint point =
                        new CurvePoint(
                                episodes,
                                window.successRate(),
                                window.meanLength(),
                                absAdvantage / samples.size(),
                                updates,
                                (nanoTime.getAsLong() - start) / 1e9,
                                stats.entropy(),
                                stats.approxKl());
                points.add(point);
                progress.accept(point);
                diagnostics.accept(
                        new UpdateDiagnostics(
                                updates,
                                episodes,
                                point.successRate(),
                                point.meanAbsAdvantage(),
                                maxAbsAdvantage,
                                stats));
            }
        }
        return new Curve(settings.label(), settings.seed(), points);
    }

    /**
     * The success rate of a uniformly random policy over {@code episodes} episodes of the settings'
     * maze and tasks: the floor a trained policy must clear.
     */
    public static double randomPolicySuccessRate(StudySettings settings, int episodes) {
        SimulatedFleet fleet = fleet(settings, new RandomPolicy(settings.seed()));
        EpisodeWindow all = new EpisodeWindow(episodes);
        long played = 0;
        while (played < episodes) {
            played += recordEpisodes(fleet.nextRolloutGroup().events(), all);
        }
        return all.successRate();
    }

    private static SimulatedFleet fleet(StudySettings settings, AgentPolicy policy) {
        long[] tick = {0};
        return SimulatedFleet.builder("study-" + settings.estimator().configName())
                .runId("study-s" + settings.seed())
                .tasks(settings.tasks())
                .groupSize(settings.groupSize())
                .seed(settings.seed())
                // Event times do not affect credit; a counter keeps the events reproducible.
                .clock(() -> tick[0]++)
                .environment(() -> new KeyDoorMazeEnvironment(settings.maze()))
                .policy(policy)
                .build();
    }

    /** Adds each finished episode of a group's events (in play order) to the window. */
    private static int recordEpisodes(List<StepEvent> events, EpisodeWindow window) {
        int finished = 0;
        for (StepEvent event : events) {
            if (event.getDone()) {
                Double episodeReturn = event.getEpisodeReturn();
                window.add(episodeReturn != null && episodeReturn > 0, event.getStepIndex() + 1);
                finished++;
            }
        }
        return finished;
    }

    /** The action-draw seed of policy version {@code version}: unrelated across versions. */
    static long policySeed(long seed, long version) {
        long z = seed * 0x9E3779B97F4A7C15L + version + 0x632BE59BD9B4E019L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /**
     * The chosen estimator over one group, with OPRL's PRM, or GiGPO's anchor memory per task, kept
     * across groups.
     */
    private static final class Credit {
        private final GroupCreditAssigner group;
        private final OprlCreditAssigner oprl;
        private final ImplicitPrm prm;
        private final PrmProgress prmProgress;
        private final AnchorMemory memory;
        private final Map<String, AnchorMemory.HeapTask> tasks = new HashMap<>();
        private final long[] singletons;

        Credit(StudySettings settings, long[] singletons) {
            this.singletons = singletons;
            this.memory =
                    settings.anchorMemory().enabled()
                            ? new AnchorMemory(settings.creditParams(), settings.anchorMemory())
                            : null;
            if (settings.estimator() == Estimator.OPRL) {
                this.group = null;
                this.oprl = new OprlCreditAssigner(settings.oprlParams(), settings.prmParams());
                this.prm = new ImplicitPrm(settings.prmParams());
                this.prmProgress = new PrmProgress();
            } else {
                this.group = new GroupCreditAssigner(settings.creditParams());
                this.oprl = null;
                this.prm = null;
                this.prmProgress = null;
            }
        }

        AdvantageBatch assign(TrajectoryGroup trajectories) {
            AdvantageBatch batch;
            if (memory != null) {
                AnchorMemory.Assigned assigned =
                        tasks.computeIfAbsent(
                                        trajectories.getTaskId(), t -> new AnchorMemory.HeapTask())
                                .assign(memory, trajectories);
                singletons[2] += assigned.estimate().pooledSingletons();
                batch = assigned.batch();
            } else {
                batch =
                        group != null
                                ? group.assign(trajectories)
                                : oprl.assign(trajectories, prm, prmProgress).batch();
            }
            for (AdvantageRecord record : batch.getRecords()) {
                singletons[0]++;
                if (record.getAnchorGroupSize() == 1) {
                    singletons[1]++;
                }
            }
            return batch;
        }
    }
}
