package io.creditstream.operators.flink.assembly;

import static io.creditstream.operators.flink.TestSteps.step;
import static org.assertj.core.api.Assertions.assertThat;

import io.creditstream.operators.core.input.DeadLetterReason;
import io.creditstream.operators.flink.DeadLetters;
import io.creditstream.operators.flink.EncodedTrajectory;
import io.creditstream.operators.flink.TestSteps;
import io.creditstream.schemas.DeadLetter;
import io.creditstream.schemas.StepEvent;
import io.creditstream.schemas.codec.AvroCodec;
import io.creditstream.schemas.internal.Trajectory;
import java.time.Duration;
import java.util.List;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class TrajectoryAssemblerTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    private static final Duration RETENTION = Duration.ofMinutes(5);
    private static final int MAX_OPEN = 3;

    private final AvroCodec<StepEvent> codec = AvroCodec.of(StepEvent.class);
    private KeyedOneInputStreamOperatorTestHarness<String, EncodedStep, EncodedTrajectory> harness;

    @BeforeEach
    void setUp() throws Exception {
        harness = open(null, 1_000);
    }

    private static KeyedOneInputStreamOperatorTestHarness<String, EncodedStep, EncodedTrajectory>
            open(OperatorSubtaskState restoreFrom, long time) throws Exception {
        var h =
                new KeyedOneInputStreamOperatorTestHarness<>(
                        new KeyedProcessOperator<>(
                                new TrajectoryAssembler(TIMEOUT, 10, MAX_OPEN, RETENTION, false)),
                        EncodedStep::episodeKey,
                        Types.STRING);
        h.setProcessingTime(time);
        if (restoreFrom != null) {
            h.initializeState(restoreFrom);
        }
        h.open();
        return h;
    }

    @AfterEach
    void tearDown() throws Exception {
        harness.close();
    }

    @Test
    void assemblesOutOfOrderStepsInIndexOrderAndClearsState() throws Exception {
        send(step("e1", 2, true));
        send(step("e1", 0, false));
        assertThat(harness.extractOutputValues()).isEmpty();
        assertThat(harness.numProcessingTimeTimers()).isEqualTo(1);

        send(step("e1", 1, false));

        List<EncodedTrajectory> out = harness.extractOutputValues();
        assertThat(out).hasSize(1);
        assertThat(TestSteps.decode(out.get(0)))
                .extracting(StepEvent::getStepIndex)
                .containsExactly(0, 1, 2);
        assertThat(out.get(0).episodeId).isEqualTo("e1");
        assertThat(out.get(0).groupId).isEqualTo("g1");
        assertThat(out.get(0).groupSize).isEqualTo(4);
        assertThat(out.get(0).stepCount).isEqualTo(3);
        // The steps are gone; a marker of the completed episode stays until the retention ends.
        assertThat(harness.numKeyedStateEntries()).isEqualTo(1);
        assertThat(harness.numProcessingTimeTimers()).isEqualTo(1);
        harness.setProcessingTime(1_000 + RETENTION.toMillis());
        assertThat(harness.numKeyedStateEntries()).isZero();
        assertThat(harness.numProcessingTimeTimers()).isZero();
    }

    @Test
    void dropsIdenticalDuplicatesAndDeadLettersConflictingOnes() throws Exception {
        send(step("e1", 0, false));
        send(step("e1", 0, false));
        StepEvent conflicting = step("e1", 0, false);
        conflicting.setAction("different");
        send(conflicting);
        send(step("e1", 1, true));

        assertThat(harness.extractOutputValues()).hasSize(1);
        assertThat(TestSteps.decode(harness.extractOutputValues().get(0)).get(0).getAction())
                .isEqualTo("a");
        List<DeadLetter> letters = deadLetters();
        assertThat(letters).hasSize(1);
        assertThat(letters.get(0).getReason())
                .isEqualTo(DeadLetterReason.CONFLICTING_DUPLICATE.code());
        assertThat(AvroCodec.of(StepEvent.class).decode(bytes(letters.get(0))))
                .isEqualTo(conflicting);
    }

    @Test
    void remembersACompletedEpisodeSoThatReSentStepsAreNotCountedTwice() throws Exception {
        send(step("e1", 0, false));
        send(step("e1", 1, true));
        assertThat(harness.extractOutputValues()).hasSize(1);

        // An at-least-once retry of the whole episode: dropped, no phantom episode.
        send(step("e1", 0, false));
        send(step("e1", 1, true));
        StepEvent conflicting = step("e1", 1, true);
        conflicting.setReward(5.0);
        send(conflicting);
        send(step("e1", 2, false));

        assertThat(harness.extractOutputValues()).hasSize(1);
        assertThat(deadLetters())
                .extracting(DeadLetter::getReason)
                .containsExactly(
                        DeadLetterReason.CONFLICTING_DUPLICATE.code(),
                        DeadLetterReason.STEP_AFTER_DONE.code());
        // Only the retention timer: no timeout timer of a phantom episode.
        assertThat(harness.numProcessingTimeTimers()).isEqualTo(1);

        // After the retention the id is forgotten and a re-send is a new episode again.
        harness.setProcessingTime(1_000 + RETENTION.toMillis());
        send(step("e1", 0, true));
        assertThat(harness.extractOutputValues()).hasSize(2);
    }

    @Test
    void deadLettersStepsThatDisagreeWithTheirEpisodesFirstStep() throws Exception {
        send(step("g1", "e1", 0, false, 4));
        send(step("g1", "e1", 1, false, 5));
        send(step("g2", "e1", 2, false, 4));
        StepEvent otherTask = step("g1", "e1", 3, false, 4);
        otherTask.setTaskId("task-2");
        send(otherTask);
        send(step("g1", "e1", 1, true, 4));

        assertThat(harness.extractOutputValues()).hasSize(1);
        assertThat(deadLetters())
                .extracting(DeadLetter::getReason)
                .containsOnly(DeadLetterReason.INCONSISTENT_EPISODE.code())
                .hasSize(3);
        assertThat(deadLetters().get(0).getDetail()).contains("group_size 5");
    }

    @Test
    void keepsEpisodesOfDifferentExperimentsApart() throws Exception {
        send(step("exp-a", "g1", "e1", 0, true, 2));
        send(step("exp-b", "g1", "e1", 0, false, 2));
        send(step("exp-b", "g1", "e1", 1, true, 2));

        assertThat(harness.extractOutputValues())
                .extracting(t -> t.experimentId + "/" + t.stepCount)
                .containsExactly("exp-a/1", "exp-b/2");
        assertThat(deadLetters()).isEmpty();
    }

    @Test
    void limitsOpenEpisodesPerExperimentAcrossARestore() throws Exception {
        for (int e = 0; e < MAX_OPEN; e++) {
            send(step("e" + e, 0, false));
        }
        var snapshot = harness.snapshot(1, 1_000);
        harness.close();
        harness = open(snapshot, 2_000);

        send(step("e-more", 0, false));
        send(step("exp-b", "g1", "e-more", 0, false, 4));
        send(step("e0", 1, true));
        send(step("e-last", 0, false));

        // The restored counts: the fourth open episode of "exp" is refused, another experiment's
        // is not, and completing one frees a place.
        assertThat(deadLetters())
                .extracting(DeadLetter::getReason)
                .containsExactly(DeadLetterReason.TOO_MANY_OPEN_EPISODES.code());
        assertThat(deadLetters().get(0).getEpisodeId()).isEqualTo("e-more");
        assertThat(harness.extractOutputValues()).hasSize(1);
    }

    @Test
    void aRestoreAfterALongOutageGivesOpenEpisodesAFullTimeoutOfRunningTime() throws Exception {
        send(step("e1", 0, false));
        var snapshot = harness.snapshot(1, 1_000);
        harness.close();

        // Down for ten timeouts: the restored timer is long past due.
        long restart = 1_000 + 10 * TIMEOUT.toMillis();
        harness = open(snapshot, restart);
        harness.setProcessingTime(restart + 1);
        assertThat(deadLetters()).isEmpty();
        harness.setProcessingTime(restart + TIMEOUT.toMillis() - 1);
        assertThat(deadLetters()).isEmpty();

        // The backlog's remaining step arrives and completes the episode normally.
        send(step("e1", 1, true));
        assertThat(harness.extractOutputValues()).hasSize(1);
        assertThat(TestSteps.decode(harness.extractOutputValues().get(0))).hasSize(2);
    }

    @Test
    void aRestoredEpisodeThatNeverCompletesTimesOutAfterItsRunningTime() throws Exception {
        send(step("e1", 0, false));
        var snapshot = harness.snapshot(1, 1_000);
        harness.close();
        long restart = 1_000 + 10 * TIMEOUT.toMillis();
        harness = open(snapshot, restart);
        harness.setProcessingTime(restart + 1);
        harness.setProcessingTime(restart + TIMEOUT.toMillis() + 1);

        assertThat(deadLetters())
                .extracting(DeadLetter::getReason)
                .containsExactly(DeadLetterReason.EPISODE_TIMEOUT.code());
    }

    @Test
    void evictsAnIncompleteEpisodeOnTimeoutWithItsStepsAsPayload() throws Exception {
        send(step("e1", 0, false));
        send(step("e1", 2, true));

        harness.setProcessingTime(1_000 + TIMEOUT.toMillis() - 1);
        assertThat(deadLetters()).isEmpty();
        harness.setProcessingTime(1_000 + TIMEOUT.toMillis());

        List<DeadLetter> letters = deadLetters();
        assertThat(letters).hasSize(1);
        assertThat(letters.get(0).getReason()).isEqualTo(DeadLetterReason.EPISODE_TIMEOUT.code());
        assertThat(letters.get(0).getEpisodeId()).isEqualTo("e1");
        Trajectory partial = AvroCodec.of(Trajectory.class).decode(bytes(letters.get(0)));
        assertThat(partial.getSteps()).extracting(StepEvent::getStepIndex).containsExactly(0, 2);
        assertThat(harness.extractOutputValues()).isEmpty();
        assertThat(harness.numKeyedStateEntries()).isZero();
        assertThat(harness.numProcessingTimeTimers()).isZero();
    }

    @Test
    void deadLettersStepsBeyondTheLimitAndAfterTheDoneStep() throws Exception {
        send(step("e1", 10, false));
        send(step("e2", 1, true));
        send(step("e2", 2, false));
        send(step("e3", 3, false));
        send(step("e3", 1, true));

        assertThat(deadLetters())
                .extracting(DeadLetter::getReason)
                .containsExactly(
                        DeadLetterReason.EPISODE_TOO_LONG.code(),
                        DeadLetterReason.STEP_AFTER_DONE.code(),
                        DeadLetterReason.STEP_AFTER_DONE.code());
    }

    @Test
    void singleStepEpisodeCompletesAtOnce() throws Exception {
        send(step("e1", 0, true));

        assertThat(harness.extractOutputValues()).hasSize(1);
        assertThat(harness.numProcessingTimeTimers()).isEqualTo(1);
    }

    private void send(StepEvent step) throws Exception {
        harness.processElement(EncodedStep.of(step, codec.encode(step)), 0);
    }

    private List<DeadLetter> deadLetters() {
        var records = harness.getSideOutput(DeadLetters.TAG);
        return records == null ? List.of() : records.stream().map(StreamRecord::getValue).toList();
    }

    private static byte[] bytes(DeadLetter letter) {
        var buffer = letter.getPayload().duplicate();
        byte[] bytes = new byte[buffer.remaining()];
        buffer.get(bytes);
        return bytes;
    }
}
