package io.creditstream.schemas.codec;

import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Collectors;
import org.apache.avro.AvroRuntimeException;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DatumReader;
import org.apache.avro.io.DatumWriter;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecord;

/**
 * Encodes and decodes one generated Avro record type in Avro's single-object encoding, the form of
 * every Kafka value in creditstream.
 *
 * <p>The encoding is the 2-byte marker {@code C3 01}, the 8-byte little-endian CRC-64-AVRO
 * fingerprint of the writer schema ({@link SchemaNormalization#parsingFingerprint64}), then the
 * Avro binary body: byte for byte what the generated {@code getEncoder()} writes. Records written
 * with the current schema, or with an older schema registered through {@link #of(Class,
 * Collection)}, decode into the current class; anything else fails with a {@link
 * RecordDecodeException} whose {@link RecordDecodeException#reason() reason} says why, never with
 * {@code null} or another exception type.
 *
 * <p><b>An instance is not thread-safe:</b> it reuses its output buffer, encoder and decoder across
 * calls. Give each thread (each Flink subtask) its own instance, for example by creating it in
 * {@code open()}; creating one is cheap. Each call returns a fresh array or record that the caller
 * owns.
 */
public final class AvroCodec<T extends SpecificRecord> {

    /** Length of the single-object header: marker and fingerprint. */
    public static final int HEADER_LENGTH = 10;

    private static final byte MARKER_0 = (byte) 0xC3;
    private static final byte MARKER_1 = (byte) 0x01;

    /** Buffers grown past this by one large record are dropped rather than kept. */
    private static final int MAX_RETAINED_BUFFER = 1 << 20;

    private final Class<T> type;
    private final Schema schema;
    private final long fingerprint;
    private final byte[] header;
    private final DatumWriter<T> writer;
    private final WriterSchemaReader<T> currentReader;
    private final Map<Long, WriterSchemaReader<T>> olderReaders;

    private final Output output = new Output(256);
    private final BoundedDecoder boundedDecoder = new BoundedDecoder();
    private BinaryEncoder encoder;
    private BinaryDecoder decoder;

    private AvroCodec(Class<T> type, Collection<Schema> olderWriterSchemas) {
        this.type = Objects.requireNonNull(type, "type");
        SpecificData model = SpecificData.getForClass(type);
        this.schema = recordSchema(model, type);
        if (schema == null || schema.getType() != Schema.Type.RECORD) {
            throw new IllegalArgumentException(
                    type.getName() + " is not a generated Avro record class (no record SCHEMA$)");
        }
        this.fingerprint = SchemaNormalization.parsingFingerprint64(schema);
        this.header = header(fingerprint);
        this.writer = new SpecificDatumWriter<>(schema, model);
        this.currentReader = new WriterSchemaReader<>(schema, schema, fingerprint, model);
        this.olderReaders = new HashMap<>();
        for (Schema older : olderWriterSchemas) {
            Objects.requireNonNull(older, "older writer schema");
            long olderFingerprint = SchemaNormalization.parsingFingerprint64(older);
            if (olderFingerprint == fingerprint) {
                continue;
            }
            SchemaCompatibility.SchemaPairCompatibility compatibility =
                    SchemaCompatibility.checkReaderWriterCompatibility(schema, older);
            if (compatibility.getType() != SchemaCompatibility.SchemaCompatibilityType.COMPATIBLE) {
                throw new IllegalArgumentException(
                        "the current "
                                + schema.getName()
                                + " schema cannot read data written with older schema "
                                + hex(olderFingerprint)
                                + ": "
                                + compatibility.getDescription()
                                + "; evolve the schema only by adding fields with defaults");
            }
            olderReaders.put(
                    olderFingerprint,
                    new WriterSchemaReader<>(older, schema, olderFingerprint, model));
        }
    }

    /** A codec for the generated record class {@code type} that reads its current schema only. */
    public static <T extends SpecificRecord> AvroCodec<T> of(Class<T> type) {
        return new AvroCodec<>(type, List.of());
    }

