package io.creditstream.cluster;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.client.deployment.StandaloneClusterId;
import org.apache.flink.client.program.PackagedProgram;
import org.apache.flink.client.program.PackagedProgramUtils;
import org.apache.flink.client.program.rest.RestClusterClient;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.runtime.jobgraph.JobGraph;
import org.apache.flink.runtime.jobgraph.SavepointRestoreSettings;
import org.apache.flink.runtime.messages.webmonitor.ClusterOverview;
import org.apache.flink.runtime.rest.messages.ClusterOverviewHeaders;
import org.apache.flink.runtime.rest.messages.EmptyMessageParameters;
import org.apache.flink.runtime.rest.messages.EmptyRequestBody;
import org.apache.flink.runtime.rest.messages.taskmanager.TaskManagerInfo;
import org.apache.flink.runtime.rest.messages.taskmanager.TaskManagersHeaders;

/**
 * The REST API of a Flink cluster, as the {@code flink} CLI uses it: submission of a job jar (the
 * program's {@code main} runs here to build the job graph, the jar is uploaded with it), job
 * status, stop-with-savepoint and the TaskManagers' slots.
 */
public final class ClusterRest implements AutoCloseable {
    /** How long one REST call may take before it counts as a failure. */
    private static final Duration CALL = Duration.ofSeconds(60);

    /** Between two looks at the cluster while waiting for it to change. */
    private static final Duration POLL = Duration.ofMillis(200);

    private final String url;
    private final RestClusterClient<StandaloneClusterId> client;
    private final Configuration clientConfig;

    ClusterRest(String url, int port) {
        this.url = url;
        clientConfig = new Configuration();
        clientConfig.set(RestOptions.ADDRESS, "127.0.0.1");
        clientConfig.set(RestOptions.PORT, port);
        try {
            client = new RestClusterClient<>(clientConfig, StandaloneClusterId.getInstance());
        } catch (Exception e) {
            throw new IllegalStateException("cannot create a REST client for " + url, e);
        }
    }

    /** A REST client of the cluster at {@code http://127.0.0.1:port}; the caller closes it. */
    public static ClusterRest atPort(int port) {
        return new ClusterRest("http://127.0.0.1:" + port, port);
    }

    /**
     * Submits a job jar as {@code flink run -p parallelism [-s savepoint] jar args…} does: runs the
     * jar's main class in a class loader of its own to get the job graph, then uploads the jar and
     * the graph.
     *
     * @param savepoint a savepoint or retained checkpoint to start from; {@code null} for none
     */
    public JobID submit(Path jar, List<String> args, int parallelism, String savepoint)
            throws Exception {
        SavepointRestoreSettings restore =
                savepoint == null
                        ? SavepointRestoreSettings.none()
                        : SavepointRestoreSettings.forPath(savepoint, false);
        Configuration config = new Configuration(clientConfig);
        SavepointRestoreSettings.toConfiguration(restore, config);
        PackagedProgram program =
                PackagedProgram.newBuilder()
                        .setJarFile(jar.toFile())
                        .setArguments(args.toArray(String[]::new))
                        .setConfiguration(config)
                        .setSavepointRestoreSettings(restore)
                        .build();
        try {
            JobGraph graph =
                    PackagedProgramUtils.createJobGraph(program, config, parallelism, false);
            return client.submitJob(graph).get(CALL.toMillis(), TimeUnit.MILLISECONDS);
        } finally {
            program.close();
        }
    }

