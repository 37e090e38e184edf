package io.creditstream.streams;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.Optional;
import java.util.stream.Stream;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.ExecutionOptions;
import org.apache.flink.configuration.ExternalizedCheckpointRetention;
import org.apache.flink.configuration.JobManagerOptions;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.configuration.StateBackendOptions;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.apache.flink.core.execution.CheckpointingMode;

/**
 * The Flink settings creditstream needs unless the user says otherwise: RocksDB keyed state,
 * incremental exactly-once checkpoints retained on cancellation (the exactly-once Kafka sinks
 * commit on checkpoints), object reuse (no operator mutates its input), a 10 ms network buffer
 * timeout, and, for the local cluster {@code run}, {@code demo} and {@code bench} start, its REST
 * API and blob server on loopback.
 */
public final class JobEnvironment {
    public static final Duration DEFAULT_CHECKPOINT_INTERVAL = Duration.ofSeconds(10);
    public static final Duration DEFAULT_BUFFER_TIMEOUT = Duration.ofMillis(10);

    /** Where a local cluster's endpoints listen unless the user says otherwise. */
    public static final String LOCAL_ENDPOINT_ADDRESS = "127.0.0.1";

    private JobEnvironment() {}

    /** Fills in the defaults the user has not set; keys they set are never overridden. */
    public static Configuration withDefaults(Configuration config, Path defaultCheckpointDir) {
        Configuration merged = new Configuration();
        merged.set(StateBackendOptions.STATE_BACKEND, "rocksdb");
        merged.set(CheckpointingOptions.INCREMENTAL_CHECKPOINTS, true);
        merged.set(CheckpointingOptions.CHECKPOINTING_INTERVAL, DEFAULT_CHECKPOINT_INTERVAL);
        merged.set(
                CheckpointingOptions.CHECKPOINTING_CONSISTENCY_MODE,
                CheckpointingMode.EXACTLY_ONCE);
        merged.set(
                CheckpointingOptions.EXTERNALIZED_CHECKPOINT_RETENTION,
                ExternalizedCheckpointRetention.RETAIN_ON_CANCELLATION);
        merged.setString("pipeline.object-reuse", "true");
        // A group's advantages wait for network buffers at two shuffles; at low load Flink's
        // 100 ms default flush doubled the p99 from last step to advantage (docs/BENCHMARKS.md).
        merged.set(ExecutionOptions.BUFFER_TIMEOUT, DEFAULT_BUFFER_TIMEOUT);
        // Without these a local MiniCluster binds every interface: its REST API takes job graphs
        // with their jars (running code for whoever reaches it) and its blob server serves them.
        // On a real cluster they are the cluster's settings, and the job's config does not reach
        // them.
        merged.set(RestOptions.ADDRESS, LOCAL_ENDPOINT_ADDRESS);
        merged.set(RestOptions.BIND_ADDRESS, LOCAL_ENDPOINT_ADDRESS);
        merged.set(JobManagerOptions.BIND_HOST, LOCAL_ENDPOINT_ADDRESS);
        if (defaultCheckpointDir != null) {
            merged.set(
                    CheckpointingOptions.CHECKPOINTS_DIRECTORY,
                    defaultCheckpointDir.toUri().toString());
        }
        merged.addAll(config);
        return merged;
    }

    /**
     * The newest retained checkpoint under a checkpoint directory ({@code <job-id>/chk-N} holding a
     * {@code _metadata} file), so {@code run} can resume after a crash.
     */
    public static Optional<Path> latestRetainedCheckpoint(Path checkpointDir) {
        if (checkpointDir == null || !Files.isDirectory(checkpointDir)) {
            return Optional.empty();
        }
        try (Stream<Path> jobs = Files.list(checkpointDir)) {
            return jobs.filter(Files::isDirectory)
                    .flatMap(JobEnvironment::checkpointsOf)
                    .filter(chk -> Files.isRegularFile(chk.resolve("_metadata")))
                    .max(Comparator.comparingLong(JobEnvironment::modifiedMillis));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list checkpoints in " + checkpointDir, e);
        }
    }

    /** Points the configuration at the latest retained checkpoint, when there is one. */
    public static Optional<Path> resumeFromLatestCheckpoint(Configuration config) {
        if (config.getOptional(StateRecoveryOptions.SAVEPOINT_PATH).isPresent()) {
            return Optional.empty();
        }
        Optional<Path> latest =
                config.getOptional(CheckpointingOptions.CHECKPOINTS_DIRECTORY)
                        .map(JobEnvironment::localPath)
                        .flatMap(JobEnvironment::latestRetainedCheckpoint);
        latest.ifPresent(
                chk -> config.set(StateRecoveryOptions.SAVEPOINT_PATH, chk.toUri().toString()));
        return latest;
    }

    /**
     * The checkpoint directory ({@code execution.checkpointing.dir}) as a local path; empty when
     * unset or on a remote file system.
     */
    public static Optional<Path> localCheckpointDirectory(Configuration config) {
        return config.getOptional(CheckpointingOptions.CHECKPOINTS_DIRECTORY)
                .map(JobEnvironment::localPath);
    }

    private static Path localPath(String uri) {
        if (uri.startsWith("file:")) {
            return Path.of(java.net.URI.create(uri));
        }
        if (uri.contains("://")) {
            return null;
        }
        return Path.of(uri);
    }

    private static Stream<Path> checkpointsOf(Path jobDir) {
        try {
            return Files.list(jobDir)
                    .filter(p -> p.getFileName().toString().startsWith("chk-"))
                    .toList()
                    .stream();
        } catch (IOException e) {
            return Stream.empty();
        }
    }

    private static long modifiedMillis(Path path) {
        try {
            return Files.getLastModifiedTime(path.resolve("_metadata")).toMillis();
        } catch (IOException e) {
            return 0L;
        }
    }
}
