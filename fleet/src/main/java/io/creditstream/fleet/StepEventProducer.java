package io.creditstream.fleet;

import io.creditstream.schemas.StepEvent;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.avro.message.BinaryMessageEncoder;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes {@link StepEvent}s to a Kafka topic, keyed by episode id (so one episode's steps stay in
 * order on one partition) with values in Avro single-object encoding.
 *
 * <p>Sends are asynchronous; the first failed send is remembered and rethrown by the next {@link
 * #send}, {@link #flush} or {@link #close}, so a broken broker stops the fleet instead of silently
 * dropping steps. Use from one thread.
 */
public final class StepEventProducer implements StepEventSink, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(StepEventProducer.class);

    private static final BinaryMessageEncoder<StepEvent> ENCODER = StepEvent.getEncoder();

    private final Producer<String, byte[]> producer;
    private final String topic;
    private final AtomicLong acknowledged = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private final AtomicReference<Exception> firstFailure = new AtomicReference<>();
    private final Callback callback = this::onCompletion;

    /** Reused between sends: Avro's encoder writes into it, and only the final copy is kept. */
    private final ByteArrayOutputStream buffer = new ByteArrayOutputStream(256);

    private long sent;

    /** A producer with the throughput defaults of {@link #defaultConfig}. */
    public StepEventProducer(String bootstrapServers, String topic) {
        this(bootstrapServers, topic, Map.of());
    }

    /** A producer with the defaults of {@link #defaultConfig}, then {@code overrides} applied. */
    public StepEventProducer(String bootstrapServers, String topic, Map<String, Object> overrides) {
        this(createProducer(bootstrapServers, overrides), topic);
    }

    /** Wraps an existing producer (e.g. Kafka's MockProducer in tests); closes it on close. */
    public StepEventProducer(Producer<String, byte[]> producer, String topic) {
        if (topic == null || topic.isBlank()) {
            throw new IllegalArgumentException("topic must not be blank");
        }
        if (producer == null) {
            throw new IllegalArgumentException("producer must not be null");
        }
        this.producer = producer;
        this.topic = topic;
    }

    /**
     * The producer settings used unless overridden: idempotent (acks=all), and batching by 256 KiB
     * or 10 ms, because steps are small (about 100-200 bytes) and arrive in bursts of a group. No
     * compression: on a small machine the CPU, not the network, is the bottleneck. One request in
     * flight per broker: with more, an idempotent producer can lose a request for good on a
     * partition the broker has just created (the first is refused because the leader is not applied
     * yet, a later one is taken, and every retry of the first is refused as out of order until its
     * delivery timeout drops it: KAFKA-15591). A request carries the batches of every partition on
     * its broker, so one in flight still moves whole groups per round trip.
     */
    public static Map<String, Object> defaultConfig(String bootstrapServers) {
        if (bootstrapServers == null || bootstrapServers.isBlank()) {
            throw new IllegalArgumentException("bootstrapServers must not be blank");
        }
        Map<String, Object> config = new HashMap<>();
        config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        config.put(ProducerConfig.CLIENT_ID_CONFIG, "creditstream-fleet");
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        config.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 1);
        config.put(ProducerConfig.LINGER_MS_CONFIG, 10);
        config.put(ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024);
        config.put(ProducerConfig.BUFFER_MEMORY_CONFIG, 64L * 1024 * 1024);
        config.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "none");
        return config;
    }

    /**
     * The Kafka record value of an event: Avro single-object encoding (marker, fingerprint, body).
     */
    public static byte[] encode(StepEvent event) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(256);
        try {
            ENCODER.encode(event, out);
            return out.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot encode step " + event.getEpisodeId(), e);
        }
    }

    @Override
    public void send(StepEvent event) {
        throwIfFailed();
        buffer.reset();
        try {
            ENCODER.encode(event, buffer);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot encode step " + event.getEpisodeId(), e);
        }
        producer.send(
                new ProducerRecord<>(topic, event.getEpisodeId(), buffer.toByteArray()), callback);
        sent++;
    }

    /**
     * Sends a value exactly as given, under {@code key}, without encoding it: for the soak's
     * hostile records, some of which (random bytes, an empty value) no {@link StepEvent} encodes
     * to. Counted in {@link #sent()} and failing like {@link #send}.
     */
    public void sendRaw(String key, byte[] value) {
        throwIfFailed();
        producer.send(new ProducerRecord<>(topic, key, value), callback);
        sent++;
    }

    @Override
    public void flush() {
        producer.flush();
        throwIfFailed();
    }

    /** Events handed to the producer. */
    public long sent() {
        return sent;
    }

    /** Events the broker acknowledged. */
    public long acknowledged() {
        return acknowledged.get();
    }

    /** Events whose send failed. */
    public long failed() {
        return failed.get();
    }

    public String topic() {
        return topic;
    }

    /** Flushes, closes the producer and rethrows the first send failure, if any. */
    @Override
    public void close() {
        try {
            producer.close(Duration.ofSeconds(30));
        } finally {
            LOG.info(
                    "Step producer for {} closed: {} sent, {} acknowledged, {} failed",
                    topic,
                    sent,
                    acknowledged.get(),
                    failed.get());
        }
        throwIfFailed();
    }

    private void onCompletion(RecordMetadata metadata, Exception exception) {
        if (exception == null) {
            acknowledged.incrementAndGet();
        } else {
            failed.incrementAndGet();
            if (firstFailure.compareAndSet(null, exception)) {
                LOG.error("Sending a step to {} failed; the fleet will stop", topic, exception);
            }
        }
    }

    private void throwIfFailed() {
        Exception failure = firstFailure.get();
        if (failure != null) {
            throw new IllegalStateException(
                    failed.get() + " step(s) could not be sent to " + topic, failure);
        }
    }

    private static Producer<String, byte[]> createProducer(
            String bootstrapServers, Map<String, Object> overrides) {
        Map<String, Object> config = defaultConfig(bootstrapServers);
        config.putAll(overrides);
        return new KafkaProducer<>(config, new StringSerializer(), new ByteArraySerializer());
    }
}
