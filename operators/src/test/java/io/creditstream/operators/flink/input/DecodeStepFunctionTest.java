package io.creditstream.operators.flink.input;

import static io.creditstream.operators.flink.TestSteps.step;
import static org.assertj.core.api.Assertions.assertThat;

import io.creditstream.operators.core.input.DeadLetterReason;
import io.creditstream.operators.core.input.StepValidator;
import io.creditstream.operators.flink.DeadLetters;
import io.creditstream.operators.flink.assembly.EncodedStep;
import io.creditstream.schemas.DeadLetter;
import io.creditstream.schemas.StepEvent;
import io.creditstream.schemas.codec.AvroCodec;
import io.creditstream.schemas.codec.StepEventCodecs;
import io.creditstream.schemas.internal.RawStep;
import java.nio.ByteBuffer;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.message.BinaryMessageEncoder;
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
        harness =
                ProcessFunctionTestHarnesses.forProcessFunction(
                        new DecodeStepFunction(2_000, new StepValidator(256, 1024)));
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
                .containsExactly(new EncodedStep("exp", "task-1", "g1", "e1", 0, false, 4, bytes));
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

    @Test
    void aStepWrittenWithTheReleased010SchemaIsStillAccepted() throws Exception {
        Schema released = StepEventCodecs.olderWriterSchemas().get(0);
        GenericRecord old = new GenericData.Record(released);
        old.put("experiment_id", "exp");
        old.put("task_id", "task-1");
        old.put("group_id", "g1");
        old.put("episode_id", "e1");
        old.put("step_index", 0);
        old.put("policy_version", 3L);
        old.put("reward", 0.0);
        old.put("invalid_action", false);
        old.put("done", false);
        old.put("group_size", 4);
        old.put("event_time_ms", 0L);
        ByteBuffer encoded =
                new BinaryMessageEncoder<GenericRecord>(GenericData.get(), released).encode(old);
        byte[] bytes = new byte[encoded.remaining()];
        encoded.get(bytes);

        harness.processElement(raw(bytes, 30), 0);

        assertThat(deadLetters()).isEmpty();
        // The payload travels on as written; the assemblers decode it with the same codecs.
        assertThat(harness.extractOutputValues())
                .singleElement()
                .satisfies(step -> assertThat(step.payload).isEqualTo(bytes));
    }

    @Test
    void processScoresOutsideMinusOneToOneAndNegativeTokenCountsAreDeadLettered() throws Exception {
        StepEvent tooHigh = step("e1", 0, false);
        tooHigh.setProcessScore(1.5);
        StepEvent nan = step("e1", 1, false);
        nan.setProcessScore(Double.NaN);
        StepEvent negativeTokens = step("e1", 2, false);
        negativeTokens.setTokenCount(-1);
        StepEvent edges = step("e1", 3, true);
        edges.setProcessScore(-1.0);
        edges.setTokenCount(0);
        harness.processElement(raw(codec.encode(tooHigh), 20), 0);
        harness.processElement(raw(codec.encode(nan), 21), 0);
        harness.processElement(raw(codec.encode(negativeTokens), 22), 0);
        harness.processElement(raw(codec.encode(edges), 23), 0);

        assertThat(harness.extractOutputValues()).extracting(s -> s.stepIndex).containsExactly(3);
        List<DeadLetter> letters = deadLetters();
        assertThat(letters)
                .extracting(DeadLetter::getReason)
                .containsExactly(
                        DeadLetterReason.OUT_OF_RANGE_NUMBER.code(),
                        DeadLetterReason.NON_FINITE_NUMBER.code(),
                        DeadLetterReason.OUT_OF_RANGE_NUMBER.code());
        assertThat(letters.get(0).getDetail()).contains("process_score").contains("1.5");
        assertThat(letters.get(2).getDetail()).contains("token_count").contains("-1");
    }

    @Test
    void deadLettersLongOrControlIdsAbsurdGroupSizesAndPolicyVersions() throws Exception {
        StepEvent longId = step("e".repeat(257), 0, false);
        StepEvent controlId = step("e\u0007", 0, false);
        StepEvent hugeGroup = step("g1", "e1", 0, false, 1_000_000_000);
        StepEvent zeroGroup = step("g1", "e1", 0, false, 0);
        StepEvent negativeVersion = step("e1", 0, false);
        negativeVersion.setPolicyVersion(Long.MIN_VALUE);
        StepEvent hugeVersion = step("e1", 0, false);
        hugeVersion.setPolicyVersion(StepValidator.MAX_POLICY_VERSION + 1);
        StepEvent largestVersion = step("e1", 0, true);
        largestVersion.setPolicyVersion(StepValidator.MAX_POLICY_VERSION);
        StepEvent longestId = step("e".repeat(256), 0, true);
        long offset = 20;
        for (StepEvent step :
                List.of(
                        longId,
                        controlId,
                        hugeGroup,
                        zeroGroup,
                        negativeVersion,
                        hugeVersion,
                        largestVersion,
                        longestId)) {
            harness.processElement(raw(codec.encode(step), offset++), 0);
        }

        assertThat(harness.extractOutputValues()).hasSize(2);
        List<DeadLetter> letters = deadLetters();
        assertThat(letters)
                .extracting(DeadLetter::getReason)
                .containsExactly(
                        DeadLetterReason.INVALID_ID.code(),
                        DeadLetterReason.INVALID_ID.code(),
                        DeadLetterReason.INVALID_GROUP_SIZE.code(),
                        DeadLetterReason.INVALID_GROUP_SIZE.code(),
                        DeadLetterReason.INVALID_POLICY_VERSION.code(),
                        DeadLetterReason.INVALID_POLICY_VERSION.code());
        assertThat(letters.get(0).getDetail()).contains("episode_id").contains("257");
        // The bad id itself is not repeated in the letter's episode_id.
        assertThat(letters.get(0).getEpisodeId()).isNull();
        assertThat(letters.get(1).getDetail()).contains("U+0007");
        assertThat(letters.get(2).getDetail()).contains("assembly.max-group-size=1024");
        assertThat(letters.get(4).getEpisodeId()).isEqualTo("e1");
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
