package io.creditstream.policy.service;

import io.creditstream.policy.model.PolicyNetwork;
import io.creditstream.policy.model.PolicySnapshotStore;
import io.creditstream.schemas.PolicySnapshot;
import io.creditstream.schemas.codec.AvroCodec;
import io.creditstream.schemas.trust.SigningKeys;
import io.creditstream.schemas.trust.SnapshotGate;
import io.creditstream.schemas.trust.SnapshotSignatures;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PrivateKey;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The learner's side of {@code policy.snapshots}: writes a version's weights to the {@link
 * PolicySnapshotStore} and announces it, and at start-up makes sure neither the topic nor the store
 * is ahead of the checkpoint (another learner on the same experiment, or a lost checkpoint). A
 * version is published at most once with given weights: an artifact already in the store is reused
 * only if it holds exactly these weights.
 */
final class SnapshotPublisher {
    private static final Logger LOG = LoggerFactory.getLogger(SnapshotPublisher.class);

    private static final Pattern ARTIFACT_NAME =
            Pattern.compile("policy-v(\\d+)" + Pattern.quote(PolicySnapshotStore.EXTENSION));

    private final LearnerSettings settings;
    private final PolicySnapshotStore store;
    private final Producer<String, byte[]> producer;
    private final AvroCodec<PolicySnapshot> codec = AvroCodec.of(PolicySnapshot.class);

    /** Signs every snapshot; null publishes them unsigned. */
    private final PrivateKey signingKey;

    /** The version bounds for what the topic says at start-up (signatures checked separately). */
    private final SnapshotGate versionGate;

    private final AtomicLong refused = new AtomicLong();

    /**
     * @throws InvalidSettingException if the signing key cannot be read or is not an Ed25519 key
     */
    SnapshotPublisher(
            LearnerSettings settings,
            PolicySnapshotStore store,
            Producer<String, byte[]> producer) {
        this.settings = settings;
        this.store = store;
        this.producer = producer;
        this.signingKey = settings.signingKey().map(SnapshotPublisher::readKey).orElse(null);
        this.versionGate = new SnapshotGate(null, settings.maxVersionJump());
        if (signingKey == null) {
            LOG.warn(
                    "Publishing UNSIGNED snapshots of {}: anyone who can write {} can move the"
                            + " policy version the fleet and the job believe. Pass --signing-key"
                            + " (make one with `learner --generate-signing-key DIR`) and give the"
                            + " readers its public key",
                    settings.experimentId(),
                    settings.snapshotsTopic());
        }
    }

    private static PrivateKey readKey(Path file) {
        try {
            return SigningKeys.readPrivateKey(file);
        } catch (IOException | IllegalArgumentException e) {
            throw new InvalidSettingException(
                    "signing-key",
                    "cannot read an Ed25519 private key from "
                            + file
                            + " ("
                            + e.getMessage()
                            + "); make one with `learner --generate-signing-key DIR`",
                    e);
        }
    }

    /** Snapshots on the topic ignored at start-up: unsigned, forged, or jumping too far. */
    long refused() {
        return refused.get();
    }

