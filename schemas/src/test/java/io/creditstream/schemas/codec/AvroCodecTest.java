package io.creditstream.schemas.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.creditstream.schemas.AdvantageRecord;
import io.creditstream.schemas.PolicySnapshot;
import io.creditstream.schemas.StepEvent;
import io.creditstream.schemas.codec.RecordDecodeException.Reason;
import io.creditstream.schemas.internal.TrajectoryGroup;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.message.BinaryMessageDecoder;
import org.apache.avro.message.BinaryMessageEncoder;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Tests {@link AvroCodec}: round trips, the single-object header and every decode failure. */
class AvroCodecTest {

    private static final int RECORDS_PER_TYPE = 200;

    static List<TestRecords.Kind<?>> allKinds() {
        return TestRecords.allKinds();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("allKinds")
    void roundTripsEveryRecordType(TestRecords.Kind<?> kind) throws Exception {
        assertRoundTrips(kind);
    }

    private static <T extends SpecificRecord> void assertRoundTrips(TestRecords.Kind<T> kind)
            throws Exception {
        AvroCodec<T> codec = AvroCodec.of(kind.type);
        TestRecords records = new TestRecords(kind.type.getName().hashCode());
        SpecificData model = SpecificData.getForClass(kind.type);
        BinaryMessageEncoder<T> avroEncoder = new BinaryMessageEncoder<>(model, codec.schema());
        BinaryMessageDecoder<T> avroDecoder = new BinaryMessageDecoder<>(model, codec.schema());
        for (int i = 0; i < RECORDS_PER_TYPE; i++) {
            T record = kind.make(records);
            byte[] bytes = codec.encode(record);

            TestRecords.assertSameRecord(codec.decode(bytes), record);
            // Byte-for-byte Avro's own single-object encoding, readable by its decoder.
            assertThat(bytes).isEqualTo(toArray(avroEncoder.encode(record)));
            TestRecords.assertSameRecord(avroDecoder.decode(bytes), record);
        }
    }

    @Test
    void headerIsMarkerThenLittleEndianFingerprintOfTheWriterSchema() {
        AvroCodec<StepEvent> codec = AvroCodec.of(StepEvent.class);
        byte[] bytes = codec.encode(new TestRecords(1).stepEvent());
        long expected = SchemaNormalization.parsingFingerprint64(StepEvent.getClassSchema());

        assertThat(bytes[0]).isEqualTo((byte) 0xC3);
        assertThat(bytes[1]).isEqualTo((byte) 0x01);
        assertThat(ByteBuffer.wrap(bytes, 2, 8).order(ByteOrder.LITTLE_ENDIAN).getLong())
                .isEqualTo(expected);
        assertThat(codec.fingerprint()).isEqualTo(expected);
        for (int i = 0; i < 8; i++) {
            assertThat(bytes[2 + i]).isEqualTo((byte) (expected >>> (8 * i)));
        }
    }

    @Test
    void decodesAPayloadInsideALargerArray() {
        AvroCodec<StepEvent> codec = AvroCodec.of(StepEvent.class);
        StepEvent event = new TestRecords(2).stepEvent();
        byte[] bytes = codec.encode(event);
        byte[] padded = new byte[bytes.length + 7];
        System.arraycopy(bytes, 0, padded, 3, bytes.length);

        assertThat(codec.decode(padded, 3, bytes.length)).isEqualTo(event);
    }

    @Test
    void rejectsGarbageWithBadMarker() {
        AvroCodec<StepEvent> codec = AvroCodec.of(StepEvent.class);

        RecordDecodeException e =
                decodeFailure(codec, "this is not avro at all".getBytes(StandardCharsets.UTF_8));

        assertThat(e.reason()).isEqualTo(Reason.BAD_MARKER);
        assertThat(e)
                .hasMessage(
                        "cannot decode StepEvent: bad marker 74 68, expected C3 01"
                                + " (Avro single-object encoding)");
        assertThat(e.reason().code()).isEqualTo("bad-marker");
    }

    @Test
    void saysWhenAPayloadLooksLikeJson() {
        AvroCodec<StepEvent> codec = AvroCodec.of(StepEvent.class);

        RecordDecodeException e =
                decodeFailure(codec, "{\"experiment_id\": \"e\"}".getBytes(StandardCharsets.UTF_8));

        assertThat(e.reason()).isEqualTo(Reason.BAD_MARKER);
        assertThat(e).hasMessageContaining("looks like JSON");
    }

    @Test
    void rejectsNullAndEmptyPayloadsAsTruncated() {
        AvroCodec<StepEvent> codec = AvroCodec.of(StepEvent.class);

        assertThat(decodeFailure(codec, null).reason()).isEqualTo(Reason.TRUNCATED);
        assertThat(decodeFailure(codec, new byte[0]))
                .hasMessage(
                        "cannot decode StepEvent: payload has 0 bytes,"
                                + " fewer than the 10-byte single-object header")
                .extracting(RecordDecodeException::reason)
                .isEqualTo(Reason.TRUNCATED);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("allKinds")
    void rejectsEveryTruncationAsTruncated(TestRecords.Kind<?> kind) {
        assertEveryPrefixTruncated(kind);
    }

    private static <T extends SpecificRecord> void assertEveryPrefixTruncated(
            TestRecords.Kind<T> kind) {
        AvroCodec<T> codec = AvroCodec.of(kind.type);
        TestRecords records = new TestRecords(3);
        for (int n = 0; n < 20; n++) {
            byte[] bytes = codec.encode(kind.make(records));
            for (int length = 0; length < bytes.length; length++) {
                RecordDecodeException e = decodeFailure(codec, Arrays.copyOf(bytes, length));
                assertThat(e.reason())
                        .as("prefix of %s bytes of %s: %s", length, bytes.length, e.getMessage())
                        .isEqualTo(Reason.TRUNCATED);
            }
        }
    }

    @Test
    void rejectsAnotherRecordsBytesAsUnknownSchema() {
        byte[] advantageBytes =
                AvroCodec.of(AdvantageRecord.class).encode(new TestRecords(4).advantageRecord());
        AvroCodec<StepEvent> codec = AvroCodec.of(StepEvent.class);

        RecordDecodeException e = decodeFailure(codec, advantageBytes);

        assertThat(e.reason()).isEqualTo(Reason.UNKNOWN_SCHEMA);
        assertThat(e)
                .hasMessageContaining("unknown writer schema fingerprint")
                .hasMessageContaining(
                        String.format(
                                "0x%016x",
                                SchemaNormalization.parsingFingerprint64(
                                        AdvantageRecord.getClassSchema())))
                .hasMessageContaining(String.format("0x%016x (current)", codec.fingerprint()));
    }

    @Test
    void rejectsBytesAfterTheRecordAsMalformed() {
        AvroCodec<StepEvent> codec = AvroCodec.of(StepEvent.class);
        byte[] bytes = codec.encode(new TestRecords(5).stepEvent());
        byte[] extended = Arrays.copyOf(bytes, bytes.length + 2);

        RecordDecodeException e = decodeFailure(codec, extended);

        assertThat(e.reason()).isEqualTo(Reason.MALFORMED);
        assertThat(e).hasMessage("cannot decode StepEvent: 2 unexpected bytes after the record");
    }

    @Test
    void rejectsAHugeClaimedStringLengthWithoutAllocatingIt() {
        AvroCodec<StepEvent> codec = AvroCodec.of(StepEvent.class);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(codec.encode(new TestRecords(6).stepEvent()), 0, AvroCodec.HEADER_LENGTH);
        writeZigZagLong(out, (1L << 31) - 16); // experiment_id claims ~2 GiB
        out.write('x');

        RecordDecodeException e = decodeFailure(codec, out.toByteArray());

        assertThat(e.reason()).isEqualTo(Reason.TRUNCATED);
        assertThat(e).hasMessageContaining("exceeds the 1 bytes left");
    }

    @Test
    void rejectsAHugeClaimedMapSizeWithoutAllocatingIt() {
        AvroCodec<PolicySnapshot> codec = AvroCodec.of(PolicySnapshot.class);
        PolicySnapshot snapshot = new TestRecords(7).policySnapshot();
        snapshot.setMetrics(new java.util.HashMap<>());
        snapshot.setArtifactSize(null);
        snapshot.setSignature(null);
        byte[] valid = codec.encode(snapshot);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        // Everything up to the empty map, then a giant count: the map's single 0 count byte is
        // followed only by the null branches (one 0 byte each) of artifact_size and signature.
        out.write(valid, 0, valid.length - 3);
        writeZigZagLong(out, Integer.MAX_VALUE - 16);

        RecordDecodeException e = decodeFailure(codec, out.toByteArray());

        assertThat(e.reason()).isEqualTo(Reason.TRUNCATED);
        assertThat(e).hasMessageContaining("map block of 2147483631 items");
    }

    @Test
    void rejectsANegativeLengthAsMalformed() {
        AvroCodec<StepEvent> codec = AvroCodec.of(StepEvent.class);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(codec.encode(new TestRecords(8).stepEvent()), 0, AvroCodec.HEADER_LENGTH);
        writeZigZagLong(out, -5);
        out.write('x');

        RecordDecodeException e = decodeFailure(codec, out.toByteArray());

        assertThat(e.reason()).isEqualTo(Reason.MALFORMED);
        assertThat(e).hasMessageContaining("negative string length -5");
    }

    @Test
    void randomBodiesAndCorruptionsEitherDecodeOrFailWithRecordDecodeException() {
        AvroCodec<TrajectoryGroup> codec = AvroCodec.of(TrajectoryGroup.class);
        TestRecords records = new TestRecords(9);
        Random random = records.random();
        byte[] header = Arrays.copyOf(codec.encode(records.trajectoryGroup(1, 1)), 10);
        for (int i = 0; i < 3000; i++) {
            byte[] bytes;
            if (i % 2 == 0) {
                bytes = Arrays.copyOf(header, 10 + random.nextInt(200));
                for (int j = 10; j < bytes.length; j++) {
                    bytes[j] = (byte) random.nextInt();
                }
            } else {
                bytes = codec.encode(records.trajectoryGroup(2, 3));
                int flips = 1 + random.nextInt(4);
                for (int f = 0; f < flips; f++) {
                    bytes[10 + random.nextInt(bytes.length - 10)] = (byte) random.nextInt();
                }
            }
            Throwable thrown = catchThrowable(() -> codec.decode(bytes));
            if (thrown != null) {
                assertThat(thrown).isInstanceOf(RecordDecodeException.class);
            }
        }
    }

    @Test
    void decodesRecordsWrittenWithARegisteredOlderSchema() throws Exception {
        Schema current = StepEvent.getClassSchema();
        Schema older = withoutFields(current, "answer_prob", "event_time_ms");
        GenericRecord old = new GenericData.Record(older);
        old.put("experiment_id", "exp");
        old.put("task_id", "task");
        old.put("group_id", "group");
        old.put("episode_id", "ep");
        old.put("step_index", 4);
        old.put("policy_version", 2L);
        old.put("reward", 0.5);
        old.put("invalid_action", false);
        old.put("done", true);
        old.put("group_size", 8);
        byte[] bytes =
                toArray(
                        new BinaryMessageEncoder<GenericRecord>(GenericData.get(), older)
                                .encode(old));

        assertThat(decodeFailure(AvroCodec.of(StepEvent.class), bytes).reason())
                .isEqualTo(Reason.UNKNOWN_SCHEMA);

        StepEvent event = AvroCodec.of(StepEvent.class, List.of(older)).decode(bytes);
        assertThat(event.getEpisodeId()).isEqualTo("ep");
        assertThat(event.getStepIndex()).isEqualTo(4);
        assertThat(event.getReward()).isEqualTo(0.5);
        assertThat(event.getAnswerProb()).isNull();
        assertThat(event.getEventTimeMs()).isZero();
    }

    @Test
    void refusesToRegisterAnOlderSchemaItCannotRead() {
        Schema current = StepEvent.getClassSchema();
        Schema incompatible = withoutFields(current, "group_size");
        // The current schema needs group_size, which has no default.

        assertThatThrownBy(() -> AvroCodec.of(StepEvent.class, List.of(incompatible)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("cannot read data written with older schema")
                .hasMessageContaining("group_size");
    }

    @Test
    void reusedBuffersNeverLeakBetweenRecords() {
        AvroCodec<StepEvent> reused = AvroCodec.of(StepEvent.class);
        TestRecords records = new TestRecords(10);
        StepEvent broken = records.stepEvent();
        broken.setExperimentId(null);

        assertThatThrownBy(() -> reused.encode(broken))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("cannot encode StepEvent");

        for (int i = 0; i < 200; i++) {
            StepEvent event = records.stepEvent();
            if (i % 50 == 0) {
                event.setObservation("x".repeat(2 << 20)); // grows the buffer past what is kept
            }
            byte[] bytes = reused.encode(event);
            assertThat(bytes).isEqualTo(AvroCodec.of(StepEvent.class).encode(event));
            TestRecords.assertSameRecord(reused.decode(bytes), event);
            decodeFailure(reused, Arrays.copyOf(bytes, bytes.length - 1));
        }
    }

    @Test
    void rejectsClassesThatAreNotGeneratedRecords() {
        assertThatThrownBy(() -> AvroCodec.of(SpecificRecord.class))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("not a generated Avro record class");
    }

    private static RecordDecodeException decodeFailure(AvroCodec<?> codec, byte[] bytes) {
        Throwable thrown = catchThrowable(() -> codec.decode(bytes));
        assertThat(thrown).isInstanceOf(RecordDecodeException.class);
        return (RecordDecodeException) thrown;
    }

    private static Schema withoutFields(Schema schema, String... names) {
        List<String> dropped = Arrays.asList(names);
        List<Schema.Field> fields = new ArrayList<>();
        for (Schema.Field field : schema.getFields()) {
            if (!dropped.contains(field.name())) {
                fields.add(new Schema.Field(field, field.schema()));
            }
        }
        return Schema.createRecord(
                schema.getName(), schema.getDoc(), schema.getNamespace(), false, fields);
    }

    private static void writeZigZagLong(ByteArrayOutputStream out, long value) {
        long n = (value << 1) ^ (value >> 63);
        while ((n & ~0x7FL) != 0) {
            out.write((int) ((n & 0x7F) | 0x80));
            n >>>= 7;
        }
        out.write((int) n);
    }

    private static byte[] toArray(ByteBuffer buffer) {
        byte[] bytes = new byte[buffer.remaining()];
        buffer.duplicate().get(bytes);
        return bytes;
    }
}
