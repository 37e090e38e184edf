package io.creditstream.tools.bench;

import io.creditstream.broker.EmbeddedKafkaBroker;
import io.creditstream.cluster.metrics.LoopbackPrometheusReporterFactory;
import io.creditstream.fleet.StepEventProducer;
import io.creditstream.operators.flink.CreditMetrics;
import io.creditstream.schemas.internal.RawStep;
import io.creditstream.streams.CreditJob;
import io.creditstream.streams.JobEnvironment;
import io.creditstream.streams.kafka.KafkaIo;
import io.creditstream.streams.kafka.TransactionTimeouts;
import io.creditstream.streams.options.CreditstreamOptions;
import io.creditstream.tools.MetricsEndpoint;
import io.creditstream.tools.PrometheusText;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.commons.io.FileUtils;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.state.rocksdb.RocksDBNativeMetricOptions;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * How the job's cost grows with the open state it holds. Each point of a sweep pre-produces steps
 * from an {@link OpenEpisodeGenerator} to an embedded broker and runs the full job over them, as
 * {@code bench} runs it (MiniCluster, RocksDB, exactly-once sinks, a bounded Kafka source read as
 * fast as the job goes). The first {@link OpenEpisodeGenerator#fillSteps()} steps bring the open
 * state to its target; the steady window then covers {@link #WINDOW_FROM} to {@link #WINDOW_TO} of
 * the steps after the fill, and right after the window the benchmark takes the heap after a full GC
 * and reads RocksDB's native size metrics, the latest checkpoint's full size and duration and the
 * job's open gauges from the job's Prometheus endpoint, while the job still reads the last part of
 * its input.
 */
public final class GrowthBenchmark {
    /** Where the steady window starts and ends, as fractions of the steps after the fill. */
    static final double WINDOW_FROM = 0.2;

    static final double WINDOW_TO = 0.8;

    private static final long SAMPLE_EVERY_MILLIS = 100;
    private static final double MB = 1024.0 * 1024.0;

    /** The sweeps: what grows, and the column it is in. */
    public enum Sweep {
        OPEN_EPISODES("open-episodes", "open episodes"),
        TRAJECTORY_LENGTH("trajectory-length", "steps per episode"),
        ANCHOR_KEYS("anchor-keys", "state keys per task (GiGPO anchor memory)"),
        PRM_ACTIONS("prm-actions", "distinct actions (OPRL PRM features)");

        private final String id;
        private final String meaning;

        Sweep(String id, String meaning) {
            this.id = id;
            this.meaning = meaning;
        }

        public String id() {
            return id;
        }

        public String meaning() {
            return meaning;
        }
    }

    /**
     * One point: the steps' shape, and the job options it runs with over the sweep's defaults.
     *
     * @param afterFillSteps steps sent after the fill: the window and what lies around it
     */
    public record Point(
            Sweep sweep,
            long value,
            OpenEpisodeGenerator.Shape shape,
            long afterFillSteps,
            Map<String, String> options) {

        public String estimator(Configuration base) {
            return options.getOrDefault(
                    CreditstreamOptions.ESTIMATOR.key(), base.get(CreditstreamOptions.ESTIMATOR));
        }
    }

    private GrowthBenchmark() {}

    /** The growth benchmark's settings under the user's options. */
    static Configuration growthDefaults(int parallelism, Configuration userConfig) {
        Configuration config = new Configuration();
        config.setString("parallelism.default", String.valueOf(parallelism));
        config.setString("kafka.topic-partitions", String.valueOf(parallelism));
        // Long enough that the large states' checkpoints are not back to back, short enough that
        // a point of a minute sees several of them.
        config.setString("execution.checkpointing.interval", "5 s");
        config.setString("batch.max-records", "1024");
        config.set(CreditstreamOptions.TOPIC_REPLICATION_FACTOR, 1);
        // An episode of a million-slot rotation stays open for minutes: no timeout may fire.
        config.set(CreditstreamOptions.EPISODE_TIMEOUT, Duration.ofDays(1));
        config.set(CreditstreamOptions.GROUP_TIMEOUT, Duration.ofDays(1));
        // The completed-episode memory grows with time, not with the open state: kept short so
        // that it is about the same small size at every point (as the soak does).
        config.set(CreditstreamOptions.COMPLETED_RETENTION, Duration.ofSeconds(30));
        config.set(RocksDBNativeMetricOptions.ESTIMATE_LIVE_DATA_SIZE, true);
        config.set(RocksDBNativeMetricOptions.MONITOR_TOTAL_SST_FILES_SIZE, true);
        config.setString(
                "metrics.reporter.prom.factory.class",
                LoopbackPrometheusReporterFactory.class.getName());
        config.addAll(userConfig);
        return config;
    }

    /** Runs every point on one embedded broker; returns a row per point, in order. */
    public static List<GrowthRow> run(
            List<Point> points, int parallelism, Configuration userConfig, PrintStream out)
            throws Exception {
        Path work = Files.createTempDirectory("creditstream-growth-");
        List<GrowthRow> rows = new ArrayList<>();
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.builder().build().start()) {
            Configuration base = growthDefaults(parallelism, userConfig);
            base.set(CreditstreamOptions.BOOTSTRAP_SERVERS, broker.bootstrapServers());
            for (int i = 0; i < points.size(); i++) {
                Point point = points.get(i);
                GrowthRow row = runPoint(point, i, base, work.resolve("point-" + i), out);
                out.printf(
                        Locale.ROOT,
                        "  -> %,.0f steps/s, %.1f us CPU per step, heap %.0f MB, RocksDB live %.1f"
                                + " MB, SST %.1f MB, checkpoint %.1f MB in %,d ms, open episodes"
                                + " %,d, groups %,d%n",
                        row.stepsPerSecond(),
                        row.cpuMicrosPerStep(),
                        row.heapBytes() / MB,
                        row.rocksDbLiveBytes() / MB,
                        row.rocksDbSstBytes() / MB,
                        row.checkpointFullBytes() / MB,
                        row.checkpointMillis(),
                        row.openEpisodesSeen(),
                        row.openGroupsSeen());
                rows.add(row);
            }
        } finally {
            FileUtils.deleteQuietly(work.toFile());
        }
        return rows;
    }

    private static GrowthRow runPoint(
            Point point, int index, Configuration base, Path work, PrintStream out)
            throws Exception {
        OpenEpisodeGenerator.Shape shape = point.shape();
        Configuration config = new Configuration(base);
        point.options().forEach(config::setString);
        String prefix = "growth-" + index + "-" + point.sweep().id() + "-" + point.value();
        config.set(CreditstreamOptions.TOPIC_STEPS, prefix + ".steps");
        config.set(CreditstreamOptions.TOPIC_BATCHES, prefix + ".batches");
        config.set(CreditstreamOptions.TOPIC_DLQ, prefix + ".dlq");
        config.setString("kafka.group-id", prefix + "-" + UUID.randomUUID());
        config.setString("kafka.transactional-id-prefix", prefix + "-" + UUID.randomUUID());
        config.set(
                CreditstreamOptions.MAX_STEPS_PER_EPISODE,
                Math.max(
                        config.get(CreditstreamOptions.MAX_STEPS_PER_EPISODE),
                        shape.trajectoryLength()));
        int metricsPort = freePort();
        config.setString("metrics.reporter.prom.port", String.valueOf(metricsPort));
        config = JobEnvironment.withDefaults(config, work.resolve("checkpoints"));
        config = TransactionTimeouts.resolve(config);
        KafkaIo.createAbsentTopics(config);

        OpenEpisodeGenerator generator = new OpenEpisodeGenerator(shape);
        long total = generator.fillSteps() + point.afterFillSteps();
        out.printf(
                Locale.ROOT,
                "%n[%s = %,d] %,d open episodes of %,d steps, groups of %d over %d tasks, %,d state"
                        + " keys per task, %,d actions, estimator %s: producing %,d steps (%,d to"
                        + " fill) ...%n",
                point.sweep().id(),
                point.value(),
                shape.openEpisodes(),
                shape.trajectoryLength(),
                shape.groupSize(),
                shape.tasks(),
                shape.stateKeys(),
                shape.actionTokens(),
                point.estimator(base),
                total,
                generator.fillSteps());
        long produceStart = System.nanoTime();
        try (StepEventProducer producer =
                new StepEventProducer(
                        config.get(CreditstreamOptions.BOOTSTRAP_SERVERS),
                        config.get(CreditstreamOptions.TOPIC_STEPS))) {
            for (long sent = 0; sent < total; sent++) {
                producer.send(generator.next());
            }
            producer.flush();
        }
        out.printf(
                Locale.ROOT,
                "  produced in %.1f s; running the job ...%n",
                (System.nanoTime() - produceStart) / 1e9);

        long windowFrom = generator.fillSteps() + Math.round(WINDOW_FROM * point.afterFillSteps());
        long windowTo = generator.fillSteps() + Math.round(WINDOW_TO * point.afterFillSteps());
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(config);
        String counter = "growth-" + UUID.randomUUID();
        DataStream<RawStep> raw =
                env.fromSource(boundedSteps(config), WatermarkStrategy.noWatermarks(), "steps")
                        .filter(StepProgress.counting(counter))
                        .name("count steps");
        CreditJob.Outputs outputs =
                CreditJob.defineWorkflow(raw, null, null, CreditJob.Settings.from(config));
        outputs.batches().sinkTo(KafkaIo.batchesSink(config));
        outputs.deadLetters().sinkTo(KafkaIo.deadLetterSink(config));
        MetricsEndpoint metrics =
                new MetricsEndpoint("http://127.0.0.1:" + metricsPort + "/metrics");

        JobClient client = env.executeAsync("creditstream growth " + prefix);
        try {
            CompletableFuture<JobExecutionResult> done = client.getJobExecutionResult();
            List<SteadyWindow.Sample> samples = new ArrayList<>();
            StateFigures figures = null;
            while (!done.isDone()) {
                SteadyWindow.Sample sample = StepProgress.sample(counter);
                samples.add(sample);
                if (figures == null && sample.steps() >= windowTo) {
                    figures = StateFigures.take(metrics);
                }
                try {
                    done.get(SAMPLE_EVERY_MILLIS, TimeUnit.MILLISECONDS);
                } catch (java.util.concurrent.TimeoutException | ExecutionException e) {
                    // Not done yet, or failed: done.get() below says which.
                }
            }
            samples.add(StepProgress.sample(counter));
            done.get();
            long counted = StepProgress.count(counter);
            if (counted != total) {
                throw new IllegalStateException(
                        "the job read " + counted + " steps, but " + total + " were produced");
            }
            if (figures == null) {
                throw new IllegalStateException(
                        "the job ended before its state could be read: raise --steps-after-fill");
            }
            SteadyWindow steady =
                    SteadyWindow.of(
                            samples, total, (double) windowFrom / total, (double) windowTo / total);
            return new GrowthRow(
                    point.sweep().id(),
                    point.value(),
                    shape.openEpisodes(),
                    shape.trajectoryLength(),
                    shape.stateKeys(),
                    shape.actionTokens(),
                    point.estimator(base),
                    total,
                    steady.steps(),
                    steady.seconds(),
                    steady.stepsPerSecond(),
                    steady.cpuMicrosPerStep(),
                    figures.heapBytes,
                    figures.rocksDbLive,
                    figures.rocksDbSst,
                    figures.checkpointFull,
                    figures.checkpointMillis,
                    figures.checkpoints,
                    figures.openEpisodes,
                    figures.openGroups,
                    figures.prmLiveFeatures,
                    ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
        } finally {
            StepProgress.forget(counter);
        }
    }

    private static KafkaSource<RawStep> boundedSteps(Configuration config) {
        return KafkaSource.<RawStep>builder()
                .setBootstrapServers(KafkaIo.bootstrapServers(config))
                .setTopics(config.get(CreditstreamOptions.TOPIC_STEPS))
                .setGroupId(config.get(CreditstreamOptions.CONSUMER_GROUP))
                .setStartingOffsets(OffsetsInitializer.earliest())
                .setBounded(OffsetsInitializer.latest())
                .setDeserializer(new KafkaIo.RawStepDeserializer())
                .build();
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    /** What the job held right after the window, from one full GC and one scrape. */
    private static final class StateFigures {
        long heapBytes;
        long rocksDbLive;
        long rocksDbSst;
        long checkpointFull;
        long checkpointMillis;
        long checkpoints;
        long openEpisodes;
        long openGroups;
        long prmLiveFeatures;

        static StateFigures take(MetricsEndpoint metrics) {
            StateFigures figures = new StateFigures();
            // The live set: what the state's heap side costs, without the garbage of the moment.
            System.gc();
            figures.heapBytes = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
            Optional<String> scraped = metrics.scrape();
            if (scraped.isEmpty()) {
                throw new IllegalStateException(
                        "the job's metrics could not be read from " + metrics.url());
            }
            String text = scraped.get();
            figures.rocksDbLive = count(text, "estimate_live_data_size");
            figures.rocksDbSst = count(text, "total_sst_files_size");
            figures.checkpointFull = count(text, "lastCheckpointFullSize");
            figures.checkpointMillis = count(text, "lastCheckpointDuration");
            figures.checkpoints = count(text, "numberOfCompletedCheckpoints");
            figures.openEpisodes = count(text, CreditMetrics.OPEN_TRAJECTORIES);
            figures.openGroups = count(text, CreditMetrics.OPEN_GROUPS);
            figures.prmLiveFeatures = count(text, CreditMetrics.PRM_LIVE_FEATURES);
            return figures;
        }

        private static long count(String text, String suffix) {
            return Math.round(PrometheusText.sum(text, suffix));
        }
    }
}
