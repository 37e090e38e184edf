package io.creditstream.policy.model;

import io.creditstream.schemas.PolicySnapshot;
import java.io.BufferedOutputStream;
import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
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
 * loaded it and a learner that recorded its sha256 agree forever. {@link #load} recomputes the
 * sha256 and refuses an artifact that does not match its snapshot.
 *
 * <p>Instances hold no mutable state and are thread-safe; two publishers racing for the same
 * version see exactly one succeed.
 */
public final class PolicySnapshotStore {

    /** Artifact file extension. */
    public static final String EXTENSION = ".params";

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
                .setMetrics(new HashMap<>(metrics == null ? Map.of() : metrics))
                .build();
    }

    /**
     * Loads the network a snapshot announces, after checking the artifact's sha256. The caller owns
     * (and closes) the returned network.
     *
     * @throws SnapshotIntegrityException if the artifact's bytes do not match the snapshot's sha256
     * @throws IOException if the artifact cannot be read or is not a policy network
     */
    public PolicyNetwork load(PolicySnapshot snapshot) throws IOException {
        Objects.requireNonNull(snapshot, "snapshot");
        Path file = artifactFile(snapshot.getArtifactUri());
        byte[] bytes = Files.readAllBytes(file);
        String actual = HexFormat.of().formatHex(sha256().digest(bytes));
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

    private static Path artifactFile(String artifactUri) {
        URI uri = URI.create(Objects.requireNonNull(artifactUri, "artifact_uri"));
        if (!"file".equalsIgnoreCase(uri.getScheme())) {
            throw new IllegalArgumentException(
                    "artifact_uri " + artifactUri + " is not a file: URI; this store reads files");
        }
        return Path.of(uri);
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
