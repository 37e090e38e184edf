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
 * {@code bench} runs it (MiniCluster, RocksDB, exactly-once sinks, a Kafka source read as fast as
 * the job goes). The first {@link OpenEpisodeGenerator#fillSteps()} steps bring the open state to
 * its target; the steady window covers {@link #WINDOW_FROM} to {@link #WINDOW_TO} of the steps
 * after the fill. The source is left open, so once the job has read every step it is still running
 * with its state in place: the benchmark waits for the next checkpoint to complete, takes the heap
 * after a full GC and reads RocksDB's native size metrics, that checkpoint's full size and duration
 * and the job's open gauges from the job's Prometheus endpoint, then cancels the job.
 */
public final class GrowthBenchmark {
    /** Where the steady window starts and ends, as fractions of the steps after the fill. */
    static final double WINDOW_FROM = 0.2;

    static final double WINDOW_TO = 0.8;

    private static final long SAMPLE_EVERY_MILLIS = 100;
    private static final long CHECKPOINT_POLL_MILLIS = 250;

    /** Hang guard of one point: reading its steps and the checkpoint after them. */
    private static final Duration STATE_TIMEOUT = Duration.ofMinutes(30);

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
        // Short, so that even a window of a few seconds averages over several checkpoints (their
        // cost comes in bursts), and long enough that a large state's are not back to back.
        config.setString("execution.checkpointing.interval", "2 s");
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
                env.fromSource(openSteps(config), WatermarkStrategy.noWatermarks(), "steps")
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
            CompletableFuture<JobExecutionResult> ended = client.getJobExecutionResult();
            List<SteadyWindow.Sample> samples = new ArrayList<>();
            long hangGuard = System.nanoTime() + STATE_TIMEOUT.toNanos();
            // The source stays open, so the job is still there to be measured once it has read
            // every step; the window ends well before that.
            Optional<String> atWindowEnd = Optional.empty();
            boolean windowEnded = false;
            while (StepProgress.count(counter) < total) {
                SteadyWindow.Sample sample = StepProgress.sample(counter);
                samples.add(sample);
                if (!windowEnded && sample.steps() >= windowTo) {
                    // The open gauges while steps still flow: after the last step they show
                    // wherever the input stopped (e.g. just after a round in which every group
                    // completed).
                    windowEnded = true;
                    atWindowEnd = metrics.scrape();
                }
                failIfEnded(ended);
                if (System.nanoTime() > hangGuard) {
                    throw new IllegalStateException(
                            "the job read "
                                    + StepProgress.count(counter)
                                    + " of "
                                    + total
                                    + " steps in "
                                    + STATE_TIMEOUT.toMinutes()
                                    + " min; the point is too large for this machine");
                }
                Thread.sleep(SAMPLE_EVERY_MILLIS);
            }
            samples.add(StepProgress.sample(counter));
            SteadyWindow steady =
                    SteadyWindow.of(
                            samples, total, (double) windowFrom / total, (double) windowTo / total);
            StateFigures figures = StateFigures.afterNextCheckpoint(metrics, ended, hangGuard);
            atWindowEnd.ifPresent(figures::openGaugesFrom);
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
            cancel(client);
        }
    }

    /** Throws with the job's failure when it has stopped: an unbounded job only stops on one. */
    private static void failIfEnded(CompletableFuture<JobExecutionResult> ended)
            throws InterruptedException {
        if (!ended.isDone()) {
            return;
        }
        try {
            ended.get();
            throw new IllegalStateException("the job ended before it was measured");
        } catch (ExecutionException e) {
            throw new IllegalStateException("the job failed: " + e.getCause(), e.getCause());
        }
    }

    private static void cancel(JobClient client) {
        try {
            client.cancel().get(1, TimeUnit.MINUTES);
            client.getJobExecutionResult()
                    .handle((result, failure) -> null)
                    .get(1, TimeUnit.MINUTES);
        } catch (Exception e) {
            // Best effort: the MiniCluster goes with the environment; the next point starts its
            // own.
        }
    }

    private static KafkaSource<RawStep> openSteps(Configuration config) {
        return KafkaSource.<RawStep>builder()
                .setBootstrapServers(KafkaIo.bootstrapServers(config))
                .setTopics(config.get(CreditstreamOptions.TOPIC_STEPS))
                .setGroupId(config.get(CreditstreamOptions.CONSUMER_GROUP))
                .setStartingOffsets(OffsetsInitializer.earliest())
                .setDeserializer(new KafkaIo.RawStepDeserializer())
                .build();
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    /** What the job held after its last step, from one full GC and one scrape. */
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

        void openGaugesFrom(String text) {
            openEpisodes = count(text, CreditMetrics.OPEN_TRAJECTORIES);
            openGroups = count(text, CreditMetrics.OPEN_GROUPS);
        }

        /**
         * Waits for a checkpoint that completes after this call (so it holds the state as the job
         * left it after its last step), then takes a full GC and reads the figures.
         */
        static StateFigures afterNextCheckpoint(
                MetricsEndpoint metrics,
                CompletableFuture<JobExecutionResult> ended,
                long hangGuardNanos)
                throws InterruptedException {
            long before = count(scrape(metrics, hangGuardNanos), "numberOfCompletedCheckpoints");
            String text = scrape(metrics, hangGuardNanos);
            while (count(text, "numberOfCompletedCheckpoints") <= before) {
                failIfEnded(ended);
                if (System.nanoTime() > hangGuardNanos) {
                    throw new IllegalStateException(
                            "no checkpoint completed within "
                                    + STATE_TIMEOUT.toMinutes()
                                    + " min of the point's start: the state is too large for this"
                                    + " machine's disk or the checkpoint timeout");
                }
                Thread.sleep(CHECKPOINT_POLL_MILLIS);
                text = scrape(metrics, hangGuardNanos);
            }
            StateFigures figures = new StateFigures();
            // The live set: what the state's heap side costs, without the garbage of the moment.
            System.gc();
            figures.heapBytes = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
            text = scrape(metrics, hangGuardNanos);
            // -1 where the exposition holds no RocksDB sample at all, rather than a false 0.
            figures.rocksDbLive = countOrMissing(text, "estimate_live_data_size");
            figures.rocksDbSst = countOrMissing(text, "total_sst_files_size");
            figures.checkpointFull = count(text, "lastCheckpointFullSize");
            figures.checkpointMillis = count(text, "lastCheckpointDuration");
            figures.checkpoints = count(text, "numberOfCompletedCheckpoints");
            figures.openEpisodes = count(text, CreditMetrics.OPEN_TRAJECTORIES);
            figures.openGroups = count(text, CreditMetrics.OPEN_GROUPS);
            figures.prmLiveFeatures = count(text, CreditMetrics.PRM_LIVE_FEATURES);
            return figures;
        }

        /**
         * One exposition. The endpoint answers within its 2 s only when the machine lets it: on a
         * loaded machine a scrape can time out, so it is tried again until the point's hang guard.
         */
        private static String scrape(MetricsEndpoint metrics, long hangGuardNanos)
                throws InterruptedException {
            while (true) {
                Optional<String> scraped = metrics.scrape();
                if (scraped.isPresent()) {
                    return scraped.get();
                }
                if (System.nanoTime() > hangGuardNanos) {
                    throw new IllegalStateException(
                            "the job's metrics could not be read from "
                                    + metrics.url()
                                    + " before the point's hang guard ("
                                    + STATE_TIMEOUT.toMinutes()
                                    + " min)");
                }
                Thread.sleep(CHECKPOINT_POLL_MILLIS);
            }
        }

        private static long countOrMissing(String text, String suffix) {
            return Double.isNaN(PrometheusText.mean(text, suffix, "")) ? -1 : count(text, suffix);
        }

        private static long count(String text, String suffix) {
            return Math.round(PrometheusText.sum(text, suffix));
        }
    }
}
