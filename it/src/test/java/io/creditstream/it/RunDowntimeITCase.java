package io.creditstream.it;

import static io.creditstream.it.RunHarness.assertExactlyOnce;
import static io.creditstream.it.RunHarness.awaitWhilePolling;
import static io.creditstream.it.RunHarness.jobDirectories;
import static io.creditstream.it.RunHarness.latestCheckpointNumber;
import static org.assertj.core.api.Assertions.assertThat;

import io.creditstream.broker.EmbeddedKafkaExtension;
import io.creditstream.operators.core.credit.CreditParams;
import io.creditstream.operators.core.input.DeadLetterReason;
import io.creditstream.schemas.AdvantageRecord;
import io.creditstream.schemas.DeadLetter;
import io.creditstream.schemas.StepEvent;
import io.creditstream.streams.kafka.KafkaIo;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.apache.flink.configuration.Configuration;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListOffsetsResult.ListOffsetsResultInfo;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A job that was down longer than the episode and group timeouts resumes as if it had not been: the
 * timeouts measure how long the job waited for an episode while it ran, not the outage, so the
 * steps produced meanwhile complete every open episode and group. The timers a checkpoint restores
 * fire no earlier than the subtask's start plus the timeout.
 *
 * <p>Run 1 takes the first halves of multi-step episodes (and whole episodes of half of each group)
 * and is killed after a checkpoint holds them open; the rest is produced while it is down, for more
 * than twice the timeouts; the same command then resumes. Every step's advantage must arrive
 * exactly once, equal to the kernel's, and nothing may be dead-lettered.
 */
class RunDowntimeITCase {
    private static final Duration TIMEOUT = Duration.ofSeconds(20);
    private static final Duration DOWNTIME = Duration.ofSeconds(45);
    private static final int TRAILING_CHECKPOINTS = 2;
    private static final int GROUP_SIZE = 4;
    private static final int GROUPS = 6;
    private static final int KILLED_BY_SIGKILL = 137;

    @RegisterExtension static final EmbeddedKafkaExtension KAFKA = new EmbeddedKafkaExtension();

    @TempDir Path dir;

    @RegisterExtension final RunProcesses runs = new RunProcesses();

