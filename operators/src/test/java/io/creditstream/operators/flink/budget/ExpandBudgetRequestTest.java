package io.creditstream.operators.flink.budget;

import static io.creditstream.operators.flink.budget.BudgetTestData.EXPERIMENT;
import static io.creditstream.operators.flink.budget.BudgetTestData.request;
import static org.assertj.core.api.Assertions.assertThat;

import io.creditstream.schemas.BudgetAllocation;
import io.creditstream.schemas.BudgetRequest;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ExpandBudgetRequestTest {
    private OneInputStreamOperatorTestHarness<BudgetRequest, RoundProbe> harness;

    @BeforeEach
    void setUp() throws Exception {
        harness = ProcessFunctionTestHarnesses.forProcessFunction(new ExpandBudgetRequest());
    }

    @AfterEach
    void tearDown() throws Exception {
        harness.close();
    }

    private List<BudgetAllocation> errors() {
        Queue<StreamRecord<BudgetAllocation>> queue =
                harness.getSideOutput(ExpandBudgetRequest.ERRORS);
        List<BudgetAllocation> errors = new ArrayList<>();
        if (queue != null) {
            queue.forEach(record -> errors.add(record.getValue()));
        }
        return errors;
    }

    @Test
    void emitsOneProbePerTaskInRequestOrder() throws Exception {
        BudgetRequest request = request("r1", List.of("b", "a", "c"));
        request.setTotalBudget(30);
        request.setDefaultN(6);

        harness.processElement(request, 0);

        assertThat(harness.extractOutputValues())
                .containsExactly(
                        new RoundProbe(EXPERIMENT, "r1", "b", 0, 3, 30, 6),
                        new RoundProbe(EXPERIMENT, "r1", "a", 1, 3, 30, 6),
                        new RoundProbe(EXPERIMENT, "r1", "c", 2, 3, 30, 6));
        assertThat(errors()).isEmpty();
    }

    @Test
    void aBlankExperimentIdIsAnsweredPerTask() throws Exception {
        BudgetRequest request = request("r1", List.of("a", "b"));
        request.setExperimentId(" ");

        assertRejected(request, List.of("a", "b"), "experiment_id is blank");
    }

    @Test
    void aBlankRoundIdIsAnsweredPerTask() throws Exception {
        assertRejected(request("", List.of("a")), List.of("a"), "round_id is blank");
    }

    @Test
    void aRequestWithoutTasksIsAnsweredWithOneRecord() throws Exception {
        assertRejected(request("r1", List.of()), List.of(""), "task_ids is empty");
    }

    @Test
    void aBlankTaskIdIsAnsweredPerTask() throws Exception {
        assertRejected(request("r1", List.of("a", "")), List.of("a", ""), "1 blank id");
    }

    @Test
    void aRepeatedTaskIdIsAnsweredPerTask() throws Exception {
        assertRejected(
                request("r1", List.of("a", "b", "a")),
                List.of("a", "b", "a"),
                "task_ids repeats [a]");
    }

    @Test
    void aNonPositiveTotalBudgetIsAnsweredPerTask() throws Exception {
        BudgetRequest request = request("r1", List.of("a"));
        request.setTotalBudget(0);

        assertRejected(request, List.of("a"), "total_budget must be positive, got 0");
    }

    @Test
    void aNonPositiveDefaultNIsAnsweredPerTask() throws Exception {
        BudgetRequest request = request("r1", List.of("a"));
        request.setDefaultN(-2);

        assertRejected(request, List.of("a"), "default_n must be positive, got -2");
    }

    @Test
    void aRoundOfTooManyTasksIsAnsweredWithOneRecord() throws Exception {
        List<String> tasks = new java.util.ArrayList<>();
        for (int i = 0; i <= ExpandBudgetRequest.MAX_TASKS; i++) {
            tasks.add("t" + i);
        }
        assertRejected(request("r1", tasks), List.of(""), "more than the 10000 one round may hold");
    }

    @Test
    void anAbsurdBudgetIsAnsweredPerTask() throws Exception {
        BudgetRequest request = request("r1", List.of("a"));
        request.setTotalBudget(Integer.MAX_VALUE);

        assertRejected(request, List.of("a"), "more than the 1000000 rollouts");
    }

    @Test
    void everyProblemIsNamedInOneMessage() throws Exception {
        BudgetRequest request = request("", List.of("a"));
        request.setDefaultN(0);

        harness.processElement(request, 0);

        assertThat(errors())
                .singleElement()
                .satisfies(
                        error ->
                                assertThat(error.getError())
                                        .contains("round_id is blank")
                                        .contains("default_n must be positive"));
    }

    private void assertRejected(BudgetRequest request, List<String> taskIds, String problem)
            throws Exception {
        harness.processElement(request, 0);

        assertThat(harness.extractOutputValues()).isEmpty();
        List<BudgetAllocation> errors = errors();
        assertThat(errors)
                .extracting(BudgetAllocation::getTaskId)
                .containsExactlyElementsOf(taskIds);
        assertThat(errors)
                .allSatisfy(
                        error -> {
                            assertThat(error.getRollouts()).isZero();
                            assertThat(error.getRoundId()).isEqualTo(request.getRoundId());
                            assertThat(error.getError())
                                    .startsWith("budget request rejected: ")
                                    .contains(problem);
                        });
    }
}
