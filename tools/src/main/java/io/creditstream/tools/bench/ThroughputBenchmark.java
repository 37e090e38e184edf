package io.creditstream.tools.bench;

import io.creditstream.broker.EmbeddedKafkaBroker;
import io.creditstream.fleet.SimulatedFleet;
import io.creditstream.fleet.StepEventProducer;
import io.creditstream.fleet.env.CorridorMazeEnvironment;
import io.creditstream.schemas.StepEvent;
import io.creditstream.schemas.internal.RawStep;
import io.creditstream.streams.CreditJob;
import io.creditstream.streams.JobEnvironment;
import io.creditstream.streams.kafka.KafkaIo;
import io.creditstream.streams.kafka.TransactionTimeouts;
import io.creditstream.streams.options.CreditstreamOptions;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;
import org.apache.commons.io.FileUtils;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.serialization.SerializationSchema;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * End-to-end throughput of the creditstream job against the ceiling of this machine, measured in
 * one run on the same input: a passthrough job (Kafka → keyBy episode → one ValueState update →
 * Kafka, exactly-once) and the full job (decode, trajectory and group assembly, estimator,
 * batching, exactly-once). Both read the same pre-produced topic as a bounded source; the ratio is
 * what to compare across machines.
 */
public final class ThroughputBenchmark {

    /** The settings of one benchmark run. */
    public record Settings(
            long steps, int tasks, int groupSize, int maxEpisodeSteps, int parallelism) {}

    /** What one run measured. */
    public record Result(
            long steps,
            double produceSeconds,
            double passthroughSeconds,
            double jobSeconds,
            double meanEpisodeLength) {
        public double passthroughRate() {
            return steps / passthroughSeconds;
        }

        public double jobRate() {
            return steps / jobSeconds;
        }

        public double ratio() {
            return jobRate() / passthroughRate();
        }
    }

    private ThroughputBenchmark() {}

