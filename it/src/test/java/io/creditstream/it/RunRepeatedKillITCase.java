package io.creditstream.it;

import static io.creditstream.it.RunHarness.assertExactlyOnce;
import static io.creditstream.it.RunHarness.awaitWhilePolling;
import static io.creditstream.it.RunHarness.jobDirectories;
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
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.apache.flink.configuration.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code kill -9} at several points of a stream, each followed by the same command: whatever the
 * job was doing (episodes and groups under assembly, a transaction open, a checkpoint under way), a
 * {@code read_committed} learner ends with every step's advantage exactly once. The points are
 * pseudo-random, from a fixed seed: each run is killed once it has committed a drawn number of
 * batches, while interleaved episodes keep arriving, also while the next run starts.
 */
class RunRepeatedKillITCase {
    private static final long SEED = 7_919L;
    private static final int KILLS = 3;

    /** Committed batches a run adds before its kill are drawn from 1 to this. */
    private static final int MAX_BATCHES_BEFORE_KILL = 5;

    private static final int GROUP_SIZE = 4;
    private static final int TRAILING_CHECKPOINTS = 2;
    private static final int KILLED_BY_SIGKILL = 137;
    private static final String EXPERIMENT = "exp-kill-";

    @RegisterExtension static final EmbeddedKafkaExtension KAFKA = new EmbeddedKafkaExtension();

    @TempDir Path dir;

    @RegisterExtension final RunProcesses runs = new RunProcesses();

    @Test
    void killedAtRandomPointsAndRestartedEveryStepsAdvantageArrivesExactlyOnce() throws Exception {
        Path checkpoints = dir.resolve("checkpoints");
        Map<String, String> options = KafkaTestSupport.isolatedJobOptions(KAFKA.broker());
        List<String> command = RunHarness.runCommand(checkpoints, options);
        KafkaIo.createAbsentTopics(Configuration.fromMap(options));
        Random draws = new Random(SEED);

        List<StepEvent> sent = new ArrayList<>();
        try (StepProducer producer = new StepProducer(KAFKA.broker(), options.get("topic.steps"));
                CommittedBatches learner =
                        new CommittedBatches(KAFKA.broker(), options.get("topic.batches"))) {
            try {
                InterleavedFleet fleet = new InterleavedFleet(producer, sent);
                CliProcess run = start(command, "run-1");
                Set<Path> killedJobs = Set.of();
                for (int kill = 1; kill <= KILLS; kill++) {
                    int batches = 1 + draws.nextInt(MAX_BATCHES_BEFORE_KILL);
                    int target = learner.batches() + batches;
                    awaitWhilePolling(
                            batches + " more committed batches before kill " + kill,
                            HangGuard.EVENT,
                            run,
                            learner,
                            fleet::sendWhenDue,
                            () -> learner.batches() >= target);
                    assertThat(run.killHard()).as("exit status").isEqualTo(KILLED_BY_SIGKILL);
                    killedJobs = jobDirectories(checkpoints);

                    CliProcess next = start(command, "run-" + (kill + 1));
                    awaitWhilePolling(
                            "the start-up lines",
                            HangGuard.EVENT,
                            next,
                            learner,
                            fleet::sendWhenDue,
                            () -> next.output().contains("creditstream: reading"));
                    assertThat(next.output()).contains("resuming from checkpoint ");
                    run = next;
                }
                Set<Path> earlierJobs = killedJobs;
                CliProcess last = run;
                fleet.finish();
                Map<String, AdvantageRecord> expected =
                        ExpectedCredit.of(sent, CreditParams.defaults());
                assertThat(expected).hasSize(sent.size());
                awaitWhilePolling(
                        "as many committed records as distinct steps (" + expected.size() + ")",
                        HangGuard.EVENT,
                        last,
                        learner,
                        () -> {},
                        () -> learner.records().size() >= expected.size());

                // A late duplicate would be committed by a later checkpoint: wait for two.
                int reached = latestCheckpointNumber(checkpoints, earlierJobs);
                awaitWhilePolling(
                        TRAILING_CHECKPOINTS + " more checkpoints after checkpoint " + reached,
                        HangGuard.EVENT,
                        last,
                        learner,
                        () -> {},
                        () ->
                                latestCheckpointNumber(checkpoints, earlierJobs)
                                        >= reached + TRAILING_CHECKPOINTS);
                assertThat(learner.readToLastStableOffset(HangGuard.EVENT))
                        .as("read to the last stable offset")
                        .isTrue();
                assertExactlyOnce(learner.records(), expected);
            } catch (Throwable failure) {
                runs.printOutputs();
                throw failure;
            }
        }
    }

    private CliProcess start(List<String> command, String name) throws IOException {
        return runs.start(command, name, dir);
    }

    /**
     * Steps of two groups at a time, layer by layer (every episode's step 0, then every step 1, …),
     * a few every 200 ms: at any moment eight episodes and two groups are open, so a kill always
     * cuts through assembly.
     */
    private static final class InterleavedFleet {
        private static final long INTERVAL_NANOS = Duration.ofMillis(200).toNanos();
        private static final int STEPS_PER_INTERVAL = 10;
        private static final int GROUPS_AT_A_TIME = 2;

        private final StepProducer producer;
        private final List<StepEvent> sent;
        private final Deque<StepEvent> pending = new ArrayDeque<>();
        private long due = System.nanoTime();
        private int chunk;

        InterleavedFleet(StepProducer producer, List<StepEvent> sent) {
            this.producer = producer;
            this.sent = sent;
        }

        void sendWhenDue() {
            if (System.nanoTime() - due < 0) {
                return;
            }
            List<StepEvent> steps = new ArrayList<>(STEPS_PER_INTERVAL);
            while (steps.size() < STEPS_PER_INTERVAL) {
                if (pending.isEmpty()) {
                    pending.addAll(nextChunk());
                }
                steps.add(pending.poll());
            }
            send(steps);
            due = System.nanoTime() + INTERVAL_NANOS;
        }

        /** Sends the rest of the open groups, so that every episode sent is complete. */
        void finish() {
            send(new ArrayList<>(pending));
            pending.clear();
        }

        private List<StepEvent> nextChunk() {
            List<StepEvent> steps =
                    new ArrayList<>(
                            TestFleet.groups(
                                    new Random(SEED + chunk),
                                    EXPERIMENT + chunk,
                                    GROUPS_AT_A_TIME,
                                    GROUP_SIZE));
            chunk++;
            // A stable sort: each episode's steps keep their order.
            steps.sort(Comparator.comparingInt(StepEvent::getStepIndex));
            return steps;
        }

        private void send(List<StepEvent> steps) {
            producer.send(steps);
            sent.addAll(steps);
        }
    }
}
