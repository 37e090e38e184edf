package io.creditstream.policy.fleet;

import static io.creditstream.policy.service.ServiceTestSupport.EXPERIMENT;
import static io.creditstream.policy.service.ServiceTestSupport.PATIENCE;
import static io.creditstream.policy.service.ServiceTestSupport.encode;
import static io.creditstream.policy.service.ServiceTestSupport.freshTopic;
import static io.creditstream.policy.service.ServiceTestSupport.pollUntilVersion;
import static io.creditstream.policy.service.ServiceTestSupport.smallLearner;
import static io.creditstream.policy.service.ServiceTestSupport.snapshots;
import static io.creditstream.policy.service.ServiceTestSupport.writeCommitted;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.creditstream.broker.EmbeddedKafkaExtension;
import io.creditstream.policy.model.NetworkSpec;
import io.creditstream.policy.model.PolicyNetwork;
import io.creditstream.policy.model.PolicySnapshotStore;
import io.creditstream.policy.service.LearnerService;
import io.creditstream.policy.service.LearnerSettings;
import io.creditstream.policy.service.Maze;
import io.creditstream.policy.service.ServiceTestSupport;
import io.creditstream.schemas.AdvantageRecord;
import io.creditstream.schemas.BudgetAllocation;
import io.creditstream.schemas.BudgetRequest;
import io.creditstream.schemas.PolicySnapshot;
import io.creditstream.schemas.StepEvent;
import io.creditstream.schemas.codec.AvroCodec;
import io.creditstream.schemas.contract.SnapshotMetrics;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** The fleet against a real broker and a real learner: versions, log-probs, limits, budgets. */
class FleetServiceITCase {

    /** {@code <run>-w<worker>-<task>-g<sequence>}, as SimulatedFleet names groups. */
    private static final Pattern GROUP_ID = Pattern.compile("t1-w(\\d+)-task-\\d+-g(\\d+)");

    @RegisterExtension static final EmbeddedKafkaExtension KAFKA = new EmbeddedKafkaExtension();

    @TempDir Path dir;

    @Test
    void playsTheNewestSnapshotAndSwitchesVersionsOnlyBetweenGroups() throws Exception {
        String batches = freshTopic(KAFKA.broker(), "batches");
        String snapshotsTopic = freshTopic(KAFKA.broker(), "snapshots");
        String steps = freshTopic(KAFKA.broker(), "steps");
        LearnerSettings learnerSettings =
                smallLearner(KAFKA.broker(), batches, snapshotsTopic, dir).batchRecords(1).build();
        FleetSettings fleetSettings =
                fleet(steps, snapshotsTopic).workers(2).targetEventsPerSecond(3000).build();

        List<StepEvent> events;
        FleetProgress progress;
        Optional<Throwable> failure;
        try (LearnerService learner = LearnerService.start(learnerSettings);
                FleetService fleet = new FleetService(fleetSettings);
                StepReader reader = new StepReader(steps)) {
            fleet.start();
            List<StepEvent> first = reader.readUntil(read -> read.size() >= 150);
            assertThat(first).allSatisfy(e -> assertThat(e.getPolicyVersion()).isZero());

            // The learner trains version 1 on what the fleet played.
            List<AdvantageRecord> records = new ArrayList<>();
            for (StepEvent step : first) {
                records.add(
                        ServiceTestSupport.record(
                                step.getGroupId(),
                                step.getStepIndex(),
                                step.getObservation(),
                                step.getAction(),
                                step.getBehaviorLogprob(),
                                step.getStepIndex() % 2 == 0 ? 1.0 : -1.0));
            }
            writeCommitted(
                    KAFKA.broker(),
                    batches,
                    List.of(encode(ServiceTestSupport.batch("from-fleet", records))));
            pollUntilVersion(learner, 1);

            reader.readUntil(
                    read -> fleet.progress().policyVersion() >= 1 && workersOnV1(read) == 2);
            fleet.stop();
            assertThat(fleet.awaitTermination(PATIENCE)).isTrue();
            fleet.close();
            progress = fleet.progress();
            failure = fleet.failure();
            events = reader.readToEnd();
        }

        assertThat(failure).isEmpty();
        assertThat(progress.policyVersion()).isEqualTo(1);
        assertThat(progress.policySwaps()).isEqualTo(2);
        assertThat(progress.steps()).isEqualTo(events.size());

        Map<String, Set<Long>> versionsByGroup =
                events.stream()
                        .collect(
                                Collectors.groupingBy(
                                        StepEvent::getGroupId,
                                        Collectors.mapping(
                                                StepEvent::getPolicyVersion,
                                                Collectors.toCollection(TreeSet::new))));
        assertThat(versionsByGroup.values()).allSatisfy(v -> assertThat(v).hasSize(1));
        // Per worker, in the order it played them, groups move from version 0 to 1 and stay.
        for (int worker = 0; worker < 2; worker++) {
            List<Long> inOrder = versionsInPlayOrder(versionsByGroup, worker);
            assertThat(inOrder).isSorted().startsWith(0L).endsWith(1L);
        }

        List<PolicySnapshot> published = snapshots(KAFKA.broker(), snapshotsTopic);
        assertThat(published).extracting(PolicySnapshot::getVersion).containsExactly(0L, 1L);
        for (PolicySnapshot snapshot : published) {
            List<StepEvent> played =
                    events.stream()
                            .filter(e -> e.getPolicyVersion() == snapshot.getVersion())
                            .limit(200)
                            .toList();
            assertThat(played).isNotEmpty();
            assertBehaviorLogProbsCameFrom(snapshot, played);
        }
    }

