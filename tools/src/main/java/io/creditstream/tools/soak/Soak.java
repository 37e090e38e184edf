package io.creditstream.tools.soak;

import io.creditstream.fleet.FleetRunner;
import io.creditstream.fleet.StepEventProducer;
import io.creditstream.operators.core.input.DeadLetterReason;
import io.creditstream.operators.flink.CreditMetrics;
import io.creditstream.schemas.AdvantageBatch;
import io.creditstream.schemas.codec.AvroCodec;
import io.creditstream.streams.kafka.KafkaIo;
import io.creditstream.streams.options.CreditstreamOptions;
import io.creditstream.tools.EmbeddedJob;
import io.creditstream.tools.PrometheusText;
import io.creditstream.tools.RandomFleetDemo;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.state.rocksdb.RocksDBNativeMetricOptions;
import org.apache.flink.util.TimeUtils;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.ProducerConfig;

/**
 * {@code creditstream soak}: the demo's job ({@link EmbeddedJob}: RocksDB, exactly-once
 * checkpoints, Prometheus) fed for minutes at a steady rate by the demo's random fleet, with a
 * hostile record after every N good steps, to show that nothing it holds grows while it runs: heap,
 * RocksDB state and the open-episode and open-group gauges must stay flat, the job must never fail
 * or restart, every good step must come out exactly once and every hostile record must have its one
 * expected fate ({@link HostileKind}).
 *
 * <p>Two defaults differ from the demo's, both under the user's options: restarts are off ({@code
 * restart-strategy.type: none}), so any failure ends the soak instead of hiding in a restart; and
 * completed episodes are remembered for 1 minute instead of an hour ({@code
 * assembly.completed-retention}), so that memory reaches its steady size within the warm-up: with
 * the hour, the markers grow by design for the first hour and a 10-minute soak could not tell that
 * from a leak.
 */
public final class Soak {
    /** The demo's random fleet: 16 tasks, groups of 8, episodes of up to 20 steps. */
    static final int TASKS = 16;

    static final int GROUP_SIZE = 8;

    /** How long completed episodes and groups are remembered, unless the user says otherwise. */
    static final Duration COMPLETED_RETENTION = Duration.ofMinutes(1);

    /** Longest wait, after the fleet stops, for the job to catch up with what it was sent. */
    private static final Duration DRAIN_TIMEOUT = Duration.ofMinutes(2);

    private static final double MB = 1024.0 * 1024.0;

    /**
     * What to run; the constructor rejects a flag out of range, naming it.
     *
     * @param warmUp the leading fraction of the run left out of the trends
     * @param outputDir where soak.csv and soak.png go
     */
    public record Settings(
            double minutes,
            double stepsPerSecond,
            long hostileEvery,
            Duration sampleEvery,
            double warmUp,
            long seed,
            Path outputDir) {

        /** Samples after the warm-up needed for two halves and a slope. */
        static final int MIN_SAMPLES_AFTER_WARM_UP = 4;

        public Settings {
            if (!(minutes > 0) || Double.isInfinite(minutes)) {
                throw new IllegalArgumentException(
                        "--minutes must be a positive number of minutes, e.g. 10 or 0.5, but was "
                                + minutes);
            }
            if (!(stepsPerSecond > 0) || Double.isInfinite(stepsPerSecond)) {
                throw new IllegalArgumentException(
                        "--rate must be a positive number of steps per second, but was "
                                + stepsPerSecond);
            }
            if (hostileEvery < 1) {
                throw new IllegalArgumentException(
                        "--hostile-every must be at least 1 (a hostile record after every N good"
                                + " steps), but was "
                                + hostileEvery);
            }
            Objects.requireNonNull(sampleEvery, "sampleEvery");
            if (sampleEvery.compareTo(Duration.ofSeconds(1)) < 0) {
                throw new IllegalArgumentException(
                        "--sample-every must be at least 1s (each sample runs a full GC), but was "
                                + TimeUtils.formatWithHighestUnit(sampleEvery));
            }
            if (!(warmUp >= 0 && warmUp < 1)) {
                throw new IllegalArgumentException(
                        "--warm-up must be a fraction of the run in [0, 1), but was " + warmUp);
            }
            long afterWarmUp = samplesAfterWarmUp(minutes * 60, sampleEvery, warmUp);
            if (afterWarmUp < MIN_SAMPLES_AFTER_WARM_UP) {
                throw new IllegalArgumentException(
                        "--sample-every "
                                + TimeUtils.formatWithHighestUnit(sampleEvery)
                                + " leaves "
                                + Math.max(0, afterWarmUp)
                                + " samples after the warm-up of a "
                                + minutes
                                + "-minute run, fewer than the "
                                + MIN_SAMPLES_AFTER_WARM_UP
                                + " the trends need: sample more often, run longer or shorten"
                                + " --warm-up");
            }
            Objects.requireNonNull(outputDir, "outputDir");
        }

        /**
         * Samples are taken every {@code sampleEvery} strictly before the end; those at or after
         * the warm-up make the trends.
         */
        static long samplesAfterWarmUp(double seconds, Duration sampleEvery, double warmUp) {
            double sample = sampleEvery.toMillis() / 1000.0;
            // Less a hair, so that 0.2 * 600 / 10 is the 12 it means and not 12.000000000000002.
            long total = (long) Math.ceil(seconds / sample - 1e-9) - 1;
            long first = Math.max(1, (long) Math.ceil(warmUp * seconds / sample - 1e-9));
            return total - first + 1;
        }

        public Duration duration() {
            return Duration.ofMillis(Math.round(minutes * 60_000));
        }

        public double warmUpSeconds() {
            return warmUp * minutes * 60;
        }
    }

