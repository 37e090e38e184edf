package io.creditstream.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.creditstream.broker.KafkaCluster;
import io.creditstream.schemas.AdvantageRecord;
import io.creditstream.schemas.PolicySnapshot;
import io.creditstream.schemas.StepEvent;
import io.creditstream.schemas.codec.AvroCodec;
import io.creditstream.schemas.codec.StepEventCodecs;
import io.creditstream.schemas.contract.PolicyProcess;
import io.creditstream.streams.JobEnvironment;
import io.creditstream.streams.RunJob;
import io.creditstream.streams.kafka.KafkaIo;
import io.creditstream.tools.MetricsEndpoint;
import io.creditstream.tools.PrometheusText;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The closed loop on a three-broker Kafka cluster: the learner and the fleet as the launcher starts
 * them (child JVMs of the policy module's command line), the job on a MiniCluster (the Flink
 * processes have their own test, {@link FlinkClusterITCase}). The brokers keep a stock broker's
 * defaults for topics created without settings (one replica), so the topics the learner and the
 * fleet create are replicated three times only if they ask for it, as the job does.
 *
 * <p>Mid-run the broker leading {@code policy.snapshots} partition 0 is SIGKILLed and never comes
 * back. The loop must go on with the two survivors ({@code min.insync.replicas} 2): the learner
 * publishes new versions and the fleet plays them and writes steps. The fleet is then stopped with
 * SIGTERM (it ends its groups in progress): every step it wrote must have reached {@code
 * learner.batches} exactly once, and the learner must account for every committed record (trained
 * on, skipped, or pending for its next update), so no batch was passed over when the broker went.
 */
class ClusterClosedLoopITCase {
    /** Samples per learner update: small, so that updates and snapshots come often. */
    private static final int BATCH_RECORDS = 128;

    /** Steps the fleet may play beyond what the learner trained on: four updates. */
    private static final int MAX_STEPS_AHEAD = 4 * BATCH_RECORDS;

    /** The learner's version after which the broker is killed. */
    private static final long KILL_AFTER_VERSION = 2;

    private static final String SAMPLES = "creditstream_learner_samples_total";
    private static final String SKIPPED = "creditstream_learner_skipped_records_total";
    private static final String IGNORED = "creditstream_learner_ignored_batches_total";
    private static final String PENDING = "creditstream_learner_pending_samples";

    /** Every Kafka wait of the children, only a hang guard: a lost leader is waited out. */
    private static final String KAFKA_GUARD = HangGuard.EVENT.toSeconds() + "s";

    @TempDir Path dir;

    private final long started = System.nanoTime();

    /** A line per phase with the seconds since the test began, for docs/CLUSTER.md. */
    private void phase(String name) {
        System.out.printf(
                "ClusterClosedLoopITCase %6.1f s: %s%n", (System.nanoTime() - started) / 1e9, name);
    }

    @Test
    void theLearnerAndTheFleetCarryOnWhenTheBrokerLeadingTheSnapshotsDies() throws Exception {
        phase("start three brokers");
        try (KafkaCluster kafka =
                        KafkaCluster.builder()
                                .dataDir(dir.resolve("kafka"))
                                // A stock broker's defaults for a topic created without settings.
                                .brokerProperty("default.replication.factor", "1")
                                .brokerProperty("min.insync.replicas", "1")
                                .build()
                                .start();
                Admin admin =
                        Admin.create(
                                Map.of(
                                        AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                                        kafka.bootstrapServers()))) {
            Map<String, String> options =
                    KafkaTestSupport.isolatedJobOptions(kafka.bootstrapServers());
            // Nothing is dropped as stale, so every step the fleet wrote must come out.
            options.put("credit.max-policy-lag", "1000000");
            String steps = options.get("topic.steps");
            String batches = options.get("topic.batches");
            String snapshots = options.get("topic.snapshots");
            int learnerMetricsPort = freePort();

            phase("start the learner and the fleet");
            try (PolicyChild learner =
                            PolicyChild.start(
                                    dir.resolve("learner.log"),
                                    learnerArgs(kafka, batches, snapshots, learnerMetricsPort));
                    PolicyChild fleet =
                            PolicyChild.start(
                                    dir.resolve("fleet.log"), fleetArgs(kafka, steps, snapshots))) {
                Loop loop =
                        new Loop(
                                admin,
                                learner,
                                fleet,
                                new MetricsEndpoint(
                                        "http://127.0.0.1:" + learnerMetricsPort + "/metrics"));
                loop.await(
                        "the learner's and the fleet's topics",
                        () -> loop.topicsExist(steps, batches, snapshots));
                // Before the job creates the rest: these three are the children's own.
                for (String topic : List.of(steps, batches, snapshots)) {
                    assertReplicatedThreeTimesWithTwoInSync(admin, topic);
                }

                phase("start the job");
                Configuration config =
                        JobEnvironment.withDefaults(
                                Configuration.fromMap(options), dir.resolve("checkpoints"));
                KafkaIo.createAbsentTopics(config);
                JobClient job = RunJob.environment(config).executeAsync("cluster-closed-loop");
                try {
                    run(kafka, admin, loop, learner, fleet, steps, batches, snapshots);
                } finally {
                    job.cancel().get(HangGuard.EVENT.toMillis(), TimeUnit.MILLISECONDS);
                }
            }
        }
    }

