package io.creditstream.it;

import io.creditstream.broker.EmbeddedKafkaBroker;
import io.creditstream.schemas.AdvantageBatch;
import io.creditstream.schemas.AdvantageRecord;
import io.creditstream.schemas.codec.AvroCodec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.ListOffsetsResult.ListOffsetsResultInfo;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;

/**
 * A learner reading learner.batches with {@code read_committed} from the beginning, for as long as
 * a test runs: it keeps every advantage record it was handed, duplicates included.
 */
final class CommittedBatches implements AutoCloseable {
    private static final Duration POLL = Duration.ofMillis(200);

    private final KafkaConsumer<byte[], byte[]> consumer;
    private final Admin admin;
    private final List<TopicPartition> partitions;
    private final AvroCodec<AdvantageBatch> codec = AvroCodec.of(AdvantageBatch.class);
    private final List<AdvantageRecord> records = new ArrayList<>();
    private int batches;

    CommittedBatches(EmbeddedKafkaBroker broker, String topic) {
        this(broker.bootstrapServers(), topic);
    }

    CommittedBatches(String bootstrapServers, String topic) {
        consumer = KafkaTestSupport.committedFromStart(bootstrapServers, topic);
        partitions = List.copyOf(consumer.assignment());
        admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers));
    }

    /** One poll of at most 200 ms: the interval of the tests' wait loops. */
    void poll() {
        for (ConsumerRecord<byte[], byte[]> record : consumer.poll(POLL)) {
            records.addAll(codec.decode(record.value()).getRecords());
            batches++;
        }
    }

    /**
     * Polls until this reader stands at the last stable offset of every partition: everything
     * committed until now has been read.
     *
     * @return whether it got there before the timeout
     */
    boolean readToLastStableOffset(Duration timeout) {
        Map<TopicPartition, Long> end = consumer.endOffsets(consumer.assignment());
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (end.entrySet().stream()
                    .allMatch(e -> consumer.position(e.getKey()) >= e.getValue())) {
                return true;
            }
            poll();
        }
        return false;
    }

    /**
     * Whether some partition holds records of a transaction not yet ended: its last stable offset
     * (what read_committed may read up to) is below its high watermark.
     */
    boolean transactionPending() throws Exception {
        Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
        partitions.forEach(p -> latest.put(p, OffsetSpec.latest()));
        Map<TopicPartition, ListOffsetsResultInfo> stable =
                admin.listOffsets(latest, new ListOffsetsOptions(IsolationLevel.READ_COMMITTED))
                        .all()
                        .get();
        Map<TopicPartition, ListOffsetsResultInfo> written =
                admin.listOffsets(latest, new ListOffsetsOptions(IsolationLevel.READ_UNCOMMITTED))
                        .all()
                        .get();
        return partitions.stream().anyMatch(p -> stable.get(p).offset() < written.get(p).offset());
    }

    /** Batches read so far, duplicates included. */
    int batches() {
        return batches;
    }

    List<AdvantageRecord> records() {
        return Collections.unmodifiableList(records);
    }

    long count(Predicate<AdvantageRecord> which) {
        return records.stream().filter(which).count();
    }

    @Override
    public void close() {
        consumer.close();
        admin.close();
    }

    @Override
    public String toString() {
        return records.size() + " committed records in " + batches + " batches";
    }
}
