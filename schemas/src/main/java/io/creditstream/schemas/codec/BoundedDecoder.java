package io.creditstream.schemas.codec;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Set;
import org.apache.avro.AvroRuntimeException;
import org.apache.avro.Schema;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.Decoder;
import org.apache.avro.util.Utf8;

/**
 * A {@link Decoder} over an in-memory {@link BinaryDecoder} that rejects string, bytes and
 * collection lengths larger than the bytes left, so that a corrupt length cannot make the reader
 * allocate gigabytes before it notices the payload is too short.
 *
 * <p>Avro's own decoder allocates a claimed length up front and checks it only against global
 * limits near 2 GiB. Here every length is checked against the exact number of bytes remaining,
 * which a {@link BinaryDecoder} over a byte array reports through its input stream.
 */
final class BoundedDecoder extends Decoder {

    private BinaryDecoder in;
    private boolean checkArrayCounts;

    /** Points this decoder at {@code in}; see {@link #canBoundArrayCounts(Schema)}. */
    BoundedDecoder configure(BinaryDecoder in, boolean checkArrayCounts) {
        this.in = in;
        this.checkArrayCounts = checkArrayCounts;
        return this;
    }

    /**
     * Whether every array item under {@code schema} takes at least one byte, so that an array's
     * item count can never legitimately exceed the bytes left.
     */
    static boolean canBoundArrayCounts(Schema schema) {
        return !hasZeroSizeArrayItems(schema, Collections.newSetFromMap(new IdentityHashMap<>()));
    }

    private static boolean hasZeroSizeArrayItems(Schema schema, Set<Schema> visited) {
        switch (schema.getType()) {
            case ARRAY:
                return isZeroSize(
                                schema.getElementType(),
                                Collections.newSetFromMap(new IdentityHashMap<>()))
                        || hasZeroSizeArrayItems(schema.getElementType(), visited);
            case MAP:
                return hasZeroSizeArrayItems(schema.getValueType(), visited);
            case UNION:
                for (Schema branch : schema.getTypes()) {
                    if (hasZeroSizeArrayItems(branch, visited)) {
                        return true;
                    }
                }
                return false;
            case RECORD:
                if (!visited.add(schema)) {
                    return false;
                }
                for (Schema.Field field : schema.getFields()) {
                    if (hasZeroSizeArrayItems(field.schema(), visited)) {
                        return true;
                    }
                }
                return false;
            default:
                return false;
        }
    }

    private static boolean isZeroSize(Schema schema, Set<Schema> visited) {
        switch (schema.getType()) {
            case NULL:
                return true;
            case FIXED:
                return schema.getFixedSize() == 0;
            case RECORD:
                if (!visited.add(schema)) {
                    return false;
                }
                for (Schema.Field field : schema.getFields()) {
                    if (!isZeroSize(field.schema(), visited)) {
                        return false;
                    }
                }
                return true;
            default:
                return false;
        }
    }

    private int remaining() throws IOException {
        return in.inputStream().available();
    }

    private int checkLength(long length, String what) throws IOException {
        if (length < 0) {
            throw new AvroRuntimeException("negative " + what + " length " + length);
        }
        int remaining = remaining();
        if (length > remaining) {
            throw new EOFException(
                    what + " length " + length + " exceeds the " + remaining + " bytes left");
        }
        return (int) length;
    }

    private long checkCount(long count, String what, boolean bounded) throws IOException {
        if (bounded && count > remaining()) {
            throw new EOFException(
                    what + " of " + count + " items exceeds the " + remaining() + " bytes left");
        }
        return count;
    }

    @Override
    public void readNull() throws IOException {
        in.readNull();
    }

    @Override
    public boolean readBoolean() throws IOException {
        return in.readBoolean();
    }

    @Override
    public int readInt() throws IOException {
        return in.readInt();
    }

    @Override
    public long readLong() throws IOException {
        return in.readLong();
    }

    @Override
    public float readFloat() throws IOException {
        return in.readFloat();
    }

    @Override
    public double readDouble() throws IOException {
        return in.readDouble();
    }

    @Override
    public Utf8 readString(Utf8 old) throws IOException {
        int length = checkLength(in.readLong(), "string");
        Utf8 result = old != null ? old : new Utf8();
        result.setByteLength(length);
        in.readFixed(result.getBytes(), 0, length);
        return result;
    }

    @Override
    public String readString() throws IOException {
        int length = checkLength(in.readLong(), "string");
        byte[] bytes = new byte[length];
        in.readFixed(bytes, 0, length);
        return new String(bytes, StandardCharsets.UTF_8);
    }

    @Override
    public void skipString() throws IOException {
        skipChecked("string");
    }

    @Override
    public ByteBuffer readBytes(ByteBuffer old) throws IOException {
        int length = checkLength(in.readLong(), "bytes");
        byte[] bytes = new byte[length];
        in.readFixed(bytes, 0, length);
        return ByteBuffer.wrap(bytes);
    }

    @Override
    public void skipBytes() throws IOException {
        skipChecked("bytes");
    }

    private void skipChecked(String what) throws IOException {
        in.skipFixed(checkLength(in.readLong(), what));
    }

    @Override
    public void readFixed(byte[] bytes, int start, int length) throws IOException {
        in.readFixed(bytes, start, length);
    }

    @Override
    public void skipFixed(int length) throws IOException {
        in.skipFixed(length);
    }

    @Override
    public int readEnum() throws IOException {
        return in.readEnum();
    }

    @Override
    public long readArrayStart() throws IOException {
        return checkCount(in.readArrayStart(), "array block", checkArrayCounts);
    }

    @Override
    public long arrayNext() throws IOException {
        return checkCount(in.arrayNext(), "array block", checkArrayCounts);
    }

    @Override
    public long skipArray() throws IOException {
        return checkCount(in.skipArray(), "array block", checkArrayCounts);
    }

    @Override
    public long readMapStart() throws IOException {
        return checkCount(in.readMapStart(), "map block", true);
    }

    @Override
    public long mapNext() throws IOException {
        return checkCount(in.mapNext(), "map block", true);
    }

    @Override
    public long skipMap() throws IOException {
        return checkCount(in.skipMap(), "map block", true);
    }

    @Override
    public int readIndex() throws IOException {
        return in.readIndex();
    }
}