    /**
     * What the soak saw.
     *
     * @param jobFailure why the job stopped, when it did; null while it ran throughout
     * @param restarts the job's restarts, from its {@code numRestarts}
     * @param drained whether the drain ran to the end (not after a failure or Ctrl-C)
     */
    public record Result(
            List<SoakSample> samples,
            double warmUpSeconds,
            SoakStatistics.Accounting accounting,
            Map<HostileKind, Long> hostileInstances,
            String jobFailure,
            long restarts,
            boolean drained,
            double meanGcMillis,
            Path csv,
            Path png) {

        /**
         * 0 when the job ran throughout without a restart and every record had its fate; 1 when the
         * job failed or restarted; 3 when it ran but the accounting is off.
         */
        public int exitCode() {
            if (jobFailure != null || restarts > 0) {
                return 1;
            }
            return drained && !accounting.balanced() ? 3 : 0;
        }
    }

    private final Settings settings;
    private final Configuration userConfig;
    private final PrintStream out;

    public Soak(Settings settings, Configuration userConfig, PrintStream out) {
        this.settings = settings;
        this.userConfig = userConfig;
        this.out = out;
    }

    /** The soak's defaults under the user's options (see the class comment). */
    static Configuration soakDefaults(Configuration userConfig) {
        Configuration soak = new Configuration();
        soak.set(RestartStrategyOptions.RESTART_STRATEGY, "none");
        soak.set(CreditstreamOptions.COMPLETED_RETENTION, COMPLETED_RETENTION);
        soak.set(RocksDBNativeMetricOptions.ESTIMATE_LIVE_DATA_SIZE, true);
        soak.set(RocksDBNativeMetricOptions.MONITOR_TOTAL_SST_FILES_SIZE, true);
        soak.set(RocksDBNativeMetricOptions.COLUMN_FAMILY_AS_VARIABLE, true);
        soak.addAll(userConfig);
        return soak;
    }

