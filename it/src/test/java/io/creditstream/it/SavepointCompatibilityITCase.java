package io.creditstream.it;

import static io.creditstream.it.RunHarness.assertExactlyOnce;
import static org.assertj.core.api.Assertions.assertThat;

import io.creditstream.broker.EmbeddedKafkaExtension;
import io.creditstream.operators.core.credit.CreditParams;
import io.creditstream.schemas.AdvantageRecord;
import io.creditstream.schemas.StepEvent;
import io.creditstream.streams.JobEnvironment;
import io.creditstream.streams.RunJob;
import io.creditstream.streams.kafka.KafkaIo;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The guard on the job's state layout: a savepoint checked in under {@code
 * src/test/resources/savepoints/layout-1} (taken by this test in its regenerating mode) must still
 * restore with no state left unclaimed, and the restored job must finish the groups that were open
 * in it with the kernel's advantages, every step exactly once. Renaming an operator uid, or
 * changing a state's name or type so that the old bytes no longer read, fails it.
 *
 * <p>The savepoint holds the first half of every group's episodes, read from Kafka partitions at
 * known offsets; the test writes the same steps to a fresh broker so the restored sources resume at
 * the same offsets, then the rest.
 *
 * <p>Regenerate it only when the layout changes on purpose (old savepoints then no longer restore;
 * say so in the release notes): {@code mvn -B verify -pl it -am -Dtest=NoSuchTest
 * -Dsurefire.failIfNoSpecifiedTests=false -Dit.test=SavepointCompatibilityITCase
 * -Dfailsafe.failIfNoSpecifiedTests=false
 * -Dcreditstream.savepoint.regenerate=$PWD/it/src/test/resources/savepoints/layout-1}.
 */
class SavepointCompatibilityITCase {
    static final String REGENERATE = "creditstream.savepoint.regenerate";
    private static final String CHECKED_IN = "savepoints/layout-1";

    @RegisterExtension static final EmbeddedKafkaExtension KAFKA = new EmbeddedKafkaExtension();

    @TempDir Path dir;

    @Test
    void theCheckedInSavepointRestoresAndItsOpenGroupsComplete() throws Exception {
        List<StepEvent> steps = TestFleet.groups(new Random(5), "exp-layout", 12, 6);
        Map<Boolean, List<StepEvent>> halves =
                steps.stream()
                        .collect(
                                Collectors.partitioningBy(
                                        SavepointCompatibilityITCase::inTheSavepoint));
        Configuration config = jobConfig();
        KafkaIo.createAbsentTopics(config);
        String stepsTopic = config.getString("topic.steps", null);
        try (StepProducer fleet = new StepProducer(KAFKA.broker(), stepsTopic)) {
            fleet.send(halves.get(true));
            String regenerate = System.getProperty(REGENERATE);
            if (regenerate != null && !regenerate.isBlank()) {
                writeSavepoint(config, Path.of(regenerate));
                return;
            }
            Path savepoint = checkedInSavepoint();
            fleet.send(halves.get(false));
            config.set(StateRecoveryOptions.SAVEPOINT_PATH, savepoint.toUri().toString());
            // Every operator state in the savepoint must find its operator.
            config.set(StateRecoveryOptions.SAVEPOINT_IGNORE_UNCLAIMED_STATE, false);
            Map<String, AdvantageRecord> expected =
                    ExpectedCredit.of(steps, CreditParams.defaults());
            JobClient job = RunJob.environment(config).executeAsync("savepoint-layout-itcase");
            try (CommittedBatches learner =
                    new CommittedBatches(KAFKA.broker(), config.getString("topic.batches", null))) {
                long deadline = System.nanoTime() + HangGuard.EVENT.toNanos();
                while (learner.records().size() < expected.size() && System.nanoTime() < deadline) {
                    assertThat(job.getJobStatus().get().isGloballyTerminalState())
                            .as("the restored job ended")
                            .isFalse();
                    learner.poll();
                }
                assertExactlyOnce(learner.records(), expected);
            } finally {
                job.cancel().get();
            }
        }
    }

    /** All of the first half of each group's episodes: open groups, none complete. */
    private static boolean inTheSavepoint(StepEvent step) {
        String episode = step.getEpisodeId();
        int index = Integer.parseInt(episode.substring(episode.lastIndexOf("-e") + 2));
        return index < step.getGroupSize() / 2;
    }

