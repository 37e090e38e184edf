package io.creditstream.tools.bench;

import io.creditstream.fleet.SimulatedFleet;
import io.creditstream.fleet.StepEventProducer;
import io.creditstream.schemas.AdvantageBatch;
import io.creditstream.schemas.AdvantageRecord;
import io.creditstream.schemas.StepEvent;
import io.creditstream.schemas.codec.AvroCodec;
import io.creditstream.streams.RunJob;
import io.creditstream.streams.kafka.KafkaIo;
import io.creditstream.streams.options.CreditstreamOptions;
import io.creditstream.tools.EmbeddedJob;
import java.io.PrintStream;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.configuration.WebOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Latency under load: the full job (as {@code run} deploys it, Kafka sources and exactly-once
 * sinks) runs on fresh topics while one thread sends steps at a fixed rate, each when the clock
 * says it is due, and a {@code read_committed} consumer reads the batches back as a learner would.
 * A group's latency runs from the moment its last step was handed to the producer to the moment the
 * consumer sees the batch holding it; it splits at the batch's {@code created_time_ms} (when the
 * batcher emitted it, same clock) into the pipeline part (producer linger, shuffles, assembly,
 * estimator, batch linger) and the commit wait (until the checkpoint that commits the sink's
 * transaction completes and the consumer fetches it).
 *
 * <p>The job's checkpoints are read from its REST API while it runs ({@link CheckpointTimeline}),
 * so each group's latency is also split at the checkpoints: waiting for the first trigger after its
 * last step and that checkpoint's duration are what exactly-once at this interval costs; what comes
 * after that checkpoint's completion (the commit and the fetch, and a further interval when the
 * pipeline made the group miss its barrier) is the latency "beyond the commit delay" that the goal
 * is about.
 *
 * <p>The rates run one after another on the same job; a phase's first {@code warmup} only fills the
 * pipeline at the new rate and is not measured.
 */
public final class LatencyBenchmark {
    /** How long, after the last step, the batches of measured groups may take to appear. */
    private static final Duration DRAIN_GUARD = Duration.ofSeconds(60);

    /** How long the job may take to reach RUNNING after submission. */
    private static final Duration START_GUARD = Duration.ofSeconds(120);

    /**
     * What to run.
     *
     * @param fractions input rates as fractions of the full job's steady rate
     * @param fixedRates input rates in steps/s; when not empty they replace {@code fractions}
     * @param warmup the unmeasured start of each phase
     * @param measure the measured rest of each phase
     */
    public record Settings(
            List<Double> fractions, List<Double> fixedRates, Duration warmup, Duration measure) {
        public Settings {
            fractions = List.copyOf(fractions);
            fixedRates = List.copyOf(fixedRates);
            for (double fraction : fractions) {
                if (!(fraction > 0 && fraction <= 2)) {
                    throw new IllegalArgumentException(
                            "--latency-fractions must lie in (0, 2], got " + fraction);
                }
            }
            for (double rate : fixedRates) {
                if (!(rate > 0)) {
                    throw new IllegalArgumentException(
                            "--latency-rates must be positive steps/s, got " + rate);
                }
            }
        }

        public boolean isEmpty() {
            return fractions.isEmpty() && fixedRates.isEmpty();
        }
    }

    /**
     * One rate's figures, in milliseconds.
     *
     * @param fraction the rate as a fraction of the measured maximum
     * @param offeredStepsPerSecond the rate asked for
     * @param sentStepsPerSecond the rate the sender kept in the measured window
     * @param total last step sent → batch seen by a {@code read_committed} consumer
     * @param pipeline last step sent → batch emitted by the batcher
     * @param commitWait batch emitted → batch seen
     * @param beyondCommit what the checkpoints do not explain ({@link
     *     CheckpointTimeline.Split#beyondCommit}); null when no group could be matched to one
     * @param missedCheckpoints the fraction of matched groups whose batch missed the first
     *     checkpoint after their last step ({@link CheckpointTimeline.Split#missedCheckpoint})
     * @param missedThoughEmitted the fraction of matched groups that missed it although their batch
     *     was emitted before it ({@link CheckpointTimeline.Split#emittedBeforeMissed})
     * @param barrierWait batch emitted → the committing checkpoint's trigger; null as above
     * @param checkpoints the durations of the checkpoints triggered in the measured window; null
     *     when none was read
     * @param afterCompletion checkpoint completed → batch seen; null as above
     * @param unattributed groups seen before any checkpoint was known to have completed
     * @param unseen measured groups whose batch was not seen within the drain guard
     */
    public record Phase(
            double fraction,
            double offeredStepsPerSecond,
            double sentStepsPerSecond,
            LatencySummary total,
            LatencySummary pipeline,
            LatencySummary commitWait,
            LatencySummary beyondCommit,
            double missedCheckpoints,
            double missedThoughEmitted,
            LatencySummary barrierWait,
            LatencySummary checkpoints,
            LatencySummary afterCompletion,
            int unattributed,
            int unseen) {}

