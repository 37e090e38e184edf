package io.creditstream.it;

import static io.creditstream.it.RunHarness.assertExactlyOnce;
import static org.assertj.core.api.Assertions.assertThat;

import io.creditstream.broker.KafkaCluster;
import io.creditstream.cluster.ClusterRest;
import io.creditstream.cluster.LocalFlinkCluster;
import io.creditstream.operators.core.credit.CreditParams;
import io.creditstream.schemas.AdvantageRecord;
import io.creditstream.schemas.StepEvent;
import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.JobStatus;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The job as it runs on a real Flink cluster: a JobManager and two TaskManagers, each its own JVM
 * on a class path of Flink jars only; the slim {@code -job} jar submitted over the REST API with
 * its options as program arguments, as {@code flink run} does. A TaskManager running tasks is
 * killed with SIGKILL mid-stream, then the job is rescaled through savepoints from parallelism 2 to
 * 4 and to 1; a {@code read_committed} learner must see every step's advantage exactly once, equal
 * to the kernel's for the uninterrupted input.
 */
class FlinkClusterITCase {
    private static final int GROUP_SIZE = 8;

    /** Checkpoints completed after the last expected record, so a late duplicate is committed. */
    private static final int TRAILING_CHECKPOINTS = 2;

    private static final Path FLINK_LIB = Path.of("..", "cluster", "target", "flink-lib");

    @TempDir Path dir;

    private final List<StepEvent> sent = new ArrayList<>();

    private final long started = System.nanoTime();

    /** A line per phase with the seconds since the test began, for docs/CLUSTER.md. */
    private void phase(String name) {
        System.out.printf(
                "FlinkClusterITCase %6.1f s: %s%n", (System.nanoTime() - started) / 1e9, name);
    }

    @Test
    void killsAndRescalingKeepEveryStepExactlyOnce() throws Exception {
        Path jar = jobJar();
        phase("start Kafka and Flink");
        try (KafkaCluster kafka =
                        KafkaCluster.builder().dataDir(dir.resolve("kafka")).build().start();
                LocalFlinkCluster cluster =
                        LocalFlinkCluster.start(
                                LocalFlinkCluster.Spec.of(dir.resolve("flink"), FLINK_LIB),
                                HangGuard.EVENT);
                ClusterRest rest = cluster.rest()) {
            for (LocalFlinkCluster.Member member : cluster.members()) {
                assertReporterOnLoopback(member);
            }
            Map<String, String> options =
                    KafkaTestSupport.isolatedJobOptions(kafka.bootstrapServers());
            // The parallelism is the submission's (flink run -p), not an option of the job.
            options.remove("parallelism.default");
            List<String> topics =
                    options.keySet().stream()
                            .filter(k -> k.startsWith("topic."))
                            .map(options::get)
                            .toList();
            kafka.createTopics(4, topics.toArray(String[]::new));
            List<String> programArgs = programArguments(options);
            try (StepProducer fleet =
                            new StepProducer(kafka.bootstrapServers(), options.get("topic.steps"));
                    CommittedBatches learner =
                            new CommittedBatches(
                                    kafka.bootstrapServers(), options.get("topic.batches"))) {
                run(kafka, cluster, rest, fleet, learner, jar, programArgs, options);
            }
        }
    }

