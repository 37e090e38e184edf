package io.creditstream.schemas.codec;

import static org.assertj.core.api.Assertions.assertThat;

import io.creditstream.schemas.StepEvent;
import io.creditstream.schemas.codec.RecordDecodeException.Reason;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.message.BinaryMessageEncoder;
import org.assertj.core.api.Assertions;
import org.junit.jupiter.api.Test;

class StepEventCodecsTest {

    private static final Path RELEASED_0_1_0 =
            Path.of(System.getProperty("basedir", "."))
                    .resolve("src/test/resources/released/0.1.0/StepEvent.avsc");

    @Test
    void thePackagedReleasedSchemaIsTheOneTheCompatibilityTestGuards() throws Exception {
        Schema guarded = new Schema.Parser().parse(RELEASED_0_1_0.toFile());

        assertThat(StepEventCodecs.olderWriterSchemas())
                .singleElement()
                .extracting(SchemaNormalization::toParsingForm)
                .isEqualTo(SchemaNormalization.toParsingForm(guarded));
    }

    @Test
    void aStepWrittenWithTheReleasedSchemaDecodesWithTheNewFieldsNull() throws Exception {
        Schema released = new Schema.Parser().parse(RELEASED_0_1_0.toFile());
        GenericRecord old = new GenericData.Record(released);
        old.put("experiment_id", "exp");
        old.put("task_id", "task");
        old.put("group_id", "group");
        old.put("episode_id", "ep");
        old.put("step_index", 2);
        old.put("policy_version", 3L);
        old.put("action", "go north");
        old.put("reward", 0.5);
        old.put("invalid_action", false);
        old.put("done", false);
        old.put("group_size", 4);
        old.put("answer_prob", 0.25);
        old.put("event_time_ms", 7L);
        byte[] bytes =
                toArray(
                        new BinaryMessageEncoder<GenericRecord>(GenericData.get(), released)
                                .encode(old));

        // The current schema alone does not know the released fingerprint.
        Throwable plain =
                Assertions.catchThrowable(() -> AvroCodec.of(StepEvent.class).decode(bytes));
        assertThat(plain).isInstanceOf(RecordDecodeException.class);
        assertThat(((RecordDecodeException) plain).reason()).isEqualTo(Reason.UNKNOWN_SCHEMA);

        StepEvent step = StepEventCodecs.create().decode(bytes);
        assertThat(step.getEpisodeId()).isEqualTo("ep");
        assertThat(step.getAction()).isEqualTo("go north");
        assertThat(step.getAnswerProb()).isEqualTo(0.25);
        assertThat(step.getProcessScore()).isNull();
        assertThat(step.getTokenCount()).isNull();
    }

    @Test
    void aStepWrittenNowRoundTripsItsProcessScoreAndTokenCount() {
        StepEvent step =
                StepEvent.newBuilder()
                        .setExperimentId("exp")
                        .setTaskId("task")
                        .setGroupId("group")
                        .setEpisodeId("ep")
                        .setStepIndex(0)
                        .setGroupSize(2)
                        .setProcessScore(-0.75)
                        .setTokenCount(12)
                        .build();
        AvroCodec<StepEvent> codec = StepEventCodecs.create();

        StepEvent decoded = codec.decode(codec.encode(step));

        assertThat(decoded.getProcessScore()).isEqualTo(-0.75);
        assertThat(decoded.getTokenCount()).isEqualTo(12);
    }

    private static byte[] toArray(ByteBuffer buffer) {
        byte[] bytes = new byte[buffer.remaining()];
        buffer.duplicate().get(bytes);
        return bytes;
    }
}