    @Test
    void pausesWhileTheStepsAheadOfTheLearnerReachTheLimitCountingItsReportedBacklog()
            throws Exception {
        String snapshotsTopic = freshTopic(KAFKA.broker(), "snapshots");
        String steps = freshTopic(KAFKA.broker(), "steps");
        int limit = 200;
        int backlog = 150;
        // Each worker may finish the group it started just below the limit: 2 × 4 × 30 steps.
        int overshoot = 2 * 4 * Maze.SMALL.spec().maxSteps();
        PolicySnapshotStore store = new PolicySnapshotStore(dir.resolve("store"));
        try (PolicyNetwork network =
                        PolicyNetwork.create(NetworkSpec.keyDoorMaze(3, 5).withHiddenSize(8), 3);
                FleetService fleet =
                        new FleetService(
                                fleet(steps, snapshotsTopic)
                                        .workers(2)
                                        .maxStepsAhead(limit)
                                        .build());
                StepReader reader = new StepReader(steps)) {
            announce(snapshotsTopic, store.publish(EXPERIMENT, 0, network, Map.of()));
            fleet.start();
            awaitBothPaused(fleet);
            long underV0 = fleet.progress().steps();
            List<StepEvent> first = reader.readUntil(read -> read.size() >= underV0);

            assertThat(underV0).isBetween((long) limit, (long) limit + overshoot);
            assertThat(first).hasSize((int) underV0);
            assertThat(fleet.progress().steps())
                    .as("nothing played while paused")
                    .isEqualTo(underV0);

            // Version 1 says the learner still holds 150 samples: only 50 more steps are allowed.
            announce(
                    snapshotsTopic,
                    store.publish(
                            EXPERIMENT,
                            1,
                            network,
                            Map.of(SnapshotMetrics.PENDING_SAMPLES, (double) backlog)));
            reader.readUntil(read -> read.stream().anyMatch(e -> e.getPolicyVersion() == 1));
            awaitBothPaused(fleet);
            FleetProgress progress = fleet.progress();
            List<StepEvent> all = reader.readUntil(read -> read.size() >= progress.steps());
            fleet.stop();

            assertThat(all.stream().filter(e -> e.getPolicyVersion() == 0).count())
                    .isEqualTo(underV0);
            assertThat(all.stream().filter(e -> e.getPolicyVersion() == 1).count())
                    .isBetween((long) limit - backlog, (long) limit - backlog + overshoot);
            // Both workers paused under version 0; under version 1 at least one paused again. The
            // other may never have resumed: a worker that wakes to find the 50 steps already
            // played stays in the pause it was in, which counts once.
            assertThat(progress.pacingPauses()).isBetween(3L, 4L);
            assertThat(progress.line()).contains("paused for the learner");
        }
    }

