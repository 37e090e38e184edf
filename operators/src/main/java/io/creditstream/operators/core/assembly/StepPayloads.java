package io.creditstream.operators.core.assembly;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * Packs the encoded steps of one trajectory into a single byte array (each a 4-byte length, then
 * the bytes) so a trajectory crosses the shuffle and sits in state as one opaque value, decoded
 * only when its group is complete.
 */
public final class StepPayloads {
    private StepPayloads() {}

    /** A step's payload prefixed with its index, as the trajectory assembler stores it. */
    public static byte[] indexed(int index, byte[] payload) {
        return ByteBuffer.allocate(Integer.BYTES + payload.length)
                .putInt(index)
                .put(payload)
                .array();
    }

    /** The index of an {@link #indexed} payload. */
    public static int indexOf(byte[] indexed) {
        return ByteBuffer.wrap(indexed).getInt();
    }

    /** The payload of an {@link #indexed} payload. */
    public static byte[] payloadOf(byte[] indexed) {
        return java.util.Arrays.copyOfRange(indexed, Integer.BYTES, indexed.length);
    }

    public static byte[] pack(List<byte[]> payloads) {
        int size = 0;
        for (byte[] payload : payloads) {
            size += Integer.BYTES + payload.length;
        }
        ByteBuffer packed = ByteBuffer.allocate(size);
        for (byte[] payload : payloads) {
            packed.putInt(payload.length).put(payload);
        }
        return packed.array();
    }

    /**
     * @throws IllegalArgumentException when the bytes are not a packing of whole payloads
     */
    public static List<byte[]> unpack(byte[] packed) {
        List<byte[]> payloads = new ArrayList<>();
        ByteBuffer buffer = ByteBuffer.wrap(packed);
        while (buffer.hasRemaining()) {
            if (buffer.remaining() < Integer.BYTES) {
                throw new IllegalArgumentException("truncated step payloads: a length is cut");
            }
            int length = buffer.getInt();
            if (length < 0 || length > buffer.remaining()) {
                throw new IllegalArgumentException(
                        "truncated step payloads: a step claims "
                                + length
                                + " bytes, "
                                + buffer.remaining()
                                + " remain");
            }
            byte[] payload = new byte[length];
            buffer.get(payload);
            payloads.add(payload);
        }
        return payloads;
    }
}
