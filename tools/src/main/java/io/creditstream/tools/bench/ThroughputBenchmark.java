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
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
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
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * End-to-end throughput of the creditstream job against the ceiling of this machine, measured in
 * one run on the same input: a passthrough job (Kafka → keyBy episode → one ValueState update →
 * Kafka, exactly-once) and the full job (decode, trajectory and group assembly, estimator,
 * batching, exactly-once). Both read the same pre-produced topic as a bounded source. Each job's
 * rate and process CPU per step are taken over its steady window ({@link SteadyWindow}); the ratios
 * are what to compare across machines. Then {@link LatencyBenchmark} feeds a running job at
 * fractions of the full job's steady rate.
 */
public final class ThroughputBenchmark {
    /** How often a running job's step count and the process CPU time are sampled. */
    private static final long SAMPLE_EVERY_MILLIS = 100;

    /** The settings of one benchmark run. */
    public record Settings(
            long steps,
            int tasks,
            int groupSize,
            int maxEpisodeSteps,
            int parallelism,
            LatencyBenchmark.Settings latency) {}

    /**
     * What one job did: its net runtime (submission, start-up and drain included) and its steady
     * window.
     */
    public record JobMeasurement(double netSeconds, SteadyWindow steady) {}

    /** What one run measured. */
    public record Result(
            long steps,
            double produceSeconds,
            JobMeasurement passthrough,
            JobMeasurement job,
            double meanEpisodeLength,
            LatencyBenchmark.Result latency) {
        /** Steady rate of the full job over steady rate of the passthrough. */
        public double ratio() {
            return job.steady().stepsPerSecond() / passthrough.steady().stepsPerSecond();
        }

        /** CPU per step of the full job over that of the passthrough. */
        public double cpuRatio() {
            return job.steady().cpuMicrosPerStep() / passthrough.steady().cpuMicrosPerStep();
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
            // Short enough that the final checkpoint of a bounded run and the commit delay of the
            // latency phase stay small; both jobs pay it alike.
            config.setString("execution.checkpointing.interval", "1 s");
            config.setString("batch.max-records", "1024");
            // A single embedded broker: one replica.
            config.set(CreditstreamOptions.TOPIC_REPLICATION_FACTOR, 1);
            config.addAll(userConfig);
            config.set(CreditstreamOptions.BOOTSTRAP_SERVERS, broker.bootstrapServers());
            config = JobEnvironment.withDefaults(config, work.resolve("checkpoints"));
            Configuration latencyConfig = config;
            // Both jobs' exactly-once sinks need the timeout the broker allows.
            config = TransactionTimeouts.resolve(config);
            KafkaIo.createAbsentTopics(config);
            String stepsTopic = config.get(CreditstreamOptions.TOPIC_STEPS);

            out.printf("producing %,d steps to %s ...%n", settings.steps(), stepsTopic);
            long produceStart = System.nanoTime();
            long episodes = 0;
            long produced = 0;
            SimulatedFleet fleet = fleet(settings, "bench");
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

            JobMeasurement passthrough = runPassthrough(config, stepsTopic, produced);
            out.println(line("passthrough", passthrough));
            JobMeasurement job = runJob(config, produced);
            out.println(line("creditstream job", job));

            LatencyBenchmark.Result latency = null;
            if (!settings.latency().isEmpty()) {
                latency =
                        LatencyBenchmark.run(
                                settings.latency(),
                                job.steady().stepsPerSecond(),
                                latencyConfig,
                                () -> fleet(settings, "bench-latency"),
                                out);
            }
            return new Result(
                    produced,
                    produceSeconds,
                    passthrough,
                    job,
                    (double) produced / episodes,
                    latency);
        } finally {
            FileUtils.deleteQuietly(work.toFile());
        }
    }

    private static SimulatedFleet fleet(Settings settings, String experiment) {
        return SimulatedFleet.builder(experiment)
                .tasks(settings.tasks())
                .groupSize(settings.groupSize())
                .environment(() -> new CorridorMazeEnvironment(settings.maxEpisodeSteps()))
                .seed(7)
                .build();
    }

    private static String line(String name, JobMeasurement measured) {
        SteadyWindow steady = measured.steady();
        return String.format(
                "%s: steady %,.0f steps/s, %.2f us CPU per step (%,d steps over %.1f s in the"
                        + " middle); whole run %.1f s",
                name,
                steady.stepsPerSecond(),
                steady.cpuMicrosPerStep(),
                steady.steps(),
                steady.seconds(),
                measured.netSeconds());
    }

    /** Runs the job to its end while sampling its step count; returns both measurements. */
    private static JobMeasurement measure(
            StreamExecutionEnvironment env, String name, String counter, long steps)
            throws Exception {
        JobClient client = env.executeAsync(name);
        try {
            CompletableFuture<JobExecutionResult> done = client.getJobExecutionResult();
            List<SteadyWindow.Sample> samples =
                    StepProgress.sampleUntil(counter, done, SAMPLE_EVERY_MILLIS);
            JobExecutionResult result = done.get();
            long counted = StepProgress.count(counter);
            if (counted != steps) {
                throw new IllegalStateException(
                        name + " read " + counted + " steps, but " + steps + " were produced");
            }
            return new JobMeasurement(
                    result.getNetRuntime() / 1000.0,
                    SteadyWindow.of(
                            samples, steps, SteadyWindow.DEFAULT_FROM, SteadyWindow.DEFAULT_TO));
        } finally {
            StepProgress.forget(counter);
        }
    }

    /** The full job over the topic, read as a bounded source. */
    private static JobMeasurement runJob(Configuration base, long steps) throws Exception {
        Configuration config = new Configuration(base);
        config.setString("kafka.group-id", "bench-job-" + UUID.randomUUID());
        config.setString("kafka.transactional-id-prefix", "bench-job-" + UUID.randomUUID());
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(config);
        String counter = "job-" + UUID.randomUUID();
        DataStream<RawStep> raw =
                env.fromSource(
                                boundedSteps(config, new KafkaIo.RawStepDeserializer()),
                                WatermarkStrategy.noWatermarks(),
                                "steps")
                        .filter(StepProgress.counting(counter))
                        .name("count steps");
        CreditJob.Outputs outputs =
                CreditJob.defineWorkflow(raw, null, null, CreditJob.Settings.from(config));
        outputs.batches().sinkTo(KafkaIo.batchesSink(config));
        outputs.deadLetters().sinkTo(KafkaIo.deadLetterSink(config));
        return measure(env, "bench creditstream", counter, steps);
    }

    /** Kafka → keyBy episode → one ValueState update → Kafka, exactly-once: the ceiling. */
    private static JobMeasurement runPassthrough(Configuration base, String topic, long steps)
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
        String counter = "pass-" + UUID.randomUUID();
        env.fromSource(source, WatermarkStrategy.noWatermarks(), "steps")
                .filter(StepProgress.counting(counter))
                .name("count steps")
                .keyBy(keyAndValue -> keyAndValue.f0, Types.STRING)
                .process(new CountPerKey())
                .returns(
                        org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo
                                .BYTE_PRIMITIVE_ARRAY_TYPE_INFO)
                .sinkTo(sink);
        return measure(env, "bench passthrough", counter, steps);
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
