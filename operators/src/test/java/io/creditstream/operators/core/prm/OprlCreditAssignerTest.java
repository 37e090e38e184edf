package io.creditstream.operators.core.prm;

import static io.creditstream.operators.core.prm.OprlGroups.eastBeatsWest;
import static io.creditstream.operators.core.prm.OprlGroups.group;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.creditstream.operators.core.credit.GroupCreditAssigner;
import io.creditstream.operators.core.prm.OprlGroups.Episode;
import io.creditstream.operators.core.prm.OprlGroups.Step;
import io.creditstream.schemas.AdvantageRecord;
import io.creditstream.schemas.StepEvent;
import io.creditstream.schemas.internal.Trajectory;
import io.creditstream.schemas.internal.TrajectoryGroup;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The OPRL estimator of one group over the wire records, checked against §3 by hand. */
class OprlCreditAssignerTest {
    private static final double EPS = 1e-6;
    private static final double TOL = 1e-9;
    private static final double BETA = PrmParams.DEFAULT_BETA;

    private final PrmParams prmParams = PrmParams.defaults();

    private OprlCreditAssigner assigner(OprlParams oprl) {
        return new OprlCreditAssigner(oprl, prmParams);
    }

    private static List<AdvantageRecord> records(OprlCreditAssigner.Result result) {
        return result.batch().getRecords();
    }

    @Test
    void externalLogProbsReproduceEquationsOneToFiveAndLeaveThePrmAlone() {
        // β(prm − ref) pools to {0.05, −0.05 | 0 | 0.1, −0.1, 0}: mean 0, unbiased var 0.005.
        TrajectoryGroup group =
                group(
                        "g",
                        Episode.of(1, Step.logged(-1, -2), Step.logged(-3, -2)),
                        Episode.of(0, Step.logged(-2, -2)),
                        Episode.of(
                                0, Step.logged(0, -2), Step.logged(-4, -2), Step.logged(-5, -5)));
        ImplicitPrm prm = new ImplicitPrm(prmParams);
        PrmProgress progress = new PrmProgress();

        OprlCreditAssigner.Result result =
                assigner(OprlParams.defaults()).assign(group, prm, progress);

        double[] rPhi = {0.05, -0.05, 0.0, 0.1, -0.1, 0.0};
        double[] episode = {1.0, 1.0, -0.5, -0.5, -0.5, -0.5}; // RLOO: 3/2·(o − 1/3)
        double std = Math.sqrt((2 * 0.05 * 0.05 + 2 * 0.1 * 0.1) / 5);
        List<AdvantageRecord> records = records(result);
        assertThat(records).hasSize(6);
        for (int k = 0; k < 6; k++) {
            AdvantageRecord r = records.get(k);
            assertThat(r.getEstimator()).isEqualTo("oprl");
            assertThat(r.getProcessReward()).isCloseTo(rPhi[k], within(TOL));
            assertThat(r.getEpisodeAdvantage()).isCloseTo(episode[k], within(TOL));
            assertThat(r.getStepAdvantage()).isCloseTo(rPhi[k] / (std + EPS), within(TOL));
            assertThat(r.getAdvantage()).isCloseTo(episode[k] + rPhi[k] / (std + EPS), within(TOL));
        }
        assertThat(result.update()).isNull();
        assertThat(result.externalSteps()).isEqualTo(6);
        assertThat(result.inStreamSteps()).isZero();
        assertThat(result.stepWeight()).isEqualTo(1.0);
        assertThat(prm.liveFeatures()).isZero();
        assertThat(progress.groups).isZero();
    }

    @Test
    void stepRewardsComeFromTheModelAfterItsUpdateOnTheGroup() {
        OprlCreditAssigner assigner = assigner(OprlParams.defaults());
        TrajectoryGroup group = eastBeatsWest("g1");
        ImplicitPrm prm = new ImplicitPrm(prmParams);
        PrmProgress progress = new PrmProgress();

        OprlCreditAssigner.Result result = assigner.assign(group, prm, progress);

        // An independent model trained on the same features gives the same rewards (Algorithm 1:
        // update first, then score); before the update every reward would have been 0.
        ImplicitPrm reference = new ImplicitPrm(prmParams);
        List<TrajectoryFeatures> features = features(assigner, group);
        ImplicitPrm.UpdateResult update = reference.update(features);
        assertThat(result.update()).isEqualTo(update);
        assertThat(update.pairCount()).isEqualTo(2);
        assertThat(update.pairAccuracy()).isEqualTo(0.5);
        List<AdvantageRecord> records = records(result);
        int k = 0;
        for (TrajectoryFeatures trajectory : features) {
            for (FeatureVector step : trajectory.steps()) {
                assertThat(records.get(k++).getProcessReward())
                        .isEqualTo(BETA * reference.score(step));
            }
        }
        // The successful trajectory's first step (east in a) now outscores west in a.
        assertThat(records.get(0).getProcessReward())
                .isGreaterThan(records.get(2).getProcessReward());
        assertThat(progress.updates).isEqualTo(1);
        assertThat(progress.groups).isEqualTo(1);
        assertThat(progress.liveFeatures).isEqualTo(prm.liveFeatures()).isPositive();
        assertThat(result.inStreamSteps()).isEqualTo(6);
    }

