package io.creditstream.policy.model;

import ai.djl.ndarray.types.Shape;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * Writes and reads one named float32 array (name, shape, big-endian floats) for the weight and
 * checkpoint formats, so that every array round-trips bit for bit and a reader can check it got the
 * array it expected before trusting the bytes.
 */
public final class NamedArrays {

    private NamedArrays() {}

    /** Writes {@code name}, {@code shape} and {@code values}. */
    public static void write(DataOutputStream out, String name, Shape shape, float[] values)
            throws IOException {
        if (shape.size() != values.length) {
            throw new IllegalArgumentException(
                    name + ": shape " + shape + " does not hold " + values.length + " values");
        }
        out.writeUTF(name);
        out.writeInt(shape.dimension());
        for (long dim : shape.getShape()) {
            out.writeLong(dim);
        }
        ByteBuffer bytes = ByteBuffer.allocate(values.length * Float.BYTES);
        bytes.asFloatBuffer().put(values);
        out.write(bytes.array());
    }

    /**
     * Reads an array written by {@link #write}, checking its name and shape first.
     *
     * @throws IOException if the stream ends early or holds another array
     */
    public static float[] read(DataInputStream in, String expectedName, Shape expectedShape)
            throws IOException {
        String name = in.readUTF();
        if (!name.equals(expectedName)) {
            throw new IOException(
                    "found array \"" + name + "\", expected \"" + expectedName + "\"");
        }
        int rank = in.readInt();
        if (rank != expectedShape.dimension()) {
            throw new IOException(name + " has rank " + rank + ", expected shape " + expectedShape);
        }
        long[] dims = new long[rank];
        for (int i = 0; i < rank; i++) {
            dims[i] = in.readLong();
        }
        Shape shape = new Shape(dims);
        if (!shape.equals(expectedShape)) {
            throw new IOException(name + " has shape " + shape + ", expected " + expectedShape);
        }
        int size = Math.toIntExact(expectedShape.size());
        byte[] bytes = new byte[Math.multiplyExact(size, Float.BYTES)];
        in.readFully(bytes);
        float[] values = new float[size];
        ByteBuffer.wrap(bytes).asFloatBuffer().get(values);
        return values;
    }
}
