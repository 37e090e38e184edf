package io.creditstream.tools.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * {@code creditstream <args>} in a child JVM on this test's class path, as a user starts it: its
 * own {@code System.exit} status and its own stdout and stderr (each to a file), with the CLI's
 * logging configuration, so that "the first line of stderr" is what a user would see first.
 */
final class CliProcess implements AutoCloseable {
    /** The root pom's {@code flink.test.opens}: the child may run Flink, which needs them. */
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

    /** How long a command that should fail fast may take, JVM start on a busy machine included. */
    static final Duration EXIT_LIMIT = Duration.ofSeconds(120);

    private final Process process;
    private final Path stdout;
    private final Path stderr;

    private CliProcess(Process process, Path stdout, Path stderr) {
        this.process = process;
        this.stdout = stdout;
        this.stderr = stderr;
    }

    /** A command's end: its status and what it printed. */
    record Result(int status, List<String> stdout, List<String> stderr) {
        /** The first line of stderr, "" when there is none. */
        String firstError() {
            return stderr.isEmpty() ? "" : stderr.get(0);
        }

        @Override
        public String toString() {
            return "status "
                    + status
                    + "\n--- stderr\n"
                    + String.join("\n", stderr)
                    + "\n--- stdout\n"
                    + String.join("\n", stdout);
        }
    }

    /** Starts {@code creditstream <args>} in {@code dir}, its output in files there. */
    static CliProcess start(Path dir, String... args) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(JVM_OPENS);
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(CreditstreamCli.class.getName());
        command.addAll(List.of(args));
        Path stdout = Files.createTempFile(dir, "stdout-", ".txt");
        Path stderr = Files.createTempFile(dir, "stderr-", ".txt");
        Process process =
                new ProcessBuilder(command)
                        .directory(dir.toFile())
                        .redirectOutput(stdout.toFile())
                        .redirectError(stderr.toFile())
                        .start();
        return new CliProcess(process, stdout, stderr);
    }

    /** Runs {@code creditstream <args>} in {@code dir} to its end. */
    static Result run(Path dir, String... args) throws IOException, InterruptedException {
        try (CliProcess cli = start(dir, args)) {
            return cli.awaitExit();
        }
    }

    /** Waits for the process to end by itself, at most {@link #EXIT_LIMIT}. */
    Result awaitExit() throws InterruptedException {
        if (!process.waitFor(EXIT_LIMIT.toSeconds(), TimeUnit.SECONDS)) {
            throw new AssertionError(
                    "still running after " + EXIT_LIMIT + "; stderr so far:\n" + stderrLines());
        }
        return new Result(process.exitValue(), lines(stdout), stderrLines());
    }

    /**
     * Waits until a line of stderr matches (the process printed it), or fails when the process ends
     * first or {@link #EXIT_LIMIT} passes.
     */
    List<String> awaitStderr(Predicate<String> line) throws InterruptedException {
        long deadline = System.nanoTime() + EXIT_LIMIT.toNanos();
        while (true) {
            List<String> lines = stderrLines();
            if (lines.stream().anyMatch(line)) {
                return lines;
            }
            if (!process.isAlive()) {
                throw new AssertionError(
                        "ended with status "
                                + process.exitValue()
                                + " before the line; stderr:\n"
                                + String.join("\n", stderrLines()));
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError(
                        "no such line within " + EXIT_LIMIT + "; stderr:\n" + lines);
            }
            // The child writes to a file: there is no event to wait on but the file growing.
            process.waitFor(50, TimeUnit.MILLISECONDS);
        }
    }

    List<String> stderrLines() {
        return lines(stderr);
    }

    /** Kills the process (and waits for it) if it still runs. */
    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            process.destroyForcibly();
            process.waitFor(30, TimeUnit.SECONDS);
        }
    }

    private static List<String> lines(Path file) {
        try {
            return Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
