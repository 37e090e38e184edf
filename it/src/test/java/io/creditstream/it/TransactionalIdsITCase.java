package io.creditstream.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.creditstream.broker.EmbeddedKafkaExtension;
import io.creditstream.schemas.AdvantageBatch;
import io.creditstream.schemas.StepEvent;
import io.creditstream.streams.JobEnvironment;
import io.creditstream.streams.RunJob;
import io.creditstream.streams.kafka.KafkaIo;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.TransactionListing;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The exactly-once sinks reuse a small pool of transactional ids. The brokers keep the state of
 * every transactional id they have seen until {@code transactional.id.expiration.ms} (7 days by
 * default), so a fresh id per checkpoint, the connector's default naming, grows the transaction
 * coordinators' state by sinks × subtasks ids every checkpoint interval: about 170,000 a day for
 * the batches and dead-letter sinks at parallelism 2 and the demo's 2 s interval.
 */
class TransactionalIdsITCase {

    @RegisterExtension static final EmbeddedKafkaExtension KAFKA = new EmbeddedKafkaExtension();

    /** Each wave is committed by a later checkpoint than the one before it. */
    private static final int WAVES = 12;

    /**
     * Ids one sink subtask may use, well under WAVES: 2 were seen (the open transaction and the one
     * whose commit is under way); the rest is room for commits that lag on a busy machine.
     */
    private static final int MAX_IDS = 6;

    @TempDir Path dir;

    @Test
    void manyCheckpointsReuseAFewTransactionalIds() throws Exception {
        Map<String, String> options = KafkaTestSupport.isolatedJobOptions(KAFKA.broker());
        Configuration config =
                JobEnvironment.withDefaults(
                        Configuration.fromMap(options), dir.resolve("checkpoints"));
        KafkaIo.createAbsentTopics(config);
        String stepsTopic = config.getString("topic.steps", null);
        String prefix = options.get("kafka.transactional-id-prefix");

        JobClient job = RunJob.environment(config).executeAsync("transactional-ids-itcase");
        try {
            int sent = 0;
            for (int wave = 0; wave < WAVES; wave++) {
                List<StepEvent> steps = TestFleet.groups(new Random(wave), "exp-w" + wave, 2, 4);
                KafkaTestSupport.produce(
                        KAFKA.broker(),
                        stepsTopic,
                        KafkaTestSupport.stepRecords(stepsTopic, steps));
                sent += steps.size();
                // Visible to read_committed only once a checkpoint after the send completed: the
                // waves span at least WAVES checkpoints.
                List<AdvantageBatch> batches =
                        KafkaTestSupport.readCommitted(
                                KAFKA.broker(),
                                config.getString("topic.batches", null),
                                AdvantageBatch.class,
                                KafkaTestSupport.totalAtLeast(sent, b -> b.getRecords().size()),
                                HangGuard.EVENT);
                assertThat(batches.stream().mapToInt(b -> b.getRecords().size()).sum())
                        .as("records committed after wave %d", wave)
                        .isEqualTo(sent);
            }
        } finally {
            job.cancel().get();
        }

        Set<String> ids;
        try (Admin admin =
                Admin.create(
                        KafkaTestSupport.withAdminSecurity(
                                KAFKA.broker(),
                                Map.of(
                                        AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                                        KAFKA.broker().bootstrapServers())))) {
            ids =
                    admin.listTransactions().all().get().stream()
                            .map(TransactionListing::transactionalId)
                            .filter(id -> id.startsWith(prefix + "-"))
                            .collect(Collectors.toSet());
        }
        // An id is <prefix>-<sink>-<subtask>-<n>: per sink subtask, the naming decides how many n.
        Map<String, List<String>> bySinkSubtask =
                ids.stream()
                        .collect(Collectors.groupingBy(id -> id.substring(0, id.lastIndexOf('-'))));
        assertThat(bySinkSubtask.keySet())
                .as("the exactly-once sinks' subtasks")
                .contains(prefix + "-batches-0", prefix + "-batches-1");
        // An id is in use from its transaction's start until the checkpoint that ends it is
        // committed: a couple at a time per subtask, however many checkpoints ran (WAVES or more).
        assertThat(bySinkSubtask)
                .as("transactional ids per sink subtask after %d checkpoints or more", WAVES)
                .allSatisfy(
                        (sinkSubtask, used) -> assertThat(used).hasSizeLessThanOrEqualTo(MAX_IDS));
    }
}
