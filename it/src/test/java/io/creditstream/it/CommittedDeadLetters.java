package io.creditstream.it;

import io.creditstream.broker.EmbeddedKafkaBroker;
import io.creditstream.schemas.DeadLetter;
import io.creditstream.schemas.codec.AvroCodec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;

/**
 * agent.steps.dlq read with {@code read_committed} from the beginning for as long as a test runs,
 * as an operator's alert would read it.
 */
final class CommittedDeadLetters implements AutoCloseable {
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final AvroCodec<DeadLetter> codec = AvroCodec.of(DeadLetter.class);
    private final List<DeadLetter> letters = new ArrayList<>();

    CommittedDeadLetters(EmbeddedKafkaBroker broker, String topic) {
        consumer = KafkaTestSupport.committedFromStart(broker, topic);
    }

    /** One poll that returns at once when nothing is there: the caller's loop has its own pace. */
    void poll() {
        for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ZERO)) {
            letters.add(codec.decode(record.value()));
        }
    }

    /**
     * Polls until this reader stands at the last stable offset of every partition.
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
            for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                letters.add(codec.decode(record.value()));
            }
        }
        return false;
    }

    List<DeadLetter> letters() {
        return Collections.unmodifiableList(letters);
    }

    @Override
    public void close() {
        consumer.close();
    }
}
