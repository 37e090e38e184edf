package io.creditstream.it;

import io.creditstream.schemas.StepEvent;
import io.creditstream.schemas.codec.AvroCodec;
import io.creditstream.streams.kafka.EmbeddedKafkaBroker;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * An agent fleet writing steps to agent.steps as the job expects them (keyed by episode, Avro
 * single-object values), one producer for a whole test so that steps keep their order per partition
 * across calls.
 */
final class StepProducer implements AutoCloseable {
    private final KafkaProducer<byte[], byte[]> producer;
    private final String topic;
    private final AvroCodec<StepEvent> codec = AvroCodec.of(StepEvent.class);

    StepProducer(EmbeddedKafkaBroker broker, String topic) {
        this.topic = topic;
        this.producer =
                new KafkaProducer<>(
                        Map.of(
                                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                                broker.bootstrapServers(),
                                ProducerConfig.ACKS_CONFIG,
                                "all",
                                ProducerConfig.LINGER_MS_CONFIG,
                                "5"),
                        new ByteArraySerializer(),
                        new ByteArraySerializer());
    }

    /** Sends the steps in order and returns once the broker has them all. */
    void send(List<StepEvent> steps) {
        for (StepEvent step : steps) {
            producer.send(
                    new ProducerRecord<>(
                            topic,
                            step.getEpisodeId().getBytes(StandardCharsets.UTF_8),
                            codec.encode(step)));
        }
        producer.flush();
    }

    @Override
    public void close() {
        producer.close();
    }
}