    /** Runs for the settings' minutes (or until {@code stopRequested}), then drains. */
    public Result run(BooleanSupplier stopRequested) throws Exception {
        Files.createDirectories(settings.outputDir());
        try (EmbeddedJob embedded =
                EmbeddedJob.start(soakDefaults(userConfig), 0, "creditstream soak")) {
            Configuration config = embedded.config();
            printHeader(embedded);
            AtomicBoolean fleetStopping = new AtomicBoolean();
            try (StepEventProducer producer =
                            new StepEventProducer(
                                    embedded.broker().bootstrapServers(),
                                    config.get(CreditstreamOptions.TOPIC_STEPS),
                                    // The oversize records must reach the job to be rejected there.
                                    Map.of(
                                            ProducerConfig.MAX_REQUEST_SIZE_CONFIG,
                                            KafkaIo.maxRecordBytes(config)));
                    KafkaConsumer<byte[], byte[]> batches =
                            embedded.committedConsumer(
                                    config.get(CreditstreamOptions.TOPIC_BATCHES),
                                    "creditstream-soak-monitor")) {
                SoakSink sink =
                        new SoakSink(
                                producer,
                                new HostileMix(
                                        settings.seed(),
                                        config.get(CreditstreamOptions.MAX_RECORD_BYTES)),
                                settings.stepsPerSecond(),
                                settings.hostileEvery(),
                                fleetStopping::get);
                // Unpaced: the sink holds every step to the rate.
                FleetRunner runner =
                        FleetRunner.builder(
                                        RandomFleetDemo.randomFleet(
                                                "soak", TASKS, GROUP_SIZE, settings.seed()),
                                        sink)
                                .build();
                Monitor monitor = new Monitor(embedded, batches, sink);
                return soak(stopRequested, embedded, runner, fleetStopping, monitor);
            }
        }
    }

    private Result soak(
            BooleanSupplier stopRequested,
            EmbeddedJob embedded,
            FleetRunner runner,
            AtomicBoolean fleetStopping,
            Monitor monitor)
            throws Exception {
        Thread fleet = new Thread(runner, "soak-fleet");
        fleet.setDaemon(true);
        long start = System.nanoTime();
        fleet.start();
        List<SoakSample> samples = new ArrayList<>();
        long deadline = start + settings.duration().toNanos();
        long nextSample = start + settings.sampleEvery().toNanos();
        String failure = null;
        while (System.nanoTime() < deadline && !stopRequested.getAsBoolean()) {
            monitor.poll();
            failure = failure(runner, monitor);
            if (failure != null) {
                break;
            }
            if (System.nanoTime() >= nextSample) {
                SoakSample sample = monitor.sample(start);
                samples.add(sample);
                out.println(progressLine(sample));
                nextSample += settings.sampleEvery().toNanos();
            }
        }
        fleetStopping.set(true);
        runner.stop();
        runner.awaitFinished(30, TimeUnit.SECONDS);
        boolean drained = false;
        if (failure == null && !stopRequested.getAsBoolean()) {
            failure = drain(embedded, runner, monitor);
            drained = failure == null;
        }
        monitor.scrape();
        SoakStatistics.Accounting accounting = monitor.accounting();
        Path csv = settings.outputDir().resolve("soak.csv");
        Path png = settings.outputDir().resolve("soak.png");
        SoakSample.writeCsv(csv, samples);
        if (!samples.isEmpty()) {
            SoakPlot.write(png, samples, plotTitle());
        }
        Result result =
                new Result(
                        List.copyOf(samples),
                        settings.warmUpSeconds(),
                        accounting,
                        monitor.sink.instances(),
                        failure,
                        monitor.restarts,
                        drained,
                        monitor.meanGcMillis(),
                        csv,
                        samples.isEmpty() ? null : png);
        printSummary(result, (System.nanoTime() - start) / 1e9);
        return result;
    }

    /**
     * Waits until the job has read every record, written every good step and counted every expected
     * dead letter, then one checkpoint interval more (and a second at least), so that output beyond
     * the expected shows too; null, or why the job stopped meanwhile.
     */
    private String drain(EmbeddedJob embedded, FleetRunner runner, Monitor monitor)
            throws Exception {
        long drainStart = System.nanoTime();
        long deadline = drainStart + DRAIN_TIMEOUT.toNanos();
        long expectedLetters =
                SoakStatistics.expectedDeadLetters(monitor.sink.instances()).values().stream()
                        .mapToLong(Long::longValue)
                        .sum();
        long nextScrape = 0;
        while (System.nanoTime() < deadline) {
            monitor.poll();
            String failure = failure(runner, monitor);
            if (failure != null) {
                return failure;
            }
            if (System.nanoTime() >= nextScrape) {
                monitor.scrape();
                if (monitor.recordsOut >= monitor.sink.goodSteps()
                        && monitor.eventsIn
                                >= monitor.sink.goodSteps() + monitor.sink.hostileRecords()
                        && monitor.deadLetters >= expectedLetters) {
                    break;
                }
                nextScrape = System.nanoTime() + TimeUnit.SECONDS.toNanos(1);
            }
        }
        Duration interval = embedded.config().get(CheckpointingOptions.CHECKPOINTING_INTERVAL);
        long settle = System.nanoTime() + Math.max(interval.toNanos(), TimeUnit.SECONDS.toNanos(1));
        while (System.nanoTime() < settle) {
            monitor.poll();
        }
        out.printf(
                "Drained in %.1f s after the fleet stopped.%n",
                (System.nanoTime() - drainStart) / 1e9);
        return failure(runner, monitor);
    }

