package io.creditstream.tools;

import io.creditstream.broker.EmbeddedKafkaBroker;
import io.creditstream.fleet.BudgetClient;
import io.creditstream.fleet.FleetRunner;
import io.creditstream.fleet.SimulatedFleet;
import io.creditstream.fleet.StepEventProducer;
import io.creditstream.operators.core.credit.Estimator;
import io.creditstream.operators.flink.CreditMetrics;
import io.creditstream.operators.flink.budget.BudgetMetrics;
import io.creditstream.schemas.AdvantageBatch;
import io.creditstream.schemas.AdvantageRecord;
import io.creditstream.schemas.codec.AvroCodec;
import io.creditstream.streams.options.CreditstreamOptions;
import java.io.PrintStream;
import java.time.Duration;
import java.util.UUID;
import java.util.function.BooleanSupplier;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;

/**
 * {@code creditstream demo}: everything on one machine. An in-process Kafka broker, the job on a
 * local MiniCluster (RocksDB, exactly-once checkpoints, Flink's Prometheus reporter), and a
 * simulated fleet playing a sparse-reward maze whose rollouts revisit states. Progress comes from
 * the job's own Prometheus endpoint and from reading learner.batches as a learner would ({@code
 * read_committed}).
 */
public final class RandomFleetDemo {
    /** How long the fleet waits for a round's budgets before it plays the round uniformly. */
    private static final Duration BUDGET_ANSWER_TIMEOUT = Duration.ofSeconds(10);

    /** What the demo was asked to do. */
    public record Settings(
            Duration duration,
            int tasks,
            int groupSize,
            long seed,
            double eventsPerSecond,
            int metricsPort,
            Duration reportEvery) {}

    /** What the demo saw. */
    public record Summary(
            double seconds,
            long eventsSent,
            long eventsIn,
            long groupsCompleted,
            long batches,
            long records,
            double meanAbsAdvantage,
            double meanAnchorGroupSize,
            double singletonRatio,
            long deadLettered,
            double lastStepToAdvantageP99Ms,
            long budgetRounds,
            long budgetFallbacks,
            double effectiveGradientRatio,
            PrmFigures prm) {}

    /**
     * The in-stream PRM's figures from the job's metrics, when the estimator is oprl: rolling DPO
     * loss and pre-update pair accuracy, pairs trained on, live features, the step rewards' mean
     * and std, and the step weight α of the last group.
     */
    public record PrmFigures(
            double loss,
            double pairAccuracy,
            long pairs,
            long liveFeatures,
            double stepRewardMean,
            double stepRewardStd,
            double stepWeight) {

        /** The figures from one Prometheus exposition of the job (averaged over subtasks). */
        static PrmFigures scrape(String text) {
            return new PrmFigures(
                    PrometheusText.mean(text, CreditMetrics.PRM_LOSS),
                    PrometheusText.mean(text, CreditMetrics.PRM_PAIR_ACCURACY),
                    (long) PrometheusText.sum(text, CreditMetrics.PRM_PAIRS),
                    (long) PrometheusText.sum(text, CreditMetrics.PRM_LIVE_FEATURES),
                    PrometheusText.mean(text, CreditMetrics.PRM_STEP_REWARD_MEAN),
                    PrometheusText.mean(text, CreditMetrics.PRM_STEP_REWARD_STD),
                    PrometheusText.mean(text, CreditMetrics.PRM_STEP_WEIGHT));
        }

        public String line() {
            return String.format(
                    "PRM loss %.4f, pair accuracy %.3f, %,d pairs, %,d features, step reward"
                            + " %.4f ± %.4f, alpha %.2f",
                    loss,
                    pairAccuracy,
                    pairs,
                    liveFeatures,
                    stepRewardMean,
                    stepRewardStd,
                    stepWeight);
        }
    }

    private final Settings settings;
    private final Configuration userConfig;
    private final PrintStream out;

    public RandomFleetDemo(Settings settings, Configuration userConfig, PrintStream out) {
        this.settings = settings;
        this.userConfig = userConfig;
        this.out = out;
    }