    public JobStatus status(JobID job) throws Exception {
        return client.getJobStatus(job).get(CALL.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Stops the job with a savepoint in Flink's canonical format; returns its path. */
    public String stopWithSavepoint(JobID job, Path directory) throws Exception {
        return client.stopWithSavepoint(
                        job, false, directory.toUri().toString(), SavepointFormatType.CANONICAL)
                .get(CALL.toMillis() * 5, TimeUnit.MILLISECONDS);
    }

    public void cancel(JobID job) throws Exception {
        client.cancel(job).get(CALL.toMillis(), TimeUnit.MILLISECONDS);
    }

    public ClusterOverview overview() throws Exception {
        return client.sendRequest(
                        ClusterOverviewHeaders.getInstance(),
                        EmptyMessageParameters.getInstance(),
                        EmptyRequestBody.getInstance())
                .get(CALL.toMillis(), TimeUnit.MILLISECONDS);
    }

    public Collection<TaskManagerInfo> taskManagers() throws Exception {
        return client.sendRequest(
                        TaskManagersHeaders.getInstance(),
                        EmptyMessageParameters.getInstance(),
                        EmptyRequestBody.getInstance())
                .get(CALL.toMillis(), TimeUnit.MILLISECONDS)
                .getTaskManagerInfos();
    }

    /** The TaskManagers that run tasks now: some of their slots are taken. */
    public List<String> busyTaskManagers() throws Exception {
        return taskManagers().stream()
                .filter(tm -> tm.getNumberAvailableSlots() < tm.getNumberSlots())
                .map(tm -> tm.getResourceId().getResourceIdString())
                .sorted()
                .toList();
    }

    /**
     * Waits until exactly {@code count} TaskManagers are registered; fails early with the
     * JobManager's log when its process is gone.
     */
    public void awaitTaskManagers(int count, LocalFlinkCluster cluster, Duration timeout)
            throws Exception {
        awaitCondition(
                count + " registered TaskManagers",
                cluster,
                timeout,
                () -> overview().getNumTaskManagersConnected() == count);
    }

    /**
     * Waits until the registered TaskManagers are exactly those named: after a SIGKILL the
     * JobManager keeps the dead one registered until its heartbeat fails, so a count alone could
     * match a dead TaskManager plus a live one.
     */
    public void awaitTaskManagers(
            java.util.Set<String> names, LocalFlinkCluster cluster, Duration timeout)
            throws Exception {
        awaitCondition(
                "TaskManagers " + names + " registered, and no others",
                cluster,
                timeout,
                () ->
                        names.equals(
                                java.util.Set.copyOf(
                                        taskManagers().stream()
                                                .map(tm -> tm.getResourceId().getResourceIdString())
                                                .toList())));
    }

    /** Waits until the job has the given status. */
    public void awaitStatus(
            JobID job, JobStatus wanted, LocalFlinkCluster cluster, Duration timeout)
            throws Exception {
        awaitCondition("job " + job + " " + wanted, cluster, timeout, () -> status(job) == wanted);
    }

    /** A condition on the cluster, asked every 200 ms until it holds. */
    @FunctionalInterface
    public interface Check {
        boolean holds() throws Exception;
    }

    /**
     * Polls {@code check} until it holds; the JobManager's exit or the timeout fail the wait with
     * its log. A REST call refused while the JobManager starts counts as "not yet".
     */
    public void awaitCondition(
            String what, LocalFlinkCluster cluster, Duration timeout, Check check)
            throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        Exception last = null;
        while (true) {
            try {
                if (check.holds()) {
                    return;
                }
            } catch (ExecutionException | TimeoutException e) {
                last = e;
            }
            Optional<LocalFlinkCluster.Member> jobManager =
                    cluster.members().stream()
                            .filter(m -> m.name().equals(LocalFlinkCluster.JOB_MANAGER))
                            .findFirst();
            if (jobManager.isPresent() && !jobManager.get().isAlive()) {
                throw new IllegalStateException(
                        "the JobManager exited while waiting for "
                                + what
                                + "\n"
                                + cluster.tail(LocalFlinkCluster.JOB_MANAGER, 40));
            }
            if (System.nanoTime() - deadline > 0) {
                throw new IllegalStateException(
                        "no "
                                + what
                                + " at "
                                + url
                                + " after "
                                + timeout
                                + (last == null ? "" : " (last error: " + last + ")")
                                + "\n"
                                + cluster.tail(LocalFlinkCluster.JOB_MANAGER, 40),
                        last);
            }
            Thread.sleep(POLL.toMillis());
        }
    }

    @Override
    public void close() {
        client.close();
    }
}
