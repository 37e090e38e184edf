package io.creditstream.policy.service;

import io.creditstream.schemas.PolicySnapshot;
import io.creditstream.schemas.codec.AvroCodec;
import io.creditstream.schemas.codec.RecordDecodeException;
import io.creditstream.schemas.kafka.KafkaClientSecurity;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads {@code policy.snapshots} from the beginning, without a consumer group: every reader sees
 * every snapshot, so "the newest version of an experiment" is the highest version read so far.
 *
 * <p>Values that are not {@link PolicySnapshot}s are skipped and counted, never fatal: other
 * writers may share the topic. Use from one thread, except {@link #wakeup()}.
 */
public final class PolicySnapshotReader implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(PolicySnapshotReader.class);

    private final String topic;
    private final Duration timeout;
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final AvroCodec<PolicySnapshot> codec = AvroCodec.of(PolicySnapshot.class);
    private final AtomicLong undecodable = new AtomicLong();
    private final Map<String, PolicySnapshot> newest = new HashMap<>();
    private List<TopicPartition> partitions = List.of();

    /**
     * A reader of {@code topic}; {@code timeout} bounds each metadata and offset request.
     *
     * @param clientId names the consumer in broker logs and metrics
     */
    public PolicySnapshotReader(
            String bootstrapServers, String topic, Duration timeout, String clientId) {
        this(bootstrapServers, topic, timeout, clientId, KafkaClientSecurity.none());
    }

    /** As above, connecting with {@code security}. */
    public PolicySnapshotReader(
            String bootstrapServers,
            String topic,
            Duration timeout,
            String clientId,
            KafkaClientSecurity security) {
        this.topic = Objects.requireNonNull(topic, "topic");
        this.timeout = Objects.requireNonNull(timeout, "timeout");
        Map<String, Object> config = security.applyTo(new HashMap<>());
        config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        config.put(ConsumerConfig.CLIENT_ID_CONFIG, clientId);
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        config.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false);
        config.put(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) timeout.toMillis());
        this.consumer =
                new KafkaConsumer<>(
                        config, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }

    /** The topic read. */
    public String topic() {
        return topic;
    }

    /**
     * Assigns every partition of the topic and rewinds to the beginning, once the topic exists.
     *
     * @return false when the topic does not exist (yet); call again later
     */
    public boolean assignIfPresent() {
        if (!partitions.isEmpty()) {
            return true;
        }
        List<PartitionInfo> infos;
        try {
            infos = consumer.partitionsFor(topic, timeout);
        } catch (UnknownTopicOrPartitionException e) {
            return false;
        }
        if (infos == null || infos.isEmpty()) {
            return false;
        }
        List<TopicPartition> assigned = new ArrayList<>();
        for (PartitionInfo info : infos) {
            assigned.add(new TopicPartition(topic, info.partition()));
        }
        consumer.assign(assigned);
        consumer.seekToBeginning(assigned);
        partitions = List.copyOf(assigned);
        return true;
    }

    /**
     * The snapshots that arrive within {@code wait}, in partition order; empty when the topic does
     * not exist yet or {@link #wakeup()} interrupted the wait.
     */
    public List<PolicySnapshot> poll(Duration wait) {
        if (!assignIfPresent()) {
            return List.of();
        }
        List<PolicySnapshot> snapshots = new ArrayList<>();
        try {
            for (ConsumerRecord<byte[], byte[]> record : consumer.poll(wait)) {
                PolicySnapshot snapshot = decode(record);
                if (snapshot != null) {
                    snapshots.add(snapshot);
                    newest.merge(
                            snapshot.getExperimentId(),
                            snapshot,
                            (a, b) -> b.getVersion() > a.getVersion() ? b : a);
                }
            }
        } catch (WakeupException e) {
            return snapshots;
        }
        return snapshots;
    }

    /**
     * Every snapshot up to the end of the topic as of this call (the last stable offset of each
     * partition), then returns; empty when the topic does not exist.
     *
     * @throws IllegalStateException if the end is not reached within {@code deadline}
     */
    public List<PolicySnapshot> readToEnd(Duration deadline) {
        if (!assignIfPresent()) {
            return List.of();
        }
        Map<TopicPartition, Long> ends = consumer.endOffsets(partitions, timeout);
        List<PolicySnapshot> snapshots = new ArrayList<>();
        long stopAt = System.nanoTime() + LearnerService.saturatedNanos(deadline);
        while (!reached(ends)) {
            if (System.nanoTime() - stopAt > 0) {
                throw new IllegalStateException(
                        "could not read " + topic + " to its end " + ends + " within " + deadline);
            }
            snapshots.addAll(poll(Duration.ofMillis(100)));
        }
        return snapshots;
    }

    /** The highest version of {@code experimentId} read so far, or null. */
    public PolicySnapshot newest(String experimentId) {
        return newest.get(experimentId);
    }

    /** Values skipped because they were not policy snapshots. */
    public long undecodable() {
        return undecodable.get();
    }

    /** Makes a blocking {@link #poll} return early; safe from any thread. */
    public void wakeup() {
        consumer.wakeup();
    }

    @Override
    public void close() {
        consumer.close(Duration.ofSeconds(5));
    }

    private boolean reached(Map<TopicPartition, Long> ends) {
        for (Map.Entry<TopicPartition, Long> end : ends.entrySet()) {
            if (consumer.position(end.getKey(), timeout) < end.getValue()) {
                return false;
            }
        }
        return true;
    }

    private PolicySnapshot decode(ConsumerRecord<byte[], byte[]> record) {
        try {
            return codec.decode(record.value());
        } catch (RecordDecodeException e) {
            if (undecodable.getAndIncrement() == 0) {
                LOG.warn(
                        "Skipping values on {} that are not policy snapshots (first at {}-{}@{}):"
                                + " {}",
                        topic,
                        record.topic(),
                        record.partition(),
                        record.offset(),
                        e.getMessage());
            }
            return null;
        }
    }
}
