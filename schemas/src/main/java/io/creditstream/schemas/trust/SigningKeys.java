package io.creditstream.schemas.trust;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;

/**
 * Reads and writes the snapshot signing keys: the learner's private key as PKCS#8, the public key
 * readers verify with as X.509 SubjectPublicKeyInfo, each either PEM ({@code -----BEGIN PRIVATE
 * KEY-----} / {@code -----BEGIN PUBLIC KEY-----}, what {@code openssl genpkey -algorithm ed25519}
 * writes) or the DER bytes. Errors name the file and never print key material.
 */
public final class SigningKeys {

    /** File name of the private key {@link #generate} writes. */
    public static final String PRIVATE_KEY_FILE = "snapshot-signing.key";

    /** File name of the public key {@link #generate} writes. */
    public static final String PUBLIC_KEY_FILE = "snapshot-signing.pub";

    private static final String PRIVATE_PEM = "PRIVATE KEY";
    private static final String PUBLIC_PEM = "PUBLIC KEY";

    /** Where {@link #generate} put the two halves. */
    public record KeyFiles(Path privateKey, Path publicKey) {}

    private SigningKeys() {}

    /**
     * Writes a new Ed25519 key pair into {@code directory} (created if absent): {@value
     * #PRIVATE_KEY_FILE}, readable by its owner only where the file system has POSIX permissions,
     * and {@value #PUBLIC_KEY_FILE}.
     *
     * @throws FileAlreadyExistsException if either file exists: a key is never overwritten, since
     *     every reader configured with the old public key would refuse the new snapshots
     */
    public static KeyFiles generate(Path directory) throws IOException {
        Files.createDirectories(directory);
        Path privateFile = directory.resolve(PRIVATE_KEY_FILE);
        Path publicFile = directory.resolve(PUBLIC_KEY_FILE);
        for (Path file : new Path[] {privateFile, publicFile}) {
            if (Files.exists(file)) {
                throw new FileAlreadyExistsException(
                        file.toString(),
                        null,
                        "a signing key is never overwritten; remove it or choose another"
                                + " directory");
            }
        }
        KeyPair pair;
        try {
            pair = KeyPairGenerator.getInstance(SnapshotSignatures.ALGORITHM).generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JVM cannot generate Ed25519 keys", e);
        }
        writeOwnerOnly(privateFile, pem(PRIVATE_PEM, pair.getPrivate().getEncoded()));
        Files.write(
                publicFile,
                pem(PUBLIC_PEM, pair.getPublic().getEncoded()),
                StandardOpenOption.CREATE_NEW);
        return new KeyFiles(privateFile, publicFile);
    }

    /**
     * The Ed25519 private key in {@code file} (PKCS#8, PEM or DER).
     *
     * @throws IllegalArgumentException naming the file when it is not such a key
     * @throws IOException if it cannot be read
     */
    public static PrivateKey readPrivateKey(Path file) throws IOException {
        byte[] der = der(file, PRIVATE_PEM);
        try {
            return keyFactory().generatePrivate(new PKCS8EncodedKeySpec(der));
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            throw notAKey(
                    file, "an Ed25519 private key (PKCS#8, PEM \"BEGIN PRIVATE KEY\" or DER)");
        }
    }

    /**
     * The Ed25519 public key in {@code file} (X.509 SubjectPublicKeyInfo, PEM or DER).
     *
     * @throws IllegalArgumentException naming the file when it is not such a key
     * @throws IOException if it cannot be read
     */
    public static PublicKey readPublicKey(Path file) throws IOException {
        return publicKey(der(file, PUBLIC_PEM), file.toString());
    }

    /** The Ed25519 public key of X.509 bytes; {@code source} names them in errors. */
    public static PublicKey publicKey(byte[] x509, String source) {
        try {
            return keyFactory().generatePublic(new X509EncodedKeySpec(x509));
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            throw notAKey(source, "an Ed25519 public key (X.509, PEM \"BEGIN PUBLIC KEY\" or DER)");
        }
    }

    private static byte[] der(Path file, String pemLabel) throws IOException {
        // Key files are tiny; a bound keeps a wrong path (a log, a device) from being read whole.
        if (Files.isRegularFile(file) && Files.size(file) > 64 * 1024) {
            throw notAKey(file.toString(), "a key file (it is over 64 KiB)");
        }
        byte[] bytes = Files.readAllBytes(file);
        String text = new String(bytes, StandardCharsets.US_ASCII);
        String begin = "-----BEGIN " + pemLabel + "-----";
        int start = text.indexOf(begin);
        if (start < 0) {
            if (text.contains("-----BEGIN ")) {
                throw notAKey(file.toString(), "a PEM block \"" + begin + "\"");
            }
            return bytes;
        }
        String end = "-----END " + pemLabel + "-----";
        int stop = text.indexOf(end, start);
        if (stop < 0) {
            throw notAKey(file.toString(), "a complete PEM block (no \"" + end + "\")");
        }
        try {
            return Base64.getMimeDecoder().decode(text.substring(start + begin.length(), stop));
        } catch (IllegalArgumentException e) {
            throw notAKey(file.toString(), "valid base64 inside its PEM block");
        }
    }

    private static byte[] pem(String label, byte[] der) {
        String body =
                Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                        .encodeToString(der);
        return ("-----BEGIN " + label + "-----\n" + body + "\n-----END " + label + "-----\n")
                .getBytes(StandardCharsets.US_ASCII);
    }

    private static void writeOwnerOnly(Path file, byte[] content) throws IOException {
        try {
            Files.createFile(
                    file,
                    PosixFilePermissions.asFileAttribute(
                            PosixFilePermissions.fromString("rw-------")));
        } catch (UnsupportedOperationException e) {
            Files.createFile(file);
        }
        Files.write(file, content, StandardOpenOption.TRUNCATE_EXISTING);
    }

    private static KeyFactory keyFactory() {
        try {
            return KeyFactory.getInstance(SnapshotSignatures.ALGORITHM);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JVM has no Ed25519 key factory", e);
        }
    }

    private static IllegalArgumentException notAKey(Object source, String expected) {
        return new IllegalArgumentException(source + " is not " + expected);
    }
}