    /** Why the soak cannot go on: the fleet failed, or the job left RUNNING; null otherwise. */
    private static String failure(FleetRunner runner, Monitor monitor) throws Exception {
        if (runner.failure().isPresent()) {
            throw runner.failure().get();
        }
        return monitor.jobFailure();
    }

    private void printHeader(EmbeddedJob embedded) {
        Configuration config = embedded.config();
        out.printf(
                "Kafka broker (KRaft, in-process) at %s%n", embedded.broker().bootstrapServers());
        out.printf(
                "Flink job %s on a local MiniCluster (RocksDB state, exactly-once checkpoints every"
                        + " %s, restart strategy %s)%n",
                embedded.job().getJobID(),
                TimeUtils.formatWithHighestUnit(
                        config.get(CheckpointingOptions.CHECKPOINTING_INTERVAL)),
                config.get(RestartStrategyOptions.RESTART_STRATEGY));
        out.printf("Prometheus metrics: %s%n", embedded.metrics().url());
        out.printf(
                "Soak: %s min at %,.0f steps/s (random fleet, %d tasks, groups of %d), a hostile"
                        + " record after every %,d good steps cycling through %d kinds; a sample"
                        + " every %s, the first %.0f%% left out of the trends; completed episodes"
                        + " remembered for %s (assembly.completed-retention)%n",
                settings.minutes(),
                settings.stepsPerSecond(),
                TASKS,
                GROUP_SIZE,
                settings.hostileEvery(),
                HostileKind.values().length,
                TimeUtils.formatWithHighestUnit(settings.sampleEvery()),
                100 * settings.warmUp(),
                TimeUtils.formatWithHighestUnit(
                        config.get(CreditstreamOptions.COMPLETED_RETENTION)));
        out.printf(
                "Heap: used right after a full GC (System.gc()) at every sample; max heap %,.0f MB%n",
                Runtime.getRuntime().maxMemory() / MB);
    }

    private String plotTitle() {
        return String.format(
                "creditstream soak: %,.0f steps/s for %s min, a hostile record every %,d steps",
                settings.stepsPerSecond(), settings.minutes(), settings.hostileEvery());
    }

    private static String progressLine(SoakSample s) {
        return String.format(
                "[%5.0fs] steps %,d (%,.0f/s) | hostile %,d | in %,d | out %,d | dead letters %,d |"
                        + " duplicates %,d | heap %.0f MB | RocksDB live %.1f MB, SST %.1f MB,"
                        + " checkpoint %.1f MB | open episodes %,d, groups %,d | restarts %d",
                s.elapsedSeconds(),
                s.stepsSent(),
                s.stepsSent() / Math.max(s.elapsedSeconds(), 1e-9),
                s.hostileSent(),
                s.eventsIn(),
                s.recordsOut(),
                s.deadLetters(),
                s.duplicateSteps(),
                s.heapBytes() / MB,
                s.rocksDbLiveBytes() / MB,
                s.rocksDbSstBytes() / MB,
                s.checkpointFullBytes() / MB,
                s.openTrajectories(),
                s.openGroups(),
                s.restarts());
    }