    /**
     * Publishes {@code network}'s weights as {@code snapshotVersion}: artifact first, then the
     * record; {@code afterArtifact} runs between the two (where the crash tests strike).
     */
    PolicySnapshot publish(
            long snapshotVersion,
            PolicyNetwork network,
            Map<String, Double> metrics,
            Runnable afterArtifact)
            throws IOException {
        String experiment = settings.experimentId();
        Path artifact = store.artifactPath(experiment, snapshotVersion);
        PolicySnapshot snapshot;
        if (Files.exists(artifact)) {
            snapshot = existingArtifact(snapshotVersion, artifact, network, metrics);
        } else {
            try {
                snapshot = store.publish(experiment, snapshotVersion, network, metrics);
            } catch (FileAlreadyExistsException e) {
                snapshot = existingArtifact(snapshotVersion, artifact, network, metrics);
            }
        }
        if (signingKey != null) {
            snapshot = SnapshotSignatures.sign(snapshot, signingKey);
        }
        afterArtifact.run();
        try {
            producer.send(
                            new ProducerRecord<>(
                                    settings.snapshotsTopic(), experiment, codec.encode(snapshot)))
                    .get(settings.kafkaTimeout().toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw new IllegalStateException(
                    "cannot announce version "
                            + snapshotVersion
                            + " on "
                            + settings.snapshotsTopic()
                            + ": "
                            + e.getCause().getMessage(),
                    e.getCause());
        } catch (TimeoutException e) {
            throw KafkaTopics.unreachable(settings.bootstrapServers(), settings.kafkaTimeout(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while announcing a snapshot", e);
        }
        LOG.info(
                "Published version {} of {} ({})",
                snapshotVersion,
                experiment,
                snapshot.getSha256());
        return snapshot;
    }

    /**
     * Makes sure the artifact of an announced version is in the store with exactly the current
     * weights: rewrites it (bit for bit what was announced) if the store lost it, fails if it holds
     * other weights.
     */
    void restoreArtifact(long announcedVersion, PolicyNetwork network) throws IOException {
        Path artifact = store.artifactPath(settings.experimentId(), announcedVersion);
        if (Files.exists(artifact)) {
            existingArtifact(announcedVersion, artifact, network, Map.of());
            return;
        }
        LOG.warn(
                "Version {} of {} is announced but {} is missing; writing it again from the"
                        + " checkpoint",
                announcedVersion,
                settings.experimentId(),
                artifact);
        try {
            store.publish(settings.experimentId(), announcedVersion, network, Map.of());
        } catch (FileAlreadyExistsException e) {
            existingArtifact(announcedVersion, artifact, network, Map.of());
        }
    }

    /**
     * The snapshot of an artifact already in the store, if it holds exactly the current weights: a
     * crash after publishing it, or a second start from the same seed.
     */
    private PolicySnapshot existingArtifact(
            long snapshotVersion, Path artifact, PolicyNetwork network, Map<String, Double> metrics)
            throws IOException {
        byte[] stored = Files.readAllBytes(artifact);
        if (!Arrays.equals(stored, LearnerService.serialized(network))) {
            throw new IllegalStateException(
                    "the store already holds version "
                            + snapshotVersion
                            + " of experiment '"
                            + settings.experimentId()
                            + "' ("
                            + artifact
                            + ") with other weights than this learner's; another learner publishes"
                            + " this experiment, or the store outlived its checkpoint. Use a new"
                            + " --experiment, or another --store");
        }
        return PolicySnapshot.newBuilder()
                .setExperimentId(settings.experimentId())
                .setVersion(snapshotVersion)
                .setCreatedTimeMs(System.currentTimeMillis())
                .setArtifactUri(artifact.toUri().toString())
                .setSha256(HexFormat.of().formatHex(sha256().digest(stored)))
                .setArtifactSize((long) stored.length)
                .setMetrics(new HashMap<>(metrics))
                .build();
    }

    /**
     * The versions of this experiment already on the snapshot topic that this learner believes:
     * with a signing key, those it signed itself (Ed25519 signatures are deterministic, so it
     * checks them by signing again); without one, those within {@code max-version-jump} of the
     * newest believed before them. The others are logged, counted and ignored, so a forged record
     * cannot stop the learner from restarting.
     *
     * @throws IllegalStateException if a believed one is newer than {@code version}, the
     *     checkpoint's
     */
    Set<Long> announcedVersions(long version) {
        TreeSet<Long> versions = new TreeSet<>();
        try (PolicySnapshotReader reader =
                new PolicySnapshotReader(
                        settings.bootstrapServers(),
                        settings.snapshotsTopic(),
                        settings.kafkaTimeout(),
                        "creditstream-policy-" + settings.experimentId() + "-startup",
                        settings.kafkaSecurity())) {
            for (PolicySnapshot snapshot : reader.readToEnd(settings.kafkaTimeout())) {
                if (snapshot.getExperimentId().equals(settings.experimentId())
                        && believed(snapshot, versions.isEmpty() ? null : versions.last())) {
                    versions.add(snapshot.getVersion());
                }
            }
        } catch (org.apache.kafka.common.errors.TimeoutException e) {
            throw KafkaTopics.unreachable(settings.bootstrapServers(), settings.kafkaTimeout(), e);
        }
        long newest = versions.isEmpty() ? -1 : versions.last();
        if (newest > version) {
            throw conflict(
                    "topic " + settings.snapshotsTopic() + " already announces", newest, version);
        }
        return versions;
    }

    private boolean believed(PolicySnapshot snapshot, Long newest) {
        SnapshotGate.Verdict verdict;
        if (signingKey == null) {
            verdict = versionGate.judge(snapshot, newest);
        } else if (SnapshotSignatures.signature(snapshot) == null) {
            verdict = SnapshotGate.Verdict.UNSIGNED;
        } else if (!SnapshotSignatures.signedWith(snapshot, signingKey)) {
            verdict = SnapshotGate.Verdict.BAD_SIGNATURE;
        } else {
            // Its own signature: the truth about what it published, however far it jumps.
            verdict =
                    snapshot.getVersion() >= 0 && snapshot.getVersion() <= SnapshotGate.MAX_VERSION
                            ? SnapshotGate.Verdict.BELIEVED
                            : SnapshotGate.Verdict.VERSION_OUT_OF_RANGE;
        }
        if (verdict == SnapshotGate.Verdict.BELIEVED) {
            return true;
        }
        refused.incrementAndGet();
        LOG.warn(
                "Ignoring a record on {}: {}",
                settings.snapshotsTopic(),
                versionGate.describeRefusal(snapshot, verdict, newest));
        return false;
    }

    /** Fails if the store holds an artifact newer than {@code version}, the checkpoint's. */
    void checkStoreHoldsNothingNewer(long version) throws IOException {
        Path directory = store.root().resolve(settings.experimentId());
        if (!Files.isDirectory(directory)) {
            return;
        }
        long newest = -1;
        try (DirectoryStream<Path> files =
                Files.newDirectoryStream(directory, "policy-v*" + PolicySnapshotStore.EXTENSION)) {
            for (Path file : files) {
                Matcher matcher = ARTIFACT_NAME.matcher(file.getFileName().toString());
                if (matcher.matches()) {
                    newest = Math.max(newest, Long.parseLong(matcher.group(1)));
                }
            }
        }
        if (newest > version) {
            throw conflict("store " + directory + " already holds", newest, version);
        }
    }

    private IllegalStateException conflict(String where, long newest, long version) {
        return new IllegalStateException(
                where
                        + " version "
                        + newest
                        + " of experiment '"
                        + settings.experimentId()
                        + "', but "
                        + (version == 0
                                ? "there is no checkpoint at " + settings.checkpointFile()
                                : "the checkpoint "
                                        + settings.checkpointFile()
                                        + " is at version "
                                        + version)
                        + ": another learner publishes this experiment, or its checkpoint was"
                        + " lost. Pass the right --checkpoint, or start a new --experiment");
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JVM has no SHA-256", e);
        }
    }
}
