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

    private final AvroCodec<StepEvent> codec = AvroCodec.of(StepEvent.class);
    private KeyedOneInputStreamOperatorTestHarness<String, EncodedStep, EncodedTrajectory> harness;

    @BeforeEach
    void setUp() throws Exception {
        harness =
                ProcessFunctionTestHarnesses.forKeyedProcessFunction(
                        new TrajectoryAssembler(TIMEOUT, 10),
                        EncodedStep::getEpisodeId,
                        Types.STRING);
        harness.setProcessingTime(1_000);
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
        assertThat(harness.numKeyedStateEntries()).isZero();
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
        assertThat(harness.numKeyedStateEntries()).isZero();
        assertThat(harness.numProcessingTimeTimers()).isZero();
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