    private void printSummary(Result result, double wallSeconds) {
        SoakStatistics.Accounting a = result.accounting();
        long instances =
                result.hostileInstances().values().stream().mapToLong(Long::longValue).sum();
        out.printf(
                "%nSoak over after %.0f s: %,d good steps, %,d hostile records (%,d instances of %d"
                        + " kinds)%n",
                wallSeconds,
                a.goodSteps(),
                a.hostileRecords(),
                instances,
                HostileKind.values().length);
        out.printf(
                "%nTrends after the warm-up (the first %.0f s; mean explicit GC %.0f ms):%n",
                result.warmUpSeconds(), result.meanGcMillis());
        out.printf(
                "  %-24s %8s %12s %12s %9s %12s%n",
                "figure", "samples", "first half", "second half", "change", "slope/min");
        for (SoakSample.Gauge gauge : SoakSample.GAUGES) {
            SoakStatistics.Trend t =
                    SoakStatistics.trend(result.samples(), gauge.value(), result.warmUpSeconds());
            out.printf(
                    "  %-24s %8d %12.2f %12.2f %8.1f%% %12.3f%n",
                    gauge.label(),
                    t.samples(),
                    t.firstHalfMean(),
                    t.secondHalfMean(),
                    t.changePercent(),
                    t.slopePerMinute());
        }
        out.printf("%nAccounting%s:%n", result.drained() ? " after the drain" : " (not drained)");
        out.printf(
                "  good steps out: %,d of %,d%s%n",
                a.recordsOut(),
                a.goodSteps(),
                a.everyGoodStepOut()
                        ? " (every good step came out, once)"
                        : String.format(
                                " (%,d %s)",
                                Math.abs(a.goodSteps() - a.recordsOut()),
                                a.recordsOut() < a.goodSteps() ? "MISSING" : "TOO MANY"));
        out.printf(
                "  records read by the job: %,d of %,d sent%n",
                a.eventsIn(), a.goodSteps() + a.hostileRecords());
        out.printf(
                "  dead letters: %,d, expected %,d%n",
                a.deadLetters(), a.expectedDeadLetterTotal());
        Map<String, Long> reasons = new TreeMap<>(a.expectedDeadLetters());
        a.deadLettersByReason().keySet().forEach(reason -> reasons.putIfAbsent(reason, 0L));
        for (String reason : reasons.keySet()) {
            long seen = a.deadLettersByReason().getOrDefault(reason, 0L);
            long expected = a.expectedDeadLetters().getOrDefault(reason, 0L);
            out.printf(
                    "    %-24s %,8d, expected %,8d%s%n",
                    reason, seen, expected, seen == expected ? "" : "  <-- differs");
        }
        out.printf(
                "  duplicate steps: %,d, expected %,d%n",
                a.duplicateSteps(), a.expectedDuplicates());
        out.printf(
                "  job: %s, %d restart(s)%n",
                result.jobFailure() == null ? "ran throughout" : "FAILED: " + result.jobFailure(),
                result.restarts());
        out.printf(
                "%nWrote %s%s%n", result.csv(), result.png() == null ? "" : " and " + result.png());
        out.printf(
                "Verdict: %s%n",
                switch (result.exitCode()) {
                    case 0 ->
                            result.drained()
                                    ? "the job ran throughout and every record had its fate; judge the"
                                            + " trends above for flatness"
                                    : "stopped early, not drained: the accounting above is incomplete";
                    case 1 -> "the job failed or restarted";
                    default -> "the job ran, but the accounting is off";
                });
    }

    /** Reads the job's figures: batches back from Kafka, the rest from Prometheus. */
    private static final class Monitor {
        private final EmbeddedJob embedded;
        private final KafkaConsumer<byte[], byte[]> batches;
        private final SoakSink sink;
        private final AvroCodec<AdvantageBatch> codec = AvroCodec.of(AdvantageBatch.class);
        private long recordsOut;
        private long eventsIn;
        private long deadLetters;
        private long duplicateSteps;
        private long rocksDbLive;
        private long rocksDbSst;
        private long checkpointFull;
        private long openTrajectories;
        private long openGroups;
        private long restarts;
        private Map<String, Long> deadLettersByReason = Map.of();
        private long gcNanos;
        private long gcs;

        Monitor(EmbeddedJob embedded, KafkaConsumer<byte[], byte[]> batches, SoakSink sink) {
            this.embedded = embedded;
            this.batches = batches;
            this.sink = sink;
        }

        void poll() {
            for (ConsumerRecord<byte[], byte[]> record : batches.poll(Duration.ofMillis(250))) {
                recordsOut += codec.decode(record.value()).getRecords().size();
            }
        }

