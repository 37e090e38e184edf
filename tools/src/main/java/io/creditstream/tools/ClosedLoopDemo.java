package io.creditstream.tools;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.creditstream.fleet.curve.Curve;
import io.creditstream.fleet.curve.CurveCsv;
import io.creditstream.fleet.curve.CurvePlot;
import io.creditstream.fleet.curve.CurvePoint;
import io.creditstream.fleet.curve.EpisodeWindow;
import io.creditstream.fleet.curve.TaskMeanSuccess;
import io.creditstream.fleet.curve.TaskRollouts;
import io.creditstream.operators.core.credit.Estimator;
import io.creditstream.operators.core.credit.LengthBuckets;
import io.creditstream.operators.flink.CreditMetrics;
import io.creditstream.operators.flink.budget.BudgetMetrics;
import io.creditstream.schemas.PolicySnapshot;
import io.creditstream.schemas.StepEvent;
import io.creditstream.schemas.codec.AvroCodec;
import io.creditstream.schemas.codec.StepEventCodecs;
import io.creditstream.schemas.contract.PolicyProcess;
import io.creditstream.schemas.contract.SnapshotMetrics;
import io.creditstream.schemas.trust.SigningKeys;
import io.creditstream.streams.options.CreditstreamOptions;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * {@code creditstream demo}: the closed loop on one machine. An in-process Kafka broker, the job on
 * a local MiniCluster, and two child processes started from the policy module's class path (DJL and
 * libtorch stay out of the Flink JVM): the learner, which trains the policy from learner.batches
 * and publishes snapshots, and the fleet, which plays the key-and-door maze with the newest
 * snapshot. The learning curve is read from agent.steps (every finished episode) and
 * policy.snapshots, the credit figures from the job's Prometheus endpoint.
 */
public final class ClosedLoopDemo {

    /** Episodes in the success-rate window, as in the curves. */
    public static final int WINDOW = 200;

    /**
     * Episodes per task in the task-mean success rate (with budgets): 32 tasks × 20 is about the
     * episodes of three 200-episode windows.
     */
    public static final int TASK_WINDOW = 20;

    /** Finished episodes per span of demo-task-rollouts.csv (rollouts per task over time). */
    static final int ROLLOUT_SPAN = 500;

    /** The learner's and fleet's Kafka start-up and send timeouts against the in-process broker. */
    static final Duration CHILD_KAFKA_TIMEOUT = Duration.ofMinutes(3);