    /** Runs until the duration passes or {@code stopRequested} turns true. */
    public Summary run(BooleanSupplier stopRequested) throws Exception {
        long start = System.nanoTime();
        try (EmbeddedJob embedded =
                EmbeddedJob.start(userConfig, settings.metricsPort(), "creditstream demo")) {
            Configuration config = embedded.config();
            EmbeddedKafkaBroker broker = embedded.broker();
            out.printf("Kafka broker (KRaft, in-process) at %s%n", broker.bootstrapServers());
            JobClient job = embedded.job();
            out.printf(
                    "Flink job %s on a local MiniCluster (RocksDB state, checkpoints every %s)%n",
                    job.getJobID(), config.getString("execution.checkpointing.interval", "?"));
            out.printf(
                    "Prometheus metrics: %s  (names start with flink_taskmanager_job_task_operator_credit)%n",
                    embedded.metrics().url());
            out.printf(
                    "estimator %s, %d tasks, groups of %d, %s%n",
                    config.get(CreditstreamOptions.ESTIMATOR),
                    settings.tasks(),
                    settings.groupSize(),
                    settings.duration() == null ? "until Ctrl-C" : "for " + settings.duration());

            SimulatedFleet fleet =
                    randomFleet("demo", settings.tasks(), settings.groupSize(), settings.seed());
            BudgetClient budgets =
                    config.get(CreditstreamOptions.BUDGET_ENABLED)
                            ? new BudgetClient(
                                    broker.bootstrapServers(),
                                    config.get(CreditstreamOptions.TOPIC_REQUESTS),
                                    config.get(CreditstreamOptions.TOPIC_BUDGET),
                                    fleet.experimentId(),
                                    fleet.experimentId() + "-" + UUID.randomUUID(),
                                    fleet.taskIds(),
                                    fleet.taskIds().size(),
                                    settings.groupSize(),
                                    BUDGET_ANSWER_TIMEOUT)
                            : null;
            if (budgets != null) {
                out.printf(
                        "Knapsack budgets: every round asks for %d rollouts over all %d tasks on"
                                + " %s%n",
                        settings.groupSize() * fleet.taskIds().size(),
                        fleet.taskIds().size(),
                        config.get(CreditstreamOptions.TOPIC_REQUESTS));
            }
            try (BudgetClient planner = budgets;
                    StepEventProducer producer =
                            new StepEventProducer(
                                    broker.bootstrapServers(),
                                    config.get(CreditstreamOptions.TOPIC_STEPS))) {
                FleetRunner runner =
                        FleetRunner.builder(fleet, producer)
                                .targetEventsPerSecond(settings.eventsPerSecond())
                                .planner(planner)
                                .build();
                Thread fleetThread = new Thread(runner, "demo-fleet");
                fleetThread.setDaemon(true);
                fleetThread.start();
                boolean oprl =
                        CreditstreamOptions.creditParams(config).estimator() == Estimator.OPRL;
                Progress progress = new Progress(embedded.metrics(), planner, oprl);
                try (KafkaConsumer<byte[], byte[]> batches =
                        embedded.committedConsumer(
                                config.get(CreditstreamOptions.TOPIC_BATCHES),
                                "creditstream-demo-monitor")) {
                    long deadline =
                            settings.duration() == null
                                    ? Long.MAX_VALUE
                                    : start + settings.duration().toNanos();
                    long nextReport = System.nanoTime() + settings.reportEvery().toNanos();
                    while (System.nanoTime() < deadline && !stopRequested.getAsBoolean()) {
                        progress.consume(batches.poll(Duration.ofMillis(250)));
                        if (runner.failure().isPresent()) {
                            throw runner.failure().get();
                        }
                        if (System.nanoTime() >= nextReport) {
                            progress.scrape();
                            out.println(progress.line(start, runner.events()));
                            nextReport += settings.reportEvery().toNanos();
                        }
                    }
                    runner.stop();
                    runner.awaitFinished(10, java.util.concurrent.TimeUnit.SECONDS);
                    progress.scrape();
                    out.println(embedded.stop());
                    return progress.summary(start, runner.events());
                }
            }
        }
    }

    /**
     * The demo's simulated fleet: a random policy in the small corridor maze, so episodes take a
     * few to a few dozen steps and groups complete within moments.
     */
    public static SimulatedFleet randomFleet(
            String experimentId, int tasks, int groupSize, long seed) {
        return SimulatedFleet.builder(experimentId)
                .tasks(tasks)
                .groupSize(groupSize)
                .seed(seed)
                .build();
    }

    /** Running figures: from the batches read back, and from the job's Prometheus endpoint. */
    static final class Progress {
        private final MetricsEndpoint metrics;
        private final BudgetClient budgets;
        private double effectiveGradientRatio;
        private final AvroCodec<AdvantageBatch> codec = AvroCodec.of(AdvantageBatch.class);
        private long batches;
        private long records;
        private double absAdvantageSum;
        private long singletons;
        private long anchorGroupSizeSum;
        private long eventsIn;
        private long eventsInAtLastLine;
        private long lastLineNanos;
        private long groupsCompleted;
        private long deadLettered;
        private double latencyP99;
        private final boolean oprl;
        private PrmFigures prm;