        /** Every figure the soak tracks; the last known value of each when the scrape fails. */
        void scrape() {
            embedded.metrics()
                    .scrape()
                    .ifPresent(
                            text -> {
                                eventsIn = count(text, CreditMetrics.EVENTS_IN);
                                deadLetters = count(text, CreditMetrics.DEAD_LETTERED);
                                duplicateSteps = count(text, CreditMetrics.DUPLICATE_STEPS);
                                openTrajectories = count(text, CreditMetrics.OPEN_TRAJECTORIES);
                                openGroups = count(text, CreditMetrics.OPEN_GROUPS);
                                rocksDbLive = count(text, "estimate_live_data_size");
                                rocksDbSst = count(text, "total_sst_files_size");
                                checkpointFull = count(text, "lastCheckpointFullSize");
                                restarts = count(text, "numRestarts");
                                Map<String, Long> byReason = new TreeMap<>();
                                for (DeadLetterReason reason : DeadLetterReason.values()) {
                                    // The reporter writes label values with every character
                                    // outside [a-zA-Z0-9:_] as '_': malformed_bytes.
                                    String label =
                                            CreditMetrics.REASON_LABEL
                                                    + "=\""
                                                    + reason.code().replace('-', '_')
                                                    + "\"";
                                    long n =
                                            Math.round(
                                                    PrometheusText.sum(
                                                            text,
                                                            CreditMetrics.DEAD_LETTERED,
                                                            label));
                                    if (n > 0) {
                                        byReason.put(reason.code(), n);
                                    }
                                }
                                deadLettersByReason = byReason;
                            });
        }

        private static long count(String text, String suffix) {
            return Math.round(PrometheusText.sum(text, suffix));
        }

        SoakSample sample(long start) {
            long heap = heapAfterFullGc();
            scrape();
            return new SoakSample(
                    (System.nanoTime() - start) / 1e9,
                    sink.goodSteps(),
                    sink.hostileRecords(),
                    eventsIn,
                    recordsOut,
                    deadLetters,
                    duplicateSteps,
                    heap,
                    rocksDbLive,
                    rocksDbSst,
                    checkpointFull,
                    openTrajectories,
                    openGroups,
                    restarts);
        }

        /**
         * The heap in use right after a full collection, asked for now: the live set, which is what
         * a leak grows. Reading what the last collection left instead (the pools' collection usage)
         * costs nothing, but with G1 that is the state after the last young collection,
         * old-generation garbage included until a concurrent cycle clears it, so it climbs and
         * falls on the collector's schedule. A full GC of a few hundred MB takes the job's threads
         * off for a fraction of a second per sample, reported as the mean explicit GC time.
         */
        private long heapAfterFullGc() {
            long before = System.nanoTime();
            System.gc();
            gcNanos += System.nanoTime() - before;
            gcs++;
            return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
        }

        double meanGcMillis() {
            return gcs == 0 ? Double.NaN : gcNanos / 1e6 / gcs;
        }

        /** Null while the job runs; otherwise its state and, once known, why it stopped. */
        String jobFailure() throws InterruptedException {
            JobClient job = embedded.job();
            JobStatus status;
            try {
                status = job.getJobStatus().get(10, TimeUnit.SECONDS);
            } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
                return "its status could not be read: " + e.getMessage();
            }
            if (status == JobStatus.CREATED
                    || status == JobStatus.INITIALIZING
                    || status == JobStatus.RUNNING
                    || status == JobStatus.RESTARTING) {
                // A restart shows in numRestarts, which fails the soak at its end.
                return null;
            }
            try {
                job.getJobExecutionResult().get(10, TimeUnit.SECONDS);
                return "the job is " + status;
            } catch (ExecutionException e) {
                return "the job is " + status + ": " + EmbeddedJob.rootCause(e);
            } catch (java.util.concurrent.TimeoutException e) {
                return "the job is " + status;
            }
        }

        SoakStatistics.Accounting accounting() {
            Map<HostileKind, Long> instances = sink.instances();
            return new SoakStatistics.Accounting(
                    sink.goodSteps(),
                    sink.hostileRecords(),
                    eventsIn,
                    recordsOut,
                    SoakStatistics.expectedDeadLetters(instances),
                    deadLettersByReason,
                    SoakStatistics.expectedDuplicates(instances),
                    duplicateSteps);
        }
    }
}
