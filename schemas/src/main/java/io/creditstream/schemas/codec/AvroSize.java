package io.creditstream.schemas.codec;

import java.nio.ByteBuffer;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericContainer;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericFixed;
import org.apache.avro.generic.IndexedRecord;

/**
 * The exact length of a record's Avro binary body, computed from its fields without encoding it.
 *
 * <p>The batcher sizes learner batches by bytes as well as by records, so that no batch exceeds the
 * broker's record limit. Encoding every record twice (once to measure, once to send) would double
 * the serialization cost; walking the schema costs a pass over the strings' characters and
 * allocates nothing. A test checks the result against {@link AvroCodec} for every record type.
 */
public final class AvroSize {
    private AvroSize() {}

    /** Length of the single-object encoding of {@code record}: header plus body. */
    public static long singleObject(IndexedRecord record) {
        return AvroCodec.HEADER_LENGTH + body(record);
    }

    /** Length of the Avro binary body of {@code record}. */
    public static long body(IndexedRecord record) {
        return of(record.getSchema(), record);
    }

    private static long of(Schema schema, Object value) {
        switch (schema.getType()) {
            case NULL:
                return 0;
            case BOOLEAN:
                return 1;
            case INT:
                return varint(zigzag(((Number) value).intValue()));
            case LONG:
                return varint(zigzag(((Number) value).longValue()));
            case FLOAT:
                return 4;
            case DOUBLE:
                return 8;
            case STRING:
                {
                    long bytes = utf8Length(value.toString());
                    return varint(zigzag(bytes)) + bytes;
                }
            case BYTES:
                {
                    long bytes = ((ByteBuffer) value).remaining();
                    return varint(zigzag(bytes)) + bytes;
                }
            case FIXED:
                return ((GenericFixed) value).bytes().length;
            case ENUM:
                return varint(zigzag(schema.getEnumOrdinal(value.toString())));
            case RECORD:
                {
                    IndexedRecord record = (IndexedRecord) value;
                    long total = 0;
                    for (Schema.Field field : schema.getFields()) {
                        total += of(field.schema(), record.get(field.pos()));
                    }
                    return total;
                }
            case ARRAY:
                {
                    Collection<?> items = (Collection<?>) value;
                    // One block with its item count, then the terminating zero count.
                    long total = items.isEmpty() ? 1 : varint(zigzag(items.size())) + 1;
                    Schema itemSchema = schema.getElementType();
                    for (Object item : items) {
                        total += of(itemSchema, item);
                    }
                    return total;
                }
            case MAP:
                {
                    Map<?, ?> entries = (Map<?, ?>) value;
                    long total = entries.isEmpty() ? 1 : varint(zigzag(entries.size())) + 1;
                    for (Map.Entry<?, ?> entry : entries.entrySet()) {
                        long keyBytes = utf8Length(entry.getKey().toString());
                        total += varint(zigzag(keyBytes)) + keyBytes;
                        total += of(schema.getValueType(), entry.getValue());
                    }
                    return total;
                }
            case UNION:
                {
                    int branch = GenericData.get().resolveUnion(schema, value);
                    List<Schema> types = schema.getTypes();
                    return varint(zigzag(branch)) + of(types.get(branch), value);
                }
            default:
                throw new IllegalArgumentException(
                        "no size rule for Avro type "
                                + schema.getType()
                                + " in "
                                + describe(value));
        }
    }

    /** UTF-8 length of {@code s}, as Java's encoder writes it (an unpaired surrogate is '?'). */
    public static long utf8Length(String s) {
        long bytes = 0;
        int n = s.length();
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            if (c < 0x80) {
                bytes += 1;
            } else if (c < 0x800) {
                bytes += 2;
            } else if (Character.isHighSurrogate(c)
                    && i + 1 < n
                    && Character.isLowSurrogate(s.charAt(i + 1))) {
                bytes += 4;
                i++;
            } else if (Character.isSurrogate(c)) {
                bytes += 1;
            } else {
                bytes += 3;
            }
        }
        return bytes;
    }

    private static long zigzag(long n) {
        return (n << 1) ^ (n >> 63);
    }

    private static int varint(long unsigned) {
        int bytes = 1;
        while ((unsigned & ~0x7FL) != 0) {
            unsigned >>>= 7;
            bytes++;
        }
        return bytes;
    }

    private static String describe(Object value) {
        return value instanceof GenericContainer c
                ? c.getSchema().getFullName()
                : String.valueOf(value);
    }
}
