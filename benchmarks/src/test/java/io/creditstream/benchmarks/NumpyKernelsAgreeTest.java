package io.creditstream.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.creditstream.operators.core.budget.KnapsackSolver;
import io.creditstream.operators.core.credit.CreditEstimator;
import io.creditstream.operators.core.credit.CreditParams;
import io.creditstream.operators.core.credit.Estimator;
import io.creditstream.operators.core.credit.StepCredit;
import io.creditstream.operators.core.prm.OprlAdvantage;
import io.creditstream.operators.core.prm.OprlStepCredit;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The numpy script computes what the Java kernels compute, on the inputs the benchmarks use (at
 * smaller sizes), to 1e-9: otherwise the benchmark's ratio would compare different work. Runs the
 * script with Debian's {@code /usr/bin/python3} and python3-numpy (installed by
 * scripts/install-test-deps), or the interpreter named by {@code -Dpython.executable}.
 */
class NumpyKernelsAgreeTest {

    private static final int[] ROWS = {1, 7, 60, 400};
    private static final int[] TASKS = {3, 32};

    private static JsonNode numpy;

    @BeforeAll
    static void runScript(@TempDir Path work) throws IOException, InterruptedException {
        Path inputs = work.resolve("inputs.json");
        Path out = work.resolve("out.json");
        KernelInputs.writeJson(inputs, ROWS, TASKS);
        Path script = KernelComparison.extractScript(work);
        String python = System.getProperty("python.executable", "/usr/bin/python3");
        Process process =
                new ProcessBuilder(
                                python,
                                script.toString(),
                                inputs.toString(),
                                "--check",
                                out.toString())
                        .redirectErrorStream(true)
                        .start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        // A bound on a hang only: the script takes well under a second.
        assertThat(process.waitFor(5, TimeUnit.MINUTES)).as("script finished").isTrue();
        assertThat(process.exitValue()).as("numpy script output:%n%s", output).isZero();
        numpy = new ObjectMapper().readTree(out.toFile());
    }

    @Test
    void gigpoAgrees() {
        CreditEstimator estimator = new CreditEstimator(CreditParams.defaults());
        for (int rows : ROWS) {
            assertClose(
                    "gigpo",
                    rows,
                    flatten(
                            estimator.estimate(
                                    KernelInputs.creditGroup(KernelInputs.seed(rows), rows))));
        }
    }

    @Test
    void grpoAgrees() {
        CreditEstimator estimator =
                new CreditEstimator(CreditParams.defaults().withEstimator(Estimator.GRPO));
        for (int rows : ROWS) {
            assertClose(
                    "grpo",
                    rows,
                    flatten(
                            estimator.estimate(
                                    KernelInputs.creditGroup(KernelInputs.seed(rows), rows))));
        }
    }

    @Test
    void oprlScoringAgrees() {
        OprlAdvantage oprl = new OprlAdvantage(KernelInputs.oprlParams());
        for (int rows : ROWS) {
            List<Double> advantages = new ArrayList<>();
            for (List<OprlStepCredit> trajectory :
                    KernelBenchmarks.scoreOprl(
                            oprl, KernelInputs.oprlGroup(KernelInputs.seed(rows), rows))) {
                trajectory.forEach(step -> advantages.add(step.advantage()));
            }
            assertClose("oprlScoring", rows, advantages);
        }
    }

    @Test
    void knapsackAgrees() {
        KnapsackSolver solver = new KnapsackSolver(KnapsackSolver.Mode.DP);
        for (int tasks : TASKS) {
            int[] budgets =
                    solver.allocate(
                            KernelInputs.knapsackStates(KernelInputs.seed(tasks), tasks),
                            KernelInputs.knapsackParams());
            JsonNode result = result("knapsack", tasks);
            int[] numpyBudgets = new int[result.size()];
            for (int i = 0; i < numpyBudgets.length; i++) {
                numpyBudgets[i] = result.get(i).asInt();
            }
            assertThat(numpyBudgets).as("knapsack budgets, %d tasks", tasks).isEqualTo(budgets);
        }
    }

    @Test
    void inputsExerciseTheEdgeRules() {
        // One row is a singleton episode sample; small groups have singleton anchor states.
        assertThat(KernelInputs.creditGroup(KernelInputs.seed(1), 1)).hasSize(1);
        long singletons =
                new CreditEstimator(CreditParams.defaults())
                        .estimate(KernelInputs.creditGroup(KernelInputs.seed(60), 60)).stream()
                                .flatMap(List::stream)
                                .filter(step -> step.anchorGroupSize() == 1)
                                .count();
        assertThat(singletons).isPositive();
    }

    private static List<Double> flatten(List<List<StepCredit>> credits) {
        List<Double> flat = new ArrayList<>();
        credits.forEach(trajectory -> trajectory.forEach(step -> flat.add(step.advantage())));
        return flat;
    }

    private static void assertClose(String kernel, int size, List<Double> expected) {
        JsonNode result = result(kernel, size);
        assertThat(result.size()).as("%s rows, size %d", kernel, size).isEqualTo(expected.size());
        for (int i = 0; i < expected.size(); i++) {
            assertThat(result.get(i).asDouble())
                    .as("%s size %d row %d", kernel, size, i)
                    .isCloseTo(expected.get(i), within(1e-9));
        }
    }

    private static JsonNode result(String kernel, int size) {
        for (JsonNode node : numpy) {
            if (node.get("kernel").asText().equals(kernel) && node.get("size").asInt() == size) {
                return node.get("result");
            }
        }
        throw new AssertionError("the numpy script wrote no result for " + kernel + " " + size);
    }
}