    /** Every phase, with the checkpoint interval and batch linger that bound the latency. */
    public record Result(
            double maxStepsPerSecond,
            long checkpointIntervalMs,
            long batchLingerMs,
            long bufferTimeoutMs,
            List<Phase> phases) {
        /** The phase closest to half the maximum rate: the one the goal is about. */
        public Phase half() {
            Phase best = null;
            for (Phase phase : phases) {
                if (best == null
                        || Math.abs(phase.fraction() - 0.5) < Math.abs(best.fraction() - 0.5)) {
                    best = phase;
                }
            }
            return best;
        }
    }

    /** When a measured group's last step left, and in which phase. */
    private record Sent(long millis, int phase) {}

    /** One measured group: its last step sent, its batch emitted, its batch seen. */
    private record Seen(long sentMillis, long emittedMillis, long seenMillis) {}

    /** How often the checkpoint history is read; it holds {@link #CHECKPOINT_HISTORY} entries. */
    private static final long TIMELINE_READ_MILLIS = 500;

    /**
     * How long the REST API may serve a cached checkpoint history. Flink's default (the web UI's 3
     * s refresh) left the last groups matched to a checkpoint seconds old.
     */
    private static final Duration REST_CACHE = Duration.ofMillis(100);

    /** How often the reader asks whether the job still runs. */
    private static final long JOB_STATUS_NANOS = TimeUnit.SECONDS.toNanos(1);

    private static final int CHECKPOINT_HISTORY = 1000;

    private LatencyBenchmark() {}

