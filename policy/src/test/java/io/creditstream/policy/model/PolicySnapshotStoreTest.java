package io.creditstream.policy.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.creditstream.schemas.PolicySnapshot;
import io.creditstream.schemas.codec.AvroCodec;
import java.io.IOException;
import java.net.URI;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PolicySnapshotStoreTest {

    private static final NetworkSpec SPEC = NetworkSpec.keyDoorMaze(7, 11).withHiddenSize(32);
    private static final Clock CLOCK =
            Clock.fixed(Instant.ofEpochMilli(1_700_000_000_000L), ZoneOffset.UTC);

    @TempDir Path root;

    @Test
    void publishedSnapshotSurvivesAvroAndLoadsTheSameLogProbs() throws Exception {
        PolicySnapshotStore store = new PolicySnapshotStore(root, CLOCK);
        List<String> observations = MazeObservations.everyAgentPosition();
        try (PolicyNetwork network = PolicyNetwork.create(SPEC, 21)) {
            PolicySnapshot published = store.publish("exp-1", 3, network, Map.of("loss", 0.5));

            AvroCodec<PolicySnapshot> codec = AvroCodec.of(PolicySnapshot.class);
            PolicySnapshot received = codec.decode(codec.encode(published));

            Path artifact = root.resolve("exp-1").resolve("policy-v3.params");
            assertThat(received.getExperimentId()).isEqualTo("exp-1");
            assertThat(received.getVersion()).isEqualTo(3);
            assertThat(received.getCreatedTimeMs()).isEqualTo(1_700_000_000_000L);
            assertThat(received.getMetrics()).containsEntry("loss", 0.5);
            assertThat(Path.of(URI.create(received.getArtifactUri()))).isEqualTo(artifact);
            assertThat(received.getSha256()).isEqualTo(sha256(Files.readAllBytes(artifact)));
            try (PolicyNetwork loaded = store.load(received)) {
                assertThat(loaded.logProbabilities(observations))
                        .isDeepEqualTo(network.logProbabilities(observations));
            }
        }
        try (Stream<Path> files = Files.list(root.resolve("exp-1"))) {
            assertThat(files).containsExactly(root.resolve("exp-1").resolve("policy-v3.params"));
        }
    }

    @Test
    void refusesATamperedArtifactNamingFileAndBothHashes() throws Exception {
        PolicySnapshotStore store = new PolicySnapshotStore(root, CLOCK);
        PolicySnapshot snapshot;
        try (PolicyNetwork network = PolicyNetwork.create(SPEC, 21)) {
            snapshot = store.publish("exp-1", 1, network, Map.of());
        }
        Path artifact = store.artifactPath("exp-1", 1);
        byte[] bytes = Files.readAllBytes(artifact);
        bytes[bytes.length - 1] ^= 0x01;
        Files.write(artifact, bytes);

        assertThatThrownBy(() -> store.load(snapshot))
                .isInstanceOfSatisfying(
                        SnapshotIntegrityException.class,
                        e -> {
                            assertThat(e.file()).isEqualTo(artifact);
                            assertThat(e.expectedSha256()).isEqualTo(snapshot.getSha256());
                            assertThat(e.actualSha256()).isEqualTo(sha256(bytes));
                        })
                .hasMessageContaining(artifact.toString())
                .hasMessageContaining(snapshot.getSha256())
                .hasMessageContaining(sha256(bytes));
    }

    @Test
    void refusesToPublishTheSameVersionTwice() throws Exception {
        PolicySnapshotStore store = new PolicySnapshotStore(root, CLOCK);
        try (PolicyNetwork first = PolicyNetwork.create(SPEC, 1);
                PolicyNetwork second = PolicyNetwork.create(SPEC, 2)) {
            PolicySnapshot published = store.publish("exp-1", 5, first, Map.of());

            assertThatThrownBy(() -> store.publish("exp-1", 5, second, Map.of()))
                    .isInstanceOf(FileAlreadyExistsException.class)
                    .hasMessageContaining("version 5 of experiment exp-1 is already published");

            // The first version is untouched and no temporary file is left behind.
            try (PolicyNetwork loaded = store.load(published)) {
                assertThat(loaded.weights().get("logits.weight"))
                        .isEqualTo(first.weights().get("logits.weight"));
            }
            try (Stream<Path> files = Files.list(root.resolve("exp-1"))) {
                assertThat(files).hasSize(1);
            }
        }
    }

    @Test
    void acceptsAFileUriRoot() throws Exception {
        PolicySnapshotStore store = PolicySnapshotStore.at(root.toUri().toString());

        assertThat(store.root()).isEqualTo(root.toAbsolutePath().normalize());
        assertThat(PolicySnapshotStore.at(root.toString()).root()).isEqualTo(store.root());
        assertThatThrownBy(() -> PolicySnapshotStore.at("s3://bucket/policies"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("file: URI");
    }

    @Test
    void rejectsExperimentIdsThatEscapeTheRoot() {
        PolicySnapshotStore store = new PolicySnapshotStore(root, CLOCK);

        assertThatThrownBy(() -> store.artifactPath("../elsewhere", 1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("cannot name a directory");
        assertThatThrownBy(() -> store.artifactPath("a/b", 1))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> store.artifactPath("exp", -1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("version must be >= 0");
    }

    @Test
    void reportsAMissingArtifact() {
        PolicySnapshotStore store = new PolicySnapshotStore(root, CLOCK);
        PolicySnapshot missing =
                PolicySnapshot.newBuilder()
                        .setExperimentId("exp")
                        .setVersion(9)
                        .setCreatedTimeMs(0)
                        .setArtifactUri(root.resolve("nope.params").toUri().toString())
                        .setSha256("00")
                        .build();

        assertThatThrownBy(() -> store.load(missing)).isInstanceOf(IOException.class);
    }

    @Test
    void refusesArtifactsOutsideTheStoreOrOfTheWrongSize(@TempDir Path elsewhere) throws Exception {
        PolicySnapshotStore store = new PolicySnapshotStore(root, CLOCK);
        try (PolicyNetwork network = PolicyNetwork.create(SPEC, 5)) {
            PolicySnapshot published = store.publish("exp", 1, network, Map.of());
            assertThat(published.getArtifactSize())
                    .isEqualTo(Files.size(root.resolve("exp").resolve("policy-v1.params")));

            // The attacks: a device that never ends, a system file; both before any read.
            assertRefused(store, pointingAt(published, "file:///dev/zero"), "outside");
            assertRefused(store, pointingAt(published, "file:///etc/passwd"), "outside");
            assertRefused(
                    store, pointingAt(published, root.toUri() + "exp/../../etc/passwd"), "'..'");
            assertRefused(store, pointingAt(published, "http://example.invalid/x"), "file: URI");

            // A link inside the store that leads out of it is judged by where it leads.
            Path outside = elsewhere.resolve("weights.params");
            Files.copy(root.resolve("exp").resolve("policy-v1.params"), outside);
            Path link = root.resolve("exp").resolve("policy-v2.params");
            Files.createSymbolicLink(link, outside);
            assertRefused(store, pointingAt(published, link.toUri().toString()), "resolves to");
            Path devLink = root.resolve("exp").resolve("policy-v3.params");
            Files.createSymbolicLink(devLink, Path.of("/dev/zero"));
            assertRefused(store, pointingAt(published, devLink.toUri().toString()), "outside");

            // A device inside the root (here: a directory) is not a regular file.
            Files.createDirectories(root.resolve("exp").resolve("policy-v4.params"));
            assertRefused(
                    store,
                    pointingAt(published, root.resolve("exp/policy-v4.params").toUri().toString()),
                    "not a regular file");

            // The declared size is checked before a byte is read.
            PolicySnapshot wrongSize =
                    PolicySnapshot.newBuilder(published)
                            .setArtifactSize(published.getArtifactSize() + 1)
                            .build();
            assertRefused(store, wrongSize, "declares");

            // An undeclared size (older publishers) still loads, bounded by the maximum.
            try (PolicyNetwork loaded =
                    store.load(
                            PolicySnapshot.newBuilder(published).setArtifactSize(null).build())) {
                assertThat(loaded.spec()).isEqualTo(network.spec());
            }
        }
    }

    private static PolicySnapshot pointingAt(PolicySnapshot snapshot, String uri) {
        return PolicySnapshot.newBuilder(snapshot)
                .setArtifactUri(uri)
                .setArtifactSize(null)
                .build();
    }

    private static void assertRefused(
            PolicySnapshotStore store, PolicySnapshot snapshot, String why) {
        assertThatThrownBy(() -> store.load(snapshot).close())
                .isInstanceOf(SnapshotRefusedException.class)
                .hasMessageContaining("refused")
                .hasMessageContaining(why);
    }

    private static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