    /**
     * A codec for {@code type} that also decodes records written with {@code olderWriterSchemas},
     * resolving them to the current schema (missing fields take their defaults).
     *
     * @throws IllegalArgumentException if the current schema cannot read one of them
     */
    public static <T extends SpecificRecord> AvroCodec<T> of(
            Class<T> type, Collection<Schema> olderWriterSchemas) {
        return new AvroCodec<>(type, List.copyOf(olderWriterSchemas));
    }

    /** The generated class this codec reads and writes. */
    public Class<T> recordClass() {
        return type;
    }

    /** The current (reader and writer) schema. */
    public Schema schema() {
        return schema;
    }

    /** The CRC-64-AVRO fingerprint of the current schema, as written in every header. */
    public long fingerprint() {
        return fingerprint;
    }

    /**
     * Encodes {@code record} in the single-object encoding.
     *
     * @throws IllegalArgumentException if the record does not fit its schema, for example a null in
     *     a non-nullable field
     */
    public byte[] encode(T record) {
        Objects.requireNonNull(record, "record");
        output.reset();
        output.write(header, 0, HEADER_LENGTH);
        encoder = EncoderFactory.get().directBinaryEncoder(output, encoder);
        try {
            writer.write(record, encoder);
            encoder.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (NullPointerException | ClassCastException | AvroRuntimeException e) {
            throw new IllegalArgumentException(
                    "cannot encode " + schema.getName() + ": " + e.getMessage(), e);
        }
        return output.toByteArrayAndTrim();
    }

    /**
     * Decodes a whole single-object encoded payload.
     *
     * @throws RecordDecodeException if the payload is null, truncated, has a bad marker, was
     *     written with an unknown schema, is malformed, or has bytes after the record
     */
    public T decode(byte[] bytes) {
        if (bytes == null) {
            throw failure(RecordDecodeException.Reason.TRUNCATED, "payload is null", null);
        }
        return decode(bytes, 0, bytes.length);
    }

    /**
     * Decodes the single-object encoded payload in {@code bytes[offset, offset + length)}.
     *
     * @throws RecordDecodeException as {@link #decode(byte[])}
     */
    public T decode(byte[] bytes, int offset, int length) {
        Objects.requireNonNull(bytes, "bytes");
        Objects.checkFromIndexSize(offset, length, bytes.length);
        if (length < HEADER_LENGTH) {
            throw failure(
                    RecordDecodeException.Reason.TRUNCATED,
                    "payload has "
                            + length
                            + " bytes, fewer than the "
                            + HEADER_LENGTH
                            + "-byte single-object header",
                    null);
        }
        if (bytes[offset] != MARKER_0 || bytes[offset + 1] != MARKER_1) {
            throw failure(
                    RecordDecodeException.Reason.BAD_MARKER,
                    String.format(
                            "bad marker %02X %02X, expected C3 01 (Avro single-object encoding)%s",
                            bytes[offset] & 0xFF,
                            bytes[offset + 1] & 0xFF,
                            bytes[offset] == '{' ? "; the payload looks like JSON" : ""),
                    null);
        }
        long writerFingerprint = readLittleEndianLong(bytes, offset + 2);
        WriterSchemaReader<T> reader =
                writerFingerprint == fingerprint
                        ? currentReader
                        : olderReaders.get(writerFingerprint);
        if (reader == null) {
            throw failure(
                    RecordDecodeException.Reason.UNKNOWN_SCHEMA,
                    "unknown writer schema fingerprint "
                            + hex(writerFingerprint)
                            + "; known: "
                            + knownFingerprints(),
                    null);
        }
        int bodyLength = length - HEADER_LENGTH;
        decoder =
                DecoderFactory.get()
                        .binaryDecoder(bytes, offset + HEADER_LENGTH, bodyLength, decoder);
        T record;
        try {
            record =
                    reader.datumReader.read(
                            null, boundedDecoder.configure(decoder, reader.checkArrayCounts));
        } catch (EOFException e) {
            throw failure(
                    RecordDecodeException.Reason.TRUNCATED,
                    "truncated body ("
                            + bodyLength
                            + " bytes after the header)"
                            + (e.getMessage() == null ? "" : ": " + e.getMessage()),
                    e);
        } catch (IOException | RuntimeException e) {
            throw failure(
                    RecordDecodeException.Reason.MALFORMED,
                    "malformed body ("
                            + bodyLength
                            + " bytes after the header): "
                            + e.getClass().getSimpleName()
                            + (e.getMessage() == null ? "" : ": " + e.getMessage()),
                    e);
        }
        int trailing = trailingBytes();
        if (trailing != 0) {
            throw failure(
                    RecordDecodeException.Reason.MALFORMED,
                    trailing + " unexpected bytes after the record",
                    null);
        }
        return record;
    }

    private int trailingBytes() {
        try {
            return decoder.inputStream().available();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private RecordDecodeException failure(
            RecordDecodeException.Reason reason, String detail, Throwable cause) {
        return new RecordDecodeException(
                reason, "cannot decode " + schema.getName() + ": " + detail, cause);
    }

    private String knownFingerprints() {
        String current = hex(fingerprint) + " (current)";
        if (olderReaders.isEmpty()) {
            return current;
        }
        return current
                + ", "
                + olderReaders.keySet().stream()
                        .sorted()
                        .map(AvroCodec::hex)
                        .collect(Collectors.joining(", "));
    }

    /** The schema of a generated class, or null if it has none. */
    static Schema recordSchema(SpecificData model, Class<?> type) {
        try {
            return model.getSchema(type);
        } catch (AvroRuntimeException e) {
            return null;
        }
    }

    private static byte[] header(long fingerprint) {
        byte[] header = new byte[HEADER_LENGTH];
        header[0] = MARKER_0;
        header[1] = MARKER_1;
        for (int i = 0; i < 8; i++) {
            header[2 + i] = (byte) (fingerprint >>> (8 * i));
        }
        return header;
    }

    private static long readLittleEndianLong(byte[] bytes, int offset) {
        long value = 0;
        for (int i = 7; i >= 0; i--) {
            value = (value << 8) | (bytes[offset + i] & 0xFFL);
        }
        return value;
    }

    private static String hex(long fingerprint) {
        return String.format("0x%016x", fingerprint);
    }

    /** A resolving reader for one writer schema, with what the bounded decoder needs to know. */
    private static final class WriterSchemaReader<T> {
        final DatumReader<T> datumReader;
        final boolean checkArrayCounts;

        WriterSchemaReader(Schema writer, Schema reader, long fingerprint, SpecificData model) {
            this.datumReader = new SpecificDatumReader<>(writer, reader, model);
            this.checkArrayCounts = BoundedDecoder.canBoundArrayCounts(writer);
        }
    }

    /** An unsynchronized growable byte buffer, reset before each record. */
    private static final class Output extends OutputStream {
        private final int initialCapacity;
        private byte[] buffer;
        private int count;

        Output(int initialCapacity) {
            this.initialCapacity = initialCapacity;
            this.buffer = new byte[initialCapacity];
        }

        void reset() {
            count = 0;
        }

        @Override
        public void write(int b) {
            ensureCapacity(count + 1);
            buffer[count++] = (byte) b;
        }

        @Override
        public void write(byte[] bytes, int offset, int length) {
            ensureCapacity(count + length);
            System.arraycopy(bytes, offset, buffer, count, length);
            count += length;
        }

        private void ensureCapacity(int needed) {
            if (needed > buffer.length) {
                buffer = Arrays.copyOf(buffer, Math.max(needed, buffer.length * 2));
            }
        }

        byte[] toByteArrayAndTrim() {
            byte[] result = Arrays.copyOf(buffer, count);
            if (buffer.length > MAX_RETAINED_BUFFER) {
                buffer = new byte[initialCapacity];
            }
            count = 0;
            return result;
        }
    }
}