    @Test
    void staysPausedWhileNewerSnapshotsTrainedOnlyOnOlderStepsAndReportsTheStall()
            throws Exception {
        String snapshotsTopic = freshTopic(KAFKA.broker(), "snapshots");
        String steps = freshTopic(KAFKA.broker(), "steps");
        int limit = 200;
        int overshoot = 2 * 4 * Maze.SMALL.spec().maxSteps();
        PolicySnapshotStore store = new PolicySnapshotStore(dir.resolve("store"));
        try (PolicyNetwork network =
                        PolicyNetwork.create(NetworkSpec.keyDoorMaze(3, 5).withHiddenSize(8), 3);
                FleetService fleet =
                        new FleetService(
                                fleet(steps, snapshotsTopic)
                                        .workers(2)
                                        .maxStepsAhead(limit)
                                        .stallWarning(Duration.ofSeconds(1))
                                        .build());
                StepReader reader = new StepReader(steps)) {
            announce(snapshotsTopic, store.publish(EXPERIMENT, 0, network, trained(-1, 0)));
            fleet.start();
            awaitBothPaused(fleet);
            long underV0 = fleet.progress().steps();

            // v1 trained on v0's steps: the fleet plays on, up to the limit again.
            announce(snapshotsTopic, store.publish(EXPERIMENT, 1, network, trained(0, 0)));
            reader.readUntil(read -> read.stream().anyMatch(e -> e.getPolicyVersion() == 1));
            awaitBothPaused(fleet);
            long underV1 = fleet.progress().steps() - underV0;
            assertThat(underV1).isBetween((long) limit, (long) limit + overshoot);

            // v2 trained only on more of v0's steps and holds none of v1's yet (its queue is
            // empty): v1's steps are all still ahead, so the fleet must not play v2.
            announce(snapshotsTopic, store.publish(EXPERIMENT, 2, network, trained(0, 0)));
            awaitFleet(
                    fleet,
                    () ->
                            fleet.progress().newestSnapshotVersion() == 2
                                    && fleet.stall().isPresent(),
                    "the fleet saw v2 and reports a stall");
            String stall = fleet.stall().orElseThrow();
            assertThat(stall)
                    .contains("workers paused for the learner for")
                    .contains(String.format("%,d steps sent with versions after v0", underV1))
                    .contains("newest snapshot v2")
                    .contains("has not delivered them");
            assertThat(fleet.progress().line()).contains("STALLED: " + stall);

            // v3 trained on v1's steps: the fleet plays again, with v3.
            announce(snapshotsTopic, store.publish(EXPERIMENT, 3, network, trained(1, 0)));
            List<StepEvent> all =
                    reader.readUntil(
                            read -> read.stream().anyMatch(e -> e.getPolicyVersion() == 3));
            fleet.stop();

            assertThat(all.stream().filter(e -> e.getPolicyVersion() == 2)).isEmpty();
            assertThat(fleet.failure()).isEmpty();
        }
    }

