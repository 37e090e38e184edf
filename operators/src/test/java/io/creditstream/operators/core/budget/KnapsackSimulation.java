package io.creditstream.operators.core.budget;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/**
 * Knapsack versus uniform rollout budgets on a simulated task population, and the allocator's solve
 * time: a {@code main} whose output docs/BENCHMARKS.md records (no timing is asserted).
 *
 * <p>Each task has a hidden success rate drawn from Beta(0.5, 0.5), so many tasks are nearly always
 * or never solved, as in LLM RL datasets. Every round takes K tasks (one pass over the population
 * is an epoch); both arms spend K·8 rollouts; rollouts are Bernoulli(p). The knapsack arm learns p
 * per task with {@link SuccessRateTracker} from its own rollouts; the uniform arm gives 8 to every
 * task. Reported: the effective-gradient ratio (samples in groups with both outcomes / samples) and
 * the effective-prompt ratio, over all rounds after the first epoch.
 *
 * <p>Run: {@code java -cp operators/target/classes:operators/target/test-classes
 * io.creditstream.operators.core.budget.KnapsackSimulation}
 */
public final class KnapsackSimulation {
    private static final int N = 8;

    private KnapsackSimulation() {}

    public static void main(String[] args) {
        int population = 1024;
        int roundSize = 128;
        int epochs = 30;
        for (long seed = 1; seed <= 3; seed++) {
            simulate(seed, population, roundSize, epochs);
        }
        timeSolver();
    }

    private static void simulate(long seed, int population, int roundSize, int epochs) {
        Random random = new Random(seed);
        double[] p = new double[population];
        for (int i = 0; i < population; i++) {
            p[i] = beta05(random);
        }
        SuccessRateTracker[] trackers = new SuccessRateTracker[population];
        for (int i = 0; i < population; i++) {
            trackers[i] = new SuccessRateTracker();
        }
        KnapsackParams params = KnapsackParams.of(N, KnapsackParams.SCRIPT_MAX_N);
        KnapsackSolver solver = new KnapsackSolver();
        Arm knapsack = new Arm();
        Arm uniform = new Arm();
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < population; i++) {
            order.add(i);
        }
        int maxBudget = 0;
        for (int epoch = 0; epoch < epochs; epoch++) {
            Collections.shuffle(order, random);
            for (SuccessRateTracker tracker : trackers) {
                tracker.startEpoch();
            }
            for (int start = 0; start < population; start += roundSize) {
                List<Integer> round = order.subList(start, Math.min(start + roundSize, population));
                List<TaskState> states = new ArrayList<>(round.size());
                for (int task : round) {
                    states.add(trackers[task].state());
                }
                int[] budgets = solver.allocate(states, params);
                for (int k = 0; k < round.size(); k++) {
                    int task = round.get(k);
                    int successes = rollouts(random, p[task], budgets[k], trackers[task]);
                    maxBudget = Math.max(maxBudget, budgets[k]);
                    if (epoch > 0) {
                        knapsack.add(budgets[k], successes);
                    }
                    int uniformSuccesses = rollouts(random, p[task], N, null);
                    if (epoch > 0) {
                        uniform.add(N, uniformSuccesses);
                    }
                }
            }
        }
        System.out.printf(
                "seed %d: effective-gradient ratio knapsack %.3f vs uniform %.3f (%+.1f%%);"
                        + " effective-prompt ratio %.3f vs %.3f; largest budget %d%n",
                seed,
                knapsack.gradientRatio(),
                uniform.gradientRatio(),
                100 * (knapsack.gradientRatio() / uniform.gradientRatio() - 1),
                knapsack.promptRatio(),
                uniform.promptRatio(),
                maxBudget);
    }

    /** Runs {@code count} Bernoulli(p) rollouts; feeds the tracker when given. */
    private static int rollouts(Random random, double p, int count, SuccessRateTracker tracker) {
        int successes = 0;
        for (int i = 0; i < count; i++) {
            boolean success = random.nextDouble() < p;
            successes += success ? 1 : 0;
            if (tracker != null) {
                tracker.add(success ? 1 : 0);
            }
        }
        return successes;
    }

    /** Beta(0.5, 0.5) by the ratio of two Gamma(0.5) draws (squares of normals / 2). */
    private static double beta05(Random random) {
        double x = Math.pow(random.nextGaussian(), 2);
        double y = Math.pow(random.nextGaussian(), 2);
        return x / (x + y);
    }

    private static void timeSolver() {
        Random random = new Random(9);
        KnapsackParams params = KnapsackParams.of(N, KnapsackParams.SCRIPT_MAX_N);
        for (int tasks : new int[] {100, 1_000, 10_000}) {
            List<TaskState> states = new ArrayList<>(tasks);
            for (int i = 0; i < tasks; i++) {
                double p = beta05(random);
                states.add(new TaskState(true, Math.round(p * 16) / 16.0, 32));
            }
            for (KnapsackSolver.Mode mode : KnapsackSolver.Mode.values()) {
                if (mode == KnapsackSolver.Mode.DP && tasks > 1_000) {
                    continue;
                }
                KnapsackSolver solver = new KnapsackSolver(mode);
                solver.allocate(states, params); // warm-up
                int repeats = tasks >= 10_000 ? 3 : 20;
                long start = System.nanoTime();
                KnapsackSolver.Allocation allocation = null;
                for (int r = 0; r < repeats; r++) {
                    allocation = solver.solve(states, params);
                }
                double ms = (System.nanoTime() - start) / 1e6 / repeats;
                System.out.printf(
                        "solve %,d tasks (budget %,d) with %s: %.2f ms (ran %s)%n",
                        tasks, tasks * N, mode, ms, allocation.solver());
            }
        }
    }

    /** Rollout counts of one arm. */
    private static final class Arm {
        long samples;
        long effectiveSamples;
        long prompts;
        long effectivePrompts;

        void add(int rollouts, int successes) {
            samples += rollouts;
            prompts++;
            if (successes > 0 && successes < rollouts) {
                effectiveSamples += rollouts;
                effectivePrompts++;
            }
        }

        double gradientRatio() {
            return (double) effectiveSamples / samples;
        }

        double promptRatio() {
            return (double) effectivePrompts / prompts;
        }
    }
}
