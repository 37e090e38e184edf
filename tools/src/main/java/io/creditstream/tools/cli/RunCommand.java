package io.creditstream.tools.cli;

import io.creditstream.schemas.kafka.KafkaClientSecurity;
import io.creditstream.schemas.preflight.ExitCode;
import io.creditstream.schemas.preflight.FilePreflight;
import io.creditstream.streams.CheckpointDirectoryLock;
import io.creditstream.streams.JobEnvironment;
import io.creditstream.streams.JobPreflight;
import io.creditstream.streams.RunJob;
import io.creditstream.streams.kafka.KafkaIo;
import io.creditstream.streams.options.CreditstreamOptions;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code creditstream run}: the streaming job against a real Kafka cluster. */
@Command(
        name = "run",
        mixinStandardHelpOptions = true,
        description = {
            "Run the creditstream job against kafka.bootstrap-servers on a local Flink"
                    + " MiniCluster (RocksDB state, exactly-once checkpoints).",
            "Restarted with the same options after a crash (even kill -9), it resumes from the"
                    + " latest retained checkpoint in execution.checkpointing.dir: no advantage"
                    + " record is lost or duplicated for a read_committed consumer, provided the"
                    + " job was down for less than the Kafka transaction timeout (logged at start;"
                    + " by default the brokers' transaction.max.timeout.ms).",
            "One live run per checkpoint directory: a second run on it exits with status 3,"
                    + " naming the PID of the first (an OS file lock, released on any exit).",
            "Before the job starts: the checkpoint directory must be writable (else exit 5), a"
                    + " broker must answer within kafka.connect-timeout (default 10 s; else exit"
                    + " 4, naming the address), and with kafka.create-topics=false every topic"
                    + " the job uses must exist (else exit 4).",
            "On a Flink cluster submit the -job jar instead: flink run"
                    + " streams/target/creditstream-streams-*-job.jar -Dkafka.bootstrap-servers=…",
            "",
            "Example: creditstream run -Dkafka.bootstrap-servers=127.0.0.1:9092"
        })
public class RunCommand implements Callable<Integer> {
    @Option(
            names = "--checkpoint-dir",
            paramLabel = "DIR",
            defaultValue = ".creditstream/checkpoints",
            description =
                    "Checkpoint directory when execution.checkpointing.dir is not set (default:"
                            + " ${DEFAULT-VALUE}).")
    Path checkpointDir;

    @Mixin ConfigMixin config;

    /** Exit status when another live run holds the checkpoint directory. */
    static final int EXIT_CHECKPOINT_DIR_IN_USE = ExitCode.IN_USE.code();

    @Override
    public Integer call() throws Exception {
        Configuration user = config.configuration();
        Configuration merged = JobEnvironment.withDefaults(user, checkpointDir.toAbsolutePath());
        KafkaIo.bootstrapServers(merged);
        Optional<Path> lockDir = JobEnvironment.localCheckpointDirectory(merged);
        lockDir.ifPresent(
                dir ->
                        FilePreflight.writableDirectory(
                                dir,
                                user.contains(CheckpointingOptions.CHECKPOINTS_DIRECTORY)
                                        ? CheckpointingOptions.CHECKPOINTS_DIRECTORY.key()
                                        : "--checkpoint-dir"));
        if (lockDir.isEmpty()) {
            System.err.println(
                    "note: the checkpoint directory is not local, so nothing keeps a second run"
                            + " on it from starting");
            return runJob(merged);
        }
        // Held until this process ends: the OS releases it on any exit, kill -9 included.
        try (CheckpointDirectoryLock lock = CheckpointDirectoryLock.acquire(lockDir.get())) {
            return runJob(merged);
        } catch (CheckpointDirectoryLock.HeldException e) {
            System.err.println("error: " + e.getMessage());
            return EXIT_CHECKPOINT_DIR_IN_USE;
        }
    }

    private static int runJob(Configuration merged) throws Exception {
        KafkaClientSecurity security = KafkaIo.clientSecurity(merged);
        if (!security.isEmpty()) {
            System.err.println("Kafka client security: " + security.describe());
        }
        for (String note :
                JobPreflight.check(
                        merged,
                        StreamExecutionEnvironment.getExecutionEnvironment(merged)
                                .getParallelism())) {
            System.err.println("note: " + note);
        }
        Optional<Path> resumed = JobEnvironment.resumeFromLatestCheckpoint(merged);
        resumed.ifPresent(chk -> System.err.println("resuming from checkpoint " + chk));
        if (merged.get(CreditstreamOptions.CREATE_TOPICS)) {
            List<String> created = KafkaIo.createAbsentTopics(merged);
            if (!created.isEmpty()) {
                System.err.println("created topics " + created);
            }
        }
        System.err.println(
                "creditstream: reading "
                        + merged.get(CreditstreamOptions.TOPIC_STEPS)
                        + ", writing "
                        + merged.get(CreditstreamOptions.TOPIC_BATCHES)
                        + " on "
                        + KafkaIo.bootstrapServers(merged)
                        + " (Ctrl-C stops; the next run resumes)");
        RunJob.environment(merged).execute(RunJob.JOB_NAME);
        return 0;
    }
}