    private void run(
            KafkaCluster kafka,
            LocalFlinkCluster cluster,
            ClusterRest rest,
            StepProducer fleet,
            CommittedBatches learner,
            Path jar,
            List<String> programArgs,
            Map<String, String> options)
            throws Exception {
        Waits waits = new Waits(cluster, rest, learner);
        try {
            phase("submit at parallelism 2");
            // 1. Parallelism 2, a TaskManager running tasks killed while groups are open and
            // a transaction is pending.
            JobID first = cluster.submit(jar, programArgs, 2, null);
            Map<Boolean, List<StepEvent>> straddling = straddling("exp-tm-kill", 11);
            send(fleet, straddling.get(true));
            StreamingFleet streaming = new StreamingFleet(fleet);
            waits.await(
                    "two checkpoints, committed records and an open transaction",
                    streaming::sendWhenDue,
                    () ->
                            completedCheckpoints(cluster, first) >= 2
                                    && learner.count(r -> isStreamed(r)) > 0
                                    && learner.transactionPending());
            List<String> busy = rest.busyTaskManagers();
            assertThat(busy).as("TaskManagers running the job").isNotEmpty();
            phase("kill " + busy.get(0));
            cluster.kill(busy.get(0), HangGuard.EVENT);
            send(fleet, straddling.get(false));
            send(fleet, TestFleet.groups(new Random(13), "exp-after-kill", 24, GROUP_SIZE));
            waits.awaitAllExpected();
            // The job recovered on the surviving slots; a replacement TaskManager brings the
            // cluster back to four slots for the rescaling.
            cluster.startTaskManager();
            waits.awaitLiveTaskManagers();

            phase("kill a broker");
            // 2. The broker leading a partition of learner.batches killed while a
            // transaction is open: RF 3 and min ISR 2 keep every record, the two survivors
            // keep taking writes.
            Map<Boolean, List<StepEvent>> acrossBrokerKill = straddling("exp-broker-kill", 29);
            send(fleet, acrossBrokerKill.get(true));
            waits.await("an open transaction", streaming::sendWhenDue, learner::transactionPending);
            int leader = leaderOfFirstPartition(kafka, options.get("topic.batches"));
            kafka.kill(leader);
            send(fleet, acrossBrokerKill.get(false));
            send(fleet, TestFleet.groups(new Random(31), "exp-after-broker", 12, GROUP_SIZE));
            waits.awaitAllExpected();

            phase("rescale to 4");
            // 3. Stop with a savepoint while groups are open, resume at parallelism 4.
            JobID atFour = rescale(rest, waits, cluster, fleet, first, programArgs, jar, 4, 17);
            assertThat(rest.busyTaskManagers())
                    .as("parallelism 4 needs both TaskManagers' slots")
                    .hasSize(2);

            phase("rescale to 1");
            // 4. And down to parallelism 1.
            JobID atOne = rescale(rest, waits, cluster, fleet, atFour, programArgs, jar, 1, 19);
            send(fleet, TestFleet.groups(new Random(23), "exp-at-one", 8, GROUP_SIZE));
            waits.awaitAllExpected();

            phase("kill the JobManager");
            // 5. The JobManager killed. Without HA the job dies with it: a new JobManager on the
            // same address knows no jobs, the TaskManagers register with it again, and the job
            // is submitted anew from its latest retained checkpoint.
            Map<Boolean, List<StepEvent>> acrossJobManager = straddling("exp-jm", 37);
            send(fleet, acrossJobManager.get(true));
            int before = completedCheckpoints(cluster, atOne);
            waits.await(
                    "a checkpoint of job " + atOne,
                    () -> {},
                    () -> completedCheckpoints(cluster, atOne) > before);
            cluster.kill(LocalFlinkCluster.JOB_MANAGER, HangGuard.EVENT);
            send(fleet, acrossJobManager.get(false));
            cluster.startJobManager();
            waits.awaitLiveTaskManagers();
            assertThat(rest.overview().getNumJobsRunningOrPending())
                    .as("jobs the new JobManager knows")
                    .isZero();
            Path retained = latestCheckpoint(cluster, atOne);
            JobID resumed = cluster.submit(jar, programArgs, 2, retained.toUri().toString());
            waits.awaitAllExpected();
            int reached = completedCheckpoints(cluster, resumed);
            waits.await(
                    TRAILING_CHECKPOINTS + " more checkpoints after checkpoint " + reached,
                    () -> {},
                    () -> completedCheckpoints(cluster, resumed) >= reached + TRAILING_CHECKPOINTS);
            assertThat(learner.readToLastStableOffset(HangGuard.EVENT)).isTrue();
            assertThat(rest.status(resumed)).isEqualTo(JobStatus.RUNNING);
            assertExactlyOnce(learner.records(), expected());
            phase("done: " + sent.size() + " steps exactly once");
        } catch (Throwable failure) {
            for (LocalFlinkCluster.Member member : cluster.members()) {
                System.err.println(cluster.tail(member.name(), 60));
            }
            throw failure;
        }
    }

