package io.creditstream.policy.service;

import io.creditstream.broker.EmbeddedKafkaBroker;
import io.creditstream.fleet.SimulatedFleet;
import io.creditstream.fleet.env.KeyDoorMazeEnvironment;
import io.creditstream.fleet.env.MazeSpec;
import io.creditstream.fleet.env.StepResult;
import io.creditstream.policy.model.NetworkSpec;
import io.creditstream.schemas.AdvantageBatch;
import io.creditstream.schemas.AdvantageRecord;
import io.creditstream.schemas.PolicySnapshot;
import io.creditstream.schemas.codec.AvroCodec;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.RecordsToDelete;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Test data and Kafka plumbing for the service tests: small-maze advantage batches, transactional
 * writes, snapshot reads and the learner settings the tests share.
 */
public final class ServiceTestSupport {

    /** The experiment every test batch belongs to. */
    public static final String EXPERIMENT = "exp-test";

    /** Generous bound on anything a test waits for; tests normally finish far sooner. */
    public static final Duration PATIENCE = Duration.ofSeconds(20);

    private static final List<String> SMALL_MAZE_OBSERVATIONS = smallMazeObservations();

    private ServiceTestSupport() {}

    /** A fresh one-partition topic named after {@code prefix}. */
    public static String freshTopic(EmbeddedKafkaBroker kafka, String prefix) {
        String topic = prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
        kafka.createTopics(1, topic);
        return topic;
    }

    /**
     * Learner settings for tests: the small maze, a 16-unit network, updates of at least 64 samples
     * in minibatches of 32, seed 7.
     */
    public static LearnerSettings.Builder smallLearner(
            EmbeddedKafkaBroker kafka, String batchesTopic, String snapshotsTopic, Path dir) {
        return LearnerSettings.builder(kafka.bootstrapServers())
                .experimentId(EXPERIMENT)
                .batchesTopic(batchesTopic)
                .snapshotsTopic(snapshotsTopic)
                .storeDir(dir.resolve("store"))
                .maze(Maze.SMALL)
                .hiddenSize(16)
                .learningRate(1e-2)
                .minibatchSize(32)
                .batchRecords(64)
                .seed(7)
                .kafkaTimeout(PATIENCE);
    }

    /** Distinct observations of the small maze, as its environment prints them. */
    public static List<String> smallMazeObservations() {
        Set<String> seen = new LinkedHashSet<>();
        SplittableRandom random = new SplittableRandom(3);
        KeyDoorMazeEnvironment environment = new KeyDoorMazeEnvironment(MazeSpec.small());
        for (int task = 0; task < 4; task++) {
            String observation = environment.reset(SimulatedFleet.taskSeed(task));
            seen.add(observation);
            for (int step = 0; step < 25; step++) {
                String action =
                        environment.actions().get(random.nextInt(environment.actions().size()));
                StepResult result = environment.step(action);
                seen.add(result.observation());
                if (result.done()) {
                    observation = environment.reset(SimulatedFleet.taskSeed(task));
                }
            }
        }
        return List.copyOf(seen);
    }

    /**
     * A batch of {@code size} off-policy records of the small maze, drawn from {@code seed}: random
     * observations, actions and advantages in [-1, 1], behavior log-probs near uniform.
     */
    public static AdvantageBatch batch(String batchId, int size, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        List<AdvantageRecord> records = new ArrayList<>(size);
        for (int i = 0; i < size; i++) {
            String observation =
                    SMALL_MAZE_OBSERVATIONS.get(random.nextInt(SMALL_MAZE_OBSERVATIONS.size()));
            String action =
                    NetworkSpec.KEY_DOOR_ACTIONS.get(
                            random.nextInt(NetworkSpec.KEY_DOOR_ACTIONS.size()));
            records.add(
                    record(
                            batchId,
                            i,
                            observation,
                            action,
                            Math.log(1.0 / 6) + random.nextDouble(-0.1, 0.1),
                            random.nextDouble(-1, 1)));
        }
        return batch(batchId, records);
    }

    /** A batch of {@code records} of {@link #EXPERIMENT}. */
    public static AdvantageBatch batch(String batchId, List<AdvantageRecord> records) {
        return AdvantageBatch.newBuilder()
                .setBatchId(batchId)
                .setExperimentId(EXPERIMENT)
                .setMinPolicyVersion(0)
                .setMaxPolicyVersion(0)
                .setCreatedTimeMs(0)
                .setRecords(records)
                .build();
    }

    /** One advantage record; {@code behaviorLogProb} may be null (on-policy). */
    public static AdvantageRecord record(
            String groupId,
            int stepIndex,
            String observation,
            String action,
            Double behaviorLogProb,
            double advantage) {
        return AdvantageRecord.newBuilder()
                .setExperimentId(EXPERIMENT)
                .setTaskId("task-0000")
                .setGroupId(groupId)
                .setEpisodeId(groupId + "-e0")
                .setStepIndex(stepIndex)
                .setPolicyVersion(0)
                .setAdvantage(advantage)
                .setEpisodeAdvantage(advantage)
                .setStepAdvantage(0)
                .setProcessReward(null)
                .setStepReturn(0)
                .setAnchorGroupSize(1)
                .setEstimator("grpo")
                .setObservation(observation)
                .setAction(action)
                .setBehaviorLogprob(behaviorLogProb)
                .setPartialGroup(false)
                .build();
    }

    /** The Kafka value of a batch. */
    public static byte[] encode(AdvantageBatch batch) {
        return AvroCodec.of(AdvantageBatch.class).encode(batch);
    }