    private void run(
            KafkaCluster kafka,
            Admin admin,
            Loop loop,
            PolicyChild learner,
            PolicyChild fleet,
            String steps,
            String batches,
            String snapshots)
            throws Exception {
        try (KafkaConsumer<byte[], byte[]> snapshotReader =
                        KafkaTestSupport.committedFromStart(kafka.bootstrapServers(), snapshots);
                KafkaConsumer<byte[], byte[]> stepReader =
                        KafkaTestSupport.committedFromStart(kafka.bootstrapServers(), steps);
                CommittedBatches committed =
                        new CommittedBatches(kafka.bootstrapServers(), batches)) {
            loop.readers(snapshotReader, stepReader, committed);

            loop.await(
                    "learner version " + KILL_AFTER_VERSION,
                    () -> loop.newestVersion >= KILL_AFTER_VERSION);
            long versionAtKill = loop.newestVersion;
            int victim = leaderOfFirstPartition(admin, snapshots);
            phase(
                    "kill broker "
                            + victim
                            + " at learner version "
                            + versionAtKill
                            + " after "
                            + loop.stepsWritten
                            + " steps; it leads partition 0 of "
                            + ledBy(admin, victim, List.of(snapshots, batches, steps)));
            kafka.kill(victim);

            loop.await(
                    "two newer versions, and steps played with one",
                    () ->
                            loop.newestVersion >= versionAtKill + 2
                                    && loop.newestStepVersion > versionAtKill);
            phase(
                    "the loop went on without broker "
                            + victim
                            + ": learner version "
                            + loop.newestVersion
                            + ", steps played with version "
                            + loop.newestStepVersion);

            // Stopped as a user stops it: SIGTERM; each worker ends its group in progress and the
            // producer flushes, so every group the fleet began is complete on the topic.
            loop.fleetMayFinish();
            fleet.stop(HangGuard.EVENT);
            assertThat(fleet.output())
                    .as("the fleet stopped cleanly")
                    .contains("done: ")
                    .doesNotContain("failed; the fleet stops");
            loop.readStepsToEnd();
            phase("the fleet wrote " + loop.stepsWritten + " steps");
            assertThat(loop.stepKeys)
                    .as("steps the fleet wrote once each, the kill's retries included")
                    .hasSize(loop.stepsWritten);

            loop.await(
                    "an advantage for every step",
                    () -> loop.committedKeys().containsAll(loop.stepKeys));
            assertThat(committed.readToLastStableOffset(HangGuard.EVENT)).isTrue();
            assertThat(loop.committedKeys()).isEqualTo(loop.stepKeys);
            assertThat(committed.records())
                    .as("committed advantage records, each step once")
                    .hasSize(loop.stepsWritten);

            // Every committed record is one the learner trained on, skipped, or holds for its
            // next update: none was passed over when the broker went.
            int records = committed.records().size();
            loop.await(
                    "the learner to account for all " + records + " committed records",
                    () -> loop.learnerAccountedFor() == records);
            assertThat(loop.learnerMetric(IGNORED)).isZero();
            assertThat(learner.output()).doesNotContain("offsets lost");
            phase(
                    "done: "
                            + records
                            + " records in "
                            + committed.batches()
                            + " committed batches, learner version "
                            + loop.newestVersion);
        }
    }