    /**
     * Half of the groups {@code seed} makes go in before a stop-with-savepoint, the rest after; the
     * job resumes from the savepoint at {@code parallelism}.
     */
    private JobID rescale(
            ClusterRest rest,
            Waits waits,
            LocalFlinkCluster cluster,
            StepProducer fleet,
            JobID running,
            List<String> programArgs,
            Path jar,
            int parallelism,
            long seed)
            throws Exception {
        Map<Boolean, List<StepEvent>> straddling = straddling("exp-to-" + parallelism, seed);
        send(fleet, straddling.get(true));
        int before = completedCheckpoints(cluster, running);
        // A checkpoint after the steps were sent: most likely they sit in open groups in state.
        waits.await(
                "a checkpoint of job " + running,
                () -> {},
                () -> completedCheckpoints(cluster, running) > before);
        String savepoint = rest.stopWithSavepoint(running, cluster.savepointDirectory());
        waits.awaitStatus(running, JobStatus.FINISHED);
        send(fleet, straddling.get(false));
        JobID resumed = cluster.submit(jar, programArgs, parallelism, savepoint);
        waits.awaitAllExpected();
        return resumed;
    }

    /** The broker leading partition 0 of a topic. */
    /**
     * The process runs creditstream's reporter from flink-lib (Flink's own would bind every
     * interface) on 127.0.0.1, and it serves Flink's metrics there.
     */
    private static void assertReporterOnLoopback(LocalFlinkCluster.Member member)
            throws IOException {
        int port = member.prometheusPort();
        assertThat(Files.readString(member.log()))
                .as("%s's log", member.name())
                .contains("Started the Prometheus reporter on 127.0.0.1:" + port + ".");
        HttpURLConnection connection =
                (HttpURLConnection)
                        new URL("http://127.0.0.1:" + port + "/metrics").openConnection();
        connection.setConnectTimeout((int) HangGuard.EVENT.toMillis());
        connection.setReadTimeout((int) HangGuard.EVENT.toMillis());
        try (InputStream in = connection.getInputStream()) {
            assertThat(new String(in.readAllBytes(), StandardCharsets.UTF_8))
                    .as("%s's metrics", member.name())
                    .contains("flink_");
        } finally {
            connection.disconnect();
        }
    }

    private static int leaderOfFirstPartition(KafkaCluster kafka, String topic) throws Exception {
        try (Admin admin =
                Admin.create(
                        Map.of(
                                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                                kafka.bootstrapServers()))) {
            return admin.describeTopics(List.of(topic))
                    .allTopicNames()
                    .get()
                    .get(topic)
                    .partitions()
                    .get(0)
                    .leader()
                    .id();
        }
    }

    private Map<String, AdvantageRecord> expected() {
        return ExpectedCredit.of(sent, CreditParams.defaults());
    }

    /**
     * Every option as {@code --key value}, the form {@code flink run} users write after the jar.
     */
    private static List<String> programArguments(Map<String, String> options) {
        List<String> args = new ArrayList<>();
        options.forEach(
                (key, value) -> {
                    args.add("--" + key);
                    args.add(value);
                });
        return args;
    }

    /** The streams module's slim jar, built by the reactor before this module. */
    private static Path jobJar() throws IOException {
        try (Stream<Path> jars = Files.list(Path.of("..", "streams", "target"))) {
            return jars.filter(p -> p.getFileName().toString().endsWith("-job.jar"))
                    .findFirst()
                    .orElseThrow(
                            () ->
                                    new IllegalStateException(
                                            "no streams/target/*-job.jar; build it with"
                                                    + " `mvn -pl it -am verify`"));
        }
    }

    /** The directory of a job's highest completed checkpoint. */
    private static Path latestCheckpoint(LocalFlinkCluster cluster, JobID job) {
        int number = completedCheckpoints(cluster, job);
        assertThat(number).as("completed checkpoints of %s", job).isPositive();
        return cluster.checkpointDirectory().resolve(job.toHexString()).resolve("chk-" + number);
    }

