package io.creditstream.it;

import static io.creditstream.it.RunHarness.assertExactlyOnce;
import static io.creditstream.it.RunHarness.awaitWhilePolling;
import static io.creditstream.it.RunHarness.jobDirectories;
import static io.creditstream.it.RunHarness.latestCheckpoint;
import static io.creditstream.it.RunHarness.latestCheckpointNumber;
import static org.assertj.core.api.Assertions.assertThat;

import io.creditstream.broker.EmbeddedKafkaExtension;
import io.creditstream.operators.core.credit.CreditParams;
import io.creditstream.schemas.AdvantageRecord;
import io.creditstream.schemas.StepEvent;
import io.creditstream.streams.kafka.KafkaIo;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.flink.configuration.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The promise of {@code creditstream run}: after a {@code kill -9}, the same command resumes from
 * the latest retained checkpoint, and a {@code read_committed} learner sees every step's advantage
 * exactly once. The command runs in a child JVM, as a user starts it; the broker runs in this one.
 */
class RunCrashRecoveryITCase {
    private static final int GROUP_SIZE = 8;

    /** How Java reports a process SIGKILL ended: 128 + signal 9. */
    private static final int KILLED_BY_SIGKILL = 137;

    /** Checkpoints completed after the last expected record, so a late duplicate is committed. */
    private static final int TRAILING_CHECKPOINTS = 2;

    private static final String STRADDLING = "exp-straddle";
    private static final String STREAMED = "exp-streamed-";
    private static final String AFTER = "exp-after";

    @RegisterExtension static final EmbeddedKafkaExtension KAFKA = new EmbeddedKafkaExtension();

    @TempDir Path dir;

    @RegisterExtension final RunProcesses runs = new RunProcesses();

    @Test
    void sameCommandAfterKillDashNineResumesWithNoRecordLostOrDuplicated() throws Exception {
        Path checkpoints = dir.resolve("checkpoints");
        Map<String, String> options = options();
        List<String> command = RunHarness.runCommand(checkpoints, options);
        KafkaIo.createAbsentTopics(Configuration.fromMap(options));

        // Groups cut in two by the crash: half their episodes and the first steps of the others
        // come before it, so trajectories and groups under assembly must come back from the
        // checkpoint.
        Map<Boolean, List<StepEvent>> straddling =
                TestFleet.groups(new Random(11), STRADDLING, 16, GROUP_SIZE).stream()
                        .collect(
                                Collectors.partitioningBy(
                                        RunCrashRecoveryITCase::sentBeforeTheCrash));
        List<StepEvent> sent = new ArrayList<>();
        String batchesTopic = options.get("topic.batches");
        try (StepProducer fleet = new StepProducer(KAFKA.broker(), options.get("topic.steps"));
                CommittedBatches learner = new CommittedBatches(KAFKA.broker(), batchesTopic)) {
            try {
                CliProcess first = start(command, "run-1");
                send(fleet, sent, straddling.get(true));
                // Whole groups keep streaming in and the kill waits for a moment when batches sit
                // in an open transaction: the crash leaves output to abort and steps read after
                // the last checkpoint to read again.
                StreamingFleet streaming = new StreamingFleet(fleet, sent);
                awaitWhilePolling(
                        "two checkpoints, committed records and an open transaction",
                        HangGuard.EVENT,
                        first,
                        learner,
                        streaming::sendWhenDue,
                        () ->
                                latestCheckpointNumber(checkpoints, Set.of()) >= 2
                                        && learner.count(RunCrashRecoveryITCase::isStreamed) > 0
                                        && learner.transactionPending());

                assertThat(first.killHard()).as("exit status").isEqualTo(KILLED_BY_SIGKILL);
                assertThat(learner.count(r -> r.getExperimentId().equals(STRADDLING)))
                        .as("records of groups still under assembly at the crash")
                        .isZero();
                Set<Path> firstJobs = jobDirectories(checkpoints);
                Path retained = latestCheckpoint(checkpoints, Set.of()).orElseThrow();

                send(fleet, sent, straddling.get(false));
                send(fleet, sent, TestFleet.groups(new Random(13), AFTER, 40, GROUP_SIZE));
                Map<String, AdvantageRecord> expected =
                        ExpectedCredit.of(sent, CreditParams.defaults());
                assertThat(expected).hasSize(sent.size());
                CliProcess second = start(command, "run-2");
                awaitWhilePolling(
                        "the start-up lines",
                        HangGuard.EVENT,
                        second,
                        learner,
                        () -> {},
                        () -> second.output().contains("creditstream: reading"));
                assertThat(second.output()).contains("resuming from checkpoint " + retained);
                awaitWhilePolling(
                        "as many committed records as distinct steps (" + expected.size() + ")",
                        HangGuard.EVENT,
                        second,
                        learner,
                        () -> {},
                        () -> learner.records().size() >= expected.size());

                int reached = latestCheckpointNumber(checkpoints, firstJobs);
                awaitWhilePolling(
                        TRAILING_CHECKPOINTS + " more checkpoints after checkpoint " + reached,
                        HangGuard.EVENT,
                        second,
                        learner,
                        () -> {},
                        () ->
                                latestCheckpointNumber(checkpoints, firstJobs)
                                        >= reached + TRAILING_CHECKPOINTS);
                assertThat(learner.readToLastStableOffset(HangGuard.EVENT))
                        .as("read to the last stable offset of %s", batchesTopic)
                        .isTrue();
                assertThat(second.isAlive()).as("%s still runs", second).isTrue();
                assertExactlyOnce(learner.records(), expected);
            } catch (Throwable failure) {
                runs.printOutputs();
                throw failure;
            }
        }
    }

    private static boolean isStreamed(AdvantageRecord record) {
        return record.getExperimentId().startsWith(STREAMED);
    }

    /** Two whole groups every 200 ms, each chunk under its own experiment id. */
    private static final class StreamingFleet {
        private static final long INTERVAL_NANOS = Duration.ofMillis(200).toNanos();
        private final StepProducer fleet;
        private final List<StepEvent> sent;
        private long due = System.nanoTime();
        private int chunk;

        StreamingFleet(StepProducer fleet, List<StepEvent> sent) {
            this.fleet = fleet;
            this.sent = sent;
        }

        void sendWhenDue() {
            if (System.nanoTime() - due >= 0) {
                send(
                        fleet,
                        sent,
                        TestFleet.groups(new Random(100 + chunk), STREAMED + chunk, 2, GROUP_SIZE));
                chunk++;
                due = System.nanoTime() + INTERVAL_NANOS;
            }
        }
    }

    /** All episodes of the first half of a group, and the first two steps of the others. */
    private static boolean sentBeforeTheCrash(StepEvent step) {
        String episode = step.getEpisodeId();
        int index = Integer.parseInt(episode.substring(episode.lastIndexOf("-e") + 2));
        return index < step.getGroupSize() / 2 || step.getStepIndex() < 2;
    }

    private Map<String, String> options() {
        Map<String, String> options = KafkaTestSupport.isolatedJobOptions(KAFKA.broker());
        return options;
    }

    private CliProcess start(List<String> command, String name) throws IOException {
        return runs.start(command, name, dir);
    }

    private static void send(StepProducer fleet, List<StepEvent> sent, List<StepEvent> steps) {
        fleet.send(steps);
        sent.addAll(steps);
    }
}
