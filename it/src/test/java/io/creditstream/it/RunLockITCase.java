package io.creditstream.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.creditstream.broker.EmbeddedKafkaExtension;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * One live {@code creditstream run} per checkpoint directory: a second one on it would resume from
 * the same checkpoints with the same transactional ids and fence the first. Each run is killed as
 * soon as it is past the lock (its start-up line), so no job needs to get going.
 */
class RunLockITCase {
    private static final String STARTED = "creditstream: reading";

    /** RunCommand's status for a held checkpoint directory. */
    private static final int CHECKPOINT_DIR_IN_USE = 3;

    private static final int KILLED_BY_SIGKILL = 137;

    @RegisterExtension static final EmbeddedKafkaExtension KAFKA = new EmbeddedKafkaExtension();

    @TempDir Path dir;

    @RegisterExtension final RunProcesses runs = new RunProcesses();

    @Test
    void aSecondRunOnTheSameDirectoryIsRefusedNamingTheHolderAndAnotherDirectoryIsNot()
            throws Exception {
        Path shared = dir.resolve("checkpoints");
        List<String> command = command(shared);
        try {
            CliProcess holder = start(command, "run-1");
            awaitStarted(holder);

            CliProcess refused = start(command, "run-2");
            assertThat(refused.awaitExit(HangGuard.EVENT.toSeconds()))
                    .as("exit status of %s", refused)
                    .isEqualTo(CHECKPOINT_DIR_IN_USE);
            assertThat(refused.output())
                    .contains("checkpoint directory " + shared.toAbsolutePath())
                    .contains("(pid " + holder.pid() + ",")
                    .doesNotContain(STARTED);
            assertThat(holder.isAlive()).as("%s still runs", holder).isTrue();

            // Its own directory (and, as a second job must have, its own transactional ids).
            CliProcess elsewhere = start(command(dir.resolve("other-checkpoints")), "run-3");
            awaitStarted(elsewhere);
            elsewhere.killHard();

            // kill -9 leaves the lock file behind, but the OS released the lock with the process.
            assertThat(holder.killHard()).as("exit status").isEqualTo(KILLED_BY_SIGKILL);
            awaitStarted(start(command, "run-4"));
        } catch (Throwable failure) {
            runs.printOutputs();
            throw failure;
        }
    }

    private static List<String> command(Path checkpoints) {
        Map<String, String> options = KafkaTestSupport.isolatedJobOptions(KAFKA.broker());
        List<String> command = RunHarness.runCommand(checkpoints, options);
        return command;
    }

    private CliProcess start(List<String> command, String name) throws IOException {
        return runs.start(command, name, dir);
    }

    /** Waits until the run is past the lock: it prints its start-up line. */
    private static void awaitStarted(CliProcess run) throws InterruptedException {
        long deadline = System.nanoTime() + HangGuard.EVENT.toNanos();
        while (!run.output().contains(STARTED)) {
            assertThat(run.isAlive()).as("%s exited before starting", run).isTrue();
            assertThat(System.nanoTime() - deadline)
                    .as("%s did not start within %s", run, HangGuard.EVENT)
                    .isNegative();
            Thread.sleep(100);
        }
    }
}