    @Test
    void groupWithoutPairLeavesTheModelUnchangedAndStillPoolsItsRewards() {
        OprlCreditAssigner assigner = assigner(OprlParams.defaults());
        ImplicitPrm prm = new ImplicitPrm(prmParams);
        PrmProgress progress = new PrmProgress();
        assigner.assign(eastBeatsWest("g1"), prm, progress);
        ImplicitPrm.WeightSnapshot before = prm.snapshot();

        TrajectoryGroup allFailed =
                group(
                        "g2",
                        Episode.of(0, Step.of("a", "go east"), Step.of("c", "go north")),
                        Episode.of(0, Step.of("a", "go west")));
        OprlCreditAssigner.Result result = assigner.assign(allFailed, prm, progress);

        assertThat(prm.snapshot()).isEqualTo(before);
        assertThat(result.update().updated()).isFalse();
        assertThat(progress.updates).isEqualTo(1);
        assertThat(progress.groups).isEqualTo(2);
        List<TrajectoryFeatures> features = features(assigner, allFailed);
        double[] r = new double[3];
        int k = 0;
        for (TrajectoryFeatures trajectory : features) {
            for (FeatureVector step : trajectory.steps()) {
                r[k++] = BETA * prm.score(step);
            }
        }
        double mean = (r[0] + r[1] + r[2]) / 3;
        double var = 0;
        for (double v : r) {
            var += (v - mean) * (v - mean);
        }
        double std = Math.sqrt(var / 2);
        for (k = 0; k < 3; k++) {
            AdvantageRecord record = records(result).get(k);
            assertThat(record.getEpisodeAdvantage()).isZero();
            assertThat(record.getProcessReward()).isEqualTo(r[k]);
            assertThat(record.getStepAdvantage())
                    .isCloseTo((r[k] - mean) / (std + EPS), within(TOL));
            assertThat(record.getAdvantage()).isCloseTo((r[k] - mean) / (std + EPS), within(TOL));
        }
    }

    @Test
    void warmUpKeepsTheInStreamStepTermOffForItsFirstUpdates() {
        OprlCreditAssigner assigner = assigner(OprlParams.defaults().withWarmupGroups(2));
        ImplicitPrm prm = new ImplicitPrm(prmParams);
        PrmProgress progress = new PrmProgress();

        OprlCreditAssigner.Result first = assigner.assign(eastBeatsWest("g1"), prm, progress);
        OprlCreditAssigner.Result second = assigner.assign(eastBeatsWest("g2"), prm, progress);

        assertThat(first.stepWeight()).isZero();
        for (AdvantageRecord r : records(first)) {
            assertThat(r.getAdvantage()).isEqualTo(r.getEpisodeAdvantage());
            assertThat(r.getProcessReward()).isNotNull();
        }
        assertThat(second.stepWeight()).isEqualTo(1.0);
        assertThat(records(second).get(0).getAdvantage())
                .isNotEqualTo(records(second).get(0).getEpisodeAdvantage());
    }

    @Test
    void warmUpDoesNotHoldBackExternalRewards() {
        OprlCreditAssigner assigner = assigner(OprlParams.defaults().withWarmupGroups(5));
        TrajectoryGroup logged =
                group("g", Episode.of(1, Step.logged(-1, -2)), Episode.of(0, Step.logged(-3, -2)));

        OprlCreditAssigner.Result result =
                assigner.assign(logged, new ImplicitPrm(prmParams), new PrmProgress());

        assertThat(result.stepWeight()).isEqualTo(1.0);
    }

    @Test
    void confidenceScalingWeighsTheStepTermByTheRunningPairAccuracy() {
        OprlCreditAssigner assigner =
                assigner(
                        OprlParams.defaults()
                                .withStepWeight(2.0)
                                .withStepWeightScaling(StepWeightScaling.CONFIDENCE));
        ImplicitPrm prm = new ImplicitPrm(prmParams);
        PrmProgress progress = new PrmProgress();

        // A fresh model ties every pair: accuracy 1/2, confidence 0.
        OprlCreditAssigner.Result first = assigner.assign(eastBeatsWest("g1"), prm, progress);
        assertThat(progress.pairAccuracy).isEqualTo(0.5);
        assertThat(first.stepWeight()).isZero();

        // Trained once, it ranks both pairs of the next group right: running mean (0.5 + 1)/2.
        OprlCreditAssigner.Result second = assigner.assign(eastBeatsWest("g2"), prm, progress);
        assertThat(second.update().pairAccuracy()).isEqualTo(1.0);
        assertThat(progress.pairAccuracy).isEqualTo(0.75);
        assertThat(second.stepWeight()).isCloseTo(2.0 * (2 * 0.75 - 1), within(TOL));
    }

