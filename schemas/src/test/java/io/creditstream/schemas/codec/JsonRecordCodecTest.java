package io.creditstream.schemas.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.creditstream.schemas.AdvantageBatch;
import io.creditstream.schemas.DeadLetter;
import io.creditstream.schemas.PolicySnapshot;
import io.creditstream.schemas.StepEvent;
import io.creditstream.schemas.internal.TrajectoryGroup;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.avro.specific.SpecificRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Tests {@link JsonRecordCodec}: round trips, the exact line format and every reading rule. */
class JsonRecordCodecTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static final JsonRecordCodec<StepEvent> STEPS = JsonRecordCodec.of(StepEvent.class);

    /** A terminal step with nulls, an escaped newline and every kind of scalar. */
    private static final StepEvent GOLDEN_STEP =
            StepEvent.newBuilder()
                    .setExperimentId("exp-1")
                    .setTaskId("task-7")
                    .setGroupId("g-1")
                    .setEpisodeId("ep-1")
                    .setStepIndex(3)
                    .setPolicyVersion(12)
                    .setStateKey(null)
                    .setObservation("room 3\n\"key\"")
                    .setAction("open door")
                    .setReward(0.5)
                    .setInvalidAction(false)
                    .setDone(true)
                    .setEpisodeReturn(1.0)
                    .setGroupSize(8)
                    .setBehaviorLogprob(-0.25)
                    .setEventTimeMs(1_700_000_000_000L)
                    .build();

    private static final String GOLDEN_LINE =
            "{\"experiment_id\":\"exp-1\",\"task_id\":\"task-7\",\"group_id\":\"g-1\","
                    + "\"episode_id\":\"ep-1\",\"step_index\":3,\"policy_version\":12,"
                    + "\"state_key\":null,\"observation\":\"room 3\\n\\\"key\\\"\","
                    + "\"action\":\"open door\",\"reward\":0.5,\"invalid_action\":false,"
                    + "\"done\":true,\"episode_return\":1.0,\"group_size\":8,"
                    + "\"behavior_logprob\":-0.25,\"prm_logprob\":null,\"ref_logprob\":null,"
                    + "\"answer_prob\":null,\"event_time_ms\":1700000000000,"
                    + "\"process_score\":null,\"token_count\":null}";

    /** The fields a StepEvent line must carry: those without a schema default. */
    private static final String MINIMAL_STEP =
            "{\"experiment_id\":\"e\",\"task_id\":\"t\",\"group_id\":\"g\","
                    + "\"episode_id\":\"ep\",\"step_index\":0,\"group_size\":4}";

    static List<TestRecords.Kind<?>> allKinds() {
        return TestRecords.allKinds();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("allKinds")
    void roundTripsEveryRecordType(TestRecords.Kind<?> kind) {
        assertRoundTrips(kind);
    }

    private static <T extends SpecificRecord> void assertRoundTrips(TestRecords.Kind<T> kind) {
        JsonRecordCodec<T> codec = JsonRecordCodec.of(kind.type);
        TestRecords records = new TestRecords(kind.type.getName().hashCode());
        for (int i = 0; i < 200; i++) {
            T record = kind.make(records);
            String line = codec.write(record);

            assertThat(line).doesNotContain("\n", "\r").startsWith("{").endsWith("}");
            TestRecords.assertSameRecord(codec.read(line), record);
        }
    }

    @Test
    void writesOneLineWithEveryFieldInSchemaOrder() {
        assertThat(STEPS.write(GOLDEN_STEP)).isEqualTo(GOLDEN_LINE);
    }

    @Test
    void readsTheLineItWrites() {
        assertThat(STEPS.read(GOLDEN_LINE)).isEqualTo(GOLDEN_STEP);
    }

    @Test
    void ignoresUnknownFieldsAtEveryLevel() {
        ObjectNode line = (ObjectNode) parse(GOLDEN_LINE);
        line.put("added_in_a_later_version", 42);
        line.putObject("extra").put("nested", true);

        assertThat(STEPS.read(line.toString())).isEqualTo(GOLDEN_STEP);

        JsonRecordCodec<TrajectoryGroup> groups = JsonRecordCodec.of(TrajectoryGroup.class);
        TrajectoryGroup group = new TestRecords(11).trajectoryGroup(2, 2);
        ObjectNode groupLine = (ObjectNode) parse(groups.write(group));
        ((ObjectNode) groupLine.get("trajectories").get(1).get("steps").get(0)).put("unknown", "x");

        assertThat(groups.read(groupLine.toString())).isEqualTo(group);
    }

    @Test
    void namesAMissingRequiredField() {
        ObjectNode line = (ObjectNode) parse(GOLDEN_LINE);
        line.remove("episode_id");

        JsonRecordException e = readFailure(STEPS, line.toString());

        assertThat(e).hasMessage("missing required field 'episode_id'");
        assertThat(e.field()).isEqualTo("episode_id");
    }

    @Test
    void namesAMissingRequiredFieldInsideANestedRecord() {
        JsonRecordCodec<AdvantageBatch> batches = JsonRecordCodec.of(AdvantageBatch.class);
        ObjectNode line = (ObjectNode) parse(batches.write(new TestRecords(12).advantageBatch(3)));
        ((ObjectNode) line.get("records").get(1)).remove("episode_id");

        JsonRecordException e = readFailure(batches, line.toString());

        assertThat(e).hasMessage("missing required field 'records[1].episode_id'");
        assertThat(e.field()).isEqualTo("records[1].episode_id");
    }

    @Test
    void fillsMissingFieldsThatHaveDefaults() {
        StepEvent event = STEPS.read(MINIMAL_STEP);

        assertThat(event.getPolicyVersion()).isZero();
        assertThat(event.getReward()).isEqualTo(0.0);
        assertThat(event.getInvalidAction()).isFalse();
        assertThat(event.getDone()).isFalse();
        assertThat(event.getEventTimeMs()).isZero();
        assertThat(event.getStateKey()).isNull();
        assertThat(event.getObservation()).isNull();
        assertThat(event.getAction()).isNull();
        assertThat(event.getEpisodeReturn()).isNull();
        assertThat(event.getBehaviorLogprob()).isNull();
        assertThat(event.getPrmLogprob()).isNull();
        assertThat(event.getRefLogprob()).isNull();
        assertThat(event.getAnswerProb()).isNull();
        assertThat(event.getGroupSize()).isEqualTo(4);
    }

    @Test
    void neverSharesAMutableDefaultBetweenRecords() {
        JsonRecordCodec<PolicySnapshot> snapshots = JsonRecordCodec.of(PolicySnapshot.class);
        String line =
                "{\"experiment_id\":\"e\",\"version\":1,\"created_time_ms\":2,"
                        + "\"artifact_uri\":\"file:///s\",\"sha256\":\"ab\"}";

        PolicySnapshot first = snapshots.read(line);
        first.getMetrics().put("loss", 1.0);
        PolicySnapshot second = snapshots.read(line);

        assertThat(second.getMetrics()).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"experiment_id", "step_index", "done", "reward", "group_size"})
    void namesANullInANonNullableField(String field) {
        ObjectNode line = (ObjectNode) parse(GOLDEN_LINE);
        line.putNull(field);

        JsonRecordException e = readFailure(STEPS, line.toString());

        assertThat(e.getMessage()).startsWith("field '" + field + "': null is not allowed");
        assertThat(e.field()).isEqualTo(field);
    }

    @Test
    void namesTheFieldAndTypeOfAWrongValue() {
        assertThat(readFailure(STEPS, withField("step_index", "\"x\"")))
                .hasMessage("field 'step_index': expected int, got string \"x\"");
        assertThat(readFailure(STEPS, withField("step_index", "1.5")))
                .hasMessage("field 'step_index': expected int, got number 1.5");
        assertThat(readFailure(STEPS, withField("step_index", "3000000000")))
                .hasMessage(
                        "field 'step_index': expected int, got number 3000000000"
                                + " (out of int range)");
        assertThat(readFailure(STEPS, withField("policy_version", "2.0")))
                .hasMessage("field 'policy_version': expected long, got number 2.0");
        assertThat(readFailure(STEPS, withField("done", "\"true\"")))
                .hasMessage("field 'done': expected boolean, got string \"true\"");
        assertThat(readFailure(STEPS, withField("reward", "\"lots\"")))
                .hasMessage("field 'reward': expected double, got string \"lots\"");
        assertThat(readFailure(STEPS, withField("experiment_id", "5")))
                .hasMessage("field 'experiment_id': expected string, got number 5");
        assertThat(readFailure(STEPS, withField("episode_return", "[1]")))
                .hasMessage("field 'episode_return': expected double, got array");
        assertThat(readFailure(STEPS, withField("observation", "{}")))
                .hasMessage("field 'observation': expected string, got object");
    }

    @Test
    void truncatesLongOffendingStringsInMessages() {
        JsonRecordException e =
                readFailure(STEPS, withField("step_index", "\"" + "y".repeat(500) + "\""));

        assertThat(e.getMessage()).hasSizeLessThan(120).contains("yyy...");
    }

    @Test
    void namesTheFullPathOfADeeplyNestedWrongValue() {
        JsonRecordCodec<TrajectoryGroup> groups = JsonRecordCodec.of(TrajectoryGroup.class);
        ObjectNode line =
                (ObjectNode) parse(groups.write(new TestRecords(13).trajectoryGroup(2, 3)));
        ((ObjectNode) line.get("trajectories").get(1).get("steps").get(2)).put("step_index", "x");

        JsonRecordException e = readFailure(groups, line.toString());

        assertThat(e)
                .hasMessage(
                        "field 'trajectories[1].steps[2].step_index': expected int,"
                                + " got string \"x\"");
    }

    @Test
    void namesAWrongMapValueByItsKey() {
        JsonRecordCodec<PolicySnapshot> snapshots = JsonRecordCodec.of(PolicySnapshot.class);
        String line =
                "{\"experiment_id\":\"e\",\"version\":1,\"created_time_ms\":2,"
                        + "\"artifact_uri\":\"u\",\"sha256\":\"ab\","
                        + "\"metrics\":{\"kl\":0.01,\"loss\":\"high\"}}";

        assertThat(readFailure(snapshots, line))
                .hasMessage("field 'metrics[\"loss\"]': expected double, got string \"high\"");
    }

    @Test
    void readsNullOrAValueForNullableUnions() {
        assertThat(STEPS.read(withField("episode_return", "null")).getEpisodeReturn()).isNull();
        assertThat(STEPS.read(withField("episode_return", "2.5")).getEpisodeReturn())
                .isEqualTo(2.5);
        assertThat(STEPS.read(withField("state_key", "\"s\"")).getStateKey()).isEqualTo("s");
    }

    @Test
    void readsIntegersIntoDoubleFields() {
        assertThat(STEPS.read(withField("reward", "3")).getReward()).isEqualTo(3.0);
        assertThat(STEPS.read(withField("reward", "-7")).getReward()).isEqualTo(-7.0);
        assertThat(STEPS.read(withField("reward", "123456789012345678901234567890")).getReward())
                .isEqualTo(1.2345678901234568e29);
    }

    @Test
    void readsLongsBeyondIntRange() {
        assertThat(STEPS.read(withField("policy_version", "3000000000")).getPolicyVersion())
                .isEqualTo(3_000_000_000L);
    }

    @Test
    void acceptsNonFiniteDoublesAsStringsAndBareTokens() {
        assertThat(STEPS.read(withField("reward", "\"NaN\"")).getReward()).isNaN();
        assertThat(STEPS.read(withField("reward", "\"Infinity\"")).getReward())
                .isEqualTo(Double.POSITIVE_INFINITY);
        assertThat(STEPS.read(withField("reward", "\"-Infinity\"")).getReward())
                .isEqualTo(Double.NEGATIVE_INFINITY);
        assertThat(STEPS.read(withField("episode_return", "\"NaN\"")).getEpisodeReturn()).isNaN();
        // Python's json.dumps writes these bare tokens by default.
        assertThat(STEPS.read(withBareToken("reward", "NaN")).getReward()).isNaN();
        assertThat(STEPS.read(withBareToken("reward", "-Infinity")).getReward())
                .isEqualTo(Double.NEGATIVE_INFINITY);
        assertThat(readFailure(STEPS, withBareToken("step_index", "NaN")))
                .hasMessage("field 'step_index': expected int, got number NaN");
    }

    @Test
    void writesNonFiniteDoublesAsStrings() {
        StepEvent event = StepEvent.newBuilder(GOLDEN_STEP).build();
        event.setReward(Double.NaN);
        event.setEpisodeReturn(Double.NEGATIVE_INFINITY);
        event.setBehaviorLogprob(Double.POSITIVE_INFINITY);

        String line = STEPS.write(event);

        assertThat(line)
                .contains("\"reward\":\"NaN\"")
                .contains("\"episode_return\":\"-Infinity\"")
                .contains("\"behavior_logprob\":\"Infinity\"");
        TestRecords.assertSameRecord(STEPS.read(line), event);
    }

    @Test
    void doublesRoundTripExactly() {
        Random random = new Random(14);
        for (double value : TestRecords.AWKWARD_DOUBLES) {
            assertDoubleRoundTrips(value);
        }
        for (int i = 0; i < 20_000; i++) {
            double value = Double.longBitsToDouble(random.nextLong());
            if (Double.isFinite(value)) {
                assertDoubleRoundTrips(value);
            }
            assertDoubleRoundTrips(random.nextDouble() * Math.pow(10, random.nextInt(40) - 20));
        }
    }

    private static void assertDoubleRoundTrips(double value) {
        StepEvent event = StepEvent.newBuilder(GOLDEN_STEP).build();
        event.setReward(value);
        event.setEpisodeReturn(value);

        StepEvent read = STEPS.read(STEPS.write(event));

        assertThat(Double.doubleToLongBits(read.getReward()))
                .as("reward %s", value)
                .isEqualTo(Double.doubleToLongBits(value));
        assertThat(Double.doubleToLongBits(read.getEpisodeReturn()))
                .as("episode_return %s", value)
                .isEqualTo(Double.doubleToLongBits(value));
    }

    @Test
    void writesSpecificDoublesAsExpected() {
        StepEvent event = StepEvent.newBuilder(GOLDEN_STEP).build();
        event.setReward(0.1 + 0.2);
        event.setEpisodeReturn(-0.0);
        event.setBehaviorLogprob(1e-300);

        String line = STEPS.write(event);

        assertThat(line)
                .contains("\"reward\":0.30000000000000004")
                .contains("\"episode_return\":-0.0")
                .contains("\"behavior_logprob\":1.0E-300");
    }

    @Test
    void readsAndWritesBytesAsBase64() {
        JsonRecordCodec<DeadLetter> letters = JsonRecordCodec.of(DeadLetter.class);
        byte[] payload = {(byte) 0xC3, 0x01, 0x00, (byte) 0xFF, 0x7B};
        DeadLetter letter =
                DeadLetter.newBuilder()
                        .setPayload(ByteBuffer.wrap(payload))
                        .setReason("bad-marker")
                        .build();

        String line = letters.write(letter);

        assertThat(line).startsWith("{\"payload\":\"wwEA/3s=\",\"topic\":null,");
        assertThat(letters.read(line)).isEqualTo(letter);
        assertThat(readFailure(letters, "{\"payload\":\"not base64!\",\"reason\":\"r\"}"))
                .hasMessageStartingWith(
                        "field 'payload': expected base64 string, got string \"not base64!\"");
    }

    @Test
    void keepsTextExactlyIncludingControlAndNonAsciiCharacters() {
        String text = "tab\tnul\u0000 quote\" back\\ naïve 日本 🤖 \u2028";
        StepEvent event = StepEvent.newBuilder(GOLDEN_STEP).setObservation(text).build();

        String line = STEPS.write(event);

        assertThat(line).doesNotContain("\n");
        assertThat(STEPS.read(line).getObservation()).isEqualTo(text);
        assertThat(new String(line.getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8))
                .isEqualTo(line);
    }

    @Test
    void rejectsLinesThatAreNotOneJsonObject() {
        assertThat(readFailure(STEPS, "{not json").getMessage()).startsWith("malformed JSON");
        assertThat(readFailure(STEPS, "")).hasMessageContaining("empty line");
        assertThat(readFailure(STEPS, "[1, 2]"))
                .hasMessage("expected a JSON object for StepEvent, got array");
        assertThat(readFailure(STEPS, "42"))
                .hasMessage("expected a JSON object for StepEvent, got number 42");
        assertThat(readFailure(STEPS, MINIMAL_STEP + " " + MINIMAL_STEP).getMessage())
                .startsWith("malformed JSON");
        assertThat(readFailure(STEPS, "{\"step_index\":1,\"step_index\":2}").getMessage())
                .startsWith("malformed JSON")
                .contains("step_index");
        assertThat(readFailure(STEPS, "{not json").field()).isNull();
        assertThatThrownBy(() -> STEPS.read(null)).isInstanceOf(JsonRecordException.class);
    }

    @Test
    void readsAnArrayOfRecordsField() {
        JsonRecordCodec<AdvantageBatch> batches = JsonRecordCodec.of(AdvantageBatch.class);
        AdvantageBatch batch = new TestRecords(15).advantageBatch(4);
        ObjectNode line = (ObjectNode) parse(batches.write(batch));
        ArrayNode records = (ArrayNode) line.get("records");

        assertThat(records).hasSize(4);
        assertThat(batches.read(line.toString()).getRecords()).isEqualTo(batch.getRecords());
    }

    @Test
    void refusesToWriteANullInANonNullableField() {
        StepEvent event = StepEvent.newBuilder(GOLDEN_STEP).build();
        event.setTaskId(null);

        assertThatThrownBy(() -> STEPS.write(event))
                .isInstanceOf(JsonRecordException.class)
                .hasMessage(
                        "cannot write StepEvent: field 'task_id': null is not allowed,"
                                + " expected string");
    }

    @Test
    void writesMapsAsObjects() {
        JsonRecordCodec<PolicySnapshot> snapshots = JsonRecordCodec.of(PolicySnapshot.class);
        PolicySnapshot snapshot =
                PolicySnapshot.newBuilder()
                        .setExperimentId("e")
                        .setVersion(3)
                        .setCreatedTimeMs(4)
                        .setArtifactUri("u")
                        .setSha256("ab")
                        .setMetrics(Map.of("loss", 0.25))
                        .build();

        assertThat(snapshots.write(snapshot))
                .isEqualTo(
                        "{\"experiment_id\":\"e\",\"version\":3,\"created_time_ms\":4,"
                                + "\"artifact_uri\":\"u\",\"sha256\":\"ab\","
                                + "\"metrics\":{\"loss\":0.25},"
                                + "\"artifact_size\":null,\"signature\":null}");
    }

    private static String withField(String field, String rawJsonValue) {
        ObjectNode line = (ObjectNode) parse(GOLDEN_LINE);
        line.set(field, parse(rawJsonValue));
        return line.toString();
    }

    /** The golden line with {@code field}'s value replaced by a non-standard JSON token. */
    private static String withBareToken(String field, String token) {
        String line =
                GOLDEN_LINE.replaceFirst(
                        "\"" + field + "\":[^,]*,", "\"" + field + "\":" + token + ",");
        assertThat(line).contains(":" + token + ",");
        return line;
    }

    private static JsonNode parse(String json) {
        try {
            return JSON.readTree(json);
        } catch (Exception e) {
            throw new IllegalArgumentException(json, e);
        }
    }

    private static JsonRecordException readFailure(JsonRecordCodec<?> codec, String line) {
        Throwable thrown = catchThrowable(() -> codec.read(line));
        assertThat(thrown).isInstanceOf(JsonRecordException.class);
        return (JsonRecordException) thrown;
    }
}
