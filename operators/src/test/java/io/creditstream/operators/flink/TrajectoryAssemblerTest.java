package io.creditstream.operators.flink;

import static io.creditstream.operators.flink.TestSteps.step;
import static org.assertj.core.api.Assertions.assertThat;

import io.creditstream.operators.core.assembly.DeadLetterReason;
import io.creditstream.schemas.DeadLetter;
import io.creditstream.schemas.StepEvent;
import io.creditstream.schemas.codec.AvroCodec;
import io.creditstream.schemas.internal.Trajectory;
import java.time.Duration;
import java.util.List;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class TrajectoryAssemblerTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private KeyedOneInputStreamOperatorTestHarness<String, StepEvent, Trajectory> harness;

    @BeforeEach
    void setUp() throws Exception {
        harness =
                ProcessFunctionTestHarnesses.forKeyedProcessFunction(
                        new TrajectoryAssembler(TIMEOUT, 10),
                        StepEvent::getEpisodeId,
                        Types.STRING);
        harness.setProcessingTime(1_000);
    }

    @AfterEach
    void tearDown() throws Exception {
        harness.close();
    }

    @Test
    void assemblesOutOfOrderStepsInIndexOrderAndClearsState() throws Exception {
        harness.processElement(step("e1", 2, true), 0);
        harness.processElement(step("e1", 0, false), 0);
        assertThat(harness.extractOutputValues()).isEmpty();
        assertThat(harness.numProcessingTimeTimers()).isEqualTo(1);

        harness.processElement(step("e1", 1, false), 0);

        List<Trajectory> out = harness.extractOutputValues();
        assertThat(out).hasSize(1);
        assertThat(out.get(0).getSteps())
                .extracting(StepEvent::getStepIndex)
                .containsExactly(0, 1, 2);
        assertThat(out.get(0).getEpisodeId()).isEqualTo("e1");
        assertThat(out.get(0).getGroupSize()).isEqualTo(4);
        assertThat(harness.numKeyedStateEntries()).isZero();
        assertThat(harness.numProcessingTimeTimers()).isZero();
    }

    @Test
    void dropsIdenticalDuplicatesAndDeadLettersConflictingOnes() throws Exception {
        harness.processElement(step("e1", 0, false), 0);
        harness.processElement(step("e1", 0, false), 0);
        StepEvent conflicting = step("e1", 0, false);
        conflicting.setAction("different");
        harness.processElement(conflicting, 0);
        harness.processElement(step("e1", 1, true), 0);

        assertThat(harness.extractOutputValues()).hasSize(1);
        assertThat(harness.extractOutputValues().get(0).getSteps().get(0).getAction())
                .isEqualTo("a");
        List<DeadLetter> letters = deadLetters();
        assertThat(letters).hasSize(1);
        assertThat(letters.get(0).getReason())
                .isEqualTo(DeadLetterReason.CONFLICTING_DUPLICATE.code());
        assertThat(AvroCodec.of(StepEvent.class).decode(bytes(letters.get(0))))
                .isEqualTo(conflicting);
        assertThat(harness.numKeyedStateEntries()).isZero();
    }

    @Test
    void evictsAnIncompleteEpisodeOnTimeoutWithItsStepsAsPayload() throws Exception {
        harness.processElement(step("e1", 0, false), 0);
        harness.processElement(step("e1", 2, true), 0);

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
        harness.processElement(step("e1", 10, false), 0);
        harness.processElement(step("e2", 1, true), 0);
        harness.processElement(step("e2", 2, false), 0);
        harness.processElement(step("e3", 3, false), 0);
        harness.processElement(step("e3", 1, true), 0);

        assertThat(deadLetters())
                .extracting(DeadLetter::getReason)
                .containsExactly(
                        DeadLetterReason.EPISODE_TOO_LONG.code(),
                        DeadLetterReason.STEP_AFTER_DONE.code(),
                        DeadLetterReason.STEP_AFTER_DONE.code());
    }

    @Test
    void singleStepEpisodeCompletesAtOnce() throws Exception {
        harness.processElement(step("e1", 0, true), 0);

        assertThat(harness.extractOutputValues()).hasSize(1);
        assertThat(harness.numKeyedStateEntries()).isZero();
        assertThat(harness.numProcessingTimeTimers()).isZero();
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
