package io.creditstream.it;

import io.creditstream.tools.cli.CreditstreamCli;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A {@code creditstream} command running in a child JVM on this test's class path, its stdout and
 * stderr written to a file: what a user starts from a shell, and can {@code kill -9}.
 */
final class CliProcess implements AutoCloseable {
    /** The root pom's {@code flink.test.opens}: the child runs Flink, which needs them too. */
    private static final List<String> JVM_OPENS =
            List.of(
                    "--add-opens=java.base/java.lang=ALL-UNNAMED",
                    "--add-opens=java.base/java.util=ALL-UNNAMED",
                    "--add-opens=java.base/java.util.concurrent=ALL-UNNAMED",
                    "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED",
                    "--add-opens=java.base/java.io=ALL-UNNAMED",
                    "--add-opens=java.base/java.nio=ALL-UNNAMED",
                    "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
                    "--add-opens=java.base/java.net=ALL-UNNAMED",
                    "--add-opens=java.base/java.time=ALL-UNNAMED");

    private static final long EXIT_WAIT_SECONDS = 30;

    private final String name;
    private final Process process;
    private final Path output;

    private CliProcess(String name, Process process, Path output) {
        this.name = name;
        this.process = process;
        this.output = output;
    }

    /** Starts {@code creditstream <args>}; {@code output} receives both of its streams. */
    static CliProcess start(String name, Path output, List<String> args) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(JVM_OPENS);
        command.add("-cp");
        command.add(testClassPath());
        command.add(CreditstreamCli.class.getName());
        command.addAll(args);
        Process process =
                new ProcessBuilder(command)
                        .redirectErrorStream(true)
                        .redirectOutput(output.toFile())
                        .start();
        return new CliProcess(name, process, output);
    }

    boolean isAlive() {
        return process.isAlive();
    }

    long pid() {
        return process.pid();
    }

    /**
     * Waits for the process to end by itself.
     *
     * @return its exit status
     * @throws IllegalStateException when it still runs after {@code seconds}
     */
    int awaitExit(long seconds) throws InterruptedException {
        if (!process.waitFor(seconds, TimeUnit.SECONDS)) {
            throw new IllegalStateException(name + " still runs after " + seconds + " s");
        }
        return process.exitValue();
    }

    /** Everything the process has printed so far. */
    String output() {
        try {
            return Files.readString(output, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * SIGKILL, as {@code kill -9} sends it ({@link Process#destroyForcibly()} on Linux): no
     * shutdown hook, no cancellation, no final checkpoint.
     *
     * @return the exit status, 137 (128 + 9) for a process the signal killed
     */
    int killHard() throws InterruptedException {
        process.destroyForcibly();
        if (!process.waitFor(EXIT_WAIT_SECONDS, TimeUnit.SECONDS)) {
            throw new IllegalStateException(name + " still runs after SIGKILL");
        }
        return process.exitValue();
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            killHard();
        }
    }

    @Override
    public String toString() {
        return name + " (pid " + process.pid() + ", output " + output + ")";
    }

    /**
     * This JVM's class path. Surefire and failsafe set {@code java.class.path} to the full test
     * class path even when they boot from a manifest-only jar; and a manifest-only jar (as IDEs
     * use) would serve the child as well, since the JVM follows its {@code Class-Path}.
     */
    private static String testClassPath() {
        return System.getProperty("java.class.path");
    }
}
