package io.creditstream.streams;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.minicluster.MiniClusterConfiguration;
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
    void aLocalClustersRestApiAndBlobServerListenOnLoopbackOnly() throws Exception {
        Configuration config = JobEnvironment.withDefaults(new Configuration(), dir);
        config.set(RestOptions.BIND_PORT, "0");
        MiniCluster cluster =
                new MiniCluster(
                        new MiniClusterConfiguration.Builder()
                                .setConfiguration(config)
                                .setNumTaskManagers(1)
                                .setNumSlotsPerTaskManager(1)
                                .build());
        cluster.start();
        try {
            URI rest = cluster.getRestAddress().get();
            assertThat(rest.getHost()).isEqualTo("127.0.0.1");
            int blob = cluster.getClusterInformation().getBlobServerPort();
            for (int port : List.of(rest.getPort(), blob)) {
                try (Socket socket = new Socket()) {
                    socket.connect(new InetSocketAddress("127.0.0.1", port), 10_000);
                }
                // On Linux all of 127/8 reaches this machine: a wildcard bind would answer here.
                if (canBind("127.0.0.2")) {
                    assertThatThrownBy(
                                    () -> {
                                        try (Socket socket = new Socket()) {
                                            socket.connect(
                                                    new InetSocketAddress("127.0.0.2", port),
                                                    10_000);
                                        }
                                    })
                            .as("port %d on 127.0.0.2", port)
                            .isInstanceOf(IOException.class);
                }
            }
        } finally {
            cluster.close();
        }
    }

    private static boolean canBind(String host) {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName(host))) {
            return true;
        } catch (IOException e) {
            return false;
        }
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
