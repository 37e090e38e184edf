package io.creditstream.streams.kafka;

import io.creditstream.operators.flink.budget.BudgetMetrics;
import io.creditstream.schemas.AdvantageBatch;
import io.creditstream.schemas.BudgetAllocation;
import io.creditstream.schemas.BudgetRequest;
import io.creditstream.schemas.DeadLetter;
import io.creditstream.schemas.PolicySnapshot;
import io.creditstream.schemas.codec.AvroCodec;
import io.creditstream.schemas.internal.RawStep;
import io.creditstream.schemas.kafka.KafkaClientSecurity;
import io.creditstream.schemas.kafka.TopicCreator;
import io.creditstream.schemas.kafka.TopicReplication;
import io.creditstream.streams.options.CreditstreamOptions;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import org.apache.flink.api.common.serialization.DeserializationSchema;
import org.apache.flink.api.common.serialization.SerializationSchema;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.connector.kafka.sink.TransactionNamingStrategy;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.metrics.Counter;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetResetStrategy;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The job's Kafka source and sinks, built from the typed options: raw agent.steps values with their
 * coordinates in, exactly-once learner batches and dead letters out.
 */
public final class KafkaIo {
    private KafkaIo() {}

    /** Bootstrap servers from the configuration, with an error that says how to set them. */
    public static String bootstrapServers(Configuration config) {
        return config.getOptional(CreditstreamOptions.BOOTSTRAP_SERVERS)
                .filter(s -> !s.isBlank())
                .orElseThrow(
                        () ->
                                new IllegalArgumentException(
                                        "kafka.bootstrap-servers is not set; pass"
                                                + " -Dkafka.bootstrap-servers=host:port (or run"
                                                + " `./creditstream kafka` for a local broker)"));
    }

    /**
     * The Kafka client security settings of the configuration: {@code kafka.properties-file} with
     * {@code kafka.client.<name>} keys on top, validated (an unknown key fails, naming it).
     */
    public static KafkaClientSecurity clientSecurity(Configuration config) {
        return KafkaClientSecurity.fromConfig(
                config.toMap(), CreditstreamOptions.KAFKA_PROPERTIES_FILE.key());
    }

    /** The security settings as source or producer properties. */
    private static Properties securityProperties(Configuration config) {
        return clientSecurity(config).applyTo(new Properties());
    }

