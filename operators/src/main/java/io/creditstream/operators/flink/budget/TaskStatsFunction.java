package io.creditstream.operators.flink.budget;

import io.creditstream.operators.core.budget.SuccessRateTracker;
import io.creditstream.operators.core.budget.TaskState;
import io.creditstream.operators.flink.StateTtl;
import java.time.Duration;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.co.KeyedCoProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Keeps each task's Knapsack RL success statistics (keyed by {@code experimentId/taskId}) from its
 * completed groups, and answers each {@link RoundProbe} with the task's {@code [valid, p, count]}.
 *
 * <p>Epochs: a group with a higher policy version than any seen for the task starts a new epoch
 * before its rewards are added. With {@code epochGroups > 0}, a group arriving after {@code
 * epochGroups} groups of the current epoch also starts one, so epochs advance when no new policy
 * versions flow. A group of an older version (late) joins the current epoch. A group without
 * rewards changes nothing. An unseen task replies {@code valid=false, p=0, count=0}.
 *
 * <p>State: one {@link TaskStats} per task, written per group and read per probe. It is never
 * cleared by the function: it expires {@code budget.task-ttl} after the task's last group.
 */
public class TaskStatsFunction
        extends KeyedCoProcessFunction<String, TaskOutcome, RoundProbe, TaskStateReply> {
    private static final long serialVersionUID = 1L;

    /** The configuration key of the statistics' time to live, named in its errors. */
    public static final String KEY_TASK_TTL = "budget.task-ttl";

    public static final String STATS_STATE = "budget-task-stats";

    private final SuccessRateTracker.Settings settings;
    private final int epochGroups;
    private final Duration taskTtl;

    private transient ValueState<TaskStats> stats;
    private transient EffectiveRatios ratios;
    private transient Counter rejected;
    private transient long tasksTracked;

    /**
     * @param settings how rewards become an estimate (budget.min-buffer, budget.reward-buffer, …)
     * @param epochGroups groups per epoch when the policy version does not change; 0 for epochs by
     *     policy version only
     * @param taskTtl how long a task's statistics outlive its last group (budget.task-ttl)
     */
    public TaskStatsFunction(
            SuccessRateTracker.Settings settings, int epochGroups, Duration taskTtl) {
        if (settings == null) {
            throw new IllegalArgumentException("tracker settings must be set");
        }
        if (epochGroups < 0) {
            throw new IllegalArgumentException(
                    "epoch groups must not be negative (0 for epochs by policy version only), got "
                            + epochGroups);
        }
        this.settings = settings;
        this.epochGroups = epochGroups;
        this.taskTtl = StateTtl.requirePositive(taskTtl, KEY_TASK_TTL);
    }

    @Override
    public void open(OpenContext openContext) {
        ValueStateDescriptor<TaskStats> descriptor =
                new ValueStateDescriptor<>(STATS_STATE, TypeInformation.of(TaskStats.class));
        descriptor.enableTimeToLive(StateTtl.expireAfter(taskTtl));
        stats = getRuntimeContext().getState(descriptor);
        ratios = new EffectiveRatios(BudgetMetrics.GROUP_WINDOW);

        var metrics = getRuntimeContext().getMetricGroup();
        rejected = metrics.counter(BudgetMetrics.OUTCOMES_REJECTED);
        metrics.gauge(BudgetMetrics.TASKS_TRACKED, () -> tasksTracked);
        metrics.gauge(BudgetMetrics.EFFECTIVE_GRADIENT_RATIO, () -> ratios.gradientRatio());
        metrics.gauge(BudgetMetrics.EFFECTIVE_PROMPT_RATIO, () -> ratios.promptRatio());
    }

    @Override
    public void processElement1(TaskOutcome outcome, Context ctx, Collector<TaskStateReply> out)
            throws Exception {
        if (outcome.rewards == null || outcome.rewards.length == 0) {
            return;
        }
        if (!trackable(outcome.rewards)) {
            // TaskOutcome.of only makes {0, 1}; anything else is a wiring bug, counted not fatal.
            rejected.inc();
            return;
        }
        TaskStats current = stats.value();
        boolean fresh = current == null;
        if (fresh) {
            current = new TaskStats(new SuccessRateTracker(), outcome.policyVersion, 0);
        } else if (outcome.policyVersion > current.policyVersion) {
            current.tracker.startEpoch();
            current.policyVersion = outcome.policyVersion;
            current.groupsSinceEpoch = 0;
        } else if (epochGroups > 0 && current.groupsSinceEpoch >= epochGroups) {
            current.tracker.startEpoch();
            current.groupsSinceEpoch = 0;
        }
        current.tracker.addAll(outcome.rewards);
        current.groupsSinceEpoch++;
        stats.update(current);
        if (fresh) {
            tasksTracked++;
        }
        ratios.add(outcome.rewards);
    }

    /**
     * Whether the tracker accepts every reward (−1, 0 or 1), checked before the state is touched:
     * the heap backend hands out the stored object, so a half-applied group would stick.
     */
    static boolean trackable(double[] rewards) {
        for (double reward : rewards) {
            if (reward != 1 && reward != 0 && reward != -1) {
                return false;
            }
        }
        return true;
    }

    @Override
    public void processElement2(RoundProbe probe, Context ctx, Collector<TaskStateReply> out)
            throws Exception {
        TaskStats current = stats.value();
        TaskState state = current == null ? TaskState.unseen() : current.tracker.state(settings);
        out.collect(TaskStateReply.of(probe, state));
    }
}