    /**
     * What to run. {@code stopAtSuccess}: stop as soon as the success rate over a full window of
     * the last {@value #WINDOW} episodes reaches it; 0 runs to the episode budget. {@code
     * stallWarning}: report what is stuck once the learner has made no update for this long (and
     * the fleet, once paused this long); {@code stallTimeout}: then give up, with {@link
     * Summary#stalled()} set. Zero turns either off.
     */
    public record Settings(
            long episodes,
            double stopAtSuccess,
            Duration duration,
            long seed,
            int workers,
            int tasks,
            int groupSize,
            String maze,
            double fleetRate,
            long maxStepsAhead,
            Duration reportEvery,
            int metricsPort,
            String learnerClasspath,
            List<String> learnerArgs,
            List<String> fleetArgs,
            Path outputDir,
            Duration stallWarning,
            Duration stallTimeout) {

        public Settings {
            if (episodes < 1) {
                throw new IllegalArgumentException("--episodes must be >= 1, but was " + episodes);
            }
            if (!(stopAtSuccess >= 0 && stopAtSuccess <= 1)) {
                throw new IllegalArgumentException(
                        "--stop-at-success must be a success rate in [0, 1] (0 = run to the"
                                + " episode budget), but was "
                                + stopAtSuccess);
            }
            if (maxStepsAhead < 0) {
                throw new IllegalArgumentException(
                        "--max-steps-ahead must be >= 0 (0 = the fleet never waits for the"
                                + " learner), but was "
                                + maxStepsAhead);
            }
            if (learnerClasspath == null || learnerClasspath.isBlank()) {
                throw new IllegalArgumentException(
                        "the closed-loop demo starts the learner and the fleet from the learner"
                                + " module's class path, which ./creditstream sets in"
                                + " CREDITSTREAM_POLICY_CLASSPATH; run it through ./creditstream"
                                + " (or pass --random-fleet for the throughput demo without a"
                                + " learner)");
            }
            Objects.requireNonNull(outputDir, "outputDir");
            if (stallWarning == null || stallWarning.isNegative()) {
                throw new IllegalArgumentException(
                        "--stall-warning must be 0 (never) or a positive duration, but was "
                                + stallWarning);
            }
            if (stallTimeout == null || stallTimeout.isNegative()) {
                throw new IllegalArgumentException(
                        "--stall-timeout must be 0 (never give up) or a positive duration, but was "
                                + stallTimeout);
            }
            learnerArgs = List.copyOf(learnerArgs);
            fleetArgs = List.copyOf(fleetArgs);
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    /** How often the live page's figures are refreshed. */
    private static final Duration LIVE_EVERY = Duration.ofSeconds(1);

    /** The most points of credit-figure history the live page gets. */
    private static final int MAX_CREDIT_POINTS = 1_000;

    /**
     * The run's outcome; {@link #toJson} is the {@code --summary} file. {@code budgetRounds}:
     * knapsack rounds the job answered (0 without budgets); {@code stalled}: why the run gave up on
     * a stalled loop, or null.
     */
    public record Summary(
            String estimator,
            long episodes,
            double successRateLast200,
            double meanEpisodeLengthLast200,
            long learnerUpdates,
            long snapshots,
            double wallSeconds,
            Path curveCsv,
            Path curvePng,
            long budgetRounds,
            Staleness staleness,
            String stalled) {

        /**
         * One JSON object; a figure that is not finite (no episode finished yet) is written as
         * null, which JSON has, instead of NaN, which it has not.
         */
        public String toJson() {
            Map<String, Object> fields = new LinkedHashMap<>();
            fields.put("estimator", estimator);
            fields.put("episodes", episodes);
            fields.put("success_rate_last_200", finiteOrNull(successRateLast200));
            fields.put("mean_episode_length_last_200", finiteOrNull(meanEpisodeLengthLast200));
            fields.put("learner_updates", learnerUpdates);
            fields.put("snapshots", snapshots);
            fields.put("wall_seconds", finiteOrNull(wallSeconds));
            fields.put("curve_csv", curveCsv == null ? null : curveCsv.toString());
            fields.put("curve_png", curvePng == null ? null : curvePng.toString());
            fields.put("budget_rounds", budgetRounds);
            fields.put("kept", staleness.kept().toJson());
            fields.put("dropped_stale", staleness.dropped().toJson());
            fields.put("stalled", stalled);
            try {
                return JSON.writeValueAsString(fields);
            } catch (JsonProcessingException e) {
                throw new IllegalStateException("Strings and numbers always serialize", e);
            }
        }

        private static Double finiteOrNull(double value) {
            return Double.isFinite(value) ? value : null;
        }
    }

    /**
     * The trajectories the job's staleness check kept against those it dropped for lagging more
     * than {@code credit.max-policy-lag} versions: if the dropped ones are longer or fail more,
     * dropping biases training toward quick outcomes.
     */
    public record Staleness(Trajectories kept, Trajectories dropped) {
        public static final Staleness NONE = new Staleness(Trajectories.NONE, Trajectories.NONE);
    }

    /**
     * A count of trajectories with their steps and how many had a positive return.
     *
     * @param trajectories how many
     * @param steps their steps together
     * @param positive how many had a positive return (a success, in the maze)
     */
    public record Trajectories(
            long trajectories, long steps, long positive, List<Long> lengthCounts) {
        public static final Trajectories NONE = new Trajectories(0, 0, 0);

        /**
         * @param lengthCounts how many fell in each {@link LengthBuckets} bucket, one count per
         *     bucket; empty when not known
         */
        public Trajectories {
            lengthCounts = List.copyOf(lengthCounts);
            if (!lengthCounts.isEmpty() && lengthCounts.size() != LengthBuckets.count()) {
                throw new IllegalArgumentException(
                        "one length count per bucket ("
                                + LengthBuckets.count()
                                + ") or none, got "
                                + lengthCounts.size());
            }
        }

        /** Without the length distribution. */
        public Trajectories(long trajectories, long steps, long positive) {
            this(trajectories, steps, positive, List.of());
        }

        /**
         * The {@code q}-quantile of the lengths, interpolated within its bucket ({@link
         * LengthBuckets#quantile}); NaN without the distribution or with none counted.
         */
        public double lengthQuantile(double q) {
            if (lengthCounts.isEmpty()) {
                return Double.NaN;
            }
            return LengthBuckets.quantile(
                    lengthCounts.stream().mapToLong(Long::longValue).toArray(), q);
        }

        /** Mean steps per trajectory; NaN for none. */
        public double meanLength() {
            return trajectories == 0 ? Double.NaN : (double) steps / trajectories;
        }

        /** Share with a positive return; NaN for none. */
        public double positiveRate() {
            return trajectories == 0 ? Double.NaN : (double) positive / trajectories;
        }

        Map<String, Object> toJson() {
            Map<String, Object> fields = new LinkedHashMap<>();
            fields.put("trajectories", trajectories);
            fields.put("mean_length", Summary.finiteOrNull(meanLength()));
            fields.put("positive_rate", Summary.finiteOrNull(positiveRate()));
            if (!lengthCounts.isEmpty()) {
                fields.put("median_length", Summary.finiteOrNull(lengthQuantile(0.5)));
                fields.put("p90_length", Summary.finiteOrNull(lengthQuantile(0.9)));
                // Bucket upper bound -> count: the distribution itself, for whoever plots it.
                Map<String, Long> histogram = new LinkedHashMap<>();
                for (int i = 0; i < lengthCounts.size(); i++) {
                    histogram.put(LengthBuckets.label(i), lengthCounts.get(i));
                }
                fields.put("length_histogram", histogram);
            }
            return fields;
        }
    }

    /**
     * Where the three processes serve their Prometheus metrics, each at {@code /metrics} on the
     * loopback interface.
     */
    public record MetricsUrls(String job, String learner, String fleet) {}

    private final Settings settings;
    private final Configuration userConfig;
    private final PrintStream out;

    /** The run's snapshot signing key pair, made by {@link #loopDefaults()}. */
    private SigningKeys.KeyFiles signingKeys;

    private volatile MetricsUrls metricsUrls;
    private volatile String livePageUrl;

    public ClosedLoopDemo(Settings settings, Configuration userConfig, PrintStream out) {
        this.settings = settings;
        this.userConfig = userConfig;
        this.out = out;
    }

    /**
     * Where the job, the learner and the fleet serve their metrics, once {@link #run} started them.
     */
    public Optional<MetricsUrls> metricsUrls() {
        return Optional.ofNullable(metricsUrls);
    }

    /** The live page's address, once {@link #run} serves it. */
    public Optional<String> livePageUrl() {
        return Optional.ofNullable(livePageUrl);
    }

    /** Runs until the episode budget or the duration is spent, or {@code stopRequested} holds. */
    public Summary run(BooleanSupplier stopRequested) throws Exception {
        Files.createDirectories(settings.outputDir());
        long start = System.nanoTime();
        List<Process> children = new ArrayList<>();
        try (LivePage live = LivePage.start();
                EmbeddedJob embedded =
                        EmbeddedJob.start(
                                loopDefaults(), settings.metricsPort(), "creditstream demo")) {
            Configuration config = embedded.config();
            Path work = embedded.work();
            String estimator = CreditstreamOptions.creditParams(config).estimator().configName();
            JobClient job = embedded.job();
            out.printf(
                    "Kafka broker at %s; job %s (estimator %s, invalid-action penalty %s);"
                            + " Prometheus %s%n",
                    embedded.broker().bootstrapServers(),
                    job.getJobID(),
                    estimator,
                    config.get(CreditstreamOptions.INVALID_ACTION_PENALTY),
                    embedded.metrics().url());

            // Stopped before the broker and the work directory go.
            try {
                int learnerMetrics = EmbeddedJob.freePort();
                int fleetMetrics = EmbeddedJob.freePort();
                Process learner =
                        start(learnerCommand(config, work, learnerMetrics), learnerLog(), children);
                Process fleet =
                        start(fleetCommand(config, work, fleetMetrics), fleetLog(), children);
                out.printf(
                        "learner and fleet started as child processes (logs: %s, %s)%n",
                        learnerLog(), fleetLog());
                metricsUrls =
                        new MetricsUrls(
                                embedded.metrics().url(),
                                loopbackMetricsUrl(learnerMetrics),
                                loopbackMetricsUrl(fleetMetrics));
                out.printf(
                        "Prometheus metrics: job %s, learner %s, fleet %s%n",
                        metricsUrls.job(), metricsUrls.learner(), metricsUrls.fleet());
                livePageUrl = live.url();
                out.printf("Live page: %s%n", livePageUrl);
                return loop(
                        stopRequested, start, embedded, live, estimator, learner, fleet, children);
            } finally {
                stopAll(children);
            }
        } finally {
            if (signingKeys != null) {
                EmbeddedJob.deleteQuietly(signingKeys.privateKey().getParent());
            }
        }
    }

    private Summary loop(
            BooleanSupplier stopRequested,
            long start,
            EmbeddedJob embedded,
            LivePage live,
            String estimator,
            Process learner,
            Process fleet,
            List<Process> children)
            throws Exception {
        Monitor monitor = new Monitor(embedded.config(), embedded.metrics(), estimator);
        LoopWatch watch =
                new LoopWatch(
                        settings.stallWarning(),
                        settings.stallTimeout(),
                        LoopWatch.JobProbe.of(
                                embedded.job(), embedded.metrics(), embedded.restUrl()),
                        learnerLog(),
                        fleetLog(),
                        System.nanoTime());
        String stalled = null;
        long deadline =
                settings.duration() == null
                        ? Long.MAX_VALUE
                        : start + settings.duration().toNanos();
        long nextReport = System.nanoTime() + settings.reportEvery().toNanos();
        boolean fleetFinished = false;
        long nextLive = System.nanoTime();
        try (monitor) {
            while (monitor.episodes() < settings.episodes()
                    && !monitor.reached(settings.stopAtSuccess())
                    && System.nanoTime() < deadline
                    && stalled == null
                    && !stopRequested.getAsBoolean()) {
                int read = monitor.poll(start);
                if (fleetFinished && read == 0) {
                    // Every step the fleet wrote is read: some of its episodes did not end.
                    break;
                }
                checkAlive(learner, "learner", learnerLog());
                // A fleet that played its whole --episodes exits 0, usually before this loop has
                // read its last steps: read on until they are in, rather than fail.
                fleetFinished = fleetFinished || finished(fleet, "fleet", fleetLog());
                if (System.nanoTime() >= nextLive) {
                    monitor.scrape();
                    live.publish(monitor.figures(start));
                    nextLive = System.nanoTime() + LIVE_EVERY.toNanos();
                }
                if (System.nanoTime() >= nextReport) {
                    monitor.scrape();
                    out.println(monitor.line(start));
                    LoopWatch.Verdict verdict =
                            watch.check(
                                    System.nanoTime(),
                                    monitor.newestVersion,
                                    monitor.newestMetrics,
                                    monitor.episodes());
                    verdict.lines().forEach(out::println);
                    stalled = verdict.stalled().orElse(null);
                    nextReport += settings.reportEvery().toNanos();
                }
            }
            if (monitor.reached(settings.stopAtSuccess())) {
                out.printf(
                        "Success over the last %d episodes reached %.1f%% (target %.1f%%) after"
                                + " %,d episodes; stopping.%n",
                        WINDOW,
                        100 * monitor.window.successRate(),
                        100 * settings.stopAtSuccess(),
                        monitor.episodes());
            }
            if (stalled != null) {
                out.printf(
                        "No learner update for --stall-timeout (%d s); stopping.%n",
                        settings.stallTimeout().toSeconds());
            }
            monitor.scrape();
            stopAll(children);
            out.println(embedded.stop());

            monitor.finishCurve(start);
            Curve curve = new Curve(estimator, settings.seed(), monitor.points());
            Path csv = settings.outputDir().resolve("demo-curve.csv");
            Path png = settings.outputDir().resolve("demo-curve.png");
            CurveCsv.write(csv, curve);
            // With budgets the window above weights tasks by their rollouts; this one does not
            // (TaskMeanSuccess). Written for uniform groups too, so both allocations can be
            // compared on the same figure.
            CurveCsv.write(
                    settings.outputDir().resolve("demo-curve-task-mean.csv"),
                    new Curve(estimator + " (task mean)", settings.seed(), monitor.taskMeanPoints));
            monitor.taskRollouts.write(settings.outputDir().resolve("demo-task-rollouts.csv"));
            if (curve.points().isEmpty()) {
                out.println("No episode finished: demo-curve.png is not written.");
            } else {
                CurvePlot.write(
                        png,
                        List.of(curve),
                        900,
                        540,
                        "creditstream demo: success rate over the last "
                                + WINDOW
                                + " episodes ("
                                + estimator
                                + ")");
            }
            return new Summary(
                    estimator,
                    monitor.episodes(),
                    monitor.window.successRate(),
                    monitor.window.meanLength(),
                    monitor.newestVersion(),
                    monitor.snapshots,
                    (System.nanoTime() - start) / 1e9,
                    csv,
                    png,
                    (long) monitor.budgetRounds,
                    monitor.staleness,
                    stalled);
        }
    }

    /**
     * The loop's defaults under the user's options: no invalid-action penalty (with it, std
     * normalisation in all-failure groups teaches the policy never to pick or open: see the
     * README), groups complete quickly, and the job's checkpoints (hence committed batches) come
     * every second so the learner is not starved.
     */
    private Configuration loopDefaults() throws IOException {
        Configuration loop = new Configuration();
        loop.set(CreditstreamOptions.INVALID_ACTION_PENALTY, 0.0);
        loop.setString("execution.checkpointing.interval", "1 s");
        loop.set(CreditstreamOptions.BUDGET_ENABLED, false);
        loop.addAll(userConfig);
        // The demo runs signed, as a deployment should: a key pair of its own, deleted with the
        // run, the private half for the learner, the public half for the job and the fleet.
        signingKeys = SigningKeys.generate(Files.createTempDirectory("creditstream-demo-keys-"));
        loop.set(CreditstreamOptions.SNAPSHOT_PUBLIC_KEY, signingKeys.publicKey().toString());
        return loop;
    }

    /**
     * {@code java … PolicyCli <command>} with the flags learner and fleet must agree on: broker,
     * experiment, snapshot topic, maze and seed; and where it serves its metrics (loopback).
     */
    private List<String> childCommand(String command, Configuration config, int metricsPort) {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(PolicyProcess.JVM_OPTIONS);
        cmd.add("-cp");
        cmd.add(settings.learnerClasspath());
        cmd.add(PolicyProcess.MAIN_CLASS);
        cmd.add(command);
        // A demo killed with kill -9 (or one that crashed) must not leave them running.
        cmd.add(PolicyProcess.EXIT_WITH_PARENT);
        cmd.addAll(
                List.of(
                        PolicyProcess.BOOTSTRAP_SERVERS,
                        config.get(CreditstreamOptions.BOOTSTRAP_SERVERS),
                        PolicyProcess.EXPERIMENT,
                        "demo",
                        PolicyProcess.SNAPSHOTS_TOPIC,
                        config.get(CreditstreamOptions.TOPIC_SNAPSHOTS),
                        PolicyProcess.MAZE,
                        settings.maze(),
                        PolicyProcess.SEED,
                        String.valueOf(settings.seed()),
                        // The broker runs in this process and is up: a child that cannot reach it
                        // in time is starved of CPU, not misconfigured (10 s, the default, was
                        // not enough on the 2-core CI machine with a build beside it).
                        PolicyProcess.KAFKA_CONNECT_TIMEOUT,
                        CHILD_KAFKA_TIMEOUT.toSeconds() + "s",
                        PolicyProcess.KAFKA_TIMEOUT,
                        CHILD_KAFKA_TIMEOUT.toSeconds() + "s",
                        PolicyProcess.METRICS_ADDRESS,
                        "127.0.0.1",
                        PolicyProcess.METRICS_PORT,
                        String.valueOf(metricsPort),
                        // Topics the job has not created yet get the job's replication: one
                        // replica on the demo's single broker.
                        PolicyProcess.TOPIC_REPLICATION_FACTOR,
                        String.valueOf(config.get(CreditstreamOptions.TOPIC_REPLICATION_FACTOR))));
        config.getOptional(CreditstreamOptions.TOPIC_MIN_INSYNC_REPLICAS)
                .ifPresent(
                        minIsr ->
                                cmd.addAll(
                                        List.of(
                                                PolicyProcess.TOPIC_MIN_INSYNC_REPLICAS,
                                                minIsr.toString())));
        return cmd;
    }

    private static String loopbackMetricsUrl(int port) {
        return "http://127.0.0.1:" + port + "/metrics";
    }

    /**
     * The learner's log, in the output directory beside the curve: the work directory goes with the
     * run, and a user looking into why a run learned as it did needs the log afterwards.
     */
    private Path learnerLog() {
        return settings.outputDir().resolve("demo-learner.log");
    }

    /** The fleet's log, in the output directory (see {@link #learnerLog()}). */
    private Path fleetLog() {
        return settings.outputDir().resolve("demo-fleet.log");
    }

    private List<String> learnerCommand(Configuration config, Path work, int metricsPort) {
        List<String> cmd = childCommand(PolicyProcess.LEARNER, config, metricsPort);
        cmd.addAll(
                List.of(
                        PolicyProcess.BATCHES_TOPIC,
                        config.get(CreditstreamOptions.TOPIC_BATCHES),
                        PolicyProcess.STORE,
                        work.resolve("snapshots").toString(),
                        PolicyProcess.CHECKPOINT,
                        work.resolve("learner.ckpt").toString(),
                        PolicyProcess.SIGNING_KEY,
                        signingKeys.privateKey().toString()));
        cmd.addAll(settings.learnerArgs());
        return cmd;
    }

    private List<String> fleetCommand(Configuration config, Path work, int metricsPort) {
        List<String> cmd = childCommand(PolicyProcess.FLEET, config, metricsPort);
        cmd.addAll(
                List.of(
                        PolicyProcess.STEPS_TOPIC,
                        config.get(CreditstreamOptions.TOPIC_STEPS),
                        PolicyProcess.STORE,
                        work.resolve("snapshots").toString(),
                        PolicyProcess.SNAPSHOT_PUBLIC_KEY,
                        signingKeys.publicKey().toString(),
                        PolicyProcess.WORKERS,
                        String.valueOf(settings.workers()),
                        PolicyProcess.TASKS,
                        String.valueOf(settings.tasks()),
                        PolicyProcess.GROUP_SIZE,
                        String.valueOf(settings.groupSize()),
                        PolicyProcess.MAX_EPISODES,
                        String.valueOf(settings.episodes()),
                        PolicyProcess.RATE,
                        String.valueOf(settings.fleetRate()),
                        PolicyProcess.MAX_STEPS_AHEAD,
                        String.valueOf(settings.maxStepsAhead()),
                        PolicyProcess.STALL_WARNING,
                        settings.stallWarning().toMillis() + "ms"));
        if (config.get(CreditstreamOptions.BUDGET_ENABLED)) {
            cmd.addAll(
                    List.of(
                            PolicyProcess.BUDGET,
                            PolicyProcess.REQUESTS_TOPIC,
                            config.get(CreditstreamOptions.TOPIC_REQUESTS),
                            PolicyProcess.BUDGET_TOPIC,
                            config.get(CreditstreamOptions.TOPIC_BUDGET)));
        }
        cmd.addAll(settings.fleetArgs());
        return cmd;
    }

    private static Process start(List<String> command, Path log, List<Process> children)
            throws IOException {
        Process process =
                new ProcessBuilder(command)
                        .redirectErrorStream(true)
                        .redirectOutput(log.toFile())
                        .start();
        children.add(process);
        return process;
    }

    /** Whether {@code process} exited with status 0; throws as {@link #checkAlive} otherwise. */
    private boolean finished(Process process, String name, Path log) throws IOException {
        if (!process.isAlive() && process.exitValue() == 0) {
            return true;
        }
        checkAlive(process, name, log);
        return false;
    }

    private void checkAlive(Process process, String name, Path log) throws IOException {
        if (!process.isAlive()) {
            List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
            String tail =
                    String.join(
                            System.lineSeparator(),
                            lines.subList(Math.max(0, lines.size() - 20), lines.size()));
            throw new IllegalStateException(
                    "the "
                            + name
                            + " process exited with code "
                            + process.exitValue()
                            + "; the end of its log:"
                            + System.lineSeparator()
                            + tail);
        }
    }

    private static void stopAll(List<Process> children) {
        for (Process child : children) {
            child.destroy();
        }
        for (Process child : children) {
            try {
                if (!child.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) {
                    child.destroyForcibly();
                }
            } catch (InterruptedException e) {
                child.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
        children.clear();
    }

    /** Reads finished episodes and snapshots back from Kafka, and the job's metrics. */
    private final class Monitor implements AutoCloseable {
        private final KafkaConsumer<byte[], byte[]> steps;
        private final KafkaConsumer<byte[], byte[]> snapshotConsumer;
        private final AvroCodec<StepEvent> stepCodec = StepEventCodecs.create();
        private final AvroCodec<PolicySnapshot> snapshotCodec = AvroCodec.of(PolicySnapshot.class);
        private final EpisodeWindow window = new EpisodeWindow(WINDOW);
        private final List<CurvePoint> points = new ArrayList<>();
        private final TaskMeanSuccess taskSuccess = new TaskMeanSuccess(TASK_WINDOW);
        private final TaskRollouts taskRollouts = new TaskRollouts(ROLLOUT_SPAN);

        /** The curve again with the task-mean success rate: what compares budgets to uniform. */
        private final List<CurvePoint> taskMeanPoints = new ArrayList<>();

        private final MetricsEndpoint metrics;
        private final boolean oprl;
        private final String estimatorName;
        private final boolean budgets;
        private long episodes;
        private long snapshots;
        private long newestVersion = -1;
        private Map<String, Double> newestMetrics = Map.of();
        private double advantageStd;
        private double staleDropped;
        private Staleness staleness = Staleness.NONE;
        private double zeroVarianceRatio = Double.NaN;
        private double anchorSingletonRatio = Double.NaN;
        private double anchorMemorySingletonRatio = Double.NaN;
        private final List<double[]> credit = new ArrayList<>();
        private Optional<RandomFleetDemo.PrmFigures> prm = Optional.empty();
        private double budgetRounds;
        private double budgetGradientRatio = Double.NaN;
        private final List<String> shadows;
        private final Map<String, double[]> shadowFigures = new LinkedHashMap<>();

        Monitor(Configuration config, MetricsEndpoint metrics, String estimator) {
            this.metrics = metrics;
            this.estimatorName = estimator;
            this.oprl = Estimator.OPRL.configName().equals(estimator);
            this.budgets = config.get(CreditstreamOptions.BUDGET_ENABLED);
            this.shadows =
                    CreditstreamOptions.shadowEstimators(config).stream()
                            .map(Estimator::configName)
                            .toList();
            this.steps = consumer(config, config.get(CreditstreamOptions.TOPIC_STEPS));
            this.snapshotConsumer =
                    consumer(config, config.get(CreditstreamOptions.TOPIC_SNAPSHOTS));
        }

        private KafkaConsumer<byte[], byte[]> consumer(Configuration config, String topic) {
            KafkaConsumer<byte[], byte[]> consumer =
                    new KafkaConsumer<>(
                            Map.of(
                                    ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                                    config.get(CreditstreamOptions.BOOTSTRAP_SERVERS),
                                    ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG,
                                    "false"),
                            new ByteArrayDeserializer(),
                            new ByteArrayDeserializer());
            List<TopicPartition> partitions = new ArrayList<>();
            for (PartitionInfo info : consumer.partitionsFor(topic)) {
                partitions.add(new TopicPartition(topic, info.partition()));
            }
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            return consumer;
        }

        /** Reads what has come; returns how many step records that was. */
        int poll(long start) {
            for (ConsumerRecord<byte[], byte[]> record :
                    snapshotConsumer.poll(Duration.ofMillis(20))) {
                PolicySnapshot snapshot = snapshotCodec.decode(record.value());
                snapshots++;
                if (snapshot.getVersion() > newestVersion) {
                    newestVersion = snapshot.getVersion();
                    newestMetrics = snapshot.getMetrics();
                }
            }
            ConsumerRecords<byte[], byte[]> records = steps.poll(Duration.ofMillis(200));
            for (ConsumerRecord<byte[], byte[]> record : records) {
                StepEvent step = stepCodec.decode(record.value());
                if (!step.getDone()) {
                    continue;
                }
                Double declared = step.getEpisodeReturn();
                double outcome = declared != null ? declared : step.getReward();
                window.add(outcome > 0, step.getStepIndex() + 1);
                taskSuccess.add(step.getTaskId(), outcome > 0);
                taskRollouts.add(step.getTaskId(), outcome > 0);
                episodes++;
                if (episodes % 50 == 0) {
                    addPoint(start);
                }
            }
            return records.count();
        }

        private void addPoint(long start) {
            CurvePoint point =
                    new CurvePoint(
                            episodes,
                            window.successRate(),
                            window.meanLength(),
                            // The demo does not read learner.batches, so it has no mean |A|;
                            // the job's advantage std is on the progress line.
                            Double.NaN,
                            Math.max(0, newestVersion),
                            (System.nanoTime() - start) / 1e9,
                            metric(SnapshotMetrics.ENTROPY),
                            metric(SnapshotMetrics.APPROX_KL));
            points.add(point);
            taskMeanPoints.add(
                    new CurvePoint(
                            point.episodes(),
                            taskSuccess.mean(),
                            point.meanEpisodeLength(),
                            point.meanAbsAdvantage(),
                            point.updates(),
                            point.wallSeconds(),
                            point.entropy(),
                            point.approxKl()));
        }

        /** Ends the curve at the last episode read, so that a short run has one too. */
        void finishCurve(long start) {
            if (episodes > 0
                    && (points.isEmpty() || points.get(points.size() - 1).episodes() < episodes)) {
                addPoint(start);
            }
        }

        private double metric(String name) {
            Double value = newestMetrics.get(name);
            return value != null ? value : Double.NaN;
        }

        void scrape() {
            metrics.scrape()
                    .ifPresent(
                            text -> {
                                advantageStd =
                                        PrometheusText.mean(text, CreditMetrics.ADVANTAGE_STD);
                                staleDropped =
                                        PrometheusText.sum(
                                                text, CreditMetrics.STALE_TRAJECTORIES_DROPPED);
                                staleness =
                                        new Staleness(
                                                trajectories(
                                                        text,
                                                        CreditMetrics.FRESH_TRAJECTORIES,
                                                        CreditMetrics.FRESH_TRAJECTORY_STEPS,
                                                        CreditMetrics.FRESH_TRAJECTORIES_POSITIVE,
                                                        CreditMetrics.FRESH_TRAJECTORY_LENGTHS),
                                                trajectories(
                                                        text,
                                                        CreditMetrics.STALE_TRAJECTORIES_DROPPED,
                                                        CreditMetrics.STALE_TRAJECTORY_STEPS,
                                                        CreditMetrics.STALE_TRAJECTORIES_POSITIVE,
                                                        CreditMetrics.STALE_TRAJECTORY_LENGTHS));
                                zeroVarianceRatio =
                                        PrometheusText.mean(
                                                text, CreditMetrics.ZERO_VARIANCE_GROUP_RATIO);
                                anchorSingletonRatio =
                                        PrometheusText.mean(
                                                text, CreditMetrics.ANCHOR_SINGLETON_RATIO);
                                // NaN (no series, or none with a value) without the memory.
                                anchorMemorySingletonRatio =
                                        PrometheusText.mean(
                                                text,
                                                CreditMetrics.ANCHOR_MEMORY_SINGLETON_RATIO,
                                                "");
                                for (String shadow : shadows) {
                                    String label =
                                            CreditMetrics.SHADOW_LABEL + "=\"" + shadow + "\"";
                                    shadowFigures.put(
                                            shadow,
                                            new double[] {
                                                PrometheusText.mean(
                                                        text,
                                                        CreditMetrics.SHADOW_RANK_CORRELATION,
                                                        label),
                                                PrometheusText.mean(
                                                        text,
                                                        CreditMetrics.SHADOW_SIGN_AGREEMENT,
                                                        label)
                                            });
                                }
                                if (oprl) {
                                    prm = Optional.of(RandomFleetDemo.PrmFigures.scrape(text));
                                }
                                if (budgets) {
                                    budgetRounds =
                                            PrometheusText.sum(text, BudgetMetrics.ROUNDS_ANSWERED);
                                    budgetGradientRatio =
                                            PrometheusText.mean(
                                                    text, BudgetMetrics.EFFECTIVE_GRADIENT_RATIO);
                                }
                            });
        }

        private static Trajectories trajectories(
                String text, String count, String steps, String positive, String lengths) {
            List<Long> lengthCounts = new ArrayList<>();
            for (int i = 0; i < LengthBuckets.count(); i++) {
                lengthCounts.add(
                        (long)
                                PrometheusText.sum(
                                        text,
                                        lengths,
                                        CreditMetrics.MAX_LENGTH_LABEL
                                                + "=\""
                                                + LengthBuckets.label(i)
                                                + "\""));
            }
            return new Trajectories(
                    (long) PrometheusText.sum(text, count),
                    (long) PrometheusText.sum(text, steps),
                    (long) PrometheusText.sum(text, positive),
                    lengthCounts);
        }

        /** The live page's figures; appends the current credit figures to their history. */
        LivePage.Figures figures(long start) {
            double seconds = (System.nanoTime() - start) / 1e9;
            if (credit.size() >= MAX_CREDIT_POINTS) {
                // Halve the history's resolution instead of letting a long run's page grow.
                for (int i = credit.size() - 1; i >= 0; i -= 2) {
                    credit.remove(i);
                }
            }
            if (episodes > 0) {
                credit.add(
                        new double[] {
                            Math.round(seconds),
                            advantageStd,
                            zeroVarianceRatio,
                            anchorSingletonRatio
                        });
            }
            List<double[]> curve = new ArrayList<>();
            for (CurvePoint point : points) {
                curve.add(new double[] {point.episodes(), point.successRate()});
            }
            return new LivePage.Figures(
                    estimatorName,
                    seconds,
                    episodes,
                    window.successRate(),
                    window.meanLength(),
                    Math.max(0, newestVersion),
                    snapshots,
                    advantageStd,
                    zeroVarianceRatio,
                    anchorSingletonRatio,
                    staleDropped,
                    curve,
                    List.copyOf(credit));
        }

        String line(long start) {
            return String.format(
                            "[%5.0fs] episodes %,d | success (last %d) %.1f%% | mean length %.1f |"
                                    + " policy v%d (%d snapshots) | advantage std %.2f | stale"
                                    + " trajectories dropped %,.0f",
                            (System.nanoTime() - start) / 1e9,
                            episodes,
                            WINDOW,
                            100 * window.successRate(),
                            window.meanLength(),
                            Math.max(0, newestVersion),
                            snapshots,
                            advantageStd,
                            staleDropped)
                    + prm.map(p -> " | " + p.line()).orElse("")
                    + anchorMemoryLine()
                    + shadowLine()
                    + (budgets
                            ? String.format(
                                    " | budget rounds %,.0f, effective-gradient ratio %.2f |"
                                            + " task-mean success %.1f%% (last %d of each of %d"
                                            + " tasks)",
                                    budgetRounds,
                                    budgetGradientRatio,
                                    100 * taskSuccess.mean(),
                                    TASK_WINDOW,
                                    taskSuccess.tasks())
                            : "");
        }

        /**
         * "| anchor singletons 41% (6% after pooling)" once GiGPO's anchor memory has pooled a
         * group: the share of steps alone in their step group without and with the memory.
         */
        private String anchorMemoryLine() {
            return Double.isNaN(anchorMemorySingletonRatio)
                    ? ""
                    : String.format(
                            " | anchor singletons %.0f%% (%.0f%% after pooling)",
                            100 * anchorSingletonRatio, 100 * anchorMemorySingletonRatio);
        }

        /** "| shadow grpo: rank corr 0.83, signs 91%" per shadow estimator, once scraped. */
        private String shadowLine() {
            StringBuilder line = new StringBuilder();
            shadowFigures.forEach(
                    (shadow, figures) ->
                            line.append(
                                    Double.isNaN(figures[0])
                                            ? String.format(" | shadow %s: no group yet", shadow)
                                            : String.format(
                                                    " | shadow %s: rank corr %.2f, signs %.0f%%",
                                                    shadow, figures[0], 100 * figures[1])));
            return line.toString();
        }

        /** Whether a full window's success rate is at least {@code target} (never for 0). */
        boolean reached(double target) {
            return target > 0 && window.isFull() && window.successRate() >= target;
        }

        long episodes() {
            return episodes;
        }

        long newestVersion() {
            return Math.max(0, newestVersion);
        }

        List<CurvePoint> points() {
            return List.copyOf(points);
        }

        @Override
        public void close() {
            steps.close();
            snapshotConsumer.close();
        }
    }
}
