package io.creditstream.policy.service;

import static org.assertj.core.api.Assertions.assertThat;

import io.creditstream.policy.model.MazeObservations;
import io.creditstream.policy.model.NetworkSpec;
import io.creditstream.policy.service.SampleConverter.Converted;
import io.creditstream.policy.service.SampleConverter.PendingSample;
import io.creditstream.policy.service.SampleConverter.SkipReason;
import io.creditstream.policy.training.TrainingSample;
import io.creditstream.schemas.AdvantageRecord;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiConsumer;
import org.junit.jupiter.api.Test;

/** AdvantageRecord → sample conversion and its skip rules, without Kafka or DJL. */
class SampleConverterTest {
    private static final NetworkSpec SPEC = NetworkSpec.keyDoorMaze(7, 11);
    private static final String OBS = MazeObservations.AGENT_NEAR_KEY;

    private final SampleConverter converter = new SampleConverter(SPEC.actions(), SPEC.encoder());

    @Test
    void aUsableRecordKeepsItsFieldsAndGetsItsActionIndex() {
        String action = SPEC.actions().get(2);
        Converted converted = converter.convert(List.of(record(OBS, action, -0.7, 1.5)), noSkip());

        assertThat(converted.samples()).containsExactly(new PendingSample(OBS, 2, -0.7, 1.5));
        assertThat(converted.skipped()).isZero();
        assertThat(converted.onPolicy()).isZero();
    }

    @Test
    void aRecordWithoutBehaviorLogProbIsOnPolicy() {
        Converted converted =
                converter.convert(List.of(record(OBS, SPEC.actions().get(0), null, 1)), noSkip());

        assertThat(converted.onPolicy()).isEqualTo(1);
        assertThat(converted.samples().get(0).behaviorLogProb()).isNull();
    }

    @Test
    void eachSkipRuleIsNamedAndCounted() {
        String action = SPEC.actions().get(0);
        assertThat(converter.check(record(null, action, -1.0, 1)))
                .isEqualTo(SkipReason.NO_OBSERVATION);
        assertThat(converter.check(record(OBS, null, -1.0, 1))).isEqualTo(SkipReason.NO_ACTION);
        assertThat(converter.check(record(OBS, "fly", -1.0, 1)))
                .isEqualTo(SkipReason.UNKNOWN_ACTION);
        assertThat(converter.check(record(OBS, action, -1.0, Double.NaN)))
                .isEqualTo(SkipReason.NOT_FINITE);
        assertThat(converter.check(record(OBS, action, Double.NEGATIVE_INFINITY, 1)))
                .isEqualTo(SkipReason.NOT_FINITE);
        assertThat(converter.check(record("not a maze", action, -1.0, 1)))
                .isEqualTo(SkipReason.MALFORMED_OBSERVATION);
        assertThat(converter.check(record(OBS, action, null, 1))).isNull();
    }

    @Test
    void skippedRecordsAreReportedAndCountedUnknownActionsApart() {
        String action = SPEC.actions().get(1);
        List<SkipReason> heard = new ArrayList<>();
        Converted converted =
                converter.convert(
                        List.of(
                                record(OBS, "fly", -1.0, 1),
                                record(OBS, action, -1.0, 2),
                                record(null, action, -1.0, 3),
                                record(OBS, "swim", null, 4)),
                        (reason, advantage) -> heard.add(reason));

        assertThat(heard)
                .containsExactly(
                        SkipReason.UNKNOWN_ACTION,
                        SkipReason.NO_OBSERVATION,
                        SkipReason.UNKNOWN_ACTION);
        assertThat(converted.skipped()).isEqualTo(3);
        assertThat(converted.unknownActions()).isEqualTo(2);
        assertThat(converted.onPolicy()).isZero();
        assertThat(converted.samples()).extracting(PendingSample::advantage).containsExactly(2.0);
    }

    @Test
    void onPolicySamplesGetTheCurrentLogProbOfTheirActionAskedOnceInOrder() {
        List<PendingSample> samples =
                List.of(
                        new PendingSample("a", 1, null, 0.5),
                        new PendingSample("b", 0, -0.25, 1.5),
                        new PendingSample("c", 2, null, 2.5));
        List<List<String>> asked = new ArrayList<>();

        List<TrainingSample> training =
                SampleConverter.trainingSamples(
                        samples,
                        observations -> {
                            asked.add(observations);
                            return new float[][] {{-1f, -2f, -3f}, {-4f, -5f, -6f}};
                        });

        assertThat(asked).containsExactly(List.of("a", "c"));
        assertThat(training)
                .containsExactly(
                        new TrainingSample("a", 1, -2.0, 0.5),
                        new TrainingSample("b", 0, -0.25, 1.5),
                        new TrainingSample("c", 2, -6.0, 2.5));
    }

    @Test
    void offPolicySamplesNeedNoLogProbs() {
        List<TrainingSample> training =
                SampleConverter.trainingSamples(
                        List.of(new PendingSample("a", 1, -0.5, 1)),
                        observations -> {
                            throw new AssertionError("asked for " + observations);
                        });

        assertThat(training).containsExactly(new TrainingSample("a", 1, -0.5, 1));
    }

    private static BiConsumer<SkipReason, AdvantageRecord> noSkip() {
        return (reason, advantage) -> {
            throw new AssertionError("skipped " + reason);
        };
    }

    static AdvantageRecord record(
            String observation, String action, Double behaviorLogProb, double advantage) {
        return AdvantageRecord.newBuilder()
                .setExperimentId("exp")
                .setTaskId("task-0000")
                .setGroupId("g")
                .setEpisodeId("g-e0")
                .setStepIndex(0)
                .setPolicyVersion(0)
                .setAdvantage(advantage)
                .setEpisodeAdvantage(advantage)
                .setStepAdvantage(0)
                .setProcessReward(null)
                .setStepReturn(0)
                .setAnchorGroupSize(1)
                .setEstimator("grpo")
                .setObservation(observation)
                .setAction(action)
                .setBehaviorLogprob(behaviorLogProb)
                .setPartialGroup(false)
                .build();
    }
}