    @Test
    void aRestartAfterADowntimeLongerThanTheTimeoutsCompletesEveryEpisode() throws Exception {
        Path checkpoints = dir.resolve("checkpoints");
        Map<String, String> options = KafkaTestSupport.isolatedJobOptions(KAFKA.broker());
        options.put("assembly.episode-timeout", TIMEOUT.toSeconds() + " s");
        options.put("assembly.group-timeout", TIMEOUT.toSeconds() + " s");
        List<String> command = RunHarness.runCommand(checkpoints, options);
        KafkaIo.createAbsentTopics(Configuration.fromMap(options));
        String stepsTopic = options.get("topic.steps");

        List<StepEvent> steps =
                TestFleet.groups(new Random(31), "exp-downtime", GROUPS, GROUP_SIZE);
        Map<String, Integer> lengths = new HashMap<>();
        steps.forEach(s -> lengths.merge(s.getEpisodeId(), s.getStepIndex() + 1, Math::max));
        Map<Boolean, List<StepEvent>> beforeKill =
                steps.stream()
                        .collect(
                                Collectors.partitioningBy(
                                        s -> sentBeforeTheKill(s, lengths.get(s.getEpisodeId()))));
        Map<String, AdvantageRecord> expected = ExpectedCredit.of(steps, CreditParams.defaults());

        try (StepProducer fleet = new StepProducer(KAFKA.broker(), stepsTopic);
                CommittedBatches learner =
                        new CommittedBatches(KAFKA.broker(), options.get("topic.batches"));
                CommittedDeadLetters dlq =
                        new CommittedDeadLetters(KAFKA.broker(), options.get("topic.dlq"));
                Admin admin =
                        Admin.create(
                                Map.of(
                                        AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                                        KAFKA.broker().bootstrapServers()))) {
            try {
                CliProcess first = start(command, "run-1");
                fleet.send(beforeKill.get(true));
                // The source commits its offsets when a checkpoint completes: once they reach
                // the end of agent.steps, a completed checkpoint holds every step sent, in open
                // episodes and groups (well within the timeouts of this run).
                awaitWhilePolling(
                        "a checkpoint holding every step sent",
                        HangGuard.EVENT,
                        first,
                        learner,
                        dlq::poll,
                        () -> committedToTheEnd(admin, options.get("kafka.group-id"), stepsTopic));
                assertThat(first.killHard()).as("exit status").isEqualTo(KILLED_BY_SIGKILL);
                long killed = System.nanoTime();
                assertThat(learner.records())
                        .as("records before the kill: no group is whole")
                        .isEmpty();
                assertThat(dlq.letters()).as("dead letters before the kill").isEmpty();

                fleet.send(beforeKill.get(false));
                // The one deliberate wait: the outage itself, more than twice the timeouts.
                long downNanos = DOWNTIME.toNanos() - (System.nanoTime() - killed);
                if (downNanos > 0) {
                    Thread.sleep(downNanos / 1_000_000, (int) (downNanos % 1_000_000));
                }

                Set<Path> firstJob = jobDirectories(checkpoints);
                CliProcess second = start(command, "run-2");
                awaitWhilePolling(
                        "the start-up lines",
                        HangGuard.EVENT,
                        second,
                        learner,
                        dlq::poll,
                        () -> second.output().contains("creditstream: reading"));
                assertThat(second.output()).contains("resuming from checkpoint ");
                awaitWhilePolling(
                        "as many committed records as steps ("
                                + expected.size()
                                + "), or a"
                                + " dead letter",
                        HangGuard.EVENT,
                        second,
                        learner,
                        dlq::poll,
                        () ->
                                learner.records().size() >= expected.size()
                                        || !dlq.letters().isEmpty());
                if (dlq.letters().isEmpty()) {
                    int reached = latestCheckpointNumber(checkpoints, firstJob);
                    awaitWhilePolling(
                            TRAILING_CHECKPOINTS + " more checkpoints after checkpoint " + reached,
                            HangGuard.EVENT,
                            second,
                            learner,
                            dlq::poll,
                            () ->
                                    latestCheckpointNumber(checkpoints, firstJob)
                                            >= reached + TRAILING_CHECKPOINTS);
                }
                assertThat(dlq.readToLastStableOffset(HangGuard.EVENT))
                        .as("read the DLQ to its last stable offset")
                        .isTrue();
                assertThat(dlq.letters().stream().map(RunDowntimeITCase::describe).toList())
                        .as(
                                "dead letters by reason after a downtime of %s (no %s may come"
                                        + " from an outage): %s",
                                DOWNTIME,
                                DeadLetterReason.EPISODE_TIMEOUT.code(),
                                byReason(dlq.letters()))
                        .isEmpty();
                assertThat(learner.readToLastStableOffset(HangGuard.EVENT))
                        .as("read learner.batches to its last stable offset")
                        .isTrue();
                assertExactlyOnce(learner.records(), expected);
            } catch (Throwable failure) {
                runs.printOutputs();
                throw failure;
            }
        }
    }

    /**
     * Whole episodes for the first half of each group; of the others the first half of their steps
     * (none of a one-step episode), never the last.
     */
    private static boolean sentBeforeTheKill(StepEvent step, int length) {
        String episode = step.getEpisodeId();
        int index = Integer.parseInt(episode.substring(episode.lastIndexOf("-e") + 2));
        return index < GROUP_SIZE / 2 || step.getStepIndex() < length / 2;
    }

    /** Whether the job's source has committed offsets up to the end of every partition. */
    private static boolean committedToTheEnd(Admin admin, String group, String topic)
            throws Exception {
        Map<TopicPartition, OffsetAndMetadata> committed =
                admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get();
        Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
        admin.describeTopics(List.of(topic))
                .allTopicNames()
                .get()
                .get(topic)
                .partitions()
                .forEach(
                        p ->
                                latest.put(
                                        new TopicPartition(topic, p.partition()),
                                        OffsetSpec.latest()));
        Map<TopicPartition, ListOffsetsResultInfo> end = admin.listOffsets(latest).all().get();
        return end.entrySet().stream()
                .allMatch(
                        e -> {
                            OffsetAndMetadata at = committed.get(e.getKey());
                            long endOffset = e.getValue().offset();
                            return endOffset == 0 || (at != null && at.offset() >= endOffset);
                        });
    }

    private static String describe(DeadLetter letter) {
        return letter.getReason() + " " + letter.getEpisodeId() + ": " + letter.getDetail();
    }

    private static Map<String, Long> byReason(List<DeadLetter> letters) {
        return letters.stream()
                .collect(
                        Collectors.groupingBy(
                                DeadLetter::getReason, TreeMap::new, Collectors.counting()));
    }

    private CliProcess start(List<String> command, String name) throws IOException {
        return runs.start(command, name, dir);
    }
}