    @Test
    void pairedGroupsScopeDropsTheStepTermWhereNoRolloutDiffered() {
        OprlCreditAssigner assigner =
                assigner(OprlParams.defaults().withStepTerm(StepTermScope.PAIRED_GROUPS));
        ImplicitPrm prm = new ImplicitPrm(prmParams);
        PrmProgress progress = new PrmProgress();
        assigner.assign(eastBeatsWest("g1"), prm, progress);

        TrajectoryGroup allFailed =
                group(
                        "g2",
                        Episode.of(0, Step.of("a", "go east"), Step.of("c", "go north")),
                        Episode.of(0, Step.of("a", "go west")));
        OprlCreditAssigner.Result unpaired = assigner.assign(allFailed, prm, progress);
        OprlCreditAssigner.Result paired = assigner.assign(eastBeatsWest("g3"), prm, progress);

        assertThat(unpaired.stepWeight()).isZero();
        for (AdvantageRecord r : records(unpaired)) {
            assertThat(r.getAdvantage()).isZero();
            assertThat(r.getStepAdvantage()).isNotZero();
        }
        assertThat(paired.stepWeight()).isEqualTo(1.0);
    }

    @Test
    void stepsWithLogProbsUseThemAndTheRestUseTheInStreamModel() {
        OprlCreditAssigner assigner = assigner(OprlParams.defaults());
        TrajectoryGroup mixed =
                group(
                        "g",
                        Episode.of(1, Step.logged(-1, -2), Step.of("a", "go east")),
                        Episode.of(0, Step.of("a", "go west")));
        ImplicitPrm prm = new ImplicitPrm(prmParams);

        OprlCreditAssigner.Result result = assigner.assign(mixed, prm, new PrmProgress());

        assertThat(result.externalSteps()).isEqualTo(1);
        assertThat(result.inStreamSteps()).isEqualTo(2);
        assertThat(result.update().pairCount()).isEqualTo(1);
        List<AdvantageRecord> records = records(result);
        assertThat(records.get(0).getProcessReward()).isCloseTo(0.05, within(TOL));
        StepEvent east = mixed.getTrajectories().get(0).getSteps().get(1);
        assertThat(records.get(1).getProcessReward())
                .isEqualTo(BETA * prm.score(assigner.features(east)));
    }

    @Test
    void theSameGroupsGiveBitIdenticalRecordsAndWeights() {
        List<TrajectoryGroup> groups = new ArrayList<>();
        for (int g = 0; g < 20; g++) {
            groups.add(g % 3 == 0 ? eastBeatsWest("g" + g) : OprlGroups.varied("g" + g, g));
        }
        OprlCreditAssigner assigner = assigner(OprlParams.defaults());
        ImplicitPrm a = new ImplicitPrm(prmParams);
        ImplicitPrm b = new ImplicitPrm(prmParams);
        PrmProgress pa = new PrmProgress();
        PrmProgress pb = new PrmProgress();
        for (TrajectoryGroup group : groups) {
            assertThat(assigner.assign(group, a, pa).batch())
                    .isEqualTo(assigner.assign(group, b, pb).batch());
        }
        assertThat(a.snapshot()).isEqualTo(b.snapshot());
    }

    @Test
    void learningRateScheduleAndShardKeys() {
        PrmParams decayed =
                PrmParams.defaults().withLearningRate(0.8).withLearningRateDecayGroups(100);
        assertThat(decayed.learningRateAt(0)).isEqualTo(0.8);
        assertThat(decayed.learningRateAt(300)).isCloseTo(0.4, within(TOL));
        assertThat(PrmParams.defaults().learningRateAt(1_000_000))
                .isEqualTo(PrmParams.DEFAULT_LEARNING_RATE);

        TrajectoryGroup group = group("e1", "t7", "g", Episode.of(1, Step.of("a", "x")));
        assertThat(assigner(OprlParams.defaults()).shardKey(group)).isEqualTo("e1");
        PrmParams byTask = PrmParams.defaults().withShard(PrmShard.TASK);
        assertThat(new OprlCreditAssigner(OprlParams.defaults(), byTask).shardKey(group))
                .isEqualTo("e1\u001ft7");
        assertThat(PrmShard.GLOBAL.key("e1", "t7")).isEmpty();
    }

    private static List<TrajectoryFeatures> features(
            OprlCreditAssigner assigner, TrajectoryGroup group) {
        List<TrajectoryFeatures> features = new ArrayList<>();
        for (Trajectory trajectory : group.getTrajectories()) {
            List<FeatureVector> steps = new ArrayList<>();
            for (StepEvent step : trajectory.getSteps()) {
                steps.add(assigner.features(step));
            }
            features.add(
                    new TrajectoryFeatures(
                            GroupCreditAssigner.episodeReturn(trajectory.getSteps()), steps));
        }
        return features;
    }
}
