package io.creditstream.operators.flink;

import static io.creditstream.operators.flink.TestSteps.step;
import static org.assertj.core.api.Assertions.assertThat;

import io.creditstream.operators.core.assembly.DeadLetterReason;
import io.creditstream.schemas.DeadLetter;
import io.creditstream.schemas.StepEvent;
import io.creditstream.schemas.codec.AvroCodec;
import io.creditstream.schemas.internal.RawStep;
import java.nio.ByteBuffer;
import java.util.List;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class DecodeStepFunctionTest {
    private final AvroCodec<StepEvent> codec = AvroCodec.of(StepEvent.class);
    private OneInputStreamOperatorTestHarness<RawStep, EncodedStep> harness;

    @BeforeEach
    void setUp() throws Exception {
        harness = ProcessFunctionTestHarnesses.forProcessFunction(new DecodeStepFunction(2_000));
    }

    @AfterEach
    void tearDown() throws Exception {
        harness.close();
    }

    @Test
    void passesValidStepsThrough() throws Exception {
        StepEvent valid = step("e1", 0, false);
        harness.processElement(raw(codec.encode(valid), 7), 0);

        byte[] bytes = codec.encode(valid);
        assertThat(harness.extractOutputValues())
                .containsExactly(new EncodedStep("e1", 0, false, "g1", 4, bytes));
        assertThat(deadLetters()).isEmpty();
    }

    @Test
    void deadLettersBadInputWithItsCoordinatesAndReason() throws Exception {
        byte[] garbage = {1, 2, 3, 4};
        harness.processElement(raw(garbage, 1), 0);
        harness.processElement(raw(new byte[2_001], 2), 0);
        StepEvent nan = step("e1", 0, false);
        nan.setReward(Double.NaN);
        harness.processElement(raw(codec.encode(nan), 3), 0);
        StepEvent negative = step("e1", -1, false);
        harness.processElement(raw(codec.encode(negative), 4), 0);
        StepEvent blank = step(" ", 0, false);
        harness.processElement(raw(codec.encode(blank), 5), 0);
        StepEvent infinite = step("e1", 0, false);
        infinite.setBehaviorLogprob(Double.POSITIVE_INFINITY);
        harness.processElement(raw(codec.encode(infinite), 6), 0);

        assertThat(harness.extractOutputValues()).isEmpty();
        List<DeadLetter> letters = deadLetters();
        assertThat(letters)
                .extracting(DeadLetter::getReason)
                .containsExactly(
                        DeadLetterReason.MALFORMED_BYTES.code(),
                        DeadLetterReason.OVERSIZE_PAYLOAD.code(),
                        DeadLetterReason.NON_FINITE_NUMBER.code(),
                        DeadLetterReason.NEGATIVE_STEP_INDEX.code(),
                        DeadLetterReason.MISSING_ID.code(),
                        DeadLetterReason.NON_FINITE_NUMBER.code());
        assertThat(letters)
                .extracting(DeadLetter::getOffset)
                .containsExactly(1L, 2L, 3L, 4L, 5L, 6L);
        assertThat(letters).allSatisfy(l -> assertThat(l.getTopic()).isEqualTo("agent.steps"));
        assertThat(letters.get(0).getPayload()).isEqualTo(ByteBuffer.wrap(garbage));
        assertThat(letters.get(5).getDetail()).contains("behavior_logprob");
    }

    @Test
    void badPrmLogProbsAreDeadLetteredBeforeTheyReachThePrm() throws Exception {
        StepEvent nanPrm = step("e1", 0, false);
        nanPrm.setPrmLogprob(Double.NaN);
        nanPrm.setRefLogprob(-1.0);
        StepEvent infiniteRef = step("e1", 1, false);
        infiniteRef.setPrmLogprob(-2.0);
        infiniteRef.setRefLogprob(Double.POSITIVE_INFINITY);
        StepEvent fine = step("e1", 2, true);
        fine.setPrmLogprob(-2.0);
        fine.setRefLogprob(-1.0);
        harness.processElement(raw(codec.encode(nanPrm), 10), 0);
        harness.processElement(raw(codec.encode(infiniteRef), 11), 0);
        harness.processElement(raw(codec.encode(fine), 12), 0);

        assertThat(harness.extractOutputValues()).hasSize(1);
        List<DeadLetter> letters = deadLetters();
        assertThat(letters)
                .extracting(DeadLetter::getReason)
                .containsOnly(DeadLetterReason.NON_FINITE_NUMBER.code());
        assertThat(letters.get(0).getDetail()).contains("prm_logprob").contains("NaN");
        assertThat(letters.get(1).getDetail()).contains("ref_logprob").contains("Infinity");
    }

    private List<DeadLetter> deadLetters() {
        var records = harness.getSideOutput(DeadLetters.TAG);
        return records == null ? List.of() : records.stream().map(StreamRecord::getValue).toList();
    }

    private static RawStep raw(byte[] payload, long offset) {
        return RawStep.newBuilder()
                .setPayload(ByteBuffer.wrap(payload))
                .setTopic("agent.steps")
                .setPartition(0)
                .setOffset(offset)
                .build();
    }
}
