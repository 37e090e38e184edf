package io.creditstream.schemas.trust;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.creditstream.schemas.PolicySnapshot;
import io.creditstream.schemas.codec.AvroCodec;
import java.nio.ByteBuffer;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Signing, key files and the gate every snapshot reader applies. */
class SnapshotTrustTest {

    private static Path keys;
    private static PrivateKey privateKey;
    private static PublicKey publicKey;

    @BeforeAll
    static void generateKeys(@TempDir Path dir) throws Exception {
        keys = dir;
        SigningKeys.KeyFiles files = SigningKeys.generate(dir);
        privateKey = SigningKeys.readPrivateKey(files.privateKey());
        publicKey = SigningKeys.readPublicKey(files.publicKey());
    }

    static PolicySnapshot snapshot(long version) {
        Map<String, Double> metrics = new HashMap<>();
        metrics.put("trained_policy_version", version - 1.0);
        metrics.put("loss", 0.25);
        return PolicySnapshot.newBuilder()
                .setExperimentId("demo")
                .setVersion(version)
                .setCreatedTimeMs(1_700_000_000_000L)
                .setArtifactUri("file:///store/demo/policy-v" + version + ".params")
                .setSha256("ab".repeat(32))
                .setArtifactSize(1234L)
                .setMetrics(metrics)
                .build();
    }

    @Test
    void aSignatureSurvivesTheWireAndCoversEveryField() {
        PolicySnapshot signed = SnapshotSignatures.sign(snapshot(7), privateKey);
        AvroCodec<PolicySnapshot> codec = AvroCodec.of(PolicySnapshot.class);
        PolicySnapshot read = codec.decode(codec.encode(signed));
        assertThat(SnapshotSignatures.verify(read, publicKey)).isTrue();
        assertThat(SnapshotSignatures.signedWith(read, privateKey)).isTrue();

        PolicySnapshot.Builder[] altered = {
            PolicySnapshot.newBuilder(read).setExperimentId("other"),
            PolicySnapshot.newBuilder(read).setVersion(1L << 62),
            PolicySnapshot.newBuilder(read).setCreatedTimeMs(1),
            PolicySnapshot.newBuilder(read).setArtifactUri("file:///dev/zero"),
            PolicySnapshot.newBuilder(read).setSha256("cd".repeat(32)),
            PolicySnapshot.newBuilder(read).setArtifactSize(null),
            PolicySnapshot.newBuilder(read).setArtifactSize(1235L),
            PolicySnapshot.newBuilder(read)
                    .setMetrics(Map.of("trained_policy_version", 1e9, "loss", 0.25)),
        };
        for (PolicySnapshot.Builder change : altered) {
            assertThat(SnapshotSignatures.verify(change.build(), publicKey)).isFalse();
        }
    }

    @Test
    void theCanonicalEncodingIsPinned() throws Exception {
        // python/tests/test_signing.py pins the same hash for the same record: the Python client
        // signs and verifies the same bytes.
        byte[] hash =
                java.security.MessageDigest.getInstance("SHA-256")
                        .digest(SnapshotSignatures.canonical(snapshot(7)));
        assertThat(java.util.HexFormat.of().formatHex(hash))
                .isEqualTo("243bde0464a67aabbb3dcf77894781a030ada5a91c22eb7e01ce77dca4aebaab");
    }

    @Test
    void theCanonicalEncodingIgnoresMapOrder() {
        PolicySnapshot a = snapshot(3);
        Map<String, Double> reversed = new java.util.LinkedHashMap<>();
        reversed.put("loss", 0.25);
        reversed.put("trained_policy_version", 2.0);
        PolicySnapshot b = PolicySnapshot.newBuilder(a).setMetrics(reversed).build();
        assertThat(SnapshotSignatures.canonical(b)).isEqualTo(SnapshotSignatures.canonical(a));
    }

    @Test
    void anotherKeysSignatureIsAForgery(@TempDir Path dir) throws Exception {
        PrivateKey other = SigningKeys.readPrivateKey(SigningKeys.generate(dir).privateKey());
        PolicySnapshot forged = SnapshotSignatures.sign(snapshot(5), other);
        assertThat(SnapshotSignatures.verify(forged, publicKey)).isFalse();
        assertThat(SnapshotSignatures.signedWith(forged, privateKey)).isFalse();
        PolicySnapshot garbage =
                PolicySnapshot.newBuilder(snapshot(5))
                        .setSignature(ByteBuffer.wrap(new byte[] {1, 2, 3}))
                        .build();
        assertThat(SnapshotSignatures.verify(garbage, publicKey)).isFalse();
    }

