package io.creditstream.policy.fleet;

import io.creditstream.fleet.BudgetClient;
import io.creditstream.fleet.FleetRunner;
import io.creditstream.fleet.RolloutGroup;
import io.creditstream.fleet.SimulatedFleet;
import io.creditstream.fleet.StepEventProducer;
import io.creditstream.fleet.env.KeyDoorMazeEnvironment;
import io.creditstream.fleet.env.SlowEnvironment;
import io.creditstream.fleet.env.TextEnvironment;
import io.creditstream.fleet.policy.SwitchablePolicy;
import io.creditstream.policy.model.DjlAgentPolicy;
import io.creditstream.policy.model.PolicyNetwork;
import io.creditstream.policy.model.PolicySnapshotStore;
import io.creditstream.policy.service.InvalidSettingException;
import io.creditstream.policy.service.KafkaTopics;
import io.creditstream.policy.service.LearnerService;
import io.creditstream.policy.service.PolicySnapshotReader;
import io.creditstream.schemas.PolicySnapshot;
import io.creditstream.schemas.kafka.KafkaAccessErrors;
import io.creditstream.schemas.trust.SigningKeys;
import io.creditstream.schemas.trust.SnapshotGate;
import java.io.IOException;
import java.nio.file.Path;
import java.security.PublicKey;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The fleet process: worker threads play key-and-door mazes with the experiment's newest policy
 * snapshot and write every step to {@code agent.steps}.
 *
 * <p>A watcher thread reads {@code policy.snapshots} from the beginning and keeps the highest
 * version per experiment. Each worker has its own {@link SimulatedFleet}, its own copy of the
 * network (loaded through {@link PolicySnapshotStore#load}, sha256-checked) and its own {@link
 * StepEventProducer}. A worker looks for a newer snapshot only <em>between</em> rollout groups, so
 * every step of a group carries the same {@code policy_version}, and the {@code behavior_logprob}
 * of each step is the log-probability the sampling network gave its action.
 *
 * <p>Each worker plays through a {@link FleetRunner} (the fleet module's planner loop and rate
 * pacing): the runner asks the worker before every group, which then waits while the fleet is too
 * far ahead of the learner ({@link LearnerPacing}), reserves the group under the limits and
 * switches to the newest snapshot. A pause that lasts {@link FleetSettings#stallWarning()} with no
 * newer snapshot is a stall: logged once, and said by {@link #stall()} and the progress line.
 *
 * <p>{@link #start()} waits for the first snapshot and fails with an error that says what to do if
 * none comes. With {@link FleetSettings#budget() budgets}, the (single) worker asks the job for
 * each round's rollouts through a {@link BudgetClient}, falling back to uniform groups. Counters
 * and {@link #stop()} are safe from any thread.
 */
public final class FleetService implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(FleetService.class);

    private static final Duration WATCH_POLL = Duration.ofMillis(200);

    private final FleetSettings settings;

    /** The learner's store: artifacts outside it are refused. */
    private final PolicySnapshotStore store;

    /** Which snapshots are believed: signature, version bounds. */
    private final SnapshotGate gate;

    private final AtomicLong snapshotsRefused = new AtomicLong();

    private final AtomicReference<PolicySnapshot> newest = new AtomicReference<>();
    private final Object snapshotMonitor = new Object();
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private final AtomicLong groups = new AtomicLong();
    private final AtomicLong episodes = new AtomicLong();
    private final AtomicLong successes = new AtomicLong();
    private final AtomicLong steps = new AtomicLong();
    private final AtomicLong policySwaps = new AtomicLong();
    private final AtomicLong loadFailures = new AtomicLong();
    private final AtomicLong reservedGroups = new AtomicLong();
    private final AtomicLong reservedEpisodes = new AtomicLong();
    private final AtomicLong pacingPauses = new AtomicLong();

    // Guarded by snapshotMonitor: the steps ahead of the learner, the workers paused for it, since
    // when one has been (System.nanoTime()), and since when the stall logged last was; the
    // worker-nanoseconds paused up to pausedCountChangedNanos, when pausedWorkers last changed.
    private final LearnerPacing pacing;
    private int pausedWorkers;
    private long pausedSinceNanos;
    private long pausedWorkerNanos;
    private long pausedCountChangedNanos = System.nanoTime();
    private long stallLoggedSince = Long.MIN_VALUE;

    /** When the newest snapshot arrived (System.nanoTime()). */
    private volatile long newestArrivedNanos = System.nanoTime();

    private final AtomicLongArray workerVersions;
    private final List<Thread> workers = new ArrayList<>();
    private final CountDownLatch workersDone;

    private volatile boolean stopRequested;
    private volatile PolicySnapshotReader reader;
    private final List<BudgetClient> budgetClients = new CopyOnWriteArrayList<>();
    private Thread watcher;
    private boolean started;

    /** A fleet that does nothing until {@link #start()}. */
    public FleetService(FleetSettings settings) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.store = new PolicySnapshotStore(settings.storeDir());
        this.gate =
                new SnapshotGate(
                        settings.snapshotPublicKey().map(FleetService::readPublicKey).orElse(null),
                        settings.maxVersionJump());
        if (!gate.verifiesSignatures()) {
            LOG.warn(
                    "No --snapshot-public-key: the fleet believes UNSIGNED snapshots of {}, so"
                            + " anyone who can write {} chooses the policy it plays (versions are"
                            + " still bounded by --max-version-jump {})",
                    settings.experimentId(),
                    settings.snapshotsTopic(),
                    settings.maxVersionJump());
        }
        this.pacing = new LearnerPacing(settings.maxStepsAhead());
        this.workerVersions = new AtomicLongArray(settings.workers());
        for (int i = 0; i < settings.workers(); i++) {
            workerVersions.set(i, -1);
        }
        this.workersDone = new CountDownLatch(settings.workers());
    }

    /**
     * Starts the snapshot watcher, waits for the experiment's first snapshot, checks that it fits
     * the maze, and starts the workers.
     *
     * <p>Creates the step topic (and the budget topics) with the broker's defaults when absent.
     *
     * @throws IllegalStateException if no snapshot arrives within the wait, Kafka is unreachable,
     *     or the snapshot cannot be loaded or was trained for another maze
     */
    public synchronized void start() {
        if (started) {
            throw new IllegalStateException("this fleet was already started; build another one");
        }
        started = true;
        List<String> topics = new ArrayList<>(List.of(settings.stepsTopic()));
        settings.budget()
                .ifPresent(
                        budget -> {
                            topics.add(budget.requestsTopic());
                            topics.add(budget.budgetTopic());
                        });
        KafkaTopics.ensureExist(
                settings.bootstrapServers(),
                settings.kafkaTimeout(),
                settings.kafkaSecurity(),
                settings.topicReplication(),
                topics.toArray(String[]::new));
        watcher = new Thread(this::watchSnapshots, "fleet-snapshots-" + settings.experimentId());
        watcher.setDaemon(true);
        watcher.start();
        PolicySnapshot first = awaitFirstSnapshot();
        try (PolicyNetwork network = load(first)) {
            LOG.info(
                    "Fleet for {} starts on version {}: {} workers, {} tasks, groups of {}, {}"
                            + " maze{}",
                    settings.experimentId(),
                    first.getVersion(),
                    settings.workers(),
                    settings.tasks(),
                    settings.groupSize(),
                    settings.maze().cliName(),
                    settings.stepLatency().isZero()
                            ? ""
                            : ", each step taking " + settings.stepLatency().toMillis() + " ms");
        } catch (RuntimeException e) {
            stop();
            throw e;
        }
        double perWorkerRate = settings.targetEventsPerSecond() / settings.workers();
        for (int i = 0; i < settings.workers(); i++) {
            Thread thread =
                    new Thread(
                            new Worker(i, workerSeed(settings.seed(), i), perWorkerRate),
                            "fleet-worker-" + i);
            thread.setDaemon(true);
            workers.add(thread);
        }
        workers.forEach(Thread::start);
    }

    /**
     * Waits until every worker has stopped (a limit reached, {@link #stop()}, or a failure).
     *
     * @return false if {@code timeout} passed first
     */
    public boolean awaitTermination(Duration timeout) throws InterruptedException {
        return workersDone.await(LearnerService.saturatedNanos(timeout), TimeUnit.NANOSECONDS);
    }

    /**
     * Starts if needed, plays for {@code duration} or until a limit is reached, then stops and
     * waits for the workers.
     *
     * @throws IllegalStateException if a worker failed
     */
    public void runFor(Duration duration) throws InterruptedException {
        synchronized (this) {
            if (!started) {
                start();
            }
        }
        awaitTermination(duration);
        stop();
        if (!awaitTermination(Duration.ofSeconds(30))) {
            throw new IllegalStateException("fleet workers did not stop within 30 s");
        }
        failure()
                .ifPresent(
                        e -> {
                            // A login or grant the broker refused is named with its fix.
                            String reason =
                                    KafkaAccessErrors.explain(
                                                    e,
                                                    settings.kafkaSecurity(),
                                                    this::operationOn,
                                                    settings.bootstrapServers())
                                            .orElse(e.getMessage());
                            throw new IllegalStateException("the fleet failed: " + reason, e);
                        });
    }

    /** What the fleet does to {@code topic}: writes steps and budget requests, reads the rest. */
    private KafkaAccessErrors.Operation operationOn(String topic) {
        boolean written =
                topic.equals(settings.stepsTopic())
                        || settings.budget()
                                .map(b -> b.requestsTopic().equals(topic))
                                .orElse(false);
        return written ? KafkaAccessErrors.Operation.WRITE : KafkaAccessErrors.Operation.READ;
    }

    /** Asks every worker to stop after its group in progress; does not wait. */
    public void stop() {
        stopRequested = true;
        PolicySnapshotReader current = reader;
        if (current != null) {
            try {
                current.wakeup();
            } catch (RuntimeException e) {
                // Closed concurrently by the watcher itself: nothing left to wake.
            }
        }
    }

    /** The counters, summed over the workers. */
    public FleetProgress progress() {
        long oldest = -1;
        for (int i = 0; i < workerVersions.length(); i++) {
            long v = workerVersions.get(i);
            if (v >= 0 && (oldest < 0 || v < oldest)) {
                oldest = v;
            }
        }
        PolicySnapshot latest = newest.get();
        long budgetRounds = 0;
        long budgetFallbacks = 0;
        long budgetAnswersRefused = 0;
        for (BudgetClient client : budgetClients) {
            budgetRounds += client.rounds();
            budgetFallbacks += client.fallbacks();
            budgetAnswersRefused += client.refusedAnswers();
        }
        return new FleetProgress(
                groups.get(),
                episodes.get(),
                successes.get(),
                steps.get(),
                oldest,
                latest == null ? -1 : latest.getVersion(),
                policySwaps.get(),
                loadFailures.get(),
                budgetRounds,
                budgetFallbacks,
                pacingPauses.get(),
                pausedCount(),
                pausedWorkerSeconds(),
                stall().orElse(null),
                snapshotsRefused.get(),
                budgetAnswersRefused);
    }

    private int pausedCount() {
        synchronized (snapshotMonitor) {
            return pausedWorkers;
        }
    }

    /**
     * The time workers spent paused for the learner, summed over them, pauses under way included.
     */
    private double pausedWorkerSeconds() {
        synchronized (snapshotMonitor) {
            return (pausedWorkerNanos
                            + pausedWorkers * (System.nanoTime() - pausedCountChangedNanos))
                    / 1e9;
        }
    }

    /** Changes the paused-worker count by {@code delta}, accruing the time paused so far. */
    private void changePausedWorkers(int delta) {
        long now = System.nanoTime();
        pausedWorkerNanos += pausedWorkers * (now - pausedCountChangedNanos);
        pausedCountChangedNanos = now;
        pausedWorkers += delta;
    }

    /**
     * What the fleet is stuck on, when a worker has been paused for the learner for {@link
     * FleetSettings#stallWarning()} or longer and no newer snapshot came meanwhile: how long, the
     * steps ahead and the limit, what the newest snapshot said of the learner, and the likely
     * cause.
     */
    public Optional<String> stall() {
        synchronized (snapshotMonitor) {
            return stallLocked(System.nanoTime());
        }
    }

    private Optional<String> stallLocked(long now) {
        Duration warning = settings.stallWarning();
        if (warning.isZero() || pausedWorkers == 0) {
            return Optional.empty();
        }
        long stuckNanos = now - Math.max(pausedSinceNanos, newestArrivedNanos);
        if (stuckNanos < warning.toNanos()) {
            return Optional.empty();
        }
        return Optional.of(
                String.format(
                        Locale.ROOT,
                        "%d of %d workers paused for the learner for %d s with no newer snapshot:"
                                + " %s; %s",
                        pausedWorkers,
                        settings.workers(),
                        TimeUnit.NANOSECONDS.toSeconds(stuckNanos),
                        pacing.describe(),
                        pacing.diagnosis()));
    }

    /** The newest snapshot of the experiment seen so far, if any. */
    public Optional<PolicySnapshot> newestSnapshot() {
        return Optional.ofNullable(newest.get());
    }

    /** What stopped the fleet abnormally, if anything did. */
    public Optional<Throwable> failure() {
        return Optional.ofNullable(failure.get());
    }

    /** The settings this fleet runs with. */
    public FleetSettings settings() {
        return settings;
    }

    /**
     * Stops the workers and the watcher and waits for them (up to 30 s); an interrupt ends the wait
     * early and is kept on the thread.
     */
    @Override
    public void close() {
        stop();
        try {
            for (Thread worker : workers) {
                worker.join(TimeUnit.SECONDS.toMillis(30));
            }
            if (watcher != null) {
                watcher.join(TimeUnit.SECONDS.toMillis(10));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    // ---- snapshots
    // -------------------------------------------------------------------------------

    private void watchSnapshots() {
        try (PolicySnapshotReader snapshots =
                new PolicySnapshotReader(
                        settings.bootstrapServers(),
                        settings.snapshotsTopic(),
                        settings.kafkaTimeout(),
                        "creditstream-fleet-" + settings.experimentId(),
                        settings.kafkaSecurity())) {
            reader = snapshots;
            while (!stopRequested) {
                if (!snapshots.assignIfPresent()) {
                    LockSupport.parkNanos(WATCH_POLL.toNanos());
                    continue;
                }
                for (PolicySnapshot snapshot : snapshots.poll(WATCH_POLL)) {
                    if (snapshot.getExperimentId().equals(settings.experimentId())
                            && believed(snapshot)) {
                        PolicySnapshot now =
                                newest.accumulateAndGet(
                                        snapshot,
                                        (a, b) ->
                                                a == null || b.getVersion() > a.getVersion()
                                                        ? b
                                                        : a);
                        if (now == snapshot) {
                            newestArrivedNanos = System.nanoTime();
                            synchronized (snapshotMonitor) {
                                snapshotMonitor.notifyAll();
                            }
                        }
                    }
                }
            }
        } catch (RuntimeException e) {
            if (!stopRequested) {
                failure.compareAndSet(null, e);
                LOG.error("Reading {} failed; the fleet stops", settings.snapshotsTopic(), e);
                stopRequested = true;
            }
        } finally {
            reader = null;
            synchronized (snapshotMonitor) {
                snapshotMonitor.notifyAll();
            }
        }
    }

    /**
     * Whether the gate lets {@code snapshot} move the fleet's newest version; a refusal is logged
     * (the first few, then every 1000th) and counted. Only the watcher thread calls this.
     */
    private boolean believed(PolicySnapshot snapshot) {
        PolicySnapshot current = newest.get();
        Long newestVersion = current == null ? null : current.getVersion();
        SnapshotGate.Verdict verdict = gate.judge(snapshot, newestVersion);
        if (verdict == SnapshotGate.Verdict.BELIEVED) {
            return true;
        }
        long refused = snapshotsRefused.incrementAndGet();
        if (refused <= 5 || refused % 1000 == 0) {
            LOG.warn(
                    "Ignored a record on {} ({} so far): {}",
                    settings.snapshotsTopic(),
                    refused,
                    gate.describeRefusal(snapshot, verdict, newestVersion));
        }
        return false;
    }

    private static PublicKey readPublicKey(Path file) {
        try {
            return SigningKeys.readPublicKey(file);
        } catch (IOException | IllegalArgumentException e) {
            throw new InvalidSettingException(
                    "snapshot-public-key",
                    "cannot read an Ed25519 public key from "
                            + file
                            + " ("
                            + e.getMessage()
                            + "); pass the learner's snapshot-signing.pub",
                    e);
        }
    }

    private PolicySnapshot awaitFirstSnapshot() {
        long deadline = System.nanoTime() + LearnerService.saturatedNanos(settings.snapshotWait());
        synchronized (snapshotMonitor) {
            while (newest.get() == null) {
                Throwable failed = failure.get();
                if (failed != null) {
                    stop();
                    if (failed instanceof IllegalStateException state) {
                        throw state;
                    }
                    throw new IllegalStateException(
                            "cannot read "
                                    + settings.snapshotsTopic()
                                    + " at "
                                    + settings.bootstrapServers()
                                    + ": "
                                    + failed.getMessage()
                                    + "; check --bootstrap-servers",
                            failed);
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    stop();
                    throw new IllegalStateException(
                            "no policy snapshot of experiment '"
                                    + settings.experimentId()
                                    + "' arrived on "
                                    + settings.snapshotsTopic()
                                    + " at "
                                    + settings.bootstrapServers()
                                    + " within "
                                    + settings.snapshotWait().toSeconds()
                                    + " s: start the learner first (`learner --experiment "
                                    + settings.experimentId()
                                    + "`), check --experiment and --snapshots-topic, or raise"
                                    + " --snapshot-wait");
                }
                try {
                    TimeUnit.NANOSECONDS.timedWait(snapshotMonitor, Math.min(left, 100_000_000L));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    stop();
                    throw new IllegalStateException("interrupted while waiting for a snapshot", e);
                }
            }
            return newest.get();
        }
    }

    /**
     * Loads a snapshot's network and checks it reads this fleet's maze; the caller closes it.
     *
     * @throws IllegalStateException if it cannot be loaded or was trained for another maze
     */
    private PolicyNetwork load(PolicySnapshot snapshot) {
        PolicyNetwork network;
        try {
            network = store.load(snapshot);
        } catch (IOException | RuntimeException e) {
            throw new IllegalStateException(
                    "cannot load version "
                            + snapshot.getVersion()
                            + " of experiment '"
                            + snapshot.getExperimentId()
                            + "' from "
                            + snapshot.getArtifactUri()
                            + ": "
                            + e.getMessage()
                            + " (the fleet reads weights only under --store "
                            + store.root()
                            + ": pass the learner's --store, visible at the same path)",
                    e);
        }
        if (!settings.maze().fits(network.spec())) {
            network.close();
            throw new IllegalStateException(
                    "version "
                            + snapshot.getVersion()
                            + " of experiment '"
                            + snapshot.getExperimentId()
                            + "' was trained for a "
                            + network.spec().rows()
                            + "x"
                            + network.spec().cols()
                            + " maze, but --maze "
                            + settings.maze().cliName()
                            + " is "
                            + settings.maze().spec().rows()
                            + "x"
                            + settings.maze().spec().cols()
                            + "; pass the learner's --maze");
        }
        return network;
    }

    // ---- pacing
    // ---------------------------------------------------------------------------------

    /**
     * With {@code maxStepsAhead} set, blocks while the steps the learner has not trained on reach
     * it ({@link LearnerPacing}), until a newer snapshot says it trained on more, or the fleet
     * stops. A pause that outlasts {@link FleetSettings#stallWarning()} with no newer snapshot is
     * logged once, with what the fleet waits for.
     */
    private void awaitPolicyProgress() {
        if (settings.maxStepsAhead() == 0) {
            return;
        }
        synchronized (snapshotMonitor) {
            boolean paused = false;
            try {
                while (!stopRequested) {
                    pacing.follow(newest.get());
                    if (!pacing.mustWait()) {
                        return;
                    }
                    if (!paused) {
                        paused = true;
                        if (pausedWorkers == 0) {
                            pausedSinceNanos = System.nanoTime();
                        }
                        changePausedWorkers(1);
                        pacingPauses.incrementAndGet();
                    }
                    logStallOnce();
                    // Woken by the snapshot watcher; the timeout only rechecks stopRequested.
                    TimeUnit.MILLISECONDS.timedWait(snapshotMonitor, 100);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                stopRequested = true;
            } finally {
                if (paused) {
                    changePausedWorkers(-1);
                }
            }
        }
    }

    /** Logs a stall once per stall: per pause, and again after a newer snapshot. */
    private void logStallOnce() {
        long since = Math.max(pausedSinceNanos, newestArrivedNanos);
        if (since == stallLoggedSince) {
            return;
        }
        Optional<String> stall = stallLocked(System.nanoTime());
        if (stall.isPresent()) {
            stallLoggedSince = since;
            LOG.warn("Fleet {} stalled: {}", settings.experimentId(), stall.get());
        }
    }

    /** Counts {@code sent} steps played with {@code policyVersion} as ahead of the learner. */
    private void countSentSteps(long policyVersion, int sent) {
        if (settings.maxStepsAhead() == 0) {
            return;
        }
        synchronized (snapshotMonitor) {
            pacing.follow(newest.get());
            pacing.sent(policyVersion, sent);
        }
    }

    // ---- workers
    // ---------------------------------------------------------------------------------

    /** Reserves one group of {@code size} episodes under the limits; false once they are spent. */
    private boolean reserve(int size) {
        if (settings.maxGroups() > 0 && reservedGroups.getAndIncrement() >= settings.maxGroups()) {
            return false;
        }
        return settings.maxEpisodes() == 0
                || reservedEpisodes.getAndAdd(size) < settings.maxEpisodes();
    }

    /** Whether the group or episode limit is already spent. */
    private boolean limitsReached() {
        return (settings.maxGroups() > 0 && reservedGroups.get() >= settings.maxGroups())
                || (settings.maxEpisodes() > 0 && reservedEpisodes.get() >= settings.maxEpisodes());
    }

    private static long workerSeed(long seed, int worker) {
        return mix(seed + 0x9E3779B97F4A7C15L * (worker + 1));
    }

    /** SplitMix64's finaliser: nearby inputs give unrelated seeds. */
    private static long mix(long value) {
        long z = value + 0x9E3779B97F4A7C15L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** One worker thread: its own environment, network copy and producer. */
    private final class Worker implements Runnable {
        private final int index;
        private final long seed;
        private final double rate;
        private final SwitchablePolicy policy = new SwitchablePolicy();
        private PolicyNetwork network;
        private long version = -1;
        private long failedVersion = -1;
        private StepEventProducer producer;

        Worker(int index, long seed, double rate) {
            this.index = index;
            this.seed = seed;
            this.rate = rate;
        }

        @Override
        public void run() {
            BudgetClient budget = null;
            try {
                producer =
                        new StepEventProducer(
                                settings.bootstrapServers(),
                                settings.stepsTopic(),
                                settings.kafkaSecurity()
                                        .with(
                                                Map.of(
                                                        ProducerConfig.CLIENT_ID_CONFIG,
                                                        "creditstream-fleet-"
                                                                + settings.experimentId()
                                                                + "-w"
                                                                + index)));
                refreshPolicy(true);
                SimulatedFleet fleet =
                        SimulatedFleet.builder(settings.experimentId())
                                .tasks(settings.tasks())
                                .groupSize(settings.groupSize())
                                .seed(seed)
                                .runId(settings.runId() + "-w" + index)
                                .environment(this::environment)
                                .policy(policy)
                                .build();
                if (settings.budget().isPresent()) {
                    FleetSettings.Budget b = settings.budget().get();
                    budget =
                            new BudgetClient(
                                    settings.bootstrapServers(),
                                    settings.kafkaSecurity(),
                                    b.requestsTopic(),
                                    b.budgetTopic(),
                                    settings.experimentId(),
                                    settings.runId() + "-w" + index,
                                    fleet.taskIds(),
                                    b.roundSize(),
                                    settings.groupSize(),
                                    b.timeout());
                    budgetClients.add(budget);
                }
                FleetRunner.Builder runner =
                        FleetRunner.builder(fleet, producer)
                                .targetEventsPerSecond(rate)
                                .planner(budget)
                                .stopWhen(() -> stopRequested || limitsReached())
                                .gate(this::admit)
                                .afterGroup(this::sent);
                // Plays until a stop or a limit, then flushes the producer.
                runner.build().run();
            } catch (Throwable e) {
                if (failure.compareAndSet(null, e)) {
                    LOG.error("Fleet worker {} failed; the fleet stops", index, e);
                }
                stopRequested = true;
            } finally {
                closeQuietly(budget);
                if (producer != null) {
                    try {
                        producer.close();
                    } catch (RuntimeException e) {
                        // A send that failed after the last flush: the fleet did not end cleanly.
                        failure.compareAndSet(null, e);
                    }
                }
                if (network != null) {
                    network.close();
                }
                workersDone.countDown();
            }
        }

        /** The maze, every step of it taking {@link FleetSettings#stepLatency()} if set. */
        private TextEnvironment environment() {
            TextEnvironment maze = new KeyDoorMazeEnvironment(settings.maze().spec());
            return settings.stepLatency().isZero()
                    ? maze
                    : new SlowEnvironment(maze, settings.stepLatency());
        }

        /**
         * Before each group: waits while the fleet is too far ahead of the learner, reserves the
         * group under the limits (false once they are spent, or on stop) and switches to the newest
         * snapshot, so that one group is played by one policy version.
         */
        private boolean admit(String taskId, int size) {
            awaitPolicyProgress();
            if (stopRequested || !reserve(size)) {
                return false;
            }
            // Between groups: the only place the policy may change.
            refreshPolicy(false);
            return true;
        }

        /** After each group is sent: the fleet's counters and the steps ahead of the learner. */
        private void sent(RolloutGroup group) {
            countSentSteps(
                    group.events().isEmpty() ? version : group.events().get(0).getPolicyVersion(),
                    group.events().size());
            groups.incrementAndGet();
            episodes.addAndGet(group.episodes());
            successes.addAndGet(group.successes());
            steps.addAndGet(group.steps());
        }

        /** Switches to the newest snapshot if it is newer than the one played. */
        private void refreshPolicy(boolean first) {
            PolicySnapshot snapshot = newest.get();
            if (snapshot == null || snapshot.getVersion() <= version) {
                return;
            }
            PolicyNetwork loaded;
            try {
                loaded = load(snapshot);
            } catch (IllegalStateException e) {
                if (first) {
                    throw e;
                }
                if (failedVersion != snapshot.getVersion()) {
                    failedVersion = snapshot.getVersion();
                    loadFailures.incrementAndGet();
                    LOG.warn(
                            "Fleet worker {} keeps version {}: {}", index, version, e.getMessage());
                }
                return;
            }
            policy.use(
                    new DjlAgentPolicy(
                            loaded, snapshot.getVersion(), mix(seed ^ mix(snapshot.getVersion()))));
            if (network != null) {
                network.close();
                policySwaps.incrementAndGet();
            }
            network = loaded;
            version = snapshot.getVersion();
            workerVersions.set(index, version);
        }
    }

    private static void closeQuietly(AutoCloseable closeable) {
        if (closeable == null) {
            return;
        }
        try {
            closeable.close();
        } catch (Exception e) {
            LOG.warn("Closing {} failed: {}", closeable.getClass().getSimpleName(), e.getMessage());
        }
    }
}
