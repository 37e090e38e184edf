package io.creditstream.streams.kafka;

import io.creditstream.operators.flink.CreditMetrics;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.OptionalLong;
import org.apache.flink.api.connector.sink2.Committer;
import org.apache.flink.api.connector.sink2.CommitterInitContext;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.StatefulSinkWriter;
import org.apache.flink.api.connector.sink2.SupportsCommitter;
import org.apache.flink.api.connector.sink2.SupportsWriterState;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.connector.kafka.sink.KafkaCommittable;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.connector.kafka.sink.KafkaWriterState;
import org.apache.flink.core.io.SimpleVersionedSerializer;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.connector.sink2.CommittableMessage;
import org.apache.flink.streaming.api.connector.sink2.SupportsPostCommitTopology;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.lineage.LineageVertex;
import org.apache.flink.streaming.api.lineage.LineageVertexProvider;
import org.apache.flink.util.TimeUtils;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An exactly-once {@link KafkaSink} that says loudly when the output of a checkpoint is lost
 * because its transaction could not be committed.
 *
 * <p>A restored job commits the transactions its checkpoint pre-committed. When the job was down
 * longer than the transaction timeout, the broker has aborted them already, and flink-connector-
 * kafka 5.0 then logs the commit failure among its other messages, counts it in Flink's generic
 * {@code numCommittablesFailure} of the committer, and goes on: the records are gone for a {@code
 * read_committed} learner and nothing says so where an operator looks. This sink logs one ERROR per
 * lost transaction naming its transactional id and the checkpoint the job restored from (whose
 * state held the transaction), and counts it in {@value #LOST_TRANSACTIONS} on the committer, for
 * an alert.
 *
 * <p>Everything else is the wrapped sink's: writer, committer, serializers and post-commit topology
 * are delegated, so the operators, their uids and their state are those of the plain {@link
 * KafkaSink}, and checkpoints of either restore into the other.
 */
public final class ReportingKafkaSink<IN>
        implements Sink<IN>,
                SupportsWriterState<IN, KafkaWriterState>,
                SupportsCommitter<KafkaCommittable>,
                SupportsPostCommitTopology<KafkaCommittable>,
                LineageVertexProvider {
    /** Counter of transactions the committer could not commit: their records are lost. */
    public static final String LOST_TRANSACTIONS = CreditMetrics.KAFKA_TRANSACTIONS_LOST;

    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(ReportingKafkaSink.class);

    private final KafkaSink<IN> delegate;
    private final Duration transactionTimeout;

    private ReportingKafkaSink(KafkaSink<IN> delegate, Duration transactionTimeout) {
        this.delegate = delegate;
        this.transactionTimeout = transactionTimeout;
    }

    /**
     * Wraps an exactly-once sink built with {@code transactionTimeout} (named in the error, since
     * it is the downtime that was exceeded).
     */
    public static <IN> ReportingKafkaSink<IN> of(
            KafkaSink<IN> delegate, Duration transactionTimeout) {
        return new ReportingKafkaSink<>(delegate, transactionTimeout);
    }

    @Override
    public SinkWriter<IN> createWriter(WriterInitContext context) throws IOException {
        return delegate.createWriter(context);
    }

    @Override
    public StatefulSinkWriter<IN, KafkaWriterState> restoreWriter(
            WriterInitContext context, Collection<KafkaWriterState> recoveredState)
            throws IOException {
        return delegate.restoreWriter(context, recoveredState);
    }

    @Override
    public SimpleVersionedSerializer<KafkaWriterState> getWriterStateSerializer() {
        return delegate.getWriterStateSerializer();
    }

    @Override
    public Committer<KafkaCommittable> createCommitter(CommitterInitContext context)
            throws IOException {
        return new ReportingCommitter(
                delegate.createCommitter(context),
                context.metricGroup().counter(LOST_TRANSACTIONS),
                context.getRestoredCheckpointId(),
                transactionTimeout);
    }

    @Override
    public SimpleVersionedSerializer<KafkaCommittable> getCommittableSerializer() {
        return delegate.getCommittableSerializer();
    }

    @Override
    public void addPostCommitTopology(DataStream<CommittableMessage<KafkaCommittable>> committed) {
        delegate.addPostCommitTopology(committed);
    }

    @Override
    public LineageVertex getLineageVertex() {
        return delegate.getLineageVertex();
    }

    /** The wrapped sink. */
    KafkaSink<IN> delegate() {
        return delegate;
    }

    /**
     * Hands the connector's committer requests that report a failed commit before passing the
     * failure on; everything else goes straight through.
     */
    static final class ReportingCommitter implements Committer<KafkaCommittable> {
        private final Committer<KafkaCommittable> delegate;
        private final Counter lost;
        private final OptionalLong restoredCheckpoint;
        private final Duration transactionTimeout;

        ReportingCommitter(
                Committer<KafkaCommittable> delegate,
                Counter lost,
                OptionalLong restoredCheckpoint,
                Duration transactionTimeout) {
            this.delegate = delegate;
            this.lost = lost;
            this.restoredCheckpoint = restoredCheckpoint;
            this.transactionTimeout = transactionTimeout;
        }

        @Override
        public void commit(Collection<CommitRequest<KafkaCommittable>> requests)
                throws IOException, InterruptedException {
            List<CommitRequest<KafkaCommittable>> reporting = new ArrayList<>(requests.size());
            for (CommitRequest<KafkaCommittable> request : requests) {
                reporting.add(new ReportingRequest(request));
            }
            delegate.commit(reporting);
        }

        @Override
        public void close() throws Exception {
            delegate.close();
        }

        private void report(KafkaCommittable committable, Throwable cause) {
            lost.inc();
            // The pooled transactional ids (KafkaIo) are reused across checkpoints, so the id does
            // not say which checkpoint's output this was; on a restore it is what the restored
            // checkpoint held.
            LOG.error(
                    "Lost checkpointed output: Kafka transaction {} (producer id {}, epoch {})"
                            + " could not be committed ({}). The broker no longer holds it open,"
                            + " most likely because it aborted it when the transaction timeout ({})"
                            + " passed while the job was down{}; read_committed consumers will"
                            + " never see its records. Counted in {}.",
                    committable.getTransactionalId(),
                    committable.getProducerId(),
                    committable.getEpoch(),
                    cause == null ? "no cause given" : cause.toString(),
                    transactionTimeout == null
                            ? "unknown"
                            : TimeUtils.formatWithHighestUnit(transactionTimeout),
                    restoredCheckpoint.isPresent()
                            ? " (restored from checkpoint "
                                    + restoredCheckpoint.getAsLong()
                                    + ", which held the transaction)"
                            : "",
                    LOST_TRANSACTIONS);
        }

        /** One request, reported at most once however often the connector signals it. */
        private final class ReportingRequest implements CommitRequest<KafkaCommittable> {
            private final CommitRequest<KafkaCommittable> request;
            private boolean reported;

            ReportingRequest(CommitRequest<KafkaCommittable> request) {
                this.request = request;
            }

            @Override
            public KafkaCommittable getCommittable() {
                return request.getCommittable();
            }

            @Override
            public int getNumberOfRetries() {
                return request.getNumberOfRetries();
            }

            @Override
            public void signalFailedWithKnownReason(Throwable t) {
                reportOnce(t);
                request.signalFailedWithKnownReason(t);
            }

            @Override
            public void signalFailedWithUnknownReason(Throwable t) {
                reportOnce(t);
                request.signalFailedWithUnknownReason(t);
            }

            @Override
            public void retryLater() {
                request.retryLater();
            }

            @Override
            public void updateAndRetryLater(KafkaCommittable committable) {
                request.updateAndRetryLater(committable);
            }

            @Override
            public void signalAlreadyCommitted() {
                request.signalAlreadyCommitted();
            }

            private void reportOnce(Throwable t) {
                if (!reported) {
                    reported = true;
                    report(request.getCommittable(), t);
                }
            }

            @Override
            public String toString() {
                // The connector logs the request it was handed: keep its words.
                return request.toString();
            }
        }
    }
}