        Progress(MetricsEndpoint metrics, BudgetClient budgets, boolean oprl) {
            this.metrics = metrics;
            this.budgets = budgets;
            this.oprl = oprl;
        }

        void consume(Iterable<ConsumerRecord<byte[], byte[]>> polled) {
            for (ConsumerRecord<byte[], byte[]> record : polled) {
                AdvantageBatch batch = codec.decode(record.value());
                batches++;
                for (AdvantageRecord advantage : batch.getRecords()) {
                    records++;
                    absAdvantageSum += Math.abs(advantage.getAdvantage());
                    anchorGroupSizeSum += advantage.getAnchorGroupSize();
                    if (advantage.getAnchorGroupSize() == 1) {
                        singletons++;
                    }
                }
            }
        }

        /**
         * Reads the job's counters from its Prometheus endpoint (summed over subtasks); until the
         * reporter answers, the figures stay at their last value.
         */
        void scrape() {
            metrics.scrape()
                    .ifPresent(
                            text -> {
                                eventsIn = (long) PrometheusText.sum(text, CreditMetrics.EVENTS_IN);
                                groupsCompleted =
                                        (long)
                                                PrometheusText.sum(
                                                        text, CreditMetrics.GROUPS_COMPLETED);
                                deadLettered =
                                        (long)
                                                PrometheusText.sum(
                                                        text, CreditMetrics.DEAD_LETTERED);
                                effectiveGradientRatio =
                                        PrometheusText.mean(
                                                text, BudgetMetrics.EFFECTIVE_GRADIENT_RATIO);
                                latencyP99 =
                                        PrometheusText.max(
                                                text,
                                                CreditMetrics.LAST_STEP_TO_ADVANTAGE_MS,
                                                "quantile=\"0.99\"");
                                if (oprl) {
                                    prm = PrmFigures.scrape(text);
                                }
                            });
        }

        /** One progress line; the rate is over the time since the previous line. */
        String line(long start, long eventsSent) {
            long now = System.nanoTime();
            double interval = (now - (lastLineNanos == 0 ? start : lastLineNanos)) / 1e9;
            double rate = (eventsIn - eventsInAtLastLine) / Math.max(interval, 1e-9);
            lastLineNanos = now;
            eventsInAtLastLine = eventsIn;
            Summary snapshot = summary(start, eventsSent);
            return String.format(
                            "[%5.1fs] events sent %,d | in %,d (%,.0f/s) | groups done %,d | batches out"
                                    + " %,d (%,d records) | mean |A| %.3f | anchor group size %.1f,"
                                    + " singletons %.1f%% | last step -> advantage p99 %.0f ms | dead"
                                    + " letters %,d",
                            snapshot.seconds(),
                            snapshot.eventsSent(),
                            snapshot.eventsIn(),
                            rate,
                            snapshot.groupsCompleted(),
                            snapshot.batches(),
                            snapshot.records(),
                            snapshot.meanAbsAdvantage(),
                            snapshot.meanAnchorGroupSize(),
                            100 * snapshot.singletonRatio(),
                            snapshot.lastStepToAdvantageP99Ms(),
                            snapshot.deadLettered())
                    + (budgets == null
                            ? ""
                            : String.format(
                                    " | budget rounds %,d (%d fallback), rollouts/task %d-%d,"
                                            + " effective-gradient ratio %.2f",
                                    snapshot.budgetRounds(),
                                    snapshot.budgetFallbacks(),
                                    budgets.lastMin(),
                                    budgets.lastMax(),
                                    snapshot.effectiveGradientRatio()))
                    + (prm == null ? "" : " | " + prm.line());
        }

        Summary summary(long start, long eventsSent) {
            return new Summary(
                    (System.nanoTime() - start) / 1e9,
                    eventsSent,
                    eventsIn,
                    groupsCompleted,
                    batches,
                    records,
                    records == 0 ? 0.0 : absAdvantageSum / records,
                    records == 0 ? 0.0 : (double) anchorGroupSizeSum / records,
                    records == 0 ? 0.0 : (double) singletons / records,
                    deadLettered,
                    latencyP99,
                    budgets == null ? 0 : budgets.rounds(),
                    budgets == null ? 0 : budgets.fallbacks(),
                    effectiveGradientRatio,
                    prm);
        }
    }
}
