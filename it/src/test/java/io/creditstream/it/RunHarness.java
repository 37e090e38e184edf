package io.creditstream.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.creditstream.schemas.AdvantageRecord;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * What the tests of {@code creditstream run} as a child process share: waiting on a run while a
 * learner reads, the run's checkpoint directory, and the exactly-once verdict.
 */
final class RunHarness {
    private RunHarness() {}

    /**
     * Reads committed batches until {@code done} holds, calling {@code between} before each poll;
     * fails when the run exits or the timeout passes. The learner's poll (at most 200 ms) paces the
     * loop.
     */
    static void awaitWhilePolling(
            String what,
            Duration timeout,
            CliProcess run,
            CommittedBatches learner,
            Runnable between,
            Callable<Boolean> done)
            throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!done.call()) {
            assertThat(run.isAlive()).as("%s exited waiting for %s", run, what).isTrue();
            assertThat(System.nanoTime() - deadline)
                    .as("%s waiting for %s; %s", timeout, what, learner)
                    .isNegative();
            between.run();
            learner.poll();
        }
    }

    /**
     * Every expected step's record was read exactly once, equal to the kernel's, from a whole
     * group.
     */
    static void assertExactlyOnce(
            List<AdvantageRecord> records, Map<String, AdvantageRecord> expected) {
        Map<String, Integer> seen = new HashMap<>();
        for (AdvantageRecord record : records) {
            String key = ExpectedCredit.key(record);
            seen.merge(key, 1, Integer::sum);
            AdvantageRecord want = expected.get(key);
            assertThat(want).as("unexpected record %s", key).isNotNull();
            assertThat(record.getAdvantage()).as(key).isCloseTo(want.getAdvantage(), within(1e-12));
            assertThat(record.getStepAdvantage())
                    .as(key)
                    .isCloseTo(want.getStepAdvantage(), within(1e-12));
            assertThat(record.getPartialGroup()).as(key).isFalse();
        }
        List<String> duplicated =
                seen.entrySet().stream()
                        .filter(e -> e.getValue() > 1)
                        .map(Map.Entry::getKey)
                        .sorted()
                        .toList();
        List<String> missing =
                expected.keySet().stream().filter(key -> !seen.containsKey(key)).sorted().toList();
        assertThat(duplicated.size())
                .as("steps whose record was read more than once, e.g. %s", sample(duplicated))
                .isZero();
        assertThat(missing.size()).as("steps without a record, e.g. %s", sample(missing)).isZero();
    }

    private static List<String> sample(List<String> keys) {
        return keys.subList(0, Math.min(10, keys.size()));
    }

    /** The job directories ({@code <job-id>/}) under a checkpoint directory. */
    static Set<Path> jobDirectories(Path checkpoints) {
        try (Stream<Path> jobs = Files.list(checkpoints)) {
            return jobs.filter(Files::isDirectory).collect(Collectors.toSet());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The highest-numbered completed checkpoint ({@code <job-id>/chk-N/_metadata}) of the jobs not
     * in {@code excluded}.
     */
    static Optional<Path> latestCheckpoint(Path checkpoints, Set<Path> excluded) {
        if (!Files.isDirectory(checkpoints)) {
            return Optional.empty();
        }
        return jobDirectories(checkpoints).stream()
                .filter(job -> !excluded.contains(job))
                .flatMap(RunHarness::completedCheckpoints)
                .max(Comparator.comparingInt(RunHarness::checkpointNumber));
    }

    static int latestCheckpointNumber(Path checkpoints, Set<Path> excluded) {
        return latestCheckpoint(checkpoints, excluded).map(RunHarness::checkpointNumber).orElse(0);
    }

    private static Stream<Path> completedCheckpoints(Path job) {
        try (Stream<Path> entries = Files.list(job)) {
            return entries
                    .filter(p -> p.getFileName().toString().startsWith("chk-"))
                    .filter(p -> Files.isRegularFile(p.resolve("_metadata")))
                    .toList()
                    .stream();
        } catch (IOException e) {
            // A checkpoint directory deleted while listed: the next poll looks again.
            return Stream.empty();
        }
    }

    private static int checkpointNumber(Path checkpoint) {
        return Integer.parseInt(checkpoint.getFileName().toString().substring("chk-".length()));
    }

    /** {@code run} on {@code checkpoints} with every option as a {@code -Dkey=value}. */
    static List<String> runCommand(Path checkpoints, Map<String, String> options) {
        List<String> command =
                new java.util.ArrayList<>(
                        List.of("run", "--checkpoint-dir", checkpoints.toString()));
        options.forEach((key, value) -> command.add("-D" + key + "=" + value));
        return command;
    }
}
