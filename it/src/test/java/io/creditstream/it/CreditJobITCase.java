package io.creditstream.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.creditstream.broker.EmbeddedKafkaExtension;
import io.creditstream.operators.core.credit.CreditParams;
import io.creditstream.operators.core.input.DeadLetterReason;
import io.creditstream.operators.core.prm.OprlParams;
import io.creditstream.operators.core.prm.PrmParams;
import io.creditstream.schemas.AdvantageBatch;
import io.creditstream.schemas.AdvantageRecord;
import io.creditstream.schemas.DeadLetter;
import io.creditstream.schemas.PolicySnapshot;
import io.creditstream.schemas.StepEvent;
import io.creditstream.schemas.codec.AvroCodec;
import io.creditstream.streams.JobEnvironment;
import io.creditstream.streams.RunJob;
import io.creditstream.streams.kafka.KafkaIo;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
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
 * The streaming job end to end: Avro steps on a real (embedded) Kafka broker, the job on a Flink
 * MiniCluster with RocksDB and exactly-once checkpoints, learner batches read back with {@code
 * read_committed}.
 */
class CreditJobITCase {

    @RegisterExtension static final EmbeddedKafkaExtension KAFKA = new EmbeddedKafkaExtension();

    @TempDir Path dir;

    @Test
    void everyStepGetsExactlyOneAdvantageEqualToTheKernel() throws Exception {
        Configuration config = jobConfig();
        List<StepEvent> steps = TestFleet.groups(new Random(42), "exp-a", 60, 8);
        List<StepEvent> sent = new ArrayList<>(steps);
        // Out of order within each episode's partition, and some steps sent twice.
        Collections.shuffle(sent, new Random(1));
        for (int i = 0; i < 40; i++) {
            sent.add(steps.get(i * 7));
        }
        List<ProducerRecord<byte[], byte[]>> records =
                KafkaTestSupport.stepRecords(config.getString("topic.steps", null), sent);
        KafkaIo.createAbsentTopics(config);
        KafkaTestSupport.produce(KAFKA.broker(), config.getString("topic.steps", null), records);

        JobClient job = RunJob.environment(config).executeAsync("credit-job-itcase");
        List<AdvantageBatch> batches;
        try {
            batches =
                    KafkaTestSupport.readCommitted(
                            KAFKA.broker(),
                            config.getString("topic.batches", null),
                            AdvantageBatch.class,
                            KafkaTestSupport.totalAtLeast(steps.size(), b -> b.getRecords().size()),
                            HangGuard.EVENT);
        } finally {
            job.cancel().get();
        }

        Map<String, AdvantageRecord> expected = ExpectedCredit.of(steps, CreditParams.defaults());
        Map<String, Integer> seen = new HashMap<>();
        for (AdvantageBatch batch : batches) {
            if (batch.getRecords().size() > 64) {
                // Only a single group larger than batch.max-records may exceed it.
                assertThat(batch.getRecords())
                        .extracting(AdvantageRecord::getGroupId)
                        .containsOnly(batch.getRecords().get(0).getGroupId());
            }
            for (AdvantageRecord record : batch.getRecords()) {
                String key = ExpectedCredit.key(record);
                seen.merge(key, 1, Integer::sum);
                AdvantageRecord want = expected.get(key);
                assertThat(want).as("unexpected record %s", key).isNotNull();
                assertThat(record.getAdvantage())
                        .as(key)
                        .isCloseTo(want.getAdvantage(), within(1e-12));
                assertThat(record.getStepAdvantage())
                        .isCloseTo(want.getStepAdvantage(), within(1e-12));
                assertThat(record.getAnchorGroupSize()).isEqualTo(want.getAnchorGroupSize());
                assertThat(record.getPartialGroup()).isFalse();
            }
        }
        assertThat(seen).hasSameSizeAs(expected);
        assertThat(seen.values()).containsOnly(1);
    }