    /**
     * Runs the phases.
     *
     * @param maxStepsPerSecond the full job's steady rate, which the fractions scale
     * @param base the benchmark's configuration (broker, checkpoints, parallelism, user options)
     * @param fleets a fresh simulated fleet
     */
    static Result run(
            Settings settings,
            double maxStepsPerSecond,
            Configuration base,
            Supplier<SimulatedFleet> fleets,
            PrintStream out)
            throws Exception {
        String run = "bench-latency-" + UUID.randomUUID();
        Configuration config = new Configuration(base);
        config.set(CreditstreamOptions.TOPIC_STEPS, run + ".steps");
        config.set(CreditstreamOptions.TOPIC_BATCHES, run + ".batches");
        config.set(CreditstreamOptions.TOPIC_DLQ, run + ".dlq");
        config.setString("kafka.group-id", run);
        config.setString("kafka.transactional-id-prefix", run);
        // The checkpoint timeline is read from the REST API: one known port, a long history.
        if (!config.getOptional(RestOptions.BIND_PORT).map(p -> p.matches("\\d+")).orElse(false)) {
            config.set(RestOptions.BIND_PORT, String.valueOf(EmbeddedJob.freePort()));
        }
        config.set(WebOptions.CHECKPOINTS_HISTORY_SIZE, CHECKPOINT_HISTORY);
        config.set(WebOptions.REFRESH_INTERVAL, REST_CACHE);
        config.set(RestOptions.CACHE_CHECKPOINT_STATISTICS_TIMEOUT, REST_CACHE);
        URI rest =
                URI.create(
                        "http://"
                                + config.get(RestOptions.ADDRESS)
                                + ":"
                                + config.get(RestOptions.BIND_PORT)
                                + "/");
        KafkaIo.createAbsentTopics(config);

        List<double[]> rates = new ArrayList<>(); // {fraction, steps/s}
        if (!settings.fixedRates().isEmpty()) {
            for (double rate : settings.fixedRates()) {
                rates.add(new double[] {rate / maxStepsPerSecond, rate});
            }
        } else {
            for (double fraction : settings.fractions()) {
                rates.add(new double[] {fraction, fraction * maxStepsPerSecond});
            }
        }
        long checkpointMs = config.get(CheckpointingOptions.CHECKPOINTING_INTERVAL).toMillis();
        long lingerMs = config.get(CreditstreamOptions.BATCH_LINGER).toMillis();
        long bufferTimeoutMs =
                config.get(org.apache.flink.configuration.ExecutionOptions.BUFFER_TIMEOUT)
                        .toMillis();
        out.printf(
                "latency: checkpoints every %d ms, batch linger %d ms, buffer timeout %d ms;"
                        + " each rate %d s (first %d s not measured)%n",
                checkpointMs,
                lingerMs,
                bufferTimeoutMs,
                settings.warmup().plus(settings.measure()).toSeconds(),
                settings.warmup().toSeconds());

        JobClient job = RunJob.environment(config).executeAsync("bench latency");
        // The checkpoint history is read on its own thread: an HTTP round trip in the reader's
        // loop would delay the moment a batch is seen.
        ScheduledExecutorService timelineReads =
                Executors.newSingleThreadScheduledExecutor(
                        r -> {
                            Thread t = new Thread(r, "bench-latency-checkpoints");
                            t.setDaemon(true);
                            return t;
                        });
        try (KafkaConsumer<byte[], byte[]> consumer = committedConsumer(config, run)) {
            awaitRunning(job);
            CheckpointTimeline timeline = new CheckpointTimeline();
            CheckpointTimeline.RestReader checkpoints =
                    new CheckpointTimeline.RestReader(rest, job.getJobID().toHexString());
            timelineReads.scheduleWithFixedDelay(
                    () -> {
                        try {
                            checkpoints.readInto(timeline);
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                    },
                    0,
                    TIMELINE_READ_MILLIS,
                    TimeUnit.MILLISECONDS);
            long[][] windows = new long[rates.size()][]; // per phase: measured {from, to} millis
            ConcurrentMap<String, Sent> sent = new ConcurrentHashMap<>();
            long[] sentInWindow = new long[rates.size()];
            AtomicReference<Throwable> senderFailure = new AtomicReference<>();
            Thread sender =
                    new Thread(
                            () -> {
                                try {
                                    send(
                                            config,
                                            fleets.get(),
                                            rates,
                                            settings,
                                            sent,
                                            sentInWindow,
                                            windows);
                                } catch (Throwable e) {
                                    senderFailure.set(e);
                                }
                            },
                            "bench-latency-sender");
            sender.setDaemon(true);
            sender.start();

            List<List<Seen>> seen = new ArrayList<>();
            for (int i = 0; i < rates.size(); i++) {
                seen.add(new ArrayList<>());
            }
            Set<String> done = new HashSet<>();
            AvroCodec<AdvantageBatch> codec = AvroCodec.of(AdvantageBatch.class);
            long drainDeadline = Long.MAX_VALUE;
            long nextStatusCheck = System.nanoTime() + JOB_STATUS_NANOS;
            long lastSeenMillis = 0;
            while (System.nanoTime() < drainDeadline) {
                ConsumerRecords<byte[], byte[]> fetched = consumer.poll(Duration.ofMillis(50));
                // The reader holds every batch of a poll at once; stamping each after decoding the
                // ones before it would add the reader's own work to the later ones' latency.
                long seenMillis = System.currentTimeMillis();
                for (ConsumerRecord<byte[], byte[]> record : fetched) {
                    AdvantageBatch batch = codec.decode(record.value());
                    for (AdvantageRecord advantage : batch.getRecords()) {
                        String group = advantage.getGroupId();
                        Sent at = sent.get(group);
                        if (at == null || !done.add(group)) {
                            continue; // a warm-up group, or a group already counted
                        }
                        seen.get(at.phase())
                                .add(new Seen(at.millis(), batch.getCreatedTimeMs(), seenMillis));
                        lastSeenMillis = seenMillis;
                    }
                }
                if (senderFailure.get() != null) {
                    throw new IllegalStateException(
                            "the latency sender failed", senderFailure.get());
                }
                if (!sender.isAlive() && drainDeadline == Long.MAX_VALUE) {
                    drainDeadline = System.nanoTime() + DRAIN_GUARD.toNanos();
                }
                if (!sender.isAlive() && done.size() == sent.size()) {
                    break;
                }
                if (System.nanoTime() >= nextStatusCheck) {
                    JobStatus status = job.getJobStatus().get(10, TimeUnit.SECONDS);
                    if (status.isGloballyTerminalState()) {
                        throw new IllegalStateException("the latency job ended early: " + status);
                    }
                    nextStatusCheck = System.nanoTime() + JOB_STATUS_NANOS;
                }
            }

            // Match only once the timeline holds every checkpoint that can have committed a seen
            // group: one triggered after the last was seen (the job keeps checkpointing).
            timelineReads.shutdownNow();
            if (!awaitTimelineBeyond(timeline, checkpoints, lastSeenMillis)) {
                out.println(
                        "  (the checkpoint history did not reach past the last batch seen within "
                                + TIMELINE_GUARD.toSeconds()
                                + " s; the last groups may be matched to an older checkpoint)");
            }
            if (timeline.size() == 0) {
                out.println(
                        "  (no checkpoint could be read from "
                                + rest
                                + checkpoints.lastFailure().map(e -> ": " + e).orElse("")
                                + "; the split at the commit is left out)");
            }
            List<Phase> phases = new ArrayList<>();
            for (int i = 0; i < rates.size(); i++) {
                final int phase = i;
                long expected = sent.values().stream().filter(s -> s.phase() == phase).count();
                List<Seen> latencies = seen.get(i);
                if (latencies.isEmpty()) {
                    throw new IllegalStateException(
                            "no batch of the "
                                    + Math.round(rates.get(i)[1])
                                    + " steps/s phase was seen within "
                                    + DRAIN_GUARD.toSeconds()
                                    + " s of the last step: the job could not keep up");
                }
                Phase result =
                        phase(
                                rates.get(i),
                                sentInWindow[i] / (settings.measure().toNanos() / 1e9),
                                latencies,
                                timeline,
                                windows[i],
                                (int) (expected - latencies.size()));
                phases.add(result);
                out.printf(
                        "  %3.0f%% of max (%,.0f steps/s, sent %,.0f/s): last step -> committed"
                                + " p50 %d, p99 %d, max %d ms | beyond the commit delay p99 %s ms"
                                + " (%.1f%% missed a checkpoint, %.1f%% though emitted before it)"
                                + " | checkpoints p99 %s ms | %d groups%s%n",
                        result.fraction() * 100,
                        result.offeredStepsPerSecond(),
                        result.sentStepsPerSecond(),
                        result.total().p50(),
                        result.total().p99(),
                        result.total().max(),
                        result.beyondCommit() == null ? "-" : result.beyondCommit().p99(),
                        result.missedCheckpoints() * 100,
                        result.missedThoughEmitted() * 100,
                        result.checkpoints() == null ? "-" : result.checkpoints().p99(),
                        result.total().count(),
                        result.unseen() > 0 ? ", " + result.unseen() + " NOT SEEN" : "");
            }
            return new Result(maxStepsPerSecond, checkpointMs, lingerMs, bufferTimeoutMs, phases);
        } finally {
            timelineReads.shutdownNow();
            if (!job.getJobStatus().get(10, TimeUnit.SECONDS).isGloballyTerminalState()) {
                job.cancel().get(60, TimeUnit.SECONDS);
            }
        }
    }

    /** How long to wait, after the last batch, for the checkpoint history to pass it. */
    private static final Duration TIMELINE_GUARD = Duration.ofSeconds(30);

    private static boolean awaitTimelineBeyond(
            CheckpointTimeline timeline, CheckpointTimeline.RestReader checkpoints, long millis)
            throws InterruptedException {
        long deadline = System.nanoTime() + TIMELINE_GUARD.toNanos();
        while (true) {
            checkpoints.readInto(timeline);
            if (timeline.newest().map(c -> c.triggeredMillis() > millis).orElse(false)) {
                return true;
            }
            if (System.nanoTime() > deadline) {
                return false;
            }
            Thread.sleep(TIMELINE_READ_MILLIS);
        }
    }

    /** One rate's figures from its groups and the checkpoints of its measured window. */
    private static Phase phase(
            double[] rate,
            double sentStepsPerSecond,
            List<Seen> groups,
            CheckpointTimeline timeline,
            long[] window,
            int unseen) {
        long[] total = new long[groups.size()];
        long[] pipeline = new long[groups.size()];
        long[] commit = new long[groups.size()];
        List<CheckpointTimeline.Split> splits = new ArrayList<>();
        for (int g = 0; g < groups.size(); g++) {
            Seen group = groups.get(g);
            total[g] = group.seenMillis() - group.sentMillis();
            pipeline[g] = group.emittedMillis() - group.sentMillis();
            commit[g] = group.seenMillis() - group.emittedMillis();
            timeline.split(group.sentMillis(), group.emittedMillis(), group.seenMillis())
                    .ifPresent(splits::add);
        }
        List<CheckpointTimeline.Checkpoint> measured =
                window == null ? List.of() : timeline.triggeredBetween(window[0], window[1]);
        return new Phase(
                rate[0],
                rate[1],
                sentStepsPerSecond,
                LatencySummary.of(total),
                LatencySummary.of(pipeline),
                LatencySummary.of(commit),
                summary(splits, CheckpointTimeline.Split::beyondCommit),
                fraction(splits, CheckpointTimeline.Split::missedCheckpoint),
                fraction(splits, CheckpointTimeline.Split::emittedBeforeMissed),
                summary(splits, CheckpointTimeline.Split::barrierWait),
                measured.isEmpty()
                        ? null
                        : LatencySummary.of(
                                measured.stream()
                                        .mapToLong(CheckpointTimeline.Checkpoint::durationMillis)
                                        .toArray()),
                summary(splits, CheckpointTimeline.Split::afterCompletion),
                groups.size() - splits.size(),
                unseen);
    }

    private static double fraction(
            List<CheckpointTimeline.Split> splits,
            java.util.function.Predicate<CheckpointTimeline.Split> which) {
        return splits.isEmpty()
                ? 0
                : splits.stream().filter(which).count() / (double) splits.size();
    }

    private static LatencySummary summary(
            List<CheckpointTimeline.Split> splits,
            java.util.function.ToLongFunction<CheckpointTimeline.Split> part) {
        return splits.isEmpty()
                ? null
                : LatencySummary.of(splits.stream().mapToLong(part).toArray());
    }

    /**
     * Sends whole groups, each step when its time in the phase comes, and records when the last
     * step of each group sent in a measured window left.
     */
    private static void send(
            Configuration config,
            SimulatedFleet fleet,
            List<double[]> rates,
            Settings settings,
            Map<String, Sent> sent,
            long[] sentInWindow,
            long[][] windows) {
        String topic = config.get(CreditstreamOptions.TOPIC_STEPS);
        try (StepEventProducer producer =
                new StepEventProducer(KafkaIo.bootstrapServers(config), topic)) {
            List<StepEvent> group = List.of();
            int next = 0;
            for (int phase = 0; phase < rates.size(); phase++) {
                double rate = rates.get(phase)[1];
                long start = System.nanoTime();
                long measureFrom = start + settings.warmup().toNanos();
                long end = measureFrom + settings.measure().toNanos();
                long wallNow = System.currentTimeMillis();
                long startWall = wallNow - TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
                windows[phase] =
                        new long[] {
                            startWall + settings.warmup().toMillis(),
                            startWall + settings.warmup().plus(settings.measure()).toMillis()
                        };
                long sentInPhase = 0;
                long now = start;
                while (now < end) {
                    long due = (long) ((now - start) / 1e9 * rate);
                    while (sentInPhase < due) {
                        if (next == group.size()) {
                            group = fleet.nextGroup();
                            next = 0;
                        }
                        StepEvent step = group.get(next++);
                        if (now >= measureFrom) {
                            sentInWindow[phase]++;
                            if (next == group.size()) {
                                // Recorded before the send, so the batch can never be read
                                // before its group is known.
                                sent.put(
                                        step.getGroupId(),
                                        new Sent(System.currentTimeMillis(), phase));
                            }
                        }
                        producer.send(step);
                        sentInPhase++;
                    }
                    LockSupport.parkNanos(1_000_000);
                    now = System.nanoTime();
                }
            }
            producer.flush();
        }
    }

    private static void awaitRunning(JobClient job) throws Exception {
        long deadline = System.nanoTime() + START_GUARD.toNanos();
        while (true) {
            JobStatus status = job.getJobStatus().get(10, TimeUnit.SECONDS);
            if (status == JobStatus.RUNNING) {
                return;
            }
            if (status.isGloballyTerminalState() || System.nanoTime() > deadline) {
                throw new IllegalStateException(
                        "the latency job did not start (status " + status + ")");
            }
            Thread.sleep(100);
        }
    }

    private static KafkaConsumer<byte[], byte[]> committedConsumer(
            Configuration config, String groupId) {
        KafkaConsumer<byte[], byte[]> consumer =
                new KafkaConsumer<>(
                        Map.of(
                                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                                KafkaIo.bootstrapServers(config),
                                ConsumerConfig.GROUP_ID_CONFIG,
                                groupId + "-reader",
                                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG,
                                "earliest",
                                ConsumerConfig.ISOLATION_LEVEL_CONFIG,
                                "read_committed",
                                // A fetch that finds nothing returns after this, so a commit is
                                // seen within it even if the broker does not wake the fetch.
                                ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG,
                                10),
                        new ByteArrayDeserializer(),
                        new ByteArrayDeserializer());
        consumer.subscribe(List.of(config.get(CreditstreamOptions.TOPIC_BATCHES)));
        return consumer;
    }
}
