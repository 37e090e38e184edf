package io.creditstream.streams;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JobEnvironmentTest {
    @TempDir Path dir;

    @Test
    void findsTheNewestCompleteCheckpointAcrossJobs() throws Exception {
        Path older = checkpoint("job-a", "chk-7", 1_000);
        Path newer = checkpoint("job-b", "chk-2", 2_000);
        Files.createDirectories(dir.resolve("job-b/chk-3")); // in progress: no _metadata

        assertThat(JobEnvironment.latestRetainedCheckpoint(dir)).contains(newer);
        assertThat(older).exists();
    }

    @Test
    void resumesOnlyWhenNoSavepointWasGivenAndACheckpointExists() throws Exception {
        Configuration config = JobEnvironment.withDefaults(new Configuration(), dir);
        assertThat(JobEnvironment.resumeFromLatestCheckpoint(config)).isEmpty();

        Path chk = checkpoint("job-a", "chk-1", 1_000);
        assertThat(JobEnvironment.resumeFromLatestCheckpoint(config)).contains(chk);
        assertThat(config.get(StateRecoveryOptions.SAVEPOINT_PATH))
                .isEqualTo(chk.toUri().toString());
    }

    @Test
    void userSettingsWinOverTheDefaults() {
        Configuration user = new Configuration();
        user.setString("state.backend.type", "hashmap");
        Configuration merged = JobEnvironment.withDefaults(user, dir);

        assertThat(merged.getString("state.backend.type", null)).isEqualTo("hashmap");
        assertThat(merged.get(CheckpointingOptions.CHECKPOINTS_DIRECTORY))
                .isEqualTo(dir.toUri().toString());
    }

    private Path checkpoint(String job, String chk, long modifiedMillis) throws Exception {
        Path path = Files.createDirectories(dir.resolve(job).resolve(chk));
        Path metadata = Files.writeString(path.resolve("_metadata"), "x");
        Files.setLastModifiedTime(metadata, FileTime.fromMillis(modifiedMillis));
        return path;
    }
}
