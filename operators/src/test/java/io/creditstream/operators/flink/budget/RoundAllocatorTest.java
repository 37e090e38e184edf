package io.creditstream.operators.flink.budget;

import static io.creditstream.operators.flink.budget.BudgetTestData.EXPERIMENT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.creditstream.operators.core.budget.KnapsackParams;
import io.creditstream.operators.core.budget.KnapsackSolver;
import io.creditstream.operators.core.budget.TaskState;
import io.creditstream.schemas.BudgetAllocation;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class RoundAllocatorTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    private static final long START_MS = 1_000;
    private static final KnapsackParams BASE = KnapsackParams.of(8, 128);

    /** Hard, middling, unseen, solved, easy and unsolved tasks. */
    private static final List<TaskState> MIXED =
            List.of(
                    new TaskState(true, 0.25, 16),
                    new TaskState(true, 0.5, 16),
                    new TaskState(false, 0.0, 3),
                    new TaskState(true, 1.0, 16),
                    new TaskState(true, 0.875, 16),
                    new TaskState(true, 0.0, 16));

    private KeyedOneInputStreamOperatorTestHarness<String, TaskStateReply, BudgetAllocation>
            harness;

    @BeforeEach
    void setUp() throws Exception {
        harness =
                ProcessFunctionTestHarnesses.forKeyedProcessFunction(
                        new RoundAllocator(BASE, KnapsackSolver.Mode.AUTO, TIMEOUT),
                        TaskStateReply::roundKey,
                        Types.STRING);
        harness.setProcessingTime(START_MS);
    }

    @AfterEach
    void tearDown() throws Exception {
        harness.close();
    }

    private static TaskStateReply reply(
            String round,
            int index,
            int count,
            TaskState state,
            Integer totalBudget,
            Integer defaultN) {
        RoundProbe probe =
                new RoundProbe(EXPERIMENT, round, "t" + index, index, count, totalBudget, defaultN);
        return TaskStateReply.of(probe, state);
    }

    private void sendInOrder(
            String round, List<TaskState> states, int[] order, Integer total, Integer defaultN)
            throws Exception {
        for (int index : order) {
            harness.processElement(
                    reply(round, index, states.size(), states.get(index), total, defaultN), 0);
        }
    }

    @Test
    void aCompleteRoundIsTheKernelsAllocationInTaskOrder() throws Exception {
        sendInOrder("r1", MIXED, new int[] {2, 0, 5, 3}, null, null);
        assertThat(harness.extractOutputValues()).isEmpty();
        assertThat(harness.numProcessingTimeTimers()).isEqualTo(1);

        sendInOrder("r1", MIXED, new int[] {4, 1}, null, null);

        int[] expected = new KnapsackSolver().allocate(MIXED, BASE);
        List<BudgetAllocation> answer = harness.extractOutputValues();
        assertThat(answer)
                .extracting(BudgetAllocation::getTaskId)
                .containsExactly("t0", "t1", "t2", "t3", "t4", "t5");
        assertThat(answer)
                .extracting(BudgetAllocation::getRollouts)
                .containsExactly(boxed(expected));
        assertThat(answer.stream().mapToInt(BudgetAllocation::getRollouts).sum())
                .isEqualTo(MIXED.size() * 8);
        for (int i = 0; i < MIXED.size(); i++) {
            TaskState state = MIXED.get(i);
            BudgetAllocation allocation = answer.get(i);
            assertThat(allocation.getExperimentId()).isEqualTo(EXPERIMENT);
            assertThat(allocation.getRoundId()).isEqualTo("r1");
            assertThat(allocation.getError()).isNull();
            assertThat(allocation.getSuccessRate()).isEqualTo(state.p());
            assertThat(allocation.getValue())
                    .isEqualTo(
                            state.valid() ? KnapsackSolver.value(expected[i], state.p32()) : 0.0);
        }
        assertThat(answer.get(1).getValue()).isPositive();
        assertThat(harness.numKeyedStateEntries()).isZero();
        assertThat(harness.numProcessingTimeTimers()).isZero();
    }

    @Test
    void theRequestsDefaultNAndTotalBudgetOverrideTheBase() throws Exception {
        sendInOrder("r1", MIXED, new int[] {0, 1, 2, 3, 4, 5}, 50, 4);

        KnapsackParams params = BASE.withN(4).withTotalBudget(50);
        int[] expected = new KnapsackSolver().allocate(MIXED, params);
        List<BudgetAllocation> answer = harness.extractOutputValues();
        assertThat(answer)
                .extracting(BudgetAllocation::getRollouts)
                .containsExactly(boxed(expected));
        assertThat(answer.stream().mapToInt(BudgetAllocation::getRollouts).sum()).isEqualTo(50);
    }

    @Test
    void aDefaultNAloneSetsTheTotalToTasksTimesN() throws Exception {
        sendInOrder("r1", MIXED, new int[] {0, 1, 2, 3, 4, 5}, null, 4);

        assertThat(
                        harness.extractOutputValues().stream()
                                .mapToInt(BudgetAllocation::getRollouts)
                                .sum())
                .isEqualTo(MIXED.size() * 4);
    }

    @Test
    void aRoundTheSolverRejectsIsAnsweredWithAnErrorPerTask() throws Exception {
        // The unseen task alone needs n = 8 rollouts before any allocation.
        sendInOrder("r1", MIXED, new int[] {0, 1, 2, 3, 4, 5}, 3, null);

        List<BudgetAllocation> answer = harness.extractOutputValues();
        assertThat(answer)
                .extracting(BudgetAllocation::getTaskId)
                .containsExactly("t0", "t1", "t2", "t3", "t4", "t5");
        assertThat(answer)
                .allSatisfy(
                        allocation -> {
                            assertThat(allocation.getRollouts()).isZero();
                            assertThat(allocation.getError())
                                    .contains("total_budget 3 is smaller than");
                        });
        assertThat(harness.numKeyedStateEntries()).isZero();
        assertThat(harness.numProcessingTimeTimers()).isZero();
    }

    @Test
    void anIncompleteRoundTimesOutWithAnErrorForEveryTaskSeen() throws Exception {
        sendInOrder("r1", MIXED, new int[] {3, 1}, null, null);

        harness.setProcessingTime(START_MS + TIMEOUT.toMillis() - 1);
        assertThat(harness.extractOutputValues()).isEmpty();
        harness.setProcessingTime(START_MS + TIMEOUT.toMillis());

        List<BudgetAllocation> answer = harness.extractOutputValues();
        assertThat(answer).extracting(BudgetAllocation::getTaskId).containsExactly("t1", "t3");
        assertThat(answer)
                .allSatisfy(
                        allocation -> {
                            assertThat(allocation.getRollouts()).isZero();
                            assertThat(allocation.getError())
                                    .contains("no statistics arrived for 4 of 6 tasks")
                                    .contains("budget.round-timeout");
                        });
        assertThat(harness.numKeyedStateEntries()).isZero();
        assertThat(harness.numProcessingTimeTimers()).isZero();
    }

    @Test
    void duplicateRepliesAreIgnored() throws Exception {
        List<TaskState> two = MIXED.subList(0, 2);
        sendInOrder("r1", two, new int[] {0, 0, 0}, null, null);
        assertThat(harness.extractOutputValues()).isEmpty();

        sendInOrder("r1", two, new int[] {1}, null, null);

        assertThat(harness.extractOutputValues())
                .extracting(BudgetAllocation::getTaskId)
                .containsExactly("t0", "t1");
        assertThat(harness.numKeyedStateEntries()).isZero();
        assertThat(harness.numProcessingTimeTimers()).isZero();
    }

    @Test
    void keepsRoundsApart() throws Exception {
        List<TaskState> two = MIXED.subList(0, 2);
        sendInOrder("r1", two, new int[] {0}, null, null);
        sendInOrder("r2", two, new int[] {1, 0}, null, null);

        assertThat(harness.extractOutputValues())
                .extracting(BudgetAllocation::getRoundId)
                .containsExactly("r2", "r2");
        assertThat(harness.numProcessingTimeTimers()).isEqualTo(1);
    }

    @Test
    void rejectsANonPositiveTimeout() {
        assertThatThrownBy(() -> new RoundAllocator(BASE, KnapsackSolver.Mode.DP, Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("budget.round-timeout");
    }

    private static Integer[] boxed(int[] values) {
        List<Integer> boxed = new ArrayList<>();
        for (int value : values) {
            boxed.add(value);
        }
        return boxed.toArray(new Integer[0]);
    }
}