    @Test
    void oprlWithTheFleetsLogProbsGivesEveryStepTheKernelsAdvantage() throws Exception {
        Configuration config = jobConfig();
        config.setString("credit.estimator", "oprl");
        Random random = new Random(9);
        List<StepEvent> steps = new ArrayList<>();
        for (StepEvent step : TestFleet.groups(new Random(43), "exp-o", 30, 6)) {
            steps.add(
                    StepEvent.newBuilder(step)
                            .setPrmLogprob(-random.nextDouble() * 5)
                            .setRefLogprob(-random.nextDouble() * 5)
                            .build());
        }
        List<StepEvent> sent = new ArrayList<>(steps);
        Collections.shuffle(sent, new Random(2));
        KafkaIo.createAbsentTopics(config);
        KafkaTestSupport.produce(
                KAFKA.broker(),
                config.getString("topic.steps", null),
                KafkaTestSupport.stepRecords(config.getString("topic.steps", null), sent));

        JobClient job = RunJob.environment(config).executeAsync("credit-job-oprl-itcase");
        List<AdvantageBatch> batches;
        try {
            batches =
                    KafkaTestSupport.readCommitted(
                            KAFKA.broker(),
                            config.getString("topic.batches", null),
                            AdvantageBatch.class,
                            KafkaTestSupport.totalAtLeast(steps.size(), b -> b.getRecords().size()),
                            HangGuard.EVENT);
        } finally {
            job.cancel().get();
        }

        // With every step's log-probs given, the step rewards do not depend on the order in
        // which the parallel assemblers deliver groups, so the kernel's numbers are exact.
        Map<String, AdvantageRecord> expected =
                ExpectedCredit.oprl(steps, OprlParams.defaults(), PrmParams.defaults());
        Map<String, Integer> seen = new HashMap<>();
        for (AdvantageBatch batch : batches) {
            for (AdvantageRecord record : batch.getRecords()) {
                String key = ExpectedCredit.key(record);
                seen.merge(key, 1, Integer::sum);
                AdvantageRecord want = expected.get(key);
                assertThat(want).as("unexpected record %s", key).isNotNull();
                assertThat(record.getEstimator()).isEqualTo("oprl");
                assertThat(record.getProcessReward()).isEqualTo(want.getProcessReward());
                assertThat(record.getAdvantage()).as(key).isEqualTo(want.getAdvantage());
            }
        }
        assertThat(seen).hasSameSizeAs(expected);
        assertThat(seen.values()).containsOnly(1);
    }

