package io.creditstream.it;

import io.creditstream.schemas.contract.PolicyProcess;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The learner or the fleet in a child JVM on this test's class path, as the launcher and the demo
 * start them ({@link PolicyProcess}), its stdout and stderr written to a file. Closing it sends
 * SIGTERM (the commands' shutdown hooks stop them cleanly) and SIGKILL only if it hangs.
 */
final class PolicyChild implements AutoCloseable {
    private final String name;
    private final Process process;
    private final Path log;

    private PolicyChild(String name, Process process, Path log) {
        this.name = name;
        this.process = process;
        this.log = log;
    }

    /** Starts {@code PolicyCli <args>}, e.g. {@code learner --bootstrap-servers …}. */
    static PolicyChild start(Path log, List<String> args) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(PolicyProcess.JVM_OPTIONS);
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(PolicyProcess.MAIN_CLASS);
        command.addAll(args);
        if (List.of(PolicyProcess.LEARNER, PolicyProcess.FLEET).contains(args.get(0))) {
            // A test JVM that dies must not leave it running (one filled the disk with steps).
            command.add(PolicyProcess.EXIT_WITH_PARENT);
        }
        Process process =
                new ProcessBuilder(command)
                        .redirectErrorStream(true)
                        .redirectOutput(log.toFile())
                        .start();
        return new PolicyChild(args.get(0), process, log);
    }

    boolean isAlive() {
        return process.isAlive();
    }

    /**
     * Waits for the process to end by itself and returns its exit status.
     *
     * @throws AssertionError when it still runs after {@code timeout}, with its output
     */
    int awaitExit(Duration timeout) throws InterruptedException {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new AssertionError(name + " still runs after " + timeout + ":\n" + output());
        }
        return process.exitValue();
    }

    /**
     * Sends SIGTERM, as Ctrl-C or a process manager would, and waits until the process has ended.
     *
     * @return its exit status (143 after a clean stop on SIGTERM)
     * @throws AssertionError when it still runs after {@code timeout}, with its output
     */
    int stop(Duration timeout) throws InterruptedException {
        process.destroy();
        return awaitExit(timeout);
    }

    /** Everything it printed so far. */
    String output() {
        try {
            return Files.readString(log, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(no output: " + e + ")";
        }
    }

    /** Its last {@code lines} lines, for a failure message. */
    String tail(int lines) {
        List<String> all = output().lines().toList();
        return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor();
        }
    }
}