    /** The agent.steps source, resuming from the committed offsets (earliest when none). */
    public static KafkaSource<RawStep> stepsSource(Configuration config) {
        return KafkaSource.<RawStep>builder()
                .setBootstrapServers(bootstrapServers(config))
                .setProperties(securityProperties(config))
                .setTopics(config.get(CreditstreamOptions.TOPIC_STEPS))
                .setGroupId(config.get(CreditstreamOptions.CONSUMER_GROUP))
                .setStartingOffsets(
                        OffsetsInitializer.committedOffsets(OffsetResetStrategy.EARLIEST))
                .setProperty(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed")
                .setDeserializer(new RawStepDeserializer())
                .build();
    }

    /**
     * rollout.requests, from the committed offsets (earliest when none). A value that is not a
     * BudgetRequest cannot be answered (its round is unknown): it is skipped, counted and logged.
     */
    public static KafkaSource<BudgetRequest> requestsSource(Configuration config) {
        return KafkaSource.<BudgetRequest>builder()
                .setBootstrapServers(bootstrapServers(config))
                .setProperties(securityProperties(config))
                .setTopics(config.get(CreditstreamOptions.TOPIC_REQUESTS))
                .setGroupId(config.get(CreditstreamOptions.CONSUMER_GROUP) + "-requests")
                .setStartingOffsets(
                        OffsetsInitializer.committedOffsets(OffsetResetStrategy.EARLIEST))
                .setProperty(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed")
                .setDeserializer(
                        new AvroRecordDeserializer<>(
                                BudgetRequest.class, BudgetMetrics.REQUESTS_MALFORMED))
                .build();
    }

    /**
     * policy.snapshots, always from the earliest offset: the topic is small and the job only needs
     * the newest version per experiment, which a restored job also keeps in broadcast state.
     */
    public static KafkaSource<PolicySnapshot> snapshotsSource(Configuration config) {
        return KafkaSource.<PolicySnapshot>builder()
                .setBootstrapServers(bootstrapServers(config))
                .setProperties(securityProperties(config))
                .setTopics(config.get(CreditstreamOptions.TOPIC_SNAPSHOTS))
                .setGroupId(config.get(CreditstreamOptions.CONSUMER_GROUP) + "-snapshots")
                .setStartingOffsets(OffsetsInitializer.earliest())
                .setDeserializer(
                        new AvroRecordDeserializer<>(
                                PolicySnapshot.class, "policySnapshotsMalformed"))
                .build();
    }

    /**
     * rollout.budget, at-least-once and keyed by round: the fleet waits for these answers, so they
     * must not wait for a checkpoint's commit, and a repeated answer for the same round and task is
     * harmless.
     */
    public static KafkaSink<BudgetAllocation> budgetSink(Configuration config) {
        return KafkaSink.<BudgetAllocation>builder()
                .setBootstrapServers(bootstrapServers(config))
                .setKafkaProducerConfig(securityProperties(config))
                .setDeliveryGuarantee(DeliveryGuarantee.AT_LEAST_ONCE)
                .setRecordSerializer(
                        KafkaRecordSerializationSchema.<BudgetAllocation>builder()
                                .setTopic(config.get(CreditstreamOptions.TOPIC_BUDGET))
                                .setKeySerializationSchema(new RoundKey())
                                .setValueSerializationSchema(
                                        new AvroSerialization<>(BudgetAllocation.class))
                                .build())
                .build();
    }

    /**
     * learner.batches, exactly-once, keyed by the batch's first group: the parts of a split group
     * share their group's key, so they land in one partition in part order.
     */
    public static KafkaSink<AdvantageBatch> batchesSink(Configuration config) {
        String topic = config.get(CreditstreamOptions.TOPIC_BATCHES);
        return exactlyOnceSink(
                config,
                "batches",
                KafkaRecordSerializationSchema.<AdvantageBatch>builder()
                        .setTopic(topic)
                        .setKeySerializationSchema(
                                (SerializationSchema<AdvantageBatch>)
                                        b -> batchKey(b).getBytes(StandardCharsets.UTF_8))
                        .setValueSerializationSchema(new AvroSerialization<>(AdvantageBatch.class))
                        .build());
    }

    /** The Kafka key of a batch: its id, or for a part of a split group that group's key. */
    static String batchKey(AdvantageBatch batch) {
        return batch.getSplitGroupId() == null
                ? batch.getBatchId()
                : batch.getExperimentId() + "/" + batch.getSplitGroupId();
    }

    /**
     * agent.steps.dlq, exactly-once like the batches so a replay never duplicates a letter. Every
     * letter is bounded ({@link BoundedDeadLetters}), so none can exceed the topic's limit.
     */
    public static KafkaSink<DeadLetter> deadLetterSink(Configuration config) {
        return exactlyOnceSink(
                config,
                "dlq",
                KafkaRecordSerializationSchema.<DeadLetter>builder()
                        .setTopic(config.get(CreditstreamOptions.TOPIC_DLQ))
                        .setValueSerializationSchema(
                                new BoundedDeadLetters(
                                        config.get(CreditstreamOptions.DLQ_MAX_PAYLOAD_BYTES)))
                        .build());
    }

    /**
     * The producer's largest request, and the largest record of the topics the job creates: a full
     * batch or dead letter plus room for Kafka's record and batch headers.
     */
    public static int maxRecordBytes(Configuration config) {
        int largest =
                Math.max(
                        config.get(CreditstreamOptions.BATCH_MAX_BYTES),
                        config.get(CreditstreamOptions.DLQ_MAX_PAYLOAD_BYTES)
                                + BoundedDeadLetters.MAX_TEXT_BYTES);
        return Math.max(DEFAULT_MAX_REQUEST_BYTES, largest + RECORD_OVERHEAD_BYTES);
    }

    /** Kafka's default max.request.size (and, near enough, the default max.message.bytes). */
    private static final int DEFAULT_MAX_REQUEST_BYTES = 1 << 20;

    /** Headroom for the record batch header, record header and key. */
    private static final int RECORD_OVERHEAD_BYTES = 16 * 1024;

    private static <T> KafkaSink<T> exactlyOnceSink(
            Configuration config, String name, KafkaRecordSerializationSchema<T> schema) {
        Properties producer = securityProperties(config);
        // Resolved from the brokers when the job is built (TransactionTimeouts); never a guess.
        producer.setProperty(
                ProducerConfig.TRANSACTION_TIMEOUT_CONFIG,
                String.valueOf(TransactionTimeouts.required(config).toMillis()));
        producer.setProperty(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
        producer.setProperty(
                ProducerConfig.MAX_REQUEST_SIZE_CONFIG, String.valueOf(maxRecordBytes(config)));
        producer.setProperty(ProducerConfig.LINGER_MS_CONFIG, "5");
        return KafkaSink.<T>builder()
                .setBootstrapServers(bootstrapServers(config))
                .setDeliveryGuarantee(DeliveryGuarantee.EXACTLY_ONCE)
                // Reuse the ids of committed transactions instead of a new id per checkpoint: the
                // brokers keep every id they have seen for transactional.id.expiration.ms (7 d by
                // default), so an id per checkpoint grows their state without bound in a
                // long-running job (TransactionalIdsITCase).
                .setTransactionNamingStrategy(TransactionNamingStrategy.POOLING)
                .setTransactionalIdPrefix(
                        config.get(CreditstreamOptions.TRANSACTIONAL_ID_PREFIX) + "-" + name)
                .setKafkaProducerConfig(producer)
                .setRecordSerializer(schema)
                .build();
    }

    /**
     * Creates the job's topics that do not exist yet, with {@code kafka.topic-partitions}
     * partitions, {@code kafka.topic-replication-factor} replicas, {@code min.insync.replicas} of
     * {@link #topicReplication} when set, and {@code max.message.bytes} of {@link #maxRecordBytes};
     * existing topics are left as they are.
     *
     * @return the topics created
     * @throws IllegalArgumentException when the replication factor or min ISR is out of range, or
     *     the replication factor is more than the cluster's live brokers (naming the setting)
     */
    public static List<String> createAbsentTopics(Configuration config)
            throws InterruptedException, ExecutionException {
        List<String> names =
                List.of(
                        config.get(CreditstreamOptions.TOPIC_STEPS),
                        config.get(CreditstreamOptions.TOPIC_BATCHES),
                        config.get(CreditstreamOptions.TOPIC_DLQ),
                        config.get(CreditstreamOptions.TOPIC_REQUESTS),
                        config.get(CreditstreamOptions.TOPIC_BUDGET),
                        config.get(CreditstreamOptions.TOPIC_SNAPSHOTS));
        TopicReplication replication = topicReplication(config);
        try {
            return TopicCreator.on(bootstrapServers(config))
                    .withSecurity(clientSecurity(config))
                    .withPartitions(config.get(CreditstreamOptions.TOPIC_PARTITIONS))
                    .withReplication(replication)
                    .withConfigs(
                            Map.of("max.message.bytes", String.valueOf(maxRecordBytes(config))))
                    .createAbsent(names);
        } catch (TopicCreator.TooFewBrokersException e) {
            throw replication.cannotBeMet(e);
        }
    }

    /** The job's names for the settings {@link TopicReplication} checks. */
    static final TopicReplication.Names REPLICATION_NAMES =
            new TopicReplication.Names(
                    CreditstreamOptions.TOPIC_REPLICATION_FACTOR.key(),
                    CreditstreamOptions.TOPIC_MIN_INSYNC_REPLICAS.key(),
                    "-D" + CreditstreamOptions.TOPIC_REPLICATION_FACTOR.key());

    /**
     * {@code kafka.topic-replication-factor} and {@code kafka.topic-min-insync-replicas}, checked,
     * with the shared default {@code min.insync.replicas} (2 when the factor is 3 or more): the
     * learner and the fleet create their topics by the same rule.
     */
    static TopicReplication topicReplication(Configuration config) {
        return TopicReplication.of(
                config.get(CreditstreamOptions.TOPIC_REPLICATION_FACTOR),
                config.getOptional(CreditstreamOptions.TOPIC_MIN_INSYNC_REPLICAS),
                REPLICATION_NAMES);
    }

    /** {@code min.insync.replicas} of the topics the job creates; empty: the broker's default. */
    static Optional<Integer> minInsyncReplicas(Configuration config) {
        return topicReplication(config).minInsyncReplicas();
    }

    /** Keeps the undecoded value and its coordinates, so decoding errors can be dead-lettered. */
    public static final class RawStepDeserializer
            implements KafkaRecordDeserializationSchema<RawStep> {
        private static final long serialVersionUID = 1L;

        @Override
        public void deserialize(ConsumerRecord<byte[], byte[]> record, Collector<RawStep> out) {
            byte[] value = record.value() == null ? new byte[0] : record.value();
            // The all-fields constructor: Avro's builder validates and copies defaults per call.
            out.collect(
                    new RawStep(
                            ByteBuffer.wrap(value),
                            record.topic(),
                            record.partition(),
                            record.offset()));
        }

        @Override
        public TypeInformation<RawStep> getProducedType() {
            return new AvroTypeInfo<>(RawStep.class);
        }
    }

    /** The round id of a budget answer, as its Kafka key. */
    static final class RoundKey implements SerializationSchema<BudgetAllocation> {
        private static final long serialVersionUID = 1L;

        @Override
        public byte[] serialize(BudgetAllocation allocation) {
            return allocation.getRoundId().getBytes(StandardCharsets.UTF_8);
        }
    }

    /**
     * Decodes one Avro record type from its single-object encoding; a value that is not one is
     * skipped, counted under {@code malformedCounter} and logged with its coordinates.
     */
    static final class AvroRecordDeserializer<T extends org.apache.avro.specific.SpecificRecordBase>
            implements KafkaRecordDeserializationSchema<T> {
        private static final long serialVersionUID = 1L;
        private static final Logger LOG = LoggerFactory.getLogger(AvroRecordDeserializer.class);

        private final Class<T> type;
        private final String malformedCounter;
        private transient AvroCodec<T> codec;
        private transient Counter malformed;

        AvroRecordDeserializer(Class<T> type, String malformedCounter) {
            this.type = type;
            this.malformedCounter = malformedCounter;
        }

        @Override
        public void open(DeserializationSchema.InitializationContext context) {
            codec = AvroCodec.of(type);
            malformed = context.getMetricGroup().counter(malformedCounter);
        }

        @Override
        public void deserialize(ConsumerRecord<byte[], byte[]> record, Collector<T> out) {
            try {
                out.collect(codec.decode(record.value()));
            } catch (RuntimeException e) {
                malformed.inc();
                LOG.warn(
                        "Skipped a value on {} partition {} offset {} that is not a {}: {}",
                        record.topic(),
                        record.partition(),
                        record.offset(),
                        type.getSimpleName(),
                        e.getMessage());
            }
        }

        @Override
        public TypeInformation<T> getProducedType() {
            return new AvroTypeInfo<>(type);
        }
    }

    /** Avro single-object encoding of one record type. */
    static final class AvroSerialization<T extends org.apache.avro.specific.SpecificRecord>
            implements SerializationSchema<T> {
        private static final long serialVersionUID = 1L;
        private final Class<T> type;
        private transient AvroCodec<T> codec;

        AvroSerialization(Class<T> type) {
            this.type = type;
        }

        @Override
        public byte[] serialize(T element) {
            if (codec == null) {
                codec = AvroCodec.of(type);
            }
            return codec.encode(element);
        }
    }
}