    @Test
    void trajectoriesTooFarBehindTheNewestPolicySnapshotAreDropped() throws Exception {
        Configuration config = jobConfig();
        config.setString("credit.max-policy-lag", "3");
        // One partition per topic and one subtask per operator: the job keeps the order of the
        // steps it is sent, and its batches are read back in the order it wrote them.
        config.setString("parallelism.default", "1");
        config.setString("kafka.topic-partitions", "1");
        String steps = config.getString("topic.steps", null);
        KafkaIo.createAbsentTopics(config);
        PolicySnapshot snapshot =
                PolicySnapshot.newBuilder()
                        .setExperimentId("exp-s")
                        .setVersion(10)
                        .setCreatedTimeMs(System.currentTimeMillis())
                        .setArtifactUri("file:///nowhere/policy-v10.params")
                        .setSha256("0".repeat(64))
                        .setMetrics(Map.of())
                        .build();
        KafkaTestSupport.produce(
                KAFKA.broker(),
                config.getString("topic.snapshots", null),
                List.of(
                        new ProducerRecord<>(
                                config.getString("topic.snapshots", null),
                                "exp-s".getBytes(StandardCharsets.UTF_8),
                                AvroCodec.of(PolicySnapshot.class).encode(snapshot))));
        List<StepEvent> first = withVersion(TestFleet.groups(new Random(1), "exp-s", 4, 4), 10);
        KafkaTestSupport.produce(KAFKA.broker(), steps, KafkaTestSupport.stepRecords(steps, first));

        JobClient job = RunJob.environment(config).executeAsync("credit-job-staleness-itcase");
        List<AdvantageBatch> batches;
        List<StepEvent> fresh = new ArrayList<>(first);
        try {
            // The first fresh groups come out after two shuffles; by then the one-record snapshot
            // topic, read from its start by its own source, has long been broadcast.
            KafkaTestSupport.readCommitted(
                    KAFKA.broker(),
                    config.getString("topic.batches", null),
                    AdvantageBatch.class,
                    KafkaTestSupport.totalAtLeast(first.size(), b -> b.getRecords().size()),
                    HangGuard.EVENT);
            List<StepEvent> stale = TestFleet.groups(new Random(2), "exp-s", 6, 4);
            stale.replaceAll(
                    step ->
                            StepEvent.newBuilder(step)
                                    .setGroupId("stale-" + step.getGroupId())
                                    .setEpisodeId("stale-" + step.getEpisodeId())
                                    .setPolicyVersion(6)
                                    .build());
            List<StepEvent> recent = withVersion(TestFleet.groups(new Random(3), "exp-s", 6, 4), 7);
            recent.replaceAll(
                    step ->
                            StepEvent.newBuilder(step)
                                    .setGroupId("recent-" + step.getGroupId())
                                    .setEpisodeId("recent-" + step.getEpisodeId())
                                    .build());
            // A fence group after them: the job keeps their order, so once the fence's advantages
            // are read every stale group has been judged, and the absence of stale records is a
            // fact rather than a timeout.
            List<StepEvent> fence =
                    withVersion(TestFleet.groups(new Random(4), "exp-s-fence", 1, 2), 10);
            List<StepEvent> later = new ArrayList<>(stale);
            later.addAll(recent);
            later.addAll(fence);
            fresh.addAll(recent);
            fresh.addAll(fence);
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
        int records = 0;
        for (AdvantageBatch batch : batches) {
            for (AdvantageRecord record : batch.getRecords()) {
                records++;
                if (!groups.contains(record.getGroupId())) {
                    groups.add(record.getGroupId());
                }
            }
        }
        // Lag 4 (version 6 against 10) is over the limit of 3; lag 3 (version 7) is not.
        assertThat(groups).noneMatch(id -> id.startsWith("stale-"));
        assertThat(groups).anyMatch(id -> id.startsWith("recent-"));
        assertThat(groups.get(groups.size() - 1)).startsWith("exp-s-fence");
        assertThat(records).isEqualTo(fresh.size());
    }

    private static List<StepEvent> withVersion(List<StepEvent> steps, long version) {
        List<StepEvent> out = new ArrayList<>(steps.size());
        for (StepEvent step : steps) {
            out.add(StepEvent.newBuilder(step).setPolicyVersion(version).build());
        }
        return out;
    }

    @Test
    void badInputIsDeadLetteredWithItsCoordinatesAndTheJobGoesOn() throws Exception {
        Configuration config = jobConfig();
        KafkaIo.createAbsentTopics(config);
        String stepsTopic = config.getString("topic.steps", null);
        AvroCodec<StepEvent> codec = AvroCodec.of(StepEvent.class);
        List<StepEvent> good = TestFleet.groups(new Random(5), "exp-b", 3, 4);
        StepEvent nan =
                StepEvent.newBuilder(good.get(0))
                        .setEpisodeId("bad-nan")
                        .setReward(Double.NaN)
                        .build();
        StepEvent negative =
                StepEvent.newBuilder(good.get(0)).setEpisodeId("bad-neg").setStepIndex(-3).build();
        List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
        // All on partition 0 so the offsets of the bad records are known: 0, 1, 2.
        records.add(new ProducerRecord<>(stepsTopic, 0, null, new byte[] {0x13, 0x37}));
        records.add(new ProducerRecord<>(stepsTopic, 0, null, codec.encode(nan)));
        records.add(new ProducerRecord<>(stepsTopic, 0, null, codec.encode(negative)));
        for (StepEvent step : good) {
            records.add(new ProducerRecord<>(stepsTopic, 0, null, codec.encode(step)));
        }
        KafkaTestSupport.produce(KAFKA.broker(), stepsTopic, records);

        JobClient job = RunJob.environment(config).executeAsync("dlq-itcase");
        List<DeadLetter> letters;
        List<AdvantageBatch> batches;
        try {
            letters =
                    KafkaTestSupport.readCommitted(
                            KAFKA.broker(),
                            config.getString("topic.dlq", null),
                            DeadLetter.class,
                            list -> list.size() >= 3,
                            HangGuard.EVENT);
            batches =
                    KafkaTestSupport.readCommitted(
                            KAFKA.broker(),
                            config.getString("topic.batches", null),
                            AdvantageBatch.class,
                            KafkaTestSupport.totalAtLeast(good.size(), b -> b.getRecords().size()),
                            HangGuard.EVENT);
        } finally {
            job.cancel().get();
        }

        assertThat(letters)
                .extracting(DeadLetter::getReason, DeadLetter::getOffset)
                .containsExactlyInAnyOrder(
                        org.assertj.core.groups.Tuple.tuple(
                                DeadLetterReason.MALFORMED_BYTES.code(), 0L),
                        org.assertj.core.groups.Tuple.tuple(
                                DeadLetterReason.NON_FINITE_NUMBER.code(), 1L),
                        org.assertj.core.groups.Tuple.tuple(
                                DeadLetterReason.NEGATIVE_STEP_INDEX.code(), 2L));
        assertThat(letters).allSatisfy(l -> assertThat(l.getTopic()).isEqualTo(stepsTopic));
        assertThat(batches.stream().mapToInt(b -> b.getRecords().size()).sum())
                .isEqualTo(good.size());
    }

    private Configuration jobConfig() {
        Configuration user =
                Configuration.fromMap(KafkaTestSupport.isolatedJobOptions(KAFKA.broker()));
        // No state or shuffle type may fall back to Kryo.
        user.setString("pipeline.generic-types", "false");
        return JobEnvironment.withDefaults(user, dir.resolve("checkpoints"));
    }
}