    @Test
    void keysReadAsPemOrDerAndAreNeverOverwritten(@TempDir Path dir) throws Exception {
        Path der = dir.resolve("public.der");
        Files.write(der, publicKey.getEncoded());
        assertThat(SigningKeys.readPublicKey(der)).isEqualTo(publicKey);
        Path privateDer = dir.resolve("private.der");
        Files.write(privateDer, privateKey.getEncoded());
        PolicySnapshot signed =
                SnapshotSignatures.sign(snapshot(1), SigningKeys.readPrivateKey(privateDer));
        assertThat(SnapshotSignatures.verify(signed, publicKey)).isTrue();

        Path privateFile = keys.resolve(SigningKeys.PRIVATE_KEY_FILE);
        if (Files.getFileStore(privateFile).supportsFileAttributeView("posix")) {
            assertThat(Files.getPosixFilePermissions(privateFile))
                    .containsExactlyInAnyOrder(
                            PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE);
        }
        assertThatThrownBy(() -> SigningKeys.generate(keys))
                .isInstanceOf(FileAlreadyExistsException.class);
        // The public key where the private one belongs: named, and no key bytes printed.
        assertThatThrownBy(
                        () -> SigningKeys.readPrivateKey(keys.resolve(SigningKeys.PUBLIC_KEY_FILE)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(SigningKeys.PUBLIC_KEY_FILE)
                .hasMessageContaining("BEGIN PRIVATE KEY");
    }

    @Test
    void theGateRefusesUnsignedForgedAndJumpingSnapshots(@TempDir Path dir) throws Exception {
        SnapshotGate gate = new SnapshotGate(publicKey, 1000);
        PolicySnapshot forged = snapshot(1L << 62);
        assertThat(gate.judge(forged, 10L)).isEqualTo(SnapshotGate.Verdict.VERSION_OUT_OF_RANGE);
        assertThat(gate.judge(snapshot(11), 10L)).isEqualTo(SnapshotGate.Verdict.UNSIGNED);
        PrivateKey other = SigningKeys.readPrivateKey(SigningKeys.generate(dir).privateKey());
        assertThat(gate.judge(SnapshotSignatures.sign(snapshot(11), other), 10L))
                .isEqualTo(SnapshotGate.Verdict.BAD_SIGNATURE);
        assertThat(gate.judge(SnapshotSignatures.sign(snapshot(11), privateKey), 10L))
                .isEqualTo(SnapshotGate.Verdict.BELIEVED);
        // Even the key holder may not jump ahead of what readers believe...
        assertThat(gate.judge(SnapshotSignatures.sign(snapshot(1010), privateKey), 10L))
                .isEqualTo(SnapshotGate.Verdict.BELIEVED);
        assertThat(gate.judge(SnapshotSignatures.sign(snapshot(1011), privateKey), 10L))
                .isEqualTo(SnapshotGate.Verdict.VERSION_JUMP);
        // ...but may start anywhere when the reader believes nothing yet.
        assertThat(gate.judge(SnapshotSignatures.sign(snapshot(50_000), privateKey), null))
                .isEqualTo(SnapshotGate.Verdict.BELIEVED);
    }

    @Test
    void withoutAKeyOnlyTheVersionBoundsHold() {
        SnapshotGate gate = new SnapshotGate(null, 1000);
        assertThat(gate.verifiesSignatures()).isFalse();
        assertThat(gate.judge(snapshot(11), 10L)).isEqualTo(SnapshotGate.Verdict.BELIEVED);
        assertThat(gate.judge(snapshot(1000), null)).isEqualTo(SnapshotGate.Verdict.BELIEVED);
        assertThat(gate.judge(snapshot(1001), null)).isEqualTo(SnapshotGate.Verdict.VERSION_JUMP);
        assertThat(gate.judge(snapshot(1L << 53), (1L << 53) - 1))
                .isEqualTo(SnapshotGate.Verdict.BELIEVED);
        assertThat(gate.judge(snapshot(-1), null))
                .isEqualTo(SnapshotGate.Verdict.VERSION_OUT_OF_RANGE);
        assertThat(gate.describeRefusal(snapshot(1001), SnapshotGate.Verdict.VERSION_JUMP, null))
                .contains("max-version-jump (1000)");
        assertThatThrownBy(() -> new SnapshotGate(null, 0))
                .hasMessageContaining("max-version-jump");
    }

    @Test
    void aGateSurvivesJavaSerialization() throws Exception {
        SnapshotGate gate = new SnapshotGate(publicKey, 5);
        var bytes = new java.io.ByteArrayOutputStream();
        try (var out = new java.io.ObjectOutputStream(bytes)) {
            out.writeObject(gate);
        }
        SnapshotGate copy;
        try (var in =
                new java.io.ObjectInputStream(
                        new java.io.ByteArrayInputStream(bytes.toByteArray()))) {
            copy = (SnapshotGate) in.readObject();
        }
        assertThat(copy.judge(SnapshotSignatures.sign(snapshot(3), privateKey), 1L))
                .isEqualTo(SnapshotGate.Verdict.BELIEVED);
        assertThat(copy.judge(snapshot(3), 1L)).isEqualTo(SnapshotGate.Verdict.UNSIGNED);
    }
}