    /**
     * Fixed topic names, consumer group and transactional ids (the savepoint's sources and sinks
     * name them), four partitions, parallelism 2.
     */
    private Configuration jobConfig() {
        Map<String, String> options = new LinkedHashMap<>();
        options.put("kafka.bootstrap-servers", KAFKA.broker().bootstrapServers());
        for (String topic : List.of("steps", "batches", "dlq", "requests", "budget", "snapshots")) {
            options.put("topic." + topic, "layout-" + topic);
        }
        options.put("kafka.group-id", "layout-group");
        options.put("kafka.transactional-id-prefix", "layout-tx");
        options.put("kafka.topic-partitions", "4");
        // One embedded broker: one replica.
        options.put("kafka.topic-replication-factor", "1");
        options.put("batch.max-records", "64");
        options.put("batch.linger", "100 ms");
        options.put("execution.checkpointing.interval", "500 ms");
        options.put("parallelism.default", "2");
        return JobEnvironment.withDefaults(
                Configuration.fromMap(options), dir.resolve("checkpoints"));
    }

    /**
     * Runs the job until its source has read (and committed with a checkpoint) every step sent,
     * stops it with a canonical savepoint and copies that into {@code target}.
     */
    private void writeSavepoint(Configuration config, Path target) throws Exception {
        JobClient job = RunJob.environment(config).executeAsync("savepoint-layout-writer");
        String topic = config.getString("topic.steps", null);
        try (Admin admin =
                Admin.create(
                        Map.of(
                                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                                KAFKA.broker().bootstrapServers()))) {
            long deadline = System.nanoTime() + HangGuard.EVENT.toNanos();
            while (!allRead(admin, topic, config.getString("kafka.group-id", null))) {
                assertThat(System.nanoTime() - deadline).as("source caught up").isNegative();
                Thread.sleep(200);
            }
        }
        String savepoint =
                job.stopWithSavepoint(
                                false,
                                dir.resolve("savepoints").toUri().toString(),
                                SavepointFormatType.CANONICAL)
                        .get();
        Path written = Path.of(java.net.URI.create(savepoint));
        deleteRecursively(target);
        Files.createDirectories(target);
        try (Stream<Path> files = Files.walk(written)) {
            for (Path file : files.filter(Files::isRegularFile).toList()) {
                Path to = target.resolve(written.relativize(file).toString());
                Files.createDirectories(to.getParent());
                Files.copy(file, to, StandardCopyOption.REPLACE_EXISTING);
            }
        }
        System.out.println("savepoint written to " + target);
    }

    /** The consumer group's committed offsets reached the end of every partition. */
    private static boolean allRead(Admin admin, String topic, String group) throws Exception {
        Map<TopicPartition, OffsetAndMetadata> committed =
                admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get();
        Set<TopicPartition> partitions =
                admin
                        .describeTopics(List.of(topic))
                        .allTopicNames()
                        .get()
                        .get(topic)
                        .partitions()
                        .stream()
                        .map(p -> new TopicPartition(topic, p.partition()))
                        .collect(Collectors.toSet());
        Map<TopicPartition, OffsetSpec> latest =
                partitions.stream().collect(Collectors.toMap(p -> p, p -> OffsetSpec.latest()));
        var ends = admin.listOffsets(latest).all().get();
        return partitions.stream()
                .allMatch(
                        p ->
                                committed.get(p) != null
                                        && committed.get(p).offset() >= ends.get(p).offset());
    }

    /** The checked-in savepoint, copied out of the class path (a restore may write beside it). */
    private Path checkedInSavepoint() throws Exception {
        var url = getClass().getClassLoader().getResource(CHECKED_IN + "/_metadata");
        assertThat(url)
                .as(
                        "no %s/_metadata on the test class path; regenerate it with -D%s (see this"
                                + " class's comment)",
                        CHECKED_IN, REGENERATE)
                .isNotNull();
        Path source = Path.of(url.toURI()).getParent();
        Path copy = dir.resolve("layout-1");
        try (Stream<Path> files = Files.walk(source)) {
            for (Path file : files.filter(Files::isRegularFile).toList()) {
                Path to = copy.resolve(source.relativize(file).toString());
                Files.createDirectories(to.getParent());
                Files.copy(file, to);
            }
        }
        return copy;
    }

    private static void deleteRecursively(Path path) throws IOException {
        if (!Files.exists(path)) {
            return;
        }
        try (Stream<Path> files = Files.walk(path)) {
            files.sorted(Comparator.reverseOrder())
                    .forEach(
                            p -> {
                                try {
                                    Files.delete(p);
                                } catch (IOException e) {
                                    throw new UncheckedIOException(e);
                                }
                            });
        }
    }
}
