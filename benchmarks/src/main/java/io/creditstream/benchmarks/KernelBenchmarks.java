package io.creditstream.benchmarks;

import io.creditstream.operators.core.budget.KnapsackParams;
import io.creditstream.operators.core.budget.KnapsackSolver;
import io.creditstream.operators.core.budget.TaskState;
import io.creditstream.operators.core.credit.CreditEstimator;
import io.creditstream.operators.core.credit.CreditParams;
import io.creditstream.operators.core.credit.Estimator;
import io.creditstream.operators.core.credit.StepCredit;
import io.creditstream.operators.core.credit.TrajectorySample;
import io.creditstream.operators.core.prm.ImplicitPrm;
import io.creditstream.operators.core.prm.OprlAdvantage;
import io.creditstream.operators.core.prm.OprlStepCredit;
import io.creditstream.operators.core.prm.OprlTrajectory;
import io.creditstream.operators.core.prm.TrajectoryFeatures;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One call of each kernel on one group or round, as the job makes it per completed group: the
 * average time of {@link CreditEstimator#estimate} (GiGPO and GRPO), of OPRL scoring (the PRM's
 * step rewards of every trajectory, then {@link OprlAdvantage}; the PRM update is not included, the
 * numpy script has none) and of {@link KnapsackSolver#solve} (dynamic programme, no fallback).
 * {@link KernelComparison} runs these and the numpy script on the same inputs.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 5, time = 2)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class KernelBenchmarks {

    /** The credit groups, by step rows. */
    @State(Scope.Benchmark)
    public static class Groups {
        @Param({"400", "6400", "64000"})
        public int rows;

        List<TrajectorySample> creditGroup;
        KernelInputs.OprlGroup oprlGroup;
        final CreditEstimator gigpo = new CreditEstimator(CreditParams.defaults());
        final CreditEstimator grpo =
                new CreditEstimator(CreditParams.defaults().withEstimator(Estimator.GRPO));
        final OprlAdvantage oprl = new OprlAdvantage(KernelInputs.oprlParams());

        @Setup
        public void generate() {
            creditGroup = KernelInputs.creditGroup(KernelInputs.seed(rows), rows);
            oprlGroup = KernelInputs.oprlGroup(KernelInputs.seed(rows), rows);
        }
    }

    /** The budget rounds, by task count. */
    @State(Scope.Benchmark)
    public static class Round {
        @Param({"32", "256"})
        public int tasks;

        List<TaskState> states;
        final KnapsackParams params = KernelInputs.knapsackParams();
        final KnapsackSolver solver = new KnapsackSolver(KnapsackSolver.Mode.DP);

        @Setup
        public void generate() {
            states = KernelInputs.knapsackStates(KernelInputs.seed(tasks), tasks);
        }
    }

    @Benchmark
    public List<List<StepCredit>> gigpo(Groups groups) {
        return groups.gigpo.estimate(groups.creditGroup);
    }

    @Benchmark
    public List<List<StepCredit>> grpo(Groups groups) {
        return groups.grpo.estimate(groups.creditGroup);
    }

    @Benchmark
    public List<List<OprlStepCredit>> oprlScoring(Groups groups) {
        return scoreOprl(groups.oprl, groups.oprlGroup);
    }

    @Benchmark
    public int[] knapsack(Round round) {
        return round.solver.solve(round.states, round.params).budgets();
    }

    /** OPRL's per-group scoring as the job runs it after the PRM update: r_φ, then Eq. 3–5. */
    static List<List<OprlStepCredit>> scoreOprl(OprlAdvantage oprl, KernelInputs.OprlGroup group) {
        ImplicitPrm prm = group.prm();
        List<OprlTrajectory> scored = new ArrayList<>(group.trajectories().size());
        for (TrajectoryFeatures trajectory : group.trajectories()) {
            scored.add(prm.toOprl(trajectory));
        }
        return oprl.estimate(scored);
    }
}