    public static Result run(Settings settings, Configuration userConfig, PrintStream out)
            throws Exception {
        Path work = Files.createTempDirectory("creditstream-bench-");
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.builder().build().start()) {
            Configuration config = new Configuration();
            config.setString("parallelism.default", String.valueOf(settings.parallelism()));
            config.setString("kafka.topic-partitions", String.valueOf(settings.parallelism()));
            config.setString("execution.checkpointing.interval", "10 s");
            config.setString("batch.max-records", "1024");
            // A single embedded broker: one replica.
            config.set(CreditstreamOptions.TOPIC_REPLICATION_FACTOR, 1);
            config.addAll(userConfig);
            config.set(CreditstreamOptions.BOOTSTRAP_SERVERS, broker.bootstrapServers());
            config = JobEnvironment.withDefaults(config, work.resolve("checkpoints"));
            // Both jobs' exactly-once sinks need the timeout the broker allows.
            config = TransactionTimeouts.resolve(config);
            KafkaIo.createAbsentTopics(config);
            String stepsTopic = config.get(CreditstreamOptions.TOPIC_STEPS);

            out.printf("producing %,d steps to %s ...%n", settings.steps(), stepsTopic);
            long produceStart = System.nanoTime();
            long episodes = 0;
            long produced = 0;
            SimulatedFleet fleet =
                    SimulatedFleet.builder("bench")
                            .tasks(settings.tasks())
                            .groupSize(settings.groupSize())
                            .environment(
                                    () -> new CorridorMazeEnvironment(settings.maxEpisodeSteps()))
                            .seed(7)
                            .build();
            try (StepEventProducer producer =
                    new StepEventProducer(broker.bootstrapServers(), stepsTopic)) {
                while (produced < settings.steps()) {
                    for (StepEvent step : fleet.nextGroup()) {
                        producer.send(step);
                        produced++;
                        if (step.getDone()) {
                            episodes++;
                        }
                    }
                }
                producer.flush();
            }
            double produceSeconds = (System.nanoTime() - produceStart) / 1e9;
            out.printf(
                    "produced %,d steps (%,d episodes, mean length %.1f) in %.1f s%n",
                    produced, episodes, (double) produced / episodes, produceSeconds);

            double passthrough = runPassthrough(config, stepsTopic, work);
            out.printf("passthrough: %.1f s, %,.0f steps/s%n", passthrough, produced / passthrough);
            double job = runJob(config, work);
            out.printf("creditstream job: %.1f s, %,.0f steps/s%n", job, produced / job);
            return new Result(
                    produced, produceSeconds, passthrough, job, (double) produced / episodes);
        } finally {
            FileUtils.deleteQuietly(work.toFile());
        }
    }

    /** The full job over the topic, read as a bounded source; returns the job's net runtime. */
    private static double runJob(Configuration base, Path work) throws Exception {
        Configuration config = new Configuration(base);
        config.setString("kafka.group-id", "bench-job-" + UUID.randomUUID());
        config.setString("kafka.transactional-id-prefix", "bench-job-" + UUID.randomUUID());
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(config);
        DataStream<RawStep> raw =
                env.fromSource(
                        boundedSteps(config, new KafkaIo.RawStepDeserializer()),
                        WatermarkStrategy.noWatermarks(),
                        "steps");
        CreditJob.Outputs outputs =
                CreditJob.defineWorkflow(raw, null, null, CreditJob.Settings.from(config));
        outputs.batches().sinkTo(KafkaIo.batchesSink(config));
        outputs.deadLetters().sinkTo(KafkaIo.deadLetterSink(config));
        JobExecutionResult result = env.execute("bench creditstream");
        return result.getNetRuntime() / 1000.0;
    }

    /** Kafka → keyBy episode → one ValueState update → Kafka, exactly-once: the ceiling. */
    private static double runPassthrough(Configuration base, String topic, Path work)
            throws Exception {
        Configuration config = new Configuration(base);
        config.setString("kafka.group-id", "bench-pass-" + UUID.randomUUID());
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(config);
        KafkaSource<Tuple2<String, byte[]>> source = boundedSteps(config, new KeyAndValue());
        KafkaSink<byte[]> sink =
                KafkaSink.<byte[]>builder()
                        .setBootstrapServers(KafkaIo.bootstrapServers(config))
                        .setDeliveryGuarantee(DeliveryGuarantee.EXACTLY_ONCE)
                        .setTransactionalIdPrefix("bench-pass-" + UUID.randomUUID())
                        .setProperty(
                                "transaction.timeout.ms",
                                String.valueOf(
                                        config.get(CreditstreamOptions.TRANSACTION_TIMEOUT)
                                                .toMillis()))
                        .setRecordSerializer(
                                KafkaRecordSerializationSchema.<byte[]>builder()
                                        .setTopic(topic + ".passthrough")
                                        .setValueSerializationSchema(new RawBytes())
                                        .build())
                        .build();
        env.fromSource(source, WatermarkStrategy.noWatermarks(), "steps")
                .keyBy(keyAndValue -> keyAndValue.f0, Types.STRING)
                .process(new CountPerKey())
                .returns(
                        org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo
                                .BYTE_PRIMITIVE_ARRAY_TYPE_INFO)
                .sinkTo(sink);
        return env.execute("bench passthrough").getNetRuntime() / 1000.0;
    }

    private static <T> KafkaSource<T> boundedSteps(
            Configuration config, KafkaRecordDeserializationSchema<T> deserializer) {
        return KafkaSource.<T>builder()
                .setBootstrapServers(KafkaIo.bootstrapServers(config))
                .setTopics(config.get(CreditstreamOptions.TOPIC_STEPS))
                .setGroupId(config.get(CreditstreamOptions.CONSUMER_GROUP))
                .setStartingOffsets(OffsetsInitializer.earliest())
                .setBounded(OffsetsInitializer.latest())
                .setDeserializer(deserializer)
                .build();
    }

    /** The Kafka key (the episode id) and the raw value. */
    static final class KeyAndValue
            implements KafkaRecordDeserializationSchema<Tuple2<String, byte[]>> {
        @Override
        public void deserialize(
                ConsumerRecord<byte[], byte[]> record, Collector<Tuple2<String, byte[]>> out) {
            out.collect(
                    Tuple2.of(new String(record.key(), StandardCharsets.UTF_8), record.value()));
        }

        @Override
        public TypeInformation<Tuple2<String, byte[]>> getProducedType() {
            return Types.TUPLE(
                    Types.STRING,
                    org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo
                            .BYTE_PRIMITIVE_ARRAY_TYPE_INFO);
        }
    }

    /** Writes the value unchanged. */
    static final class RawBytes implements SerializationSchema<byte[]> {
        @Override
        public byte[] serialize(byte[] element) {
            return element;
        }
    }

    /** One ValueState read and write per record, then the value passes on. */
    static final class CountPerKey
            extends KeyedProcessFunction<String, Tuple2<String, byte[]>, byte[]> {
        private transient ValueState<Long> count;

        @Override
        public void open(OpenContext openContext) {
            count = getRuntimeContext().getState(new ValueStateDescriptor<>("count", Types.LONG));
        }

        @Override
        public void processElement(
                Tuple2<String, byte[]> keyAndValue, Context ctx, Collector<byte[]> out)
                throws Exception {
            Long current = count.value();
            count.update(current == null ? 1 : current + 1);
            out.collect(keyAndValue.f1);
        }
    }
}