    private List<String> learnerArgs(
            KafkaCluster kafka, String batches, String snapshots, int metricsPort) {
        // No --topic-replication-factor: the default is the job's, three replicas.
        return List.of(
                PolicyProcess.LEARNER,
                PolicyProcess.BOOTSTRAP_SERVERS,
                kafka.bootstrapServers(),
                PolicyProcess.BATCHES_TOPIC,
                batches,
                PolicyProcess.SNAPSHOTS_TOPIC,
                snapshots,
                PolicyProcess.STORE,
                dir.resolve("store").toString(),
                PolicyProcess.MAZE,
                PolicyProcess.MAZE_SMALL,
                "--hidden",
                "16",
                "--batch-records",
                String.valueOf(BATCH_RECORDS),
                PolicyProcess.KAFKA_TIMEOUT,
                KAFKA_GUARD,
                PolicyProcess.KAFKA_CONNECT_TIMEOUT,
                KAFKA_GUARD,
                PolicyProcess.METRICS_ADDRESS,
                "127.0.0.1",
                PolicyProcess.METRICS_PORT,
                String.valueOf(metricsPort),
                "--progress-interval",
                "2s");
    }

    private List<String> fleetArgs(KafkaCluster kafka, String steps, String snapshots) {
        return List.of(
                PolicyProcess.FLEET,
                PolicyProcess.BOOTSTRAP_SERVERS,
                kafka.bootstrapServers(),
                PolicyProcess.STEPS_TOPIC,
                steps,
                PolicyProcess.SNAPSHOTS_TOPIC,
                snapshots,
                // The fleet loads weights only from the learner's store.
                PolicyProcess.STORE,
                dir.resolve("store").toString(),
                PolicyProcess.MAZE,
                PolicyProcess.MAZE_SMALL,
                PolicyProcess.TASKS,
                "2",
                PolicyProcess.GROUP_SIZE,
                "8",
                PolicyProcess.MAX_STEPS_AHEAD,
                String.valueOf(MAX_STEPS_AHEAD),
                // Given explicitly here, as a user would on a cluster of their own.
                PolicyProcess.TOPIC_REPLICATION_FACTOR,
                "3",
                PolicyProcess.TOPIC_MIN_INSYNC_REPLICAS,
                "2",
                PolicyProcess.KAFKA_TIMEOUT,
                KAFKA_GUARD,
                PolicyProcess.KAFKA_CONNECT_TIMEOUT,
                KAFKA_GUARD,
                "--snapshot-wait",
                KAFKA_GUARD,
                "--progress-interval",
                "2s");
    }

