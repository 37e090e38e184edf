package io.creditstream.operators.flink.budget;

import io.creditstream.schemas.BudgetAllocation;
import io.creditstream.schemas.BudgetRequest;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * Splits the fleet's {@link BudgetRequest} into one {@link RoundProbe} per task id, in request
 * order, or answers a request that cannot be allocated with error records on {@link #ERRORS}.
 *
 * <p>A request is rejected when its experiment or round id is blank, it has no task ids, a task id
 * is blank or repeated, or total_budget or default_n is set and not positive. It is then answered
 * with one error record per task id given (task id "" when there are none), rollouts 0, the error
 * naming every bad field and how to fix it. Stateless.
 */
public class ExpandBudgetRequest extends ProcessFunction<BudgetRequest, RoundProbe> {
    private static final long serialVersionUID = 1L;

    /** Answers to requests that cannot be allocated; the job unions them into rollout.budget. */
    public static final OutputTag<BudgetAllocation> ERRORS =
            new OutputTag<>("budget-request-errors") {};

    /**
     * Most tasks in one round: a round fans out to one probe per task, and the exact solver's cost
     * grows with tasks × budget, so one request must not be able to flood the job.
     */
    public static final int MAX_TASKS = 10_000;

    /** Most rollouts one round may allocate (total_budget, or default_n per task). */
    public static final int MAX_TOTAL_BUDGET = 1_000_000;

    @Override
    public void processElement(BudgetRequest request, Context ctx, Collector<RoundProbe> out) {
        String experimentId = string(request.getExperimentId());
        String roundId = string(request.getRoundId());
        List<String> taskIds = new ArrayList<>();
        if (request.getTaskIds() != null) {
            for (CharSequence taskId : request.getTaskIds()) {
                taskIds.add(string(taskId));
            }
        }
        List<String> problems = problems(experimentId, roundId, taskIds, request);
        if (!problems.isEmpty()) {
            String error = "budget request rejected: " + String.join("; ", problems);
            if (taskIds.isEmpty() || taskIds.size() > MAX_TASKS) {
                // One answer for the round: one per task would be the flood the limit prevents.
                ctx.output(ERRORS, BudgetAllocations.error(experimentId, roundId, "", error));
                return;
            }
            for (String taskId : taskIds) {
                ctx.output(ERRORS, BudgetAllocations.error(experimentId, roundId, taskId, error));
            }
            return;
        }
        for (int i = 0; i < taskIds.size(); i++) {
            out.collect(
                    new RoundProbe(
                            experimentId,
                            roundId,
                            taskIds.get(i),
                            i,
                            taskIds.size(),
                            request.getTotalBudget(),
                            request.getDefaultN()));
        }
    }

    private static List<String> problems(
            String experimentId, String roundId, List<String> taskIds, BudgetRequest request) {
        List<String> problems = new ArrayList<>();
        if (isBlank(experimentId)) {
            problems.add("experiment_id is blank; set it to the experiment the round belongs to");
        }
        if (isBlank(roundId)) {
            problems.add("round_id is blank; set it to an id unique within the experiment");
        }
        if (taskIds.isEmpty()) {
            problems.add("task_ids is empty; list the tasks to allocate rollouts to");
        }
        if (taskIds.size() > MAX_TASKS) {
            problems.add(
                    "task_ids lists "
                            + taskIds.size()
                            + " tasks, more than the "
                            + MAX_TASKS
                            + " one round may hold; split the round");
        }
        Set<String> seen = new HashSet<>();
        Set<String> duplicates = new HashSet<>();
        int blank = 0;
        for (String taskId : taskIds) {
            if (isBlank(taskId)) {
                blank++;
            } else if (!seen.add(taskId)) {
                duplicates.add(taskId);
            }
        }
        if (blank > 0) {
            problems.add(
                    "task_ids holds " + blank + " blank id(s); give every task a non-blank id");
        }
        if (!duplicates.isEmpty()) {
            problems.add(
                    "task_ids repeats "
                            + new ArrayList<>(duplicates).stream().sorted().toList()
                            + "; list each task once");
        }
        Integer totalBudget = request.getTotalBudget();
        Integer defaultN = request.getDefaultN();
        if (totalBudget != null && totalBudget > MAX_TOTAL_BUDGET) {
            problems.add(
                    "total_budget is "
                            + totalBudget
                            + ", more than the "
                            + MAX_TOTAL_BUDGET
                            + " rollouts one round may allocate");
        }
        if (defaultN != null && defaultN > MAX_TOTAL_BUDGET) {
            problems.add("default_n is " + defaultN + ", more than " + MAX_TOTAL_BUDGET);
        }
        if (totalBudget != null && totalBudget <= 0) {
            problems.add(
                    "total_budget must be positive, got "
                            + totalBudget
                            + "; set it to the round's rollouts or leave it null for #tasks ·"
                            + " default_n");
        }
        if (defaultN != null && defaultN <= 0) {
            problems.add(
                    "default_n must be positive, got "
                            + defaultN
                            + "; set it to the rollouts per task or leave it null for the"
                            + " configured budget.n");
        }
        return problems;
    }

    private static String string(CharSequence value) {
        return value == null ? null : value.toString();
    }

    private static boolean isBlank(String value) {
        return value == null || value.isBlank();
    }
}
