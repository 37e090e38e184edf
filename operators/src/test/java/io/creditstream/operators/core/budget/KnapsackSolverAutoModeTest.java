package io.creditstream.operators.core.budget;

import static org.assertj.core.api.Assertions.assertThat;

import io.creditstream.operators.core.budget.KnapsackSolver.Mode;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Which solver {@link KnapsackSolver.Mode#AUTO} picks at the edges of {@link
 * KnapsackSolver#AUTO_DP_MAX_WORK} (the solve times behind that bound are in docs/BENCHMARKS.md,
 * not asserted here).
 */
class KnapsackSolverAutoModeTest {

    @Test
    void autoSolvesTheLargestRoundWithinTheBoundWithTheDp() {
        int tasks = 250;
        int knapsackBudget = 1_550;
        assertThat(KnapsackSolver.dpFits(tasks, knapsackBudget, 126)).isTrue();
        List<TaskState> states = randomEffective(tasks, new Random(3));
        KnapsackParams params =
                KnapsackParams.of(8, 128)
                        .withAllowFallback(false)
                        .withTotalBudget(tasks * 2 + knapsackBudget);
        KnapsackSolver auto = new KnapsackSolver();

        assertThat(auto.solve(states, params).solver()).isEqualTo(Mode.DP);
    }

    @Test
    void autoSolvesTenThousandTasksWithTheGreedy() {
        int tasks = 10_000;
        List<TaskState> states = randomEffective(tasks, new Random(4));
        KnapsackParams params = KnapsackParams.of(8, 128);
        KnapsackSolver auto = new KnapsackSolver();

        assertThat(auto.solve(states, params).solver()).isEqualTo(Mode.GREEDY);
    }

    private static List<TaskState> randomEffective(int tasks, Random random) {
        List<TaskState> states = new ArrayList<>();
        for (int i = 0; i < tasks; i++) {
            states.add(new TaskState(true, (1 + random.nextInt(15)) / 16.0, 16));
        }
        return states;
    }
}
