package io.creditstream.operators.flink.budget;

import io.creditstream.operators.core.budget.KnapsackParams;
import io.creditstream.operators.core.budget.KnapsackSolver;
import io.creditstream.operators.core.budget.TaskState;
import io.creditstream.operators.flink.StateTtl;
import io.creditstream.schemas.BudgetAllocation;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.runtime.metrics.DescriptiveStatisticsHistogram;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Collects the {@link TaskStateReply} of every task of one budget round (keyed by {@code
 * experimentId/roundId}) and answers the round with one {@link BudgetAllocation} per task, in task
 * order, from the Knapsack RL solver (docs/ALGORITHMS.md §4).
 *
 * <p>The solver's parameters are the configured base with n := the request's default_n when set and
 * total_budget := the request's total_budget (null: #tasks · n). When the solver or the parameters
 * reject the round, every task is answered with rollouts 0 and the reason. A round still incomplete
 * {@code budget.round-timeout} after its first reply is answered with an error record for every
 * task that replied. A reply for a task index already received is ignored; a reply arriving after
 * its round was answered opens a new round that times out with an error for it.
 *
 * <p>State: the replies in a {@code MapState} by task index and a {@link RoundProgress}; both are
 * cleared and the timer deleted when the round is answered, with a TTL of twice the timeout as a
 * safety net.
 */
public class RoundAllocator extends KeyedProcessFunction<String, TaskStateReply, BudgetAllocation> {
    private static final long serialVersionUID = 1L;

    /** The configuration key of the round timeout, named in its errors. */
    public static final String KEY_ROUND_TIMEOUT = "budget.round-timeout";

    public static final String REPLIES_STATE = "budget-round-replies";
    public static final String PROGRESS_STATE = "budget-round-progress";

    private final KnapsackParams baseParams;
    private final KnapsackSolver solver;
    private final Duration roundTimeout;

    private transient MapState<Integer, TaskStateReply> replies;
    private transient ValueState<RoundProgress> progress;
    private transient Counter answered;
    private transient Counter failed;
    private transient Counter ignored;
    private transient Histogram rolloutsPerRound;

    /**
     * @param baseParams the configured knapsack parameters; each request may override n and the
     *     total budget
     * @param mode which knapsack solver runs (budget.solver)
     * @param roundTimeout how long a round waits for all its tasks' statistics
     *     (budget.round-timeout)
     */
    public RoundAllocator(
            KnapsackParams baseParams, KnapsackSolver.Mode mode, Duration roundTimeout) {
        if (baseParams == null) {
            throw new IllegalArgumentException("base knapsack parameters must be set");
        }
        this.baseParams = baseParams;
        this.solver = new KnapsackSolver(mode);
        this.roundTimeout = StateTtl.requirePositive(roundTimeout, KEY_ROUND_TIMEOUT);
    }

    @Override
    public void open(OpenContext openContext) {
        MapStateDescriptor<Integer, TaskStateReply> repliesDescriptor =
                new MapStateDescriptor<>(
                        REPLIES_STATE, Types.INT, TypeInformation.of(TaskStateReply.class));
        repliesDescriptor.enableTimeToLive(StateTtl.safetyNet(roundTimeout));
        replies = getRuntimeContext().getMapState(repliesDescriptor);
        ValueStateDescriptor<RoundProgress> progressDescriptor =
                new ValueStateDescriptor<>(PROGRESS_STATE, TypeInformation.of(RoundProgress.class));
        progressDescriptor.enableTimeToLive(StateTtl.safetyNet(roundTimeout));
        progress = getRuntimeContext().getState(progressDescriptor);

        var metrics = getRuntimeContext().getMetricGroup();
        answered = metrics.counter(BudgetMetrics.ROUNDS_ANSWERED);
        failed = metrics.counter(BudgetMetrics.ROUNDS_FAILED);
        ignored = metrics.counter(BudgetMetrics.REPLIES_IGNORED);
        rolloutsPerRound =
                metrics.histogram(
                        BudgetMetrics.ROLLOUTS_PER_ROUND,
                        new DescriptiveStatisticsHistogram(BudgetMetrics.HISTOGRAM_WINDOW));
    }

    @Override
    public void processElement(TaskStateReply reply, Context ctx, Collector<BudgetAllocation> out)
            throws Exception {
        RoundProgress current = progress.value();
        if (current == null) {
            long now = ctx.timerService().currentProcessingTime();
            current = new RoundProgress(reply.probe.taskCount, 0, now + roundTimeout.toMillis());
            ctx.timerService().registerProcessingTimeTimer(current.timeoutTimer);
        }
        int index = reply.probe.taskIndex;
        if (index < 0 || index >= current.taskCount || replies.contains(index)) {
            ignored.inc();
            progress.update(current);
            return;
        }
        replies.put(index, reply);
        current.received++;
        if (!current.isComplete()) {
            progress.update(current);
            return;
        }
        ctx.timerService().deleteProcessingTimeTimer(current.timeoutTimer);
        List<TaskStateReply> round = new ArrayList<>(current.taskCount);
        for (int i = 0; i < current.taskCount; i++) {
            round.add(replies.get(i));
        }
        answer(round, out);
        clear();
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<BudgetAllocation> out)
            throws Exception {
        RoundProgress current = progress.value();
        if (current == null || current.timeoutTimer != timestamp) {
            return;
        }
        String error =
                "no statistics arrived for "
                        + (current.taskCount - current.received)
                        + " of "
                        + current.taskCount
                        + " tasks within "
                        + KEY_ROUND_TIMEOUT
                        + " = "
                        + roundTimeout
                        + "; resend the round, or raise "
                        + KEY_ROUND_TIMEOUT
                        + " if the task statistics lag";
        for (int i = 0; i < current.taskCount; i++) {
            TaskStateReply reply = replies.get(i);
            if (reply != null) {
                out.collect(error(reply.probe, error));
            }
        }
        failed.inc();
        clear();
    }

    private void answer(List<TaskStateReply> round, Collector<BudgetAllocation> out) {
        RoundProbe first = round.get(0).probe;
        int[] budgets;
        try {
            KnapsackParams params = params(first);
            List<TaskState> states = new ArrayList<>(round.size());
            for (TaskStateReply reply : round) {
                states.add(reply.taskState());
            }
            budgets = solver.allocate(states, params);
        } catch (RuntimeException e) {
            // Whatever the solver meets in one round's data fails that round, not the job.
            String error = "the round could not be allocated: " + e;
            for (TaskStateReply reply : round) {
                out.collect(error(reply.probe, error));
            }
            failed.inc();
            return;
        }
        long total = 0;
        for (int i = 0; i < round.size(); i++) {
            TaskStateReply reply = round.get(i);
            int rollouts = budgets[i];
            double value = reply.valid ? KnapsackSolver.value(rollouts, (float) reply.p) : 0.0;
            out.collect(
                    BudgetAllocations.of(
                            reply.probe.experimentId,
                            reply.probe.roundId,
                            reply.probe.taskId,
                            rollouts,
                            reply.p,
                            value));
            total += rollouts;
        }
        rolloutsPerRound.update(total);
        answered.inc();
    }

    /** The base parameters with the request's default_n and total_budget. */
    KnapsackParams params(RoundProbe probe) {
        KnapsackParams params = baseParams.withTotalBudget(probe.totalBudget);
        return probe.defaultN != null ? params.withN(probe.defaultN) : params;
    }

    private static BudgetAllocation error(RoundProbe probe, String error) {
        return BudgetAllocations.error(probe.experimentId, probe.roundId, probe.taskId, error);
    }

    private void clear() {
        replies.clear();
        progress.clear();
    }
}