    /** The highest completed checkpoint of a job ({@code <dir>/<job-id>/chk-N/_metadata}). */
    private static int completedCheckpoints(LocalFlinkCluster cluster, JobID job) {
        Path jobDir = cluster.checkpointDirectory().resolve(job.toHexString());
        if (!Files.isDirectory(jobDir)) {
            return 0;
        }
        try (Stream<Path> entries = Files.list(jobDir)) {
            return entries.filter(p -> p.getFileName().toString().startsWith("chk-"))
                    .filter(p -> Files.isRegularFile(p.resolve("_metadata")))
                    .mapToInt(p -> Integer.parseInt(p.getFileName().toString().substring(4)))
                    .max()
                    .orElse(0);
        } catch (IOException e) {
            // A checkpoint subsumed while listed: the next poll looks again.
            return 0;
        }
    }

    /** All episodes of the first half of each group and the first two steps of the others. */
    private static Map<Boolean, List<StepEvent>> straddling(String experiment, long seed) {
        return TestFleet.groups(new Random(seed), experiment, 12, GROUP_SIZE).stream()
                .collect(Collectors.partitioningBy(FlinkClusterITCase::sentFirst));
    }

    private static boolean sentFirst(StepEvent step) {
        String episode = step.getEpisodeId();
        int index = Integer.parseInt(episode.substring(episode.lastIndexOf("-e") + 2));
        return index < step.getGroupSize() / 2 || step.getStepIndex() < 2;
    }

    private static boolean isStreamed(AdvantageRecord record) {
        return record.getExperimentId().startsWith(StreamingFleet.EXPERIMENT);
    }

    private void send(StepProducer fleet, List<StepEvent> steps) {
        fleet.send(steps);
        sent.addAll(steps);
    }

    /** Two whole groups every 200 ms, each chunk under its own experiment id. */
    private final class StreamingFleet {
        static final String EXPERIMENT = "exp-streamed-";
        private static final long INTERVAL_NANOS = Duration.ofMillis(200).toNanos();
        private final StepProducer fleet;
        private long due = System.nanoTime();
        private int chunk;

        StreamingFleet(StepProducer fleet) {
            this.fleet = fleet;
        }

        void sendWhenDue() {
            if (System.nanoTime() - due >= 0) {
                send(
                        fleet,
                        TestFleet.groups(
                                new Random(100 + chunk), EXPERIMENT + chunk, 2, GROUP_SIZE));
                chunk++;
                due = System.nanoTime() + INTERVAL_NANOS;
            }
        }
    }

    /** Waits on the cluster while the learner reads, each bounded by the hang guard. */
    private final class Waits {
        private final LocalFlinkCluster cluster;
        private final ClusterRest rest;
        private final CommittedBatches learner;

        Waits(LocalFlinkCluster cluster, ClusterRest rest, CommittedBatches learner) {
            this.cluster = cluster;
            this.rest = rest;
            this.learner = learner;
        }

        void await(String what, Runnable between, ClusterRest.Check done) throws Exception {
            rest.awaitCondition(
                    what + " (" + learner + ")",
                    cluster,
                    HangGuard.EVENT,
                    () -> {
                        if (done.holds()) {
                            return true;
                        }
                        between.run();
                        // At most 200 ms: paces the loop.
                        learner.poll();
                        return false;
                    });
        }

        void awaitAllExpected() throws Exception {
            int wanted = expected().size();
            assertThat(wanted).isEqualTo(sent.size());
            await(
                    "as many committed records as distinct steps (" + wanted + ")",
                    () -> {},
                    () -> learner.records().size() >= wanted);
        }

        /** Every TaskManager process alive now is registered, and no other. */
        void awaitLiveTaskManagers() throws Exception {
            Set<String> live =
                    cluster.taskManagers().stream()
                            .filter(LocalFlinkCluster.Member::isAlive)
                            .map(LocalFlinkCluster.Member::name)
                            .collect(Collectors.toSet());
            rest.awaitTaskManagers(live, cluster, HangGuard.EVENT);
        }

        void awaitStatus(JobID job, JobStatus status) throws Exception {
            rest.awaitStatus(job, status, cluster, HangGuard.EVENT);
        }
    }
}
