package io.creditstream.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.creditstream.broker.EmbeddedKafkaExtension;
import io.creditstream.schemas.AdvantageBatch;
import io.creditstream.schemas.AdvantageRecord;
import io.creditstream.schemas.PolicySnapshot;
import io.creditstream.schemas.StepEvent;
import io.creditstream.schemas.codec.AvroCodec;
import io.creditstream.schemas.trust.SigningKeys;
import io.creditstream.schemas.trust.SnapshotSignatures;
import io.creditstream.streams.JobEnvironment;
import io.creditstream.streams.RunJob;
import io.creditstream.streams.kafka.KafkaIo;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The attack on the job: forged records on the snapshot topic among the learner's signed
 * ones. With {@code credit.snapshot-public-key} set, the job on a MiniCluster ignores them, and the
 * learner's later snapshot still sets the bar trajectories are judged by.
 */
class ForgedSnapshotITCase {

    @RegisterExtension static final EmbeddedKafkaExtension KAFKA = new EmbeddedKafkaExtension();

    @TempDir Path dir;

    @Test
    void forgedSnapshotsDoNotStopLearningAndLaterRealOnesAreBelieved() throws Exception {
        SigningKeys.KeyFiles keys = SigningKeys.generate(dir.resolve("keys"));
        PrivateKey learner = SigningKeys.readPrivateKey(keys.privateKey());
        PrivateKey forger =
                SigningKeys.readPrivateKey(
                        SigningKeys.generate(dir.resolve("forger")).privateKey());
        Configuration user =
                Configuration.fromMap(KafkaTestSupport.isolatedJobOptions(KAFKA.broker()));
        user.setString("pipeline.generic-types", "false");
        user.setString("credit.max-policy-lag", "3");
        user.setString("credit.snapshot-public-key", keys.publicKey().toString());
        // One partition and one subtask: the job keeps the order of the steps it is sent.
        user.setString("parallelism.default", "1");
        user.setString("kafka.topic-partitions", "1");
        Configuration config = JobEnvironment.withDefaults(user, dir.resolve("checkpoints"));
        String steps = config.getString("topic.steps", null);
        String snapshots = config.getString("topic.snapshots", null);
        KafkaIo.createAbsentTopics(config);

        List<PolicySnapshot> announced =
                List.of(
                        SnapshotSignatures.sign(snapshot(10), learner),
                        // 2^53 - 1 passes the range check: only the signature stops it.
                        snapshot((1L << 53) - 1),
                        snapshot(1L << 62),
                        SnapshotSignatures.sign(snapshot(1_000_000), forger),
                        // Even the learner's key may not jump 5,000 versions ahead.
                        SnapshotSignatures.sign(snapshot(5_010), learner),
                        SnapshotSignatures.sign(snapshot(11), learner));
        List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
        for (PolicySnapshot snapshot : announced) {
            records.add(
                    new ProducerRecord<>(
                            snapshots,
                            "exp-f".getBytes(StandardCharsets.UTF_8),
                            AvroCodec.of(PolicySnapshot.class).encode(snapshot)));
        }
        KafkaTestSupport.produce(KAFKA.broker(), snapshots, records);
        List<StepEvent> first = withVersion(TestFleet.groups(new Random(1), "exp-f", 4, 4), 11, "");
        KafkaTestSupport.produce(KAFKA.broker(), steps, KafkaTestSupport.stepRecords(steps, first));

        JobClient job = RunJob.environment(config).executeAsync("forged-snapshot-itcase");
        List<AdvantageBatch> batches;
        try {
            // Fresh groups come out after two shuffles; the snapshot topic, read from its start by
            // its own source, has long been broadcast by then.
            KafkaTestSupport.readCommitted(
                    KAFKA.broker(),
                    config.getString("topic.batches", null),
                    AdvantageBatch.class,
                    KafkaTestSupport.totalAtLeast(first.size(), b -> b.getRecords().size()),
                    HangGuard.EVENT);
            List<StepEvent> later = new ArrayList<>();
            // Against version 11 (the last real snapshot): lag 4 is stale, lag 3 is not. Had a
            // forgery been believed, both would be dropped.
            later.addAll(withVersion(TestFleet.groups(new Random(2), "exp-f", 4, 4), 7, "stale-"));
            later.addAll(withVersion(TestFleet.groups(new Random(3), "exp-f", 4, 4), 8, "recent-"));
            List<StepEvent> fence =
                    withVersion(TestFleet.groups(new Random(4), "exp-f-fence", 1, 2), 0, "");
            later.addAll(fence);
            KafkaTestSupport.produce(
                    KAFKA.broker(), steps, KafkaTestSupport.stepRecords(steps, later));
            String fenceGroup = fence.get(0).getGroupId();
            batches =
                    KafkaTestSupport.readCommitted(
                            KAFKA.broker(),
                            config.getString("topic.batches", null),
                            AdvantageBatch.class,
                            read ->
                                    read.stream()
                                            .flatMap(b -> b.getRecords().stream())
                                            .anyMatch(r -> r.getGroupId().equals(fenceGroup)),
                            HangGuard.EVENT);
        } finally {
            job.cancel().get();
        }

        List<String> groups = new ArrayList<>();
        for (AdvantageBatch batch : batches) {
            for (AdvantageRecord record : batch.getRecords()) {
                if (!groups.contains(record.getGroupId())) {
                    groups.add(record.getGroupId());
                }
            }
        }
        assertThat(groups).contains("exp-f-g0", "exp-f-g3");
        assertThat(groups).noneMatch(id -> id.startsWith("stale-"));
        assertThat(groups).anyMatch(id -> id.startsWith("recent-"));
    }

    private static PolicySnapshot snapshot(long version) {
        return PolicySnapshot.newBuilder()
                .setExperimentId("exp-f")
                .setVersion(version)
                .setCreatedTimeMs(1_700_000_000_000L)
                .setArtifactUri("file:///nowhere/policy-v" + version + ".params")
                .setSha256("0".repeat(64))
                .setArtifactSize(1L)
                .setMetrics(Map.of())
                .build();
    }

    private static List<StepEvent> withVersion(List<StepEvent> steps, long version, String prefix) {
        List<StepEvent> out = new ArrayList<>(steps.size());
        for (StepEvent step : steps) {
            out.add(
                    StepEvent.newBuilder(step)
                            .setPolicyVersion(version)
                            .setGroupId(prefix + step.getGroupId())
                            .setEpisodeId(prefix + step.getEpisodeId())
                            .build());
        }
        return out;
    }
}
