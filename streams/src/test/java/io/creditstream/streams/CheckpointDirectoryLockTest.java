package io.creditstream.streams;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The lock within one JVM; RunLockITCase checks it between processes, and after a kill -9. */
class CheckpointDirectoryLockTest {
    @TempDir Path dir;

    @Test
    void aHeldDirectoryIsRefusedNamingItAndTheHoldersPid() throws Exception {
        Path checkpoints = dir.resolve("checkpoints");
        String pid = Long.toString(ProcessHandle.current().pid());
        try (CheckpointDirectoryLock lock = CheckpointDirectoryLock.acquire(checkpoints)) {
            assertThat(lock.file()).hasParent(checkpoints);
            assertThat(Files.readString(lock.file()).trim()).isEqualTo(pid);

            assertThatThrownBy(() -> CheckpointDirectoryLock.acquire(checkpoints))
                    .isInstanceOf(CheckpointDirectoryLock.HeldException.class)
                    .hasMessageContaining("checkpoint directory " + checkpoints)
                    .hasMessageContaining("(pid " + pid + ",")
                    .satisfies(
                            e ->
                                    assertThat(((CheckpointDirectoryLock.HeldException) e).pid())
                                            .isEqualTo(pid));
            // The refused attempt left the holder's PID in place.
            assertThat(Files.readString(lock.file()).trim()).isEqualTo(pid);
        }
        try (CheckpointDirectoryLock again = CheckpointDirectoryLock.acquire(checkpoints)) {
            assertThat(again.file()).exists();
        }
    }

    @Test
    void anotherDirectoryIsNotRefused() throws Exception {
        try (CheckpointDirectoryLock a = CheckpointDirectoryLock.acquire(dir.resolve("a"));
                CheckpointDirectoryLock b = CheckpointDirectoryLock.acquire(dir.resolve("b"))) {
            assertThat(a.file()).isNotEqualTo(b.file());
        }
    }

    @Test
    void theLockFileIsNoCheckpointToResumeFrom() throws Exception {
        try (CheckpointDirectoryLock lock = CheckpointDirectoryLock.acquire(dir)) {
            assertThat(JobEnvironment.latestRetainedCheckpoint(dir)).isEmpty();
        }
    }
}
