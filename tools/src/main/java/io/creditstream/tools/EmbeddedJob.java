package io.creditstream.tools;

import io.creditstream.broker.EmbeddedKafkaBroker;
import io.creditstream.cluster.metrics.LoopbackPrometheusReporterFactory;
import io.creditstream.streams.JobEnvironment;
import io.creditstream.streams.RunJob;
import io.creditstream.streams.kafka.KafkaIo;
import io.creditstream.streams.options.CreditstreamOptions;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.commons.io.FileUtils;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Everything the demos and the soak run on, in this process: a Kafka broker (KRaft) on free
 * localhost ports with the job's topics, and the creditstream job on a local MiniCluster with
 * RocksDB state, exactly-once checkpoints into a temporary directory, and Flink's Prometheus
 * reporter on a free loopback port. One place, so that what the soak measures is the job the demo
 * shows.
 *
 * <p>{@link #close()} cancels the job if it still runs, stops the broker and deletes the temporary
 * directory.
 */
public final class EmbeddedJob implements AutoCloseable {
    private final Path work;
    private final EmbeddedKafkaBroker broker;
    private final Configuration config;
    private final JobClient job;
    private final MetricsEndpoint metrics;

    /**
     * How long {@link #stop()} waits for the final savepoint before it cancels the job instead:
     * seconds on an idle machine (the demos' state is small), generous for a busy one.
     */
    static final Duration STOP_TIMEOUT = Duration.ofMinutes(2);

    private EmbeddedJob(
            Path work,
            EmbeddedKafkaBroker broker,
            Configuration config,
            JobClient job,
            MetricsEndpoint metrics) {
        this.work = work;
        this.broker = broker;
        this.config = config;
        this.job = job;
        this.metrics = metrics;
    }

    /**
     * Starts the broker, creates the topics and submits the job.
     *
     * @param userConfig options over the demo's defaults (see {@link #jobConfig})
     * @param metricsPort the Prometheus port; 0 picks a free one
     */
    public static EmbeddedJob start(Configuration userConfig, int metricsPort, String jobName)
            throws Exception {
        Path work = Files.createTempDirectory("creditstream-demo-");
        EmbeddedKafkaBroker broker = null;
        try {
            int port = metricsPort > 0 ? metricsPort : freePort();
            broker = EmbeddedKafkaBroker.builder().build().start();
            Configuration config = jobConfig(userConfig, broker, work, port, freePort());
            KafkaIo.createAbsentTopics(config);
            JobClient job = RunJob.environment(config).executeAsync(jobName);
            return new EmbeddedJob(
                    work,
                    broker,
                    config,
                    job,
                    new MetricsEndpoint("http://127.0.0.1:" + port + "/metrics"));
        } catch (Exception | Error e) {
            if (broker != null) {
                broker.close();
            }
            deleteQuietly(work);
            throw e;
        }
    }

    /**
     * The demo's job settings under the user's, on the embedded broker; the MiniCluster's REST API
     * on {@code restPort} of the loopback interface.
     */
    static Configuration jobConfig(
            Configuration userConfig,
            EmbeddedKafkaBroker broker,
            Path work,
            int metricsPort,
            int restPort) {
        Configuration demo = new Configuration();
        demo.setString("execution.checkpointing.interval", "2 s");
        demo.setString("parallelism.default", "2");
        demo.setString("batch.linger", "200 ms");
        demo.setString(
                "metrics.reporter.prom.factory.class",
                LoopbackPrometheusReporterFactory.class.getName());
        demo.setString("metrics.reporter.prom.port", String.valueOf(metricsPort));
        demo.setString("metrics.reporter.prom.interval", "1 s");
        demo.setString("rest.address", "127.0.0.1");
        demo.setString("rest.bind-address", "127.0.0.1");
        demo.setString("rest.bind-port", String.valueOf(restPort));
        demo.setString("kafka.transactional-id-prefix", "creditstream-demo-" + UUID.randomUUID());
        // The embedded broker is a single node: its topics can have one replica only.
        demo.set(CreditstreamOptions.TOPIC_REPLICATION_FACTOR, 1);
        demo.addAll(userConfig);
        demo.set(CreditstreamOptions.BOOTSTRAP_SERVERS, broker.bootstrapServers());
        return JobEnvironment.withDefaults(demo, work.resolve("checkpoints"));
    }

    public EmbeddedKafkaBroker broker() {
        return broker;
    }

    /** The job's full configuration: the demo's defaults, the user's options, the broker. */
    public Configuration config() {
        return config;
    }

    public JobClient job() {
        return job;
    }

    public MetricsEndpoint metrics() {
        return metrics;
    }

    /**
     * The MiniCluster's REST API (job state, exceptions), when it listens on one known port; empty
     * when the user's options gave {@code rest.bind-port} a range.
     */
    public Optional<URI> restUrl() {
        String port = config.get(RestOptions.BIND_PORT);
        String address = config.getOptional(RestOptions.ADDRESS).orElse("127.0.0.1");
        return port != null && port.matches("\\d+")
                ? Optional.of(URI.create("http://" + address + ":" + port + "/"))
                : Optional.empty();
    }

    /** The temporary directory (checkpoints, logs of child processes); deleted on close. */
    public Path work() {
        return work;
    }

    /**
     * A consumer of {@code topic} from its beginning that sees only committed transactions, as a
     * learner reads learner.batches.
     */
    public KafkaConsumer<byte[], byte[]> committedConsumer(String topic, String groupId) {
        KafkaConsumer<byte[], byte[]> consumer =
                new KafkaConsumer<>(
                        Map.of(
                                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                                broker.bootstrapServers(),
                                ConsumerConfig.GROUP_ID_CONFIG,
                                groupId,
                                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG,
                                "earliest",
                                ConsumerConfig.ISOLATION_LEVEL_CONFIG,
                                "read_committed"),
                        new ByteArrayDeserializer(),
                        new ByteArrayDeserializer());
        consumer.subscribe(List.of(topic));
        return consumer;
    }

    /**
     * Stops the job as an operator stops a production job: with a savepoint, so the exactly-once
     * sinks commit what the last checkpoint left open and no periodic checkpoint is cut off midway.
     * A plain cancel aborts the checkpoint in flight, which Flink logs as a failed checkpoint with
     * a stack trace, and leaves the open transactions to time out. Falls back to cancel when the
     * job cannot take the savepoint within {@link #STOP_TIMEOUT} (it is restarting, or a task is
     * stuck).
     *
     * @return one line saying how the job stopped, for the user
     */
    public String stop() throws InterruptedException {
        String reason;
        try {
            // Into the work directory, deleted on close: the demos never resume from it.
            job.stopWithSavepoint(
                            false,
                            work.resolve("savepoints").toUri().toString(),
                            SavepointFormatType.CANONICAL)
                    .get(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            return "job: stopped with a final savepoint";
        } catch (ExecutionException e) {
            Throwable root = rootCause(e);
            reason =
                    root.getMessage() != null ? root.getMessage() : root.getClass().getSimpleName();
        } catch (TimeoutException e) {
            reason = "no savepoint within " + STOP_TIMEOUT.toSeconds() + " s";
        }
        try {
            JobStatus status = job.getJobStatus().get(5, TimeUnit.SECONDS);
            if (status.isGloballyTerminalState()) {
                return "job: already " + status + " (" + reason + ")";
            }
            job.cancel().get(30, TimeUnit.SECONDS);
        } catch (ExecutionException | TimeoutException e) {
            // Gone meanwhile (failed, or its MiniCluster shut down): nothing left to cancel.
        }
        return "job: cancelled, it could not stop with a savepoint (" + reason + ")";
    }

    @Override
    public void close() {
        try {
            if (!job.getJobStatus().get(5, TimeUnit.SECONDS).isGloballyTerminalState()) {
                job.cancel().get(30, TimeUnit.SECONDS);
            }
        } catch (Exception e) {
            // Already gone (finished, failed, or its MiniCluster shut down): nothing to cancel.
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
        } finally {
            try {
                broker.close();
            } finally {
                deleteQuietly(work);
            }
        }
    }

    /** The innermost cause of {@code e}: what failed, under the layers that passed it on. */
    public static Throwable rootCause(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root;
    }

    public static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    static void deleteQuietly(Path dir) {
        FileUtils.deleteQuietly(dir.toFile());
    }
}