    private static void assertReplicatedThreeTimesWithTwoInSync(Admin admin, String topic)
            throws Exception {
        TopicDescription description =
                admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic);
        assertThat(description.partitions())
                .as("replicas of %s", topic)
                .allSatisfy(p -> assertThat(p.replicas()).hasSize(3));
        ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
        assertThat(
                        admin.describeConfigs(List.of(resource))
                                .all()
                                .get()
                                .get(resource)
                                .get("min.insync.replicas")
                                .value())
                .as("min.insync.replicas of %s", topic)
                .isEqualTo("2");
    }

    private static int leaderOfFirstPartition(Admin admin, String topic) throws Exception {
        return admin.describeTopics(List.of(topic))
                .allTopicNames()
                .get()
                .get(topic)
                .partitions()
                .get(0)
                .leader()
                .id();
    }

    /** Which of {@code topics} node {@code node} leads partition 0 of, for the phase line. */
    private static List<String> ledBy(Admin admin, int node, List<String> topics) throws Exception {
        List<String> led = new ArrayList<>();
        for (String topic : topics) {
            if (leaderOfFirstPartition(admin, topic) == node) {
                led.add(topic);
            }
        }
        return led;
    }

    private static int freePort() throws Exception {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    /**
     * What the test sees of the running loop: the snapshots, the steps and the committed batches on
     * Kafka, and the learner's metrics. Every wait polls them until its condition holds, and fails
     * as soon as a child dies, or as hung after {@link HangGuard#EVENT}.
     */
    private static final class Loop {
        private final Admin admin;
        private final PolicyChild learner;
        private final PolicyChild fleet;
        private final MetricsEndpoint learnerMetrics;
        private final AvroCodec<PolicySnapshot> snapshotCodec = AvroCodec.of(PolicySnapshot.class);
        private final AvroCodec<StepEvent> stepCodec = StepEventCodecs.create();
        private final Set<String> stepKeys = new HashSet<>();

        private KafkaConsumer<byte[], byte[]> snapshotReader;
        private KafkaConsumer<byte[], byte[]> stepReader;
        private CommittedBatches committed;
        private boolean fleetMayFinish;
        private String metrics = "";
        long newestVersion = -1;
        long newestStepVersion = -1;
        int stepsWritten;

        Loop(Admin admin, PolicyChild learner, PolicyChild fleet, MetricsEndpoint learnerMetrics) {
            this.admin = admin;
            this.learner = learner;
            this.fleet = fleet;
            this.learnerMetrics = learnerMetrics;
        }

        void readers(
                KafkaConsumer<byte[], byte[]> snapshotReader,
                KafkaConsumer<byte[], byte[]> stepReader,
                CommittedBatches committed) {
            this.snapshotReader = snapshotReader;
            this.stepReader = stepReader;
            this.committed = committed;
        }

        /** From now on the fleet may be gone: the test stops it. */
        void fleetMayFinish() {
            fleetMayFinish = true;
        }

        boolean topicsExist(String... topics) throws Exception {
            return admin.listTopics().names().get().containsAll(List.of(topics));
        }

        /** Polls everything until {@code condition} holds. */
        void await(String what, Condition condition) throws Exception {
            long deadline = System.nanoTime() + HangGuard.EVENT.toNanos();
            while (!condition.holds()) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError(
                            "no "
                                    + what
                                    + " within "
                                    + HangGuard.EVENT
                                    + " (learner version "
                                    + newestVersion
                                    + ", "
                                    + stepsWritten
                                    + " steps, "
                                    + committed
                                    + ")\nlearner:\n"
                                    + learner.tail(40)
                                    + "\nfleet:\n"
                                    + fleet.tail(40));
                }
                assertThat(learner.isAlive()).as("learner alive\n%s", learner.tail(60)).isTrue();
                if (!fleetMayFinish) {
                    assertThat(fleet.isAlive()).as("fleet alive\n%s", fleet.tail(60)).isTrue();
                }
                poll();
            }
        }

        private void poll() {
            if (snapshotReader == null) {
                pause();
                return;
            }
            for (ConsumerRecord<byte[], byte[]> record :
                    snapshotReader.poll(Duration.ofMillis(100))) {
                newestVersion =
                        Math.max(newestVersion, snapshotCodec.decode(record.value()).getVersion());
            }
            readSteps(stepReader.poll(Duration.ofMillis(100)));
            committed.poll();
            metrics = learnerMetrics.scrape().orElse(metrics);
        }

        private void readSteps(Iterable<ConsumerRecord<byte[], byte[]>> records) {
            for (ConsumerRecord<byte[], byte[]> record : records) {
                StepEvent step = stepCodec.decode(record.value());
                stepKeys.add(step.getEpisodeId() + "#" + step.getStepIndex());
                newestStepVersion = Math.max(newestStepVersion, step.getPolicyVersion());
                stepsWritten++;
            }
        }

        /** Reads the steps topic to its end: call once the fleet has exited. */
        void readStepsToEnd() {
            Map<org.apache.kafka.common.TopicPartition, Long> end =
                    stepReader.endOffsets(stepReader.assignment());
            long deadline = System.nanoTime() + HangGuard.EVENT.toNanos();
            while (end.entrySet().stream()
                    .anyMatch(e -> stepReader.position(e.getKey()) < e.getValue())) {
                assertThat(System.nanoTime()).as("steps read to their end").isLessThan(deadline);
                readSteps(stepReader.poll(Duration.ofMillis(200)));
            }
        }

        Set<String> committedKeys() {
            Set<String> keys = new HashSet<>();
            for (AdvantageRecord record : committed.records()) {
                keys.add(record.getEpisodeId() + "#" + record.getStepIndex());
            }
            return keys;
        }

        /** Records the learner trained on, skipped, or holds for its next update. */
        long learnerAccountedFor() {
            return (long)
                    (learnerMetric(SAMPLES) + learnerMetric(SKIPPED) + learnerMetric(PENDING));
        }

        double learnerMetric(String name) {
            return PrometheusText.sum(metrics, name);
        }

        /**
         * The poll interval of {@link #await} before the readers exist (their topics are still
         * being created); the wait itself is bounded by {@link HangGuard#EVENT}, not by sleeps.
         */
        private static void pause() {
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
    }

    @FunctionalInterface
    private interface Condition {
        boolean holds() throws Exception;
    }
}
