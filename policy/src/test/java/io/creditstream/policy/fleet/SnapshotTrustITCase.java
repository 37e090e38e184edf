package io.creditstream.policy.fleet;

import static io.creditstream.policy.service.ServiceTestSupport.EXPERIMENT;
import static io.creditstream.policy.service.ServiceTestSupport.PATIENCE;
import static io.creditstream.policy.service.ServiceTestSupport.batch;
import static io.creditstream.policy.service.ServiceTestSupport.encode;
import static io.creditstream.policy.service.ServiceTestSupport.freshTopic;
import static io.creditstream.policy.service.ServiceTestSupport.pollUntilVersion;
import static io.creditstream.policy.service.ServiceTestSupport.smallLearner;
import static io.creditstream.policy.service.ServiceTestSupport.snapshots;
import static io.creditstream.policy.service.ServiceTestSupport.writeCommitted;
import static org.assertj.core.api.Assertions.assertThat;

import io.creditstream.broker.EmbeddedKafkaExtension;
import io.creditstream.policy.service.LearnerService;
import io.creditstream.policy.service.LearnerSettings;
import io.creditstream.policy.service.Maze;
import io.creditstream.schemas.PolicySnapshot;
import io.creditstream.schemas.codec.AvroCodec;
import io.creditstream.schemas.trust.SigningKeys;
import io.creditstream.schemas.trust.SnapshotSignatures;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The forged snapshots against a real broker, learner and fleet: a version of 2^62, far
 * jumps, unsigned and wrongly signed records, artifacts outside the store. None stops the fleet or
 * the learner's restart, and the learner's later real snapshots are believed.
 */
class SnapshotTrustITCase {

    @RegisterExtension static final EmbeddedKafkaExtension KAFKA = new EmbeddedKafkaExtension();

    @TempDir Path dir;

    @Test
    void aSigningFleetIgnoresForgeriesAndFollowsTheLearner() throws Exception {
        SigningKeys.KeyFiles keys = SigningKeys.generate(dir.resolve("keys"));
        PrivateKey otherKey =
                SigningKeys.readPrivateKey(SigningKeys.generate(dir.resolve("other")).privateKey());
        String batches = freshTopic(KAFKA.broker(), "batches");
        String snapshotsTopic = freshTopic(KAFKA.broker(), "snapshots");
        LearnerSettings learnerSettings =
                smallLearner(KAFKA.broker(), batches, snapshotsTopic, dir)
                        .signingKey(keys.privateKey())
                        .build();
        try (LearnerService learner = LearnerService.start(learnerSettings);
                FleetService fleet =
                        new FleetService(
                                fleet(snapshotsTopic)
                                        .snapshotPublicKey(keys.publicKey())
                                        .build())) {
            fleet.start();
            PolicySnapshot real = snapshots(KAFKA.broker(), snapshotsTopic).get(0);
            assertThat(SnapshotSignatures.signature(real)).hasSize(64);

            announce(snapshotsTopic, unsigned(real, 1L << 62, real.getArtifactUri()));
            announce(snapshotsTopic, unsigned(real, 50, real.getArtifactUri()));
            announce(
                    snapshotsTopic,
                    SnapshotSignatures.sign(unsigned(real, 60, "file:///dev/zero"), otherKey));
            // The learner's own signature, moved onto another version: it covers the version.
            announce(snapshotsTopic, PolicySnapshot.newBuilder(real).setVersion(70).build());
            awaitFleet(fleet, () -> fleet.progress().snapshotsRefused() == 4, "4 refusals");

            writeCommitted(KAFKA.broker(), batches, List.of(encode(batch("b1", 64, 1))));
            pollUntilVersion(learner, 1);
            awaitFleet(fleet, () -> fleet.progress().policyVersion() == 1, "the fleet plays v1");
            FleetProgress progress = fleet.progress();
            assertThat(progress.newestSnapshotVersion()).isEqualTo(1);
            assertThat(progress.snapshotsRefused()).isEqualTo(4);
            assertThat(progress.snapshotLoadFailures()).isZero();
            assertThat(fleet.failure()).isEmpty();
        }

        // The learner restarts although the topic announces "newer" versions than its checkpoint.
        try (LearnerService restarted = LearnerService.start(learnerSettings)) {
            assertThat(restarted.version()).isEqualTo(1);
            assertThat(restarted.progress().snapshotsRefused()).isEqualTo(4);
            writeCommitted(KAFKA.broker(), batches, List.of(encode(batch("b2", 64, 2))));
            pollUntilVersion(restarted, 2);
        }
    }