    /** Bytes that are no Avro record at all. */
    public static byte[] junk() {
        return "{\"not\": \"avro\"}".getBytes(StandardCharsets.UTF_8);
    }

    /**
     * The parts the job writes for a group too large for one batch: {@code whole}'s records cut
     * into {@code parts} consecutive batches of (nearly) equal size, ids {@code <batch
     * id>-p<part>}.
     */
    public static List<AdvantageBatch> splitParts(AdvantageBatch whole, String groupId, int parts) {
        List<AdvantageRecord> records = whole.getRecords();
        List<AdvantageBatch> result = new ArrayList<>(parts);
        for (int part = 0; part < parts; part++) {
            int from = records.size() * part / parts;
            int to = records.size() * (part + 1) / parts;
            result.add(
                    AdvantageBatch.newBuilder(batch(whole.getBatchId() + "-p" + part, records))
                            .setRecords(new ArrayList<>(records.subList(from, to)))
                            .setSplitGroupId(groupId)
                            .setSplitPart(part)
                            .setSplitParts(parts)
                            .build());
        }
        return result;
    }

    /** Writes {@code values} in one committed transaction. */
    public static void writeCommitted(
            EmbeddedKafkaBroker kafka, String topic, List<byte[]> values) {
        write(kafka, topic, null, values, true);
    }

    /** Writes {@code values} to partition {@code partition} in one committed transaction. */
    public static void writeCommitted(
            EmbeddedKafkaBroker kafka, String topic, int partition, List<byte[]> values) {
        write(kafka, topic, partition, values, true);
    }

    /** Writes {@code values} in one aborted transaction: read_committed readers never see them. */
    public static void writeAborted(EmbeddedKafkaBroker kafka, String topic, List<byte[]> values) {
        write(kafka, topic, null, values, false);
    }

    /** Deletes {@code topic} and creates it again, empty, with {@code partitions} partitions. */
    public static void recreateTopic(EmbeddedKafkaBroker kafka, String topic, int partitions)
            throws Exception {
        try (Admin admin = admin(kafka)) {
            admin.deleteTopics(List.of(topic))
                    .all()
                    .get(PATIENCE.toMillis(), TimeUnit.MILLISECONDS);
            long deadline = System.nanoTime() + PATIENCE.toNanos();
            // createTopics keeps a topic that still exists, so wait until the old one is gone.
            while (admin.listTopics().names().get().contains(topic)) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("topic " + topic + " is still there after deletion");
                }
                Thread.sleep(50);
            }
        }
        kafka.createTopics(partitions, topic);
    }

    /** Deletes the records of {@code topic}'s partition {@code partition} before {@code offset}. */
    public static void deleteRecordsBefore(
            EmbeddedKafkaBroker kafka, String topic, int partition, long offset)
            throws ExecutionException, InterruptedException {
        try (Admin admin = admin(kafka)) {
            admin.deleteRecords(
                            Map.of(
                                    new TopicPartition(topic, partition),
                                    RecordsToDelete.beforeOffset(offset)))
                    .all()
                    .get();
        }
    }

    private static Admin admin(EmbeddedKafkaBroker kafka) {
        return Admin.create(
                Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()));
    }

    private static void write(
            EmbeddedKafkaBroker kafka,
            String topic,
            Integer partition,
            List<byte[]> values,
            boolean commit) {
        try (KafkaProducer<String, byte[]> producer =
                new KafkaProducer<>(
                        Map.of(
                                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                                kafka.bootstrapServers(),
                                ProducerConfig.TRANSACTIONAL_ID_CONFIG,
                                "test-" + UUID.randomUUID(),
                                ProducerConfig.ACKS_CONFIG,
                                "all"),
                        new StringSerializer(),
                        new ByteArraySerializer())) {
            producer.initTransactions();
            producer.beginTransaction();
            for (int i = 0; i < values.size(); i++) {
                producer.send(new ProducerRecord<>(topic, partition, "k" + i, values.get(i)));
            }
            if (commit) {
                producer.commitTransaction();
            } else {
                producer.flush();
                producer.abortTransaction();
            }
        }
    }

    /** Every snapshot on {@code topic}, in order. */
    public static List<PolicySnapshot> snapshots(EmbeddedKafkaBroker kafka, String topic) {
        try (PolicySnapshotReader reader =
                new PolicySnapshotReader(
                        kafka.bootstrapServers(), topic, PATIENCE, "test-reader")) {
            return reader.readToEnd(PATIENCE);
        }
    }

    /** The versions of the snapshots on {@code topic}, in order. */
    public static List<Long> versions(EmbeddedKafkaBroker kafka, String topic) {
        return snapshots(kafka, topic).stream().map(PolicySnapshot::getVersion).toList();
    }

    /** Polls {@code learner} until it reaches {@code version}, failing after {@link #PATIENCE}. */
    public static void pollUntilVersion(LearnerService learner, long version) {
        pollUntil(learner, () -> learner.version() >= version, "version " + version);
    }

    /** Polls {@code learner} until {@code done}, failing after {@link #PATIENCE}. */
    public static void pollUntil(LearnerService learner, BooleanSupplier done, String what) {
        long deadline = System.nanoTime() + PATIENCE.toNanos();
        while (!done.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError(
                        "learner did not reach "
                                + what
                                + " within "
                                + PATIENCE
                                + ": "
                                + learner.progress());
            }
            learner.pollOnce(Duration.ofMillis(100));
        }
    }
}
