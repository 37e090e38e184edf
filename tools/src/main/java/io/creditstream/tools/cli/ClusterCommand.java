package io.creditstream.tools.cli;

import io.creditstream.cluster.ClusterRest;
import io.creditstream.cluster.LocalFlinkCluster;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.apache.flink.api.common.JobID;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code creditstream cluster start|stop|status|submit}: a local standalone Flink cluster of
 * separate processes, to try the cluster path (docs/CLUSTER.md).
 */
@Command(
        name = "cluster",
        mixinStandardHelpOptions = true,
        description = {
            "A local Flink session cluster: one JobManager and TaskManagers, each its own JVM,"
                    + " on free loopback ports, RocksDB with incremental checkpoints under --dir.",
            "",
            "Example: creditstream cluster start && creditstream cluster submit"
                    + " streams/target/creditstream-streams-0.1.0-SNAPSHOT-job.jar --"
                    + " --kafka.bootstrap-servers localhost:9092"
        },
        subcommands = {
            ClusterCommand.Start.class,
            ClusterCommand.Stop.class,
            ClusterCommand.Status.class,
            ClusterCommand.Submit.class
        })
public class ClusterCommand implements Runnable {
    /** Where the launcher puts the Flink jars the processes run on. */
    static final String FLINK_LIB_ENV = "CREDITSTREAM_FLINK_LIB";

    @Override
    public void run() {
        new picocli.CommandLine(this).usage(System.out);
    }

    /** The directory option all subcommands share. */
    static class Home {
        @Option(
                names = "--dir",
                paramLabel = "DIR",
                description =
                        "The cluster's directory: config, logs, checkpoints, savepoints and the"
                                + " state file (default: ${DEFAULT-VALUE}).",
                defaultValue = "${java.io.tmpdir}/creditstream-cluster")
        Path dir;

        LocalFlinkCluster attach() throws Exception {
            Optional<LocalFlinkCluster> cluster = LocalFlinkCluster.attach(dir);
            if (cluster.isEmpty()) {
                throw new IllegalArgumentException(
                        "no cluster recorded in "
                                + dir
                                + " (no "
                                + LocalFlinkCluster.STATE_FILE
                                + "); start one with `creditstream cluster start --dir "
                                + dir
                                + "`");
            }
            return cluster.get();
        }
    }

    @Command(name = "start", mixinStandardHelpOptions = true, description = "Start the cluster.")
    static class Start implements Callable<Integer> {
        @picocli.CommandLine.Mixin Home home;

        @Option(
                names = "--task-managers",
                defaultValue = "2",
                description = "TaskManager processes (default: ${DEFAULT-VALUE}).")
        int taskManagers;

        @Option(
                names = "--slots",
                defaultValue = "2",
                description = "Slots per TaskManager (default: ${DEFAULT-VALUE}).")
        int slots;

        @Option(
                names = "--flink-lib",
                paramLabel = "DIR",
                description =
                        "The Flink jars (default: $"
                                + FLINK_LIB_ENV
                                + ", which ./creditstream sets to cluster/target/flink-lib).")
        Path flinkLib;

        @Override
        public Integer call() throws Exception {
            Path lib = flinkLib;
            if (lib == null) {
                String fromEnv = System.getenv(FLINK_LIB_ENV);
                if (fromEnv == null || fromEnv.isBlank()) {
                    throw new IllegalArgumentException(
                            "--flink-lib is not set and neither is $"
                                    + FLINK_LIB_ENV
                                    + "; pass --flink-lib cluster/target/flink-lib");
                }
                lib = Path.of(fromEnv);
            }
            LocalFlinkCluster cluster =
                    LocalFlinkCluster.start(
                            LocalFlinkCluster.Spec.of(home.dir, lib)
                                    .withTaskManagers(taskManagers, slots)
                                    .outlivingThisJvm(),
                            Duration.ofMinutes(5));
            System.out.println("Flink cluster running:");
            System.out.println(cluster.describe());
            System.out.println("Stop it with `creditstream cluster stop --dir " + home.dir + "`.");
            return 0;
        }
    }

    @Command(
            name = "stop",
            mixinStandardHelpOptions = true,
            description = "Stop every process of the cluster (SIGTERM, then SIGKILL).")
    static class Stop implements Callable<Integer> {
        @picocli.CommandLine.Mixin Home home;

        @Override
        public Integer call() throws Exception {
            LocalFlinkCluster cluster = home.attach();
            cluster.close();
            System.out.println("Flink cluster in " + home.dir + " stopped.");
            return 0;
        }
    }

    @Command(
            name = "status",
            mixinStandardHelpOptions = true,
            description =
                    "The cluster's processes, and its TaskManagers and jobs from the REST API;"
                            + " exit status 1 when a process is gone.")
    static class Status implements Callable<Integer> {
        @picocli.CommandLine.Mixin Home home;

        @Override
        public Integer call() throws Exception {
            LocalFlinkCluster cluster = home.attach();
            System.out.println(cluster.describe());
            boolean allAlive =
                    cluster.members().stream().allMatch(LocalFlinkCluster.Member::isAlive);
            if (cluster.member(LocalFlinkCluster.JOB_MANAGER).isAlive()) {
                try (ClusterRest rest = cluster.rest()) {
                    var overview = rest.overview();
                    System.out.printf(
                            "TaskManagers %d, slots %d (%d free), jobs running %d, finished %d,"
                                    + " cancelled %d, failed %d%n",
                            overview.getNumTaskManagersConnected(),
                            overview.getNumSlotsTotal(),
                            overview.getNumSlotsAvailable(),
                            overview.getNumJobsRunningOrPending(),
                            overview.getNumJobsFinished(),
                            overview.getNumJobsCancelled(),
                            overview.getNumJobsFailed());
                }
            }
            return allAlive ? 0 : 1;
        }
    }

    @Command(
            name = "submit",
            mixinStandardHelpOptions = true,
            description = {
                "Submit a job jar over the REST API as `flink run` does; the arguments after"
                        + " the jar and `--` go to its main class.",
                "",
                "Example: creditstream cluster submit -p 2 streams/target/…-job.jar --"
                        + " --kafka.bootstrap-servers localhost:9092"
            })
    static class Submit implements Callable<Integer> {
        @picocli.CommandLine.Mixin Home home;

        @Option(
                names = {"-p", "--parallelism"},
                defaultValue = "2",
                description = "The job's parallelism (default: ${DEFAULT-VALUE}).")
        int parallelism;

        @Option(
                names = {"-s", "--from-savepoint"},
                paramLabel = "PATH",
                description = "A savepoint or retained checkpoint to start from.")
        String savepoint;

        @Parameters(index = "0", paramLabel = "JAR", description = "The job jar.")
        Path jar;

        @Parameters(
                index = "1..*",
                paramLabel = "ARG",
                arity = "0..*",
                description =
                        "Program arguments after `--`, e.g. -- --kafka.bootstrap-servers"
                                + " HOST:PORT.")
        List<String> args = new ArrayList<>();

        @Override
        public Integer call() throws Exception {
            if (parallelism < 1) {
                throw new IllegalArgumentException("--parallelism must be at least 1");
            }
            LocalFlinkCluster cluster = home.attach();
            JobID job = cluster.submit(jar, args, parallelism, savepoint);
            System.out.println("Job " + job + " submitted to " + cluster.restUrl());
            return 0;
        }
    }
}