    @Test
    void withoutAKeyVersionBoundsAndTheStoreStillHold() throws Exception {
        String batches = freshTopic(KAFKA.broker(), "batches");
        String snapshotsTopic = freshTopic(KAFKA.broker(), "snapshots");
        LearnerSettings learnerSettings =
                smallLearner(KAFKA.broker(), batches, snapshotsTopic, dir).build();
        try (LearnerService learner = LearnerService.start(learnerSettings);
                FleetService fleet = new FleetService(fleet(snapshotsTopic).build())) {
            fleet.start();
            PolicySnapshot real = snapshots(KAFKA.broker(), snapshotsTopic).get(0);
            assertThat(real.getSignature()).isNull();

            announce(snapshotsTopic, unsigned(real, 1L << 62, real.getArtifactUri()));
            announce(snapshotsTopic, unsigned(real, 5_000, real.getArtifactUri()));
            awaitFleet(fleet, () -> fleet.progress().snapshotsRefused() == 2, "2 refusals");
            // Within the bound an unsigned forgery is believed, but its file is refused: the
            // workers keep playing version 0 and count the failure, instead of reading /dev/zero.
            announce(snapshotsTopic, unsigned(real, 1, "file:///dev/zero"));
            awaitFleet(fleet, () -> fleet.progress().snapshotLoadFailures() >= 1, "a load refusal");

            writeCommitted(KAFKA.broker(), batches, List.of(encode(batch("b1", 64, 1))));
            pollUntilVersion(learner, 1);
            writeCommitted(KAFKA.broker(), batches, List.of(encode(batch("b2", 64, 2))));
            pollUntilVersion(learner, 2);
            awaitFleet(fleet, () -> fleet.progress().policyVersion() == 2, "the fleet plays v2");
            assertThat(fleet.failure()).isEmpty();
        }
        try (LearnerService restarted = LearnerService.start(learnerSettings)) {
            assertThat(restarted.version()).isEqualTo(2);
            assertThat(restarted.progress().snapshotsRefused()).isEqualTo(2);
        }
    }

    private FleetSettings.Builder fleet(String snapshotsTopic) {
        return FleetSettings.builder(KAFKA.broker().bootstrapServers())
                .experimentId(EXPERIMENT)
                .stepsTopic(freshTopic(KAFKA.broker(), "steps"))
                .snapshotsTopic(snapshotsTopic)
                .storeDir(dir.resolve("store"))
                .maze(Maze.SMALL)
                .tasks(2)
                .groupSize(4)
                .seed(5)
                .runId("trust")
                .targetEventsPerSecond(2000)
                .snapshotWait(PATIENCE)
                .kafkaTimeout(PATIENCE);
    }

    private static PolicySnapshot unsigned(PolicySnapshot real, long version, String uri) {
        return PolicySnapshot.newBuilder(real)
                .setVersion(version)
                .setArtifactUri(uri)
                .setArtifactSize(null)
                .setSignature(null)
                .build();
    }

    private static void announce(String topic, PolicySnapshot snapshot) throws Exception {
        try (KafkaProducer<byte[], byte[]> producer =
                new KafkaProducer<>(
                        Map.of(
                                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                                KAFKA.broker().bootstrapServers()),
                        new ByteArraySerializer(),
                        new ByteArraySerializer())) {
            producer.send(
                            new ProducerRecord<>(
                                    topic,
                                    EXPERIMENT.getBytes(StandardCharsets.UTF_8),
                                    AvroCodec.of(PolicySnapshot.class).encode(snapshot)))
                    .get();
        }
    }

    /** Polls the fleet's counters (its threads change them; there is no event to wait on). */
    private static void awaitFleet(FleetService fleet, BooleanSupplier done, String what) {
        long deadline = System.nanoTime() + PATIENCE.toNanos();
        while (!done.getAsBoolean()) {
            assertThat(fleet.failure()).as(what).isEmpty();
            assertThat(System.nanoTime())
                    .as("%s within %s: %s", what, PATIENCE, fleet.progress())
                    .isLessThan(deadline);
            LockSupport.parkNanos(1_000_000);
        }
    }
}