    @Test
    void stopsAtTheEpisodeLimitWithWholeGroups() throws Exception {
        String batches = freshTopic(KAFKA.broker(), "batches");
        String snapshotsTopic = freshTopic(KAFKA.broker(), "snapshots");
        String steps = freshTopic(KAFKA.broker(), "steps");
        try (LearnerService learner =
                        LearnerService.start(
                                smallLearner(KAFKA.broker(), batches, snapshotsTopic, dir)
                                        .build());
                FleetService fleet =
                        new FleetService(
                                fleet(steps, snapshotsTopic).workers(2).maxEpisodes(10).build());
                StepReader reader = new StepReader(steps)) {
            fleet.runFor(PATIENCE);

            FleetProgress progress = fleet.progress();
            // Groups of 4: the third reservation crosses 10, a fourth is never started.
            assertThat(progress.episodes()).isEqualTo(12);
            assertThat(progress.groups()).isEqualTo(3);
            List<StepEvent> events = reader.readToEnd();
            assertThat(events).hasSize((int) progress.steps());
            assertThat(events.stream().map(StepEvent::getEpisodeId).distinct()).hasSize(12);
            assertThat(events).allSatisfy(e -> assertThat(e.getPolicyVersion()).isZero());
        }
    }

    @Test
    void failsClearlyWhenNoSnapshotArrives() {
        String snapshotsTopic = freshTopic(KAFKA.broker(), "snapshots");
        FleetSettings settings =
                fleet(freshTopic(KAFKA.broker(), "steps"), snapshotsTopic)
                        .snapshotWait(Duration.ofMillis(500))
                        .build();
        FleetService fleet = new FleetService(settings);

        assertThatThrownBy(fleet::start)
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("no policy snapshot of experiment '" + EXPERIMENT + "'")
                .hasMessageContaining("start the learner first")
                .hasMessageContaining("--snapshot-wait");
    }

    @Test
    void refusesASnapshotTrainedForAnotherMaze() throws Exception {
        String batches = freshTopic(KAFKA.broker(), "batches");
        String snapshotsTopic = freshTopic(KAFKA.broker(), "snapshots");
        try (LearnerService learner =
                LearnerService.start(
                        smallLearner(KAFKA.broker(), batches, snapshotsTopic, dir)
                                .maze(Maze.STANDARD)
                                .build())) {
            FleetService fleet =
                    new FleetService(
                            fleet(freshTopic(KAFKA.broker(), "steps"), snapshotsTopic).build());

            assertThatThrownBy(fleet::start)
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("trained for a 7x11 maze, but --maze small is 3x5");
            fleet.close();
        }
    }

    @Test
    void playsTheGroupSizesTheKnapsackBudgetAnswersWithRoundIdsUniquePerWorker() throws Exception {
        String batches = freshTopic(KAFKA.broker(), "batches");
        String snapshotsTopic = freshTopic(KAFKA.broker(), "snapshots");
        String steps = freshTopic(KAFKA.broker(), "steps");
        String requests = freshTopic(KAFKA.broker(), "requests");
        String budget = freshTopic(KAFKA.broker(), "budget");
        // The job's answers sum to the round's budget (2 tasks x 4), or the client falls back.
        Map<String, Integer> answers = Map.of("task-0000", 3, "task-0001", 5);
        AtomicBoolean running = new AtomicBoolean(true);
        List<String> roundIds = new java.util.concurrent.CopyOnWriteArrayList<>();
        Thread allocator =
                new Thread(() -> answerBudgets(requests, budget, answers, roundIds, running));
        allocator.start();
        try (LearnerService learner =
                        LearnerService.start(
                                smallLearner(KAFKA.broker(), batches, snapshotsTopic, dir)
                                        .build());
                FleetService fleet =
                        new FleetService(
                                fleet(steps, snapshotsTopic)
                                        .workers(2)
                                        .budget(
                                                new FleetSettings.Budget(
                                                        requests, budget, 2, PATIENCE))
                                        .build());
                StepReader reader = new StepReader(steps)) {
            fleet.start();
            awaitFleet(
                    fleet,
                    () ->
                            roundIds.stream().map(id -> id.substring(0, 6)).distinct().count() == 2
                                    && fleet.progress().groups() >= 4,
                    "both workers asked for a round and 4 groups were played");
            fleet.stop();
            assertThat(fleet.awaitTermination(PATIENCE)).isTrue();

            FleetProgress progress = fleet.progress();
            assertThat(progress.budgetRounds()).isGreaterThanOrEqualTo(2);
            assertThat(progress.budgetFallbacks()).isZero();
            assertThat(roundIds).doesNotHaveDuplicates();
            assertThat(roundIds).allMatch(id -> id.matches("t1-w[01]-round-\\d+"));
            Map<String, Set<Integer>> sizes =
                    reader.readToEnd().stream()
                            .collect(
                                    Collectors.groupingBy(
                                            StepEvent::getTaskId,
                                            Collectors.mapping(
                                                    StepEvent::getGroupSize, Collectors.toSet())));
            assertThat(sizes)
                    .containsOnly(
                            Map.entry("task-0000", Set.of(3)), Map.entry("task-0001", Set.of(5)));
        } finally {
            running.set(false);
            allocator.join();
        }
    }

