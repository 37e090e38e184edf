package io.creditstream.streams.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import io.creditstream.broker.EmbeddedKafkaBroker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Properties;
import java.util.UUID;
import java.util.function.Consumer;
import org.apache.flink.api.connector.sink2.Committer;
import org.apache.flink.connector.kafka.sink.KafkaCommittable;
import org.apache.flink.connector.kafka.sink.internal.FlinkKafkaInternalProducer;
import org.apache.flink.connector.kafka.sink.internal.KafkaCommitter;
import org.apache.flink.metrics.SimpleCounter;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.TransactionState;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.logging.log4j.Level;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A checkpoint's transaction that the broker aborted before the committer got to it (the job was
 * down longer than the transaction timeout) is counted and named in one ERROR.
 */
class ReportingKafkaSinkTest {
    private static final Duration ABORT_DEADLINE = Duration.ofSeconds(30);

    private static EmbeddedKafkaBroker broker;

    @BeforeAll
    static void startBroker() {
        // The broker looks for timed-out transactions every 10 s by default; the test waits less.
        broker =
                EmbeddedKafkaBroker.builder()
                        .brokerProperty(
                                "transaction.abort.timed.out.transaction.cleanup.interval.ms",
                                "200")
                        .build()
                        .start();
    }

    @AfterAll
    static void stopBroker() {
        broker.close();
    }

    /**
     * The real connector committer against the real broker: a transaction is pre-committed as a
     * checkpoint leaves it, its writer dies without ending it, the broker aborts it on its timeout,
     * and the committer of the restored job then tries to commit it.
     */
    @Test
    void aTransactionTheBrokerAbortedIsCountedAndNamedWithTheRestoredCheckpoint() throws Exception {
        String topic = "lost-" + UUID.randomUUID();
        broker.createTopics(1, topic);
        String prefix = "lost-" + UUID.randomUUID().toString().substring(0, 8) + "-batches";
        String transactionalId = prefix + "-0-7";
        Properties producer = producerConfig(Duration.ofSeconds(1));
        KafkaCommittable committable;
        FlinkKafkaInternalProducer<byte[], byte[]> writer =
                new FlinkKafkaInternalProducer<>(producer, transactionalId);
        try {
            writer.initTransactions();
            writer.beginTransaction();
            writer.send(new ProducerRecord<>(topic, new byte[] {1})).get();
            writer.flush();
            committable =
                    new KafkaCommittable(
                            writer.getProducerId(), writer.getEpoch(), transactionalId, null);
        } finally {
            // As the process dies: no EndTxn, the transaction stays open on the broker.
            writer.close(Duration.ZERO);
        }
        awaitAborted(transactionalId);

        SimpleCounter lost = new SimpleCounter();
        RecordingRequest request = new RecordingRequest(committable);
        try (CapturedLog log = new CapturedLog(ReportingKafkaSink.class);
                CapturedLog connectorLog = new CapturedLog(KafkaCommitter.class);
                Committer<KafkaCommittable> committer =
                        new ReportingKafkaSink.ReportingCommitter(
                                new KafkaCommitter(
                                        producer,
                                        prefix,
                                        0,
                                        0,
                                        false,
                                        FlinkKafkaInternalProducer::new),
                                lost,
                                OptionalLong.of(7),
                                Duration.ofSeconds(1))) {
            committer.commit(List.of(request));

            // What the connector does on its own: the broker bumped the producer epoch when it
            // aborted, so the commit is fenced; the committer logs that as an ERROR naming the
            // request, signals a failure with a known reason (Flink counts it in
            // numCommittablesFailure and the job goes on), and the records are gone.
            assertThat(request.signals)
                    .singleElement()
                    .asString()
                    .startsWith("failed known: " + ProducerFencedException.class.getName());
            assertThat(connectorLog.messages(Level.ERROR))
                    .singleElement()
                    .asString()
                    .contains("because its producer is already fenced")
                    .contains(transactionalId);
            assertThat(lost.getCount()).isEqualTo(1);
            assertThat(log.messages(Level.ERROR))
                    .singleElement()
                    .asString()
                    .startsWith("Lost checkpointed output: Kafka transaction " + transactionalId)
                    .contains("transaction timeout (1 s) passed while the job was down")
                    .contains("(restored from checkpoint 7, which held the transaction)")
                    .contains(ReportingKafkaSink.LOST_TRANSACTIONS);
        }
    }

