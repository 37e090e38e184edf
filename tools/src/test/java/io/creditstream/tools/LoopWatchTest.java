package io.creditstream.tools;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.creditstream.schemas.contract.SnapshotMetrics;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The closed loop's stall watch, on a fake job and child logs: no Kafka, no Flink. */
class LoopWatchTest {
    private static final long SECOND = 1_000_000_000L;

    @TempDir Path dir;

    /** A job whose state, restarts and last exception the test sets. */
    private static final class FakeJob implements LoopWatch.JobProbe {
        String status = "RUNNING";
        double restarts;
        Optional<String> exception = Optional.empty();

        @Override
        public String status() {
            return status;
        }

        @Override
        public double restarts() {
            return restarts;
        }

        @Override
        public Optional<String> lastException() {
            return exception;
        }
    }

    @Test
    void aLearnerUpdateIsProgressAndTheInitialVersionIsNot() {
        FakeJob job = new FakeJob();
        LoopWatch watch = watch(job, 30, 120);

        assertThat(watch.check(5 * SECOND, -1, Map.of(), 0).lines()).isEmpty();
        assertThat(watch.check(10 * SECOND, 0, Map.of(), 0).lines()).isEmpty();
        // v0 is the initial policy: the clock still runs from the start.
        assertThat(watch.check(31 * SECOND, 0, Map.of(), 400).lines())
                .singleElement()
                .asString()
                .startsWith("STALLED: no learner update for 31 s (newest policy v0, 400 episodes");
        assertThat(watch.check(40 * SECOND, 1, Map.of(), 800).lines()).isEmpty();
        assertThat(watch.check(69 * SECOND, 1, Map.of(), 900).lines()).isEmpty();
        LoopWatch.Verdict warned = watch.check(70 * SECOND, 1, Map.of(), 900);
        assertThat(warned.lines()).hasSize(1);
        assertThat(warned.stalled()).isEmpty();
        assertThat(watch.check(90 * SECOND, 2, Map.of(), 1_000).lines()).isEmpty();
    }

    @Test
    void givesUpAfterTheTimeoutSayingWhatIsStuck() throws Exception {
        FakeJob job = new FakeJob();
        job.status = "RESTARTING";
        job.restarts = 8;
        job.exception =
                Optional.of(
                        "org.apache.kafka.common.errors.RecordTooLargeException: The message is"
                                + " 1177237 bytes");
        Files.writeString(
                dir.resolve("learner.log"),
                "learner demo: version 0 ready\n"
                        + "[learner demo    60s] v23 | 23 updates | 100 pending\n"
                        + "[learner demo    65s] v23 | 23 updates | 800 pending (an update takes"
                        + " 2,048)\n"
                        + "12:00:00 WARN something else\n",
                StandardCharsets.UTF_8);
        Files.writeString(
                dir.resolve("fleet.log"),
                "[fleet demo    65s] policy v23 | paused for the learner 48 times (2 workers now)"
                        + " | STALLED: 2 of 2 workers paused for the learner for 40 s\n",
                StandardCharsets.UTF_8);
        LoopWatch watch = watch(job, 30, 120);
        Map<String, Double> metrics =
                Map.of(
                        SnapshotMetrics.PENDING_SAMPLES, 0.0,
                        SnapshotMetrics.BATCH_RECORDS, 2_048.0,
                        SnapshotMetrics.TRAINED_POLICY_VERSION, 21.0);

        LoopWatch.Verdict first = watch.check(5 * SECOND, 23, metrics, 1_438);
        assertThat(first.lines())
                .singleElement()
                .asString()
                .contains("The job restarted (8 restarts so far, now RESTARTING)")
                .contains("RecordTooLargeException: The message is 1177237 bytes");
        LoopWatch.Verdict last = watch.check(125 * SECOND, 23, metrics, 1_438);

        assertThat(last.lines()).as("no new restart, no new notice").hasSize(1);
        String report = last.lines().get(0);
        assertThat(report)
                .contains("STALLED: no learner update for 120 s (newest policy v23, 1,438 episodes")
                .contains("job: RESTARTING, 8 restarts; last exception: ")
                .contains("RecordTooLargeException")
                .contains(
                        "learner: v23 held 0 samples (an update takes 2,048) when it published,"
                                + " trained on steps up to v21")
                .contains("now: [learner demo    65s] v23 | 23 updates | 800 pending")
                .contains("fleet: [fleet demo    65s]")
                .contains("STALLED: 2 of 2 workers paused");
        assertThat(last.stalled())
                .get()
                .asString()
                .startsWith("no learner update for 120 s (--stall-timeout 120 s): STALLED");
    }

    @Test
    void zeroTurnsTheWarningAndTheTimeoutOff() {
        LoopWatch watch =
                new LoopWatch(
                        Duration.ZERO,
                        Duration.ZERO,
                        new FakeJob(),
                        dir.resolve("learner.log"),
                        dir.resolve("fleet.log"),
                        0);
        LoopWatch.Verdict verdict = watch.check(3_600 * SECOND, -1, Map.of(), 0);
        assertThat(verdict.lines()).isEmpty();
        assertThat(verdict.stalled()).isEmpty();
    }

    @Test
    void readsTheRootCauseOfTheNewestExceptionFromTheRestAnswer() throws Exception {
        String answer =
                "{\"exceptionHistory\":{\"entries\":[{\"exceptionName\":"
                        + "\"org.apache.flink.util.FlinkRuntimeException\",\"stacktrace\":"
                        + "\"org.apache.flink.util.FlinkRuntimeException: Failed to send data\\n"
                        + "\\tat a.b.C.d(C.java:1)\\nCaused by: java.io.IOException: wrapped\\n"
                        + "Caused by: org.apache.kafka.common.errors.RecordTooLargeException:"
                        + " The message is 1177237 bytes\\n\\t... 12 more\","
                        + "\"timestamp\":1,\"taskName\":\"learner.batches: Writer (1/2)\"}],"
                        + "\"truncated\":false}}";

        assertThat(LoopWatch.newestException(new ObjectMapper().readTree(answer)))
                .contains(
                        "org.apache.kafka.common.errors.RecordTooLargeException: The message is"
                                + " 1177237 bytes (in learner.batches: Writer (1/2))");
        assertThat(
                        LoopWatch.newestException(
                                new ObjectMapper()
                                        .readTree("{\"exceptionHistory\":{\"entries\":[]}}")))
                .isEmpty();
    }

    @Test
    void theLastProgressLineIsFoundAmongOtherLogLines() throws Exception {
        Path log = dir.resolve("fleet.log");
        assertThat(LoopWatch.lastLine(log, "[fleet")).isEmpty();
        Files.writeString(
                log,
                "fleet demo: waiting\n[fleet demo 5s] one\n[fleet demo 10s] two\nWARN after\n",
                StandardCharsets.UTF_8);
        assertThat(LoopWatch.lastLine(log, "[fleet")).contains("[fleet demo 10s] two");
    }

    private LoopWatch watch(FakeJob job, int warnSeconds, int failSeconds) {
        return new LoopWatch(
                Duration.ofSeconds(warnSeconds),
                Duration.ofSeconds(failSeconds),
                job,
                dir.resolve("learner.log"),
                dir.resolve("fleet.log"),
                0);
    }
}
