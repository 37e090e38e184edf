package io.creditstream.operators.core.credit;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Steps per second of the GiGPO kernel as a group grows: not a test (no timing is asserted), a
 * {@code main} whose output docs/BENCHMARKS.md records. The published reference scans the batch per
 * group and slows down as batches grow; this kernel must stay flat.
 *
 * <p>Run: {@code java -cp operators/target/classes:operators/target/test-classes
 * io.creditstream.operators.core.credit.KernelBenchmark}
 */
public final class KernelBenchmark {
    private KernelBenchmark() {}

    public static void main(String[] args) {
        CreditEstimator estimator = new CreditEstimator(CreditParams.defaults());
        int[] rowCounts = {6_400, 61_000, 640_000};
        for (int round = 0; round < 2; round++) {
            for (int rows : rowCounts) {
                List<TrajectorySample> group = group(new Random(rows), rows);
                int repeats = Math.max(3, 2_000_000 / rows);
                long start = System.nanoTime();
                long sink = 0;
                for (int i = 0; i < repeats; i++) {
                    sink += estimator.estimate(group).size();
                }
                double seconds = (System.nanoTime() - start) / 1e9;
                if (round == 1) {
                    System.out.printf(
                            "gigpo kernel: %,d step rows per call, %,.0f steps/s (%d calls, check"
                                    + " %d)%n",
                            rows, (double) rows * repeats / seconds, repeats, sink);
                }
            }
        }
    }

    /** Trajectories of 10–50 steps over a few hundred anchor states, with sparse rewards. */
    private static List<TrajectorySample> group(Random random, int rows) {
        List<TrajectorySample> group = new ArrayList<>();
        int made = 0;
        for (int t = 0; made < rows; t++) {
            int length = Math.min(10 + random.nextInt(41), rows - made);
            List<StepSample> steps = new ArrayList<>(length);
            for (int s = 0; s < length; s++) {
                steps.add(
                        new StepSample(
                                "state-" + random.nextInt(300),
                                s == length - 1 && random.nextBoolean() ? 1.0 : 0.0,
                                random.nextInt(20) == 0));
            }
            group.add(new TrajectorySample("e" + t, steps.get(length - 1).reward(), steps));
            made += length;
        }
        return group;
    }
}