    @Test
    void committedAndRetriedRequestsAreNotReported() throws Exception {
        SimpleCounter lost = new SimpleCounter();
        RecordingRequest committed = new RecordingRequest(committable("tx-0-3"));
        RecordingRequest retried = new RecordingRequest(committable("tx-0-4"));
        Committer<KafkaCommittable> connector =
                connector(
                        request -> {
                            if (request.getCommittable().getTransactionalId().endsWith("-4")) {
                                request.retryLater();
                            }
                        });
        try (CapturedLog log = new CapturedLog(ReportingKafkaSink.class)) {
            new ReportingKafkaSink.ReportingCommitter(
                            connector, lost, OptionalLong.empty(), Duration.ofDays(7))
                    .commit(List.of(committed, retried));

            assertThat(committed.signals).isEmpty();
            assertThat(retried.signals).containsExactly("retry");
            assertThat(lost.getCount()).isZero();
            assertThat(log.messages(Level.ERROR)).isEmpty();
        }
    }

    @Test
    void aFailureSignalledTwiceIsReportedOnceAndStillPassedOn() throws Exception {
        SimpleCounter lost = new SimpleCounter();
        RecordingRequest request = new RecordingRequest(committable("tx-1-9"));
        IllegalStateException cause = new IllegalStateException("gone");
        Committer<KafkaCommittable> connector =
                connector(
                        r -> {
                            r.signalFailedWithKnownReason(cause);
                            r.signalFailedWithUnknownReason(cause);
                        });
        try (CapturedLog log = new CapturedLog(ReportingKafkaSink.class)) {
            new ReportingKafkaSink.ReportingCommitter(
                            connector, lost, OptionalLong.empty(), Duration.ofDays(7))
                    .commit(List.of(request));

            assertThat(request.signals).hasSize(2);
            assertThat(lost.getCount()).isEqualTo(1);
            assertThat(log.messages(Level.ERROR))
                    .singleElement()
                    .asString()
                    .startsWith("Lost checkpointed output: Kafka transaction tx-1-9")
                    .contains("transaction timeout (7 d)")
                    .doesNotContain("restored from");
        }
    }

    /** A stand-in for the connector's committer that treats each request with {@code each}. */
    private static Committer<KafkaCommittable> connector(
            Consumer<Committer.CommitRequest<KafkaCommittable>> each) {
        return new Committer<>() {
            @Override
            public void commit(Collection<CommitRequest<KafkaCommittable>> requests) {
                requests.forEach(each);
            }

            @Override
            public void close() {}
        };
    }

    private static KafkaCommittable committable(String transactionalId) {
        return new KafkaCommittable(1L, (short) 0, transactionalId, null);
    }

    private static Properties producerConfig(Duration transactionTimeout) {
        Properties props = new Properties();
        props.setProperty(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
        props.setProperty(
                ProducerConfig.TRANSACTION_TIMEOUT_CONFIG,
                Long.toString(transactionTimeout.toMillis()));
        props.setProperty(
                ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        props.setProperty(
                ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        return props;
    }

    private static void awaitAborted(String transactionalId) throws Exception {
        try (Admin admin =
                Admin.create(
                        Map.of(
                                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                                broker.bootstrapServers()))) {
            long deadline = System.nanoTime() + ABORT_DEADLINE.toNanos();
            TransactionState state = null;
            while (System.nanoTime() < deadline) {
                state =
                        admin.describeTransactions(List.of(transactionalId))
                                .description(transactionalId)
                                .get()
                                .state();
                if (state == TransactionState.COMPLETE_ABORT) {
                    return;
                }
                Thread.sleep(100);
            }
            throw new AssertionError(
                    "the broker did not abort "
                            + transactionalId
                            + " within "
                            + ABORT_DEADLINE
                            + "; last state "
                            + state);
        }
    }

    /** A commit request that records what the committer signalled. */
    private static final class RecordingRequest
            implements Committer.CommitRequest<KafkaCommittable> {
        private final KafkaCommittable committable;
        private final List<String> signals = new ArrayList<>();

        RecordingRequest(KafkaCommittable committable) {
            this.committable = committable;
        }

        @Override
        public KafkaCommittable getCommittable() {
            return committable;
        }

        @Override
        public int getNumberOfRetries() {
            return 0;
        }

        @Override
        public void signalFailedWithKnownReason(Throwable t) {
            signals.add("failed known: " + t);
        }

        @Override
        public void signalFailedWithUnknownReason(Throwable t) {
            signals.add("failed unknown: " + t);
        }

        @Override
        public void retryLater() {
            signals.add("retry");
        }

        @Override
        public void updateAndRetryLater(KafkaCommittable committable) {
            signals.add("update and retry");
        }

        @Override
        public void signalAlreadyCommitted() {
            signals.add("already committed");
        }

        /** Flink's own request prints its committable too, and the connector logs it. */
        @Override
        public String toString() {
            return "RecordingRequest{" + committable + "}";
        }
    }
}
