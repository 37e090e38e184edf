package io.creditstream.cluster;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.flink.api.common.JobID;

/**
 * What {@code flink run -d} does, in a JVM of its own whose class path holds Flink only: builds the
 * job graph by running the jar's main class in a child-first class loader, then uploads jar and
 * graph over REST. A class path with the job's dependencies on it (a test's, or the launcher's
 * shaded jar) would split them between two class loaders: the Kafka connector is loaded
 * parent-first as an {@code org.apache.flink} class, kafka-clients child-first from the jar, and
 * the two no longer link.
 *
 * <p>Usage: {@code FlinkRun --rest-port PORT [-p N] [-s SAVEPOINT] JAR [ARG…]}; prints {@code Job
 * has been submitted with JobID <id>} as {@code flink run} does.
 */
public final class FlinkRun {
    static final String SUBMITTED = "Job has been submitted with JobID ";

    private FlinkRun() {}

    public static void main(String[] args) throws Exception {
        int port = -1;
        int parallelism = 1;
        String savepoint = null;
        int i = 0;
        // Flags come in pairs before the jar; everything after the jar is the program's.
        while (i + 1 < args.length && args[i].startsWith("-")) {
            String value = args[i + 1];
            switch (args[i]) {
                case "--rest-port" -> port = Integer.parseInt(value);
                case "-p" -> parallelism = Integer.parseInt(value);
                case "-s" -> savepoint = value;
                default -> usage("unknown flag " + args[i]);
            }
            i += 2;
        }
        if (port < 0 || i >= args.length) {
            usage(port < 0 ? "--rest-port is required" : "the jar is missing");
        }
        Path jar = Path.of(args[i]);
        List<String> programArgs = new ArrayList<>(Arrays.asList(args).subList(i + 1, args.length));
        try (ClusterRest rest = ClusterRest.atPort(port)) {
            JobID job = rest.submit(jar, programArgs, parallelism, savepoint);
            System.out.println(SUBMITTED + job);
        }
    }

    private static void usage(String problem) {
        System.err.println(problem);
        System.err.println("usage: FlinkRun --rest-port PORT [-p N] [-s SAVEPOINT] JAR [ARG...]");
        System.exit(2);
    }
}
