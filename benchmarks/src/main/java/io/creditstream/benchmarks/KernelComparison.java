package io.creditstream.benchmarks;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * Runs the JMH kernel benchmarks and the numpy script on the same inputs and prints, per kernel and
 * size, the microseconds per call of each and numpy's time over Java's.
 *
 * <pre>
 * java -jar benchmarks/target/creditstream-benchmarks.jar [--quick] [--python /usr/bin/python3]
 * </pre>
 *
 * Not a test: nothing here asserts a time. {@code NumpyKernelsAgreeTest} checks that both sides
 * compute the same numbers, so the ratio compares the same work.
 */
public final class KernelComparison {

    static final String SCRIPT_RESOURCE = "kernels_numpy.py";

    private KernelComparison() {}

    public static void main(String[] args) throws IOException, RunnerException {
        boolean quick = false;
        String python = "/usr/bin/python3";
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--quick" -> quick = true;
                case "--python" -> {
                    if (i + 1 == args.length) {
                        throw usage("--python needs the interpreter's path");
                    }
                    python = args[++i];
                }
                case "--help", "-h" -> {
                    System.out.println(usageText());
                    return;
                }
                default -> throw usage("unknown argument " + args[i]);
            }
        }
        Path work = Files.createTempDirectory("creditstream-kernels");
        Path inputs = work.resolve("inputs.json");
        KernelInputs.writeJson(inputs, KernelInputs.GROUP_ROWS, KernelInputs.KNAPSACK_TASKS);
        Path script = extractScript(work);

        Map<String, Double> java = runJmh(quick);
        Map<String, Double> numpy = runNumpy(python, script, inputs, quick ? 0.5 : 2.0);

        System.out.println();
        System.out.printf(
                "%-12s %6s %14s %14s %12s%n",
                "kernel", "size", "java us/call", "numpy us/call", "numpy/java");
        for (Map.Entry<String, Double> entry : java.entrySet()) {
            String[] key = entry.getKey().split(":");
            Double numpyTime = numpy.get(entry.getKey());
            System.out.printf(
                    "%-12s %6s %14.2f %14s %12s%n",
                    key[0],
                    key[1],
                    entry.getValue(),
                    numpyTime == null ? "-" : String.format("%.2f", numpyTime),
                    numpyTime == null ? "-" : String.format("%.1f", numpyTime / entry.getValue()));
        }
        System.out.println(
                "size: step rows per group (gigpo, grpo, oprlScoring) or tasks per round"
                        + " (knapsack); "
                        + (quick ? "quick run (1 warm-up, 2 measured iterations)" : "full run"));
    }

    /** Average microseconds per call by "kernel:size". */
    private static Map<String, Double> runJmh(boolean quick) throws RunnerException {
        OptionsBuilder builder = new OptionsBuilder();
        builder.include(KernelBenchmarks.class.getName() + "\\.");
        if (quick) {
            builder.warmupIterations(1)
                    .measurementIterations(2)
                    .warmupTime(TimeValue.milliseconds(500))
                    .measurementTime(TimeValue.milliseconds(500));
        }
        Options options = builder.build();
        Collection<RunResult> results = new Runner(options).run();
        Map<String, Double> times = new LinkedHashMap<>();
        for (RunResult result : results) {
            String benchmark = result.getParams().getBenchmark();
            String kernel = benchmark.substring(benchmark.lastIndexOf('.') + 1);
            String size =
                    result.getParams().getParam("rows") != null
                            ? result.getParams().getParam("rows")
                            : result.getParams().getParam("tasks");
            times.put(kernel + ":" + size, result.getPrimaryResult().getScore());
        }
        return times;
    }

    /** numpy's microseconds per call by "kernel:size". */
    private static Map<String, Double> runNumpy(
            String python, Path script, Path inputs, double seconds) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(python);
        command.add(script.toString());
        command.add(inputs.toString());
        command.add("--time");
        command.add("--min-seconds");
        command.add(Double.toString(seconds));
        System.out.println("numpy: " + String.join(" ", command));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        int exit;
        try {
            exit = process.waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while the numpy script ran", e);
        }
        if (exit != 0) {
            throw new IOException(
                    "the numpy script exited with "
                            + exit
                            + " (numpy comes from Debian's python3-numpy; pass another"
                            + " interpreter with --python):\n"
                            + output);
        }
        ObjectMapper mapper = new ObjectMapper();
        Map<String, Double> times = new LinkedHashMap<>();
        for (String line : output.split("\n")) {
            if (line.startsWith("{")) {
                JsonNode node = mapper.readTree(line);
                times.put(
                        node.get("kernel").asText() + ":" + node.get("size").asText(),
                        node.get("us_per_call").asDouble());
            }
        }
        return times;
    }

    /** Copies the numpy script out of the jar into {@code directory}. */
    static Path extractScript(Path directory) throws IOException {
        Path script = directory.resolve(SCRIPT_RESOURCE);
        try (InputStream in = KernelComparison.class.getResourceAsStream(SCRIPT_RESOURCE)) {
            if (in == null) {
                throw new IOException(SCRIPT_RESOURCE + " is missing from the class path");
            }
            Files.copy(in, script);
        }
        return script;
    }

    private static IllegalArgumentException usage(String problem) {
        return new IllegalArgumentException(problem + "\n" + usageText());
    }

    private static String usageText() {
        return "usage: java -jar benchmarks/target/creditstream-benchmarks.jar [--quick] [--python"
                + " PATH]\n"
                + "  Runs the JMH kernel benchmarks (GiGPO, GRPO, OPRL scoring, knapsack) and the"
                + " numpy script\n"
                + "  of the same formulas on the same inputs; prints us/call of each and the"
                + " ratio.\n"
                + "  --quick         short JMH iterations and 0.5 s per numpy kernel (about 1"
                + " minute)\n"
                + "  --python PATH   interpreter with numpy (default /usr/bin/python3)";
    }
}
