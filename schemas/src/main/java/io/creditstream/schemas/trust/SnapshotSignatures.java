package io.creditstream.schemas.trust;

import io.creditstream.schemas.PolicySnapshot;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * Ed25519 signatures over a {@link PolicySnapshot}: the learner signs, every reader verifies.
 *
 * <p>The signature covers a canonical encoding of every field but the signature itself, so that no
 * field a reader acts on (experiment, version, artifact location, hash, size, the metrics the fleet
 * paces itself by) can be changed without the key. The encoding does not depend on Avro's: a prefix
 * naming the format, then each field in schema order, strings as a 4-byte length and UTF-8, longs
 * as 8 bytes big-endian, an absent size as a 0 byte (present: 1 and the long), and the metrics
 * sorted by key, each as its key and the IEEE 754 bits of its value. A reader with another Avro
 * version, or another language, rebuilds the same bytes.
 */
public final class SnapshotSignatures {

    /** The signature algorithm (JCA name), Ed25519 as in RFC 8032. */
    public static final String ALGORITHM = "Ed25519";

    /** Bytes of an Ed25519 signature. */
    public static final int SIGNATURE_BYTES = 64;

    private static final byte[] FORMAT =
            "creditstream.PolicySnapshot.v1\n".getBytes(StandardCharsets.US_ASCII);

    private SnapshotSignatures() {}

    /** {@code snapshot} with its signature set by {@code key} (any previous signature replaced). */
    public static PolicySnapshot sign(PolicySnapshot snapshot, PrivateKey key) {
        Objects.requireNonNull(key, "key");
        byte[] signature = signatureOf(snapshot, key);
        return PolicySnapshot.newBuilder(snapshot).setSignature(ByteBuffer.wrap(signature)).build();
    }

    /**
     * Whether {@code snapshot} carries a valid signature by the holder of {@code key}'s private
     * half over its current fields; false for an unsigned snapshot.
     */
    public static boolean verify(PolicySnapshot snapshot, PublicKey key) {
        Objects.requireNonNull(key, "key");
        byte[] signature = signature(snapshot);
        if (signature == null || signature.length != SIGNATURE_BYTES) {
            return false;
        }
        try {
            Signature verifier = Signature.getInstance(ALGORITHM);
            verifier.initVerify(key);
            verifier.update(canonical(snapshot));
            return verifier.verify(signature);
        } catch (GeneralSecurityException e) {
            // A malformed signature is a failed check, never an error that stops the reader.
            return false;
        }
    }

    /**
     * Whether {@code snapshot} was signed with {@code key} itself: Ed25519 is deterministic, so the
     * signer can check its own past signatures without the public half.
     */
    public static boolean signedWith(PolicySnapshot snapshot, PrivateKey key) {
        byte[] signature = signature(snapshot);
        return signature != null && MessageDigest.isEqual(signature, signatureOf(snapshot, key));
    }

    /** The signature's bytes, or null when the snapshot is unsigned. */
    public static byte[] signature(PolicySnapshot snapshot) {
        ByteBuffer buffer = snapshot.getSignature();
        if (buffer == null) {
            return null;
        }
        byte[] bytes = new byte[buffer.remaining()];
        buffer.duplicate().get(bytes);
        return bytes;
    }

    /** The bytes a signature covers: every field but the signature, in a fixed layout. */
    public static byte[] canonical(PolicySnapshot snapshot) {
        Objects.requireNonNull(snapshot, "snapshot");
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(256);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.write(FORMAT);
            string(out, snapshot.getExperimentId());
            out.writeLong(snapshot.getVersion());
            out.writeLong(snapshot.getCreatedTimeMs());
            string(out, snapshot.getArtifactUri());
            string(out, snapshot.getSha256());
            Map<String, Double> metrics = snapshot.getMetrics();
            TreeMap<String, Double> sorted = new TreeMap<>();
            if (metrics != null) {
                sorted.putAll(metrics);
            }
            out.writeInt(sorted.size());
            for (Map.Entry<String, Double> metric : sorted.entrySet()) {
                string(out, metric.getKey());
                out.writeLong(Double.doubleToLongBits(metric.getValue()));
            }
            Long size = snapshot.getArtifactSize();
            if (size == null) {
                out.writeByte(0);
            } else {
                out.writeByte(1);
                out.writeLong(size);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("writing to memory cannot fail", e);
        }
        return bytes.toByteArray();
    }

    private static byte[] signatureOf(PolicySnapshot snapshot, PrivateKey key) {
        try {
            Signature signer = Signature.getInstance(ALGORITHM);
            signer.initSign(key);
            signer.update(canonical(snapshot));
            return signer.sign();
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException(
                    "cannot sign with a " + key.getAlgorithm() + " key: " + e.getMessage(), e);
        }
    }

    private static void string(DataOutputStream out, CharSequence value) throws IOException {
        byte[] utf8 = (value == null ? "" : value.toString()).getBytes(StandardCharsets.UTF_8);
        out.writeInt(utf8.length);
        out.write(utf8);
    }
}