    // ---- helpers
    // ---------------------------------------------------------------------------------

    private FleetSettings.Builder fleet(String steps, String snapshotsTopic) {
        return FleetSettings.builder(KAFKA.broker().bootstrapServers())
                .storeDir(dir.resolve("store"))
                .experimentId(EXPERIMENT)
                .stepsTopic(steps)
                .snapshotsTopic(snapshotsTopic)
                .maze(Maze.SMALL)
                .tasks(2)
                .groupSize(4)
                .seed(5)
                .runId("t1")
                .snapshotWait(PATIENCE)
                .kafkaTimeout(PATIENCE);
    }

    /** A learner's snapshot metrics: the newest version it trained on and its backlog. */
    private static Map<String, Double> trained(long version, double pending) {
        return Map.of(
                SnapshotMetrics.TRAINED_POLICY_VERSION,
                (double) version,
                SnapshotMetrics.PENDING_SAMPLES,
                pending,
                SnapshotMetrics.BATCH_RECORDS,
                100.0);
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

    /** Polls the fleet's progress until both workers wait for a newer snapshot. */
    private static void awaitBothPaused(FleetService fleet) {
        awaitFleet(fleet, () -> fleet.progress().pausedWorkers() == 2, "both workers paused");
    }

    /**
     * Polls {@code done} every millisecond (the fleet's threads change it; there is no event to
     * wait on), failing fast if the fleet failed and after {@link ServiceTestSupport#PATIENCE}.
     */
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

    private static int workersOnV1(List<StepEvent> events) {
        return (int)
                events.stream()
                        .filter(e -> e.getPolicyVersion() == 1)
                        .map(e -> worker(e.getGroupId()))
                        .distinct()
                        .count();
    }

    private static int worker(String groupId) {
        Matcher matcher = GROUP_ID.matcher(groupId);
        assertThat(matcher.matches()).as(groupId).isTrue();
        return Integer.parseInt(matcher.group(1));
    }

    private static List<Long> versionsInPlayOrder(
            Map<String, Set<Long>> versionsByGroup, int worker) {
        TreeMap<Integer, Long> bySequence = new TreeMap<>();
        versionsByGroup.forEach(
                (group, versions) -> {
                    Matcher matcher = GROUP_ID.matcher(group);
                    assertThat(matcher.matches()).as(group).isTrue();
                    if (Integer.parseInt(matcher.group(1)) == worker) {
                        bySequence.put(
                                Integer.parseInt(matcher.group(2)), versions.iterator().next());
                    }
                });
        return new ArrayList<>(bySequence.values());
    }

    /** Each step's behavior_logprob is exactly the snapshot network's float32 log-prob. */
    private void assertBehaviorLogProbsCameFrom(PolicySnapshot snapshot, List<StepEvent> played)
            throws Exception {
        try (PolicyNetwork network = new PolicySnapshotStore(dir).load(snapshot)) {
            for (StepEvent step : played) {
                float[] logProbs = network.logProbabilities(step.getObservation());
                double expected = logProbs[network.actionIndex(step.getAction())];
                assertThat(step.getBehaviorLogprob())
                        .as("%s step %d", step.getEpisodeId(), step.getStepIndex())
                        .isEqualTo(expected);
            }
        }
    }

    /** Answers every budget request on {@code requests} with fixed rollouts per task. */
    private static void answerBudgets(
            String requests,
            String budget,
            Map<String, Integer> answers,
            List<String> roundIds,
            AtomicBoolean running) {
        AvroCodec<BudgetRequest> requestCodec = AvroCodec.of(BudgetRequest.class);
        AvroCodec<BudgetAllocation> answerCodec = AvroCodec.of(BudgetAllocation.class);
        try (KafkaConsumer<byte[], byte[]> consumer = consumer();
                KafkaProducer<byte[], byte[]> producer =
                        new KafkaProducer<>(
                                Map.of(
                                        ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                                        KAFKA.broker().bootstrapServers()),
                                new ByteArraySerializer(),
                                new ByteArraySerializer())) {
            TopicPartition partition = new TopicPartition(requests, 0);
            consumer.assign(List.of(partition));
            consumer.seekToBeginning(List.of(partition));
            while (running.get()) {
                for (ConsumerRecord<byte[], byte[]> record :
                        consumer.poll(Duration.ofMillis(100))) {
                    BudgetRequest request = requestCodec.decode(record.value());
                    roundIds.add(request.getRoundId());
                    for (String task : request.getTaskIds()) {
                        BudgetAllocation answer =
                                new BudgetAllocation(
                                        request.getExperimentId(),
                                        request.getRoundId(),
                                        task,
                                        answers.get(task),
                                        0.5,
                                        1.0,
                                        null);
                        producer.send(
                                new ProducerRecord<>(
                                        budget,
                                        request.getRoundId().getBytes(StandardCharsets.UTF_8),
                                        answerCodec.encode(answer)));
                    }
                    producer.flush();
                }
            }
        }
    }

    private static KafkaConsumer<byte[], byte[]> consumer() {
        return new KafkaConsumer<>(
                Map.of(
                        ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                        KAFKA.broker().bootstrapServers(),
                        ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG,
                        false),
                new ByteArrayDeserializer(),
                new ByteArrayDeserializer());
    }

    /** Reads a one-partition step topic from its beginning. */
    private static final class StepReader implements AutoCloseable {
        private final KafkaConsumer<byte[], byte[]> consumer = consumer();
        private final AvroCodec<StepEvent> codec = AvroCodec.of(StepEvent.class);
        private final TopicPartition partition;
        private final List<StepEvent> read = new ArrayList<>();

        StepReader(String topic) {
            partition = new TopicPartition(topic, 0);
            consumer.assign(List.of(partition));
            consumer.seekToBeginning(List.of(partition));
        }

        /** Reads until {@code done} holds for everything read so far; returns a copy of it. */
        List<StepEvent> readUntil(Predicate<List<StepEvent>> done) {
            long deadline = System.nanoTime() + PATIENCE.toNanos();
            while (!done.test(read)) {
                assertThat(System.nanoTime()).as("waiting for steps").isLessThan(deadline);
                poll();
            }
            return List.copyOf(read);
        }

        /** Reads to the current end of the topic; returns everything read. */
        List<StepEvent> readToEnd() {
            long end = consumer.endOffsets(List.of(partition)).get(partition);
            return readUntil(r -> consumer.position(partition) >= end);
        }

        private void poll() {
            for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(100))) {
                read.add(codec.decode(record.value()));
            }
        }

        @Override
        public void close() {
            consumer.close();
        }
    }
}
