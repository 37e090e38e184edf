package io.creditstream.it;

import io.creditstream.broker.EmbeddedKafkaBroker;
import io.creditstream.schemas.StepEvent;
import java.util.List;
import org.apache.kafka.clients.producer.KafkaProducer;

/**
 * An agent fleet writing steps to agent.steps as the job expects them (keyed by episode, Avro
 * single-object values), one producer for a whole test so that steps keep their order per partition
 * across calls.
 */
final class StepProducer implements AutoCloseable {
    private final KafkaProducer<byte[], byte[]> producer;
    private final String topic;

    StepProducer(EmbeddedKafkaBroker broker, String topic) {
        this(broker.bootstrapServers(), topic);
    }

    StepProducer(String bootstrapServers, String topic) {
        this.topic = topic;
        this.producer = KafkaTestSupport.producer(bootstrapServers);
    }

    /** Sends the steps in order and returns once the broker has them all. */
    void send(List<StepEvent> steps) {
        KafkaTestSupport.sendAll(producer, topic, KafkaTestSupport.stepRecords(topic, steps));
    }

    @Override
    public void close() {
        producer.close();
    }
}
