package io.creditstream.policy.model;

import io.creditstream.schemas.PolicySnapshot;
import java.io.BufferedOutputStream;
import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemNotFoundException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Publishes policy networks as immutable, hash-checked artifacts under one root directory, and
 * loads them back, so that a {@link PolicySnapshot} on Kafka names exactly one set of weights.
 *
 * <p>Version {@code v} of experiment {@code e} lives at {@code <root>/e/policy-v<v>.params}. It is
 * written to a temporary file in the same directory, forced to disk, then linked into place, which
 * fails if the version exists: a published version is never overwritten, so a fleet worker that
 * loaded it and a learner that recorded its sha256 agree forever. {@link #load} reads only files
 * under the root, of the declared size, and refuses an artifact that does not match its snapshot's
 * sha256.
 *
 * <p>Instances hold no mutable state and are thread-safe; two publishers racing for the same
 * version see exactly one succeed.
 */
public final class PolicySnapshotStore {

    /** Artifact file extension. */
    public static final String EXTENSION = ".params";

    /**
     * Largest artifact loaded: far above any policy of the mazes (well under 1 MiB), far below what
     * would exhaust a fleet's heap.
     */
    public static final long MAX_ARTIFACT_BYTES = 64L << 20;

    private static final int READ_CHUNK = 64 * 1024;

    private static final Pattern EXPERIMENT_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]*");

    private final Path root;
    private final Clock clock;

    /** A store rooted at {@code root}, stamping snapshots with the system clock. */
    public PolicySnapshotStore(Path root) {
        this(root, Clock.systemUTC());
    }

    /** A store rooted at {@code root}, stamping snapshots with {@code clock}. */
    public PolicySnapshotStore(Path root, Clock clock) {
        this.root = Objects.requireNonNull(root, "root").toAbsolutePath().normalize();
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /**
     * A store rooted at a directory path or a {@code file:} URI.
     *
     * @throws IllegalArgumentException for another URI scheme
     */
    public static PolicySnapshotStore at(String pathOrFileUri) {
        Objects.requireNonNull(pathOrFileUri, "pathOrFileUri");
        if (pathOrFileUri.startsWith("file:")) {
            return new PolicySnapshotStore(Path.of(URI.create(pathOrFileUri)));
        }
        if (pathOrFileUri.matches("[A-Za-z][A-Za-z0-9+.-]*://.*")) {
            throw new IllegalArgumentException(
                    "snapshot store root "
                            + pathOrFileUri
                            + " is not supported; use a directory path or a file: URI");
        }
        return new PolicySnapshotStore(Path.of(pathOrFileUri));
    }

    /** The root directory. */
    public Path root() {
        return root;
    }

    /** Where version {@code version} of {@code experimentId} is (or would be) stored. */
    public Path artifactPath(String experimentId, long version) {
        checkExperimentId(experimentId);
        if (version < 0) {
            throw new IllegalArgumentException("version must be >= 0, got " + version);
        }
        return root.resolve(experimentId).resolve("policy-v" + version + EXTENSION);
    }

    /**
     * Writes {@code network}'s weights as version {@code version} of {@code experimentId} and
     * returns the snapshot that announces it.
     *
     * @throws FileAlreadyExistsException if that version was already published
     * @throws IOException if the artifact cannot be written
     */
    public PolicySnapshot publish(
            String experimentId, long version, PolicyNetwork network, Map<String, Double> metrics)
            throws IOException {
        Objects.requireNonNull(network, "network");
        Path target = artifactPath(experimentId, version);
        Path directory = target.getParent();
        Files.createDirectories(directory);
        if (Files.exists(target)) {
            throw alreadyPublished(target, experimentId, version);
        }
        Path temp = Files.createTempFile(directory, target.getFileName() + ".", ".tmp");
        String sha256;
        long size;
        try {
            MessageDigest digest = sha256();
            try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE)) {
                OutputStream file = Channels.newOutputStream(channel);
                DataOutputStream out =
                        new DataOutputStream(
                                new BufferedOutputStream(new DigestOutputStream(file, digest)));
                network.writeTo(out);
                out.flush();
                channel.force(true);
            }
            sha256 = HexFormat.of().formatHex(digest.digest());
            size = Files.size(temp);
            try {
                // A hard link is an atomic create-if-absent: the version appears whole or not at
                // all.
                Files.createLink(target, temp);
            } catch (FileAlreadyExistsException e) {
                throw alreadyPublished(target, experimentId, version);
            } catch (UnsupportedOperationException e) {
                // No hard links here: a rename without REPLACE_EXISTING still refuses an existing
                // file.
                Files.move(temp, target);
            }
        } finally {
            Files.deleteIfExists(temp);
        }
        forceDirectory(directory);
        return PolicySnapshot.newBuilder()
                .setExperimentId(experimentId)
                .setVersion(version)
                .setCreatedTimeMs(clock.millis())
                .setArtifactUri(target.toUri().toString())
                .setSha256(sha256)
                .setArtifactSize(size)
                .setMetrics(new HashMap<>(metrics == null ? Map.of() : metrics))
                .build();
    }

    /**
     * Loads the network a snapshot announces, after checking where its artifact lies, its size and
     * its sha256. The caller owns (and closes) the returned network.
     *
     * <p>The snapshot record is input from a topic, so nothing it names is trusted: the artifact
     * must be a regular file under this store's root once every symbolic link is resolved, of the
     * size the record declares (when it declares one) and at most {@link #MAX_ARTIFACT_BYTES}
     * bytes; it is hashed as it is read, in chunks, and parsed only once the hash matched.
     *
     * @throws SnapshotRefusedException if the artifact lies outside the store, is not a regular
     *     file, or its size is wrong or too large
     * @throws SnapshotIntegrityException if the artifact's bytes do not match the snapshot's sha256
     * @throws IOException if the artifact cannot be read or is not a policy network
     */
    public PolicyNetwork load(PolicySnapshot snapshot) throws IOException {
        Objects.requireNonNull(snapshot, "snapshot");
        String uri = snapshot.getArtifactUri();
        Path file = confinedArtifact(uri);
        BasicFileAttributes attributes =
                Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        if (!attributes.isRegularFile()) {
            throw new SnapshotRefusedException(
                    uri, "it is not a regular file (a device, a pipe or a directory)");
        }
        long size = attributes.size();
        Long declared = snapshot.getArtifactSize();
        if (declared != null && declared != size) {
            throw new SnapshotRefusedException(
                    uri, "the snapshot declares " + declared + " bytes, the file has " + size);
        }
        if (size > MAX_ARTIFACT_BYTES) {
            throw new SnapshotRefusedException(
                    uri,
                    "it has " + size + " bytes, more than the " + MAX_ARTIFACT_BYTES + " allowed");
        }
        MessageDigest digest = sha256();
        byte[] bytes = readHashing(file, (int) size, digest, uri);
        String actual = HexFormat.of().formatHex(digest.digest());
        String expected = snapshot.getSha256();
        if (!actual.equalsIgnoreCase(expected)) {
            throw new SnapshotIntegrityException(file, expected, actual);
        }
        DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes));
        PolicyNetwork network;
        try {
            network = PolicyNetwork.readFrom(in);
        } catch (IOException e) {
            throw new IOException("cannot read policy artifact " + file + ": " + e.getMessage(), e);
        }
        if (in.available() > 0) {
            network.close();
            throw new IOException(
                    "policy artifact " + file + " has " + in.available() + " trailing bytes");
        }
        return network;
    }

    /**
     * The file an artifact URI names, if it lies under the root: a {@code file:} URI without {@code
     * ..} whose real path (every symbolic link resolved) lies under the root's real path. Real
     * paths on both sides, so that a root reached through a link (a mount point, macOS's /tmp)
     * still matches the URIs the learner wrote with its own spelling of it.
     */
    private Path confinedArtifact(String artifactUri) throws IOException {
        Objects.requireNonNull(artifactUri, "artifact_uri");
        Path file;
        try {
            URI uri = new URI(artifactUri);
            if (!"file".equalsIgnoreCase(uri.getScheme())) {
                throw new SnapshotRefusedException(
                        artifactUri, "it is not a file: URI; this store reads files");
            }
            file = Path.of(uri);
        } catch (URISyntaxException | IllegalArgumentException | FileSystemNotFoundException e) {
            throw new SnapshotRefusedException(artifactUri, "it is not a valid file: URI");
        }
        for (Path name : file) {
            if (name.toString().equals("..")) {
                throw new SnapshotRefusedException(artifactUri, "it contains '..'");
            }
        }
        Path real;
        try {
            real = file.toRealPath();
        } catch (NoSuchFileException e) {
            throw new NoSuchFileException(
                    file.toString(), null, "the snapshot's artifact does not exist");
        }
        // A symbolic link inside the root may lead anywhere: judge the file it resolves to.
        if (!real.startsWith(root.toRealPath())) {
            throw new SnapshotRefusedException(
                    artifactUri, "it resolves to " + real + ", outside the snapshot store " + root);
        }
        return real;
    }

    /**
     * Reads exactly {@code size} bytes, feeding {@code digest} as they come, and refuses a file
     * that turns out shorter or longer (changed while read).
     */
    private static byte[] readHashing(Path file, int size, MessageDigest digest, String uri)
            throws IOException {
        byte[] bytes = new byte[size];
        try (InputStream in = Files.newInputStream(file, LinkOption.NOFOLLOW_LINKS)) {
            int read = 0;
            while (read < size) {
                int n = in.read(bytes, read, Math.min(READ_CHUNK, size - read));
                if (n < 0) {
                    throw new SnapshotRefusedException(
                            uri, "it shrank to " + read + " bytes while it was read");
                }
                digest.update(bytes, read, n);
                read += n;
            }
            if (in.read() >= 0) {
                throw new SnapshotRefusedException(uri, "it grew while it was read");
            }
        }
        return bytes;
    }

    private static void checkExperimentId(String experimentId) {
        if (experimentId == null
                || !EXPERIMENT_ID.matcher(experimentId).matches()
                || experimentId.contains("..")) {
            throw new IllegalArgumentException(
                    "experiment id \""
                            + experimentId
                            + "\" cannot name a directory; use letters, digits, '.', '_' and '-',"
                            + " starting with a letter or digit");
        }
    }

    private static FileAlreadyExistsException alreadyPublished(
            Path target, String experimentId, long version) {
        return new FileAlreadyExistsException(
                target.toString(),
                null,
                "version "
                        + version
                        + " of experiment "
                        + experimentId
                        + " is already published; snapshot versions are immutable, publish a"
                        + " new version");
    }

    /** Makes the new directory entry durable; best effort where directories cannot be opened. */
    private static void forceDirectory(Path directory) {
        try (FileChannel channel = FileChannel.open(directory, StandardOpenOption.READ)) {
            channel.force(true);
        } catch (IOException | UnsupportedOperationException e) {
            // Not every platform can fsync a directory; the artifact itself was forced.
        }
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JVM has no SHA-256", e);
        }
    }
}
