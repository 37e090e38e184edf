package io.creditstream.operators.core.budget;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The {@code budget --input round.json} contract: parsing, defaults, errors and output. */
class BudgetRoundTest {

    @Test
    void parsesARoundAndFillsTheReferenceDefaults() {
        BudgetRound.Round round =
                BudgetRound.parse(
                        "{\"reward_states\": [[1, 0.5, 16], [0, 0.0, 0], [true, 1.0, 9]],"
                                + " \"params\": {\"n\": 8, \"max_n\": 128, \"min_n\": null,"
                                + " \"alpha\": null, \"total_budget\": null}}");

        assertThat(round.states())
                .containsExactly(
                        new TaskState(true, 0.5, 16),
                        new TaskState(false, 0.0, 0),
                        new TaskState(true, 1.0, 9));
        assertThat(round.params()).isEqualTo(KnapsackParams.of(8, 128));
    }

    @Test
    void readsEveryParameter() {
        BudgetRound.Round round =
                BudgetRound.parse(
                        "{\"reward_states\": [], \"params\": {\"n\": 4, \"min_n\": 1,"
                                + " \"max_n\": 32.0, \"alpha\": 0.5, \"allow_fallback\": false,"
                                + " \"negative_n\": 0, \"positive_n\": 3, \"total_budget\": 0,"
                                + " \"cost_estimation\": \"expectation\"}}");

        assertThat(round.params())
                .isEqualTo(
                        KnapsackParams.of(4, 32)
                                .withMinN(1)
                                .withAlpha(0.5)
                                .withAllowFallback(false)
                                .withNegativeN(0)
                                .withPositiveN(3)
                                .withTotalBudget(0)
                                .withCostEstimation(CostEstimation.EXPECTATION));
    }

    @Test
    void allocatesAndPrintsTheBudgets() {
        BudgetRound.Round round =
                BudgetRound.parse(
                        "{\"reward_states\": [[1, 0.5, 16], [1, 0.0, 16], [0, 0.7, 3]],"
                                + " \"params\": {\"n\": 8, \"max_n\": 128}}");

        assertThat(BudgetRound.budgetsJson(round.allocate(new KnapsackSolver())))
                .isEqualTo("{\"budgets\":[5,7,12]}");
        assertThat(BudgetRound.budgetsJson(new int[0])).isEqualTo("{\"budgets\":[]}");
    }

    @Test
    void thePlainJavaAdapterTakesRowsAndAParameterMap() {
        Map<String, Object> params = new HashMap<>();
        params.put("n", 8);
        params.put("max_n", 128);
        params.put("negative_n", null);

        int[] budgets =
                BudgetRound.allocate(
                        List.of(new double[] {1, 0.5, 16}, new double[] {1, 1.0, 16}), params);

        assertThat(budgets).containsExactly(5, 11);
    }

    @Test
    void aMissingMaxNIsRejectedAsTheReferenceCrashes() {
        assertThatThrownBy(
                        () ->
                                BudgetRound.parse(
                                        "{\"reward_states\": [[1, 0.5, 16]], \"params\": {\"n\":"
                                                + " 8}}"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("max_n (budget.max-n) must be set");
        assertThatThrownBy(() -> BudgetRound.parse("{\"reward_states\": []}"))
                .hasMessageContaining("n (budget.n) must be set");
    }

    @Test
    void rejectsMalformedRoundsNamingWhatIsWrong() {
        assertThatThrownBy(() -> BudgetRound.parse("{\"reward_states\": ["))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("The round is not valid JSON");
        assertThatThrownBy(() -> BudgetRound.parse("[1, 2]"))
                .hasMessageContaining("must be a JSON object");
        assertThatThrownBy(() -> BudgetRound.parse("{\"params\": {\"n\": 8, \"max_n\": 8}}"))
                .hasMessageContaining("\"reward_states\" must be an array");
        assertThatThrownBy(() -> BudgetRound.parse("{\"reward_states\": [], \"extra\": 1}"))
                .hasMessageContaining("Unknown round field(s) [extra]");
        assertThatThrownBy(() -> parseWithParams("\"n\": 8, \"max_n\": 8, \"solver\": \"dp\""))
                .hasMessageContaining("Unknown parameter(s) [solver]")
                .hasMessageContaining("cost_estimation");
        assertThatThrownBy(() -> parseWithParams("\"n\": 8.5, \"max_n\": 8"))
                .hasMessage("Parameter n must be an integer, got 8.5");
        assertThatThrownBy(() -> parseWithParams("\"n\": 8, \"max_n\": 8, \"alpha\": \"x\""))
                .hasMessageContaining("Parameter alpha must be a number");
        assertThatThrownBy(() -> parseWithParams("\"n\": 8, \"max_n\": 8, \"allow_fallback\": 1"))
                .hasMessageContaining("allow_fallback must be true or false");
        assertThatThrownBy(
                        () ->
                                parseWithParams(
                                        "\"n\": 8, \"max_n\": 8, \"cost_estimation\": \"mean\""))
                .hasMessageContaining("Unknown cost_estimation 'mean'");
    }

    @Test
    void rejectsBadRowsNamingTheRow() {
        assertThatThrownBy(() -> parseWithRows("[1, 0.5, 16], [1, 0.5]"))
                .hasMessageContaining("reward_states[1] must have 3 entries");
        assertThatThrownBy(() -> parseWithRows("[1, 1.5, 16]"))
                .hasMessageContaining("reward_states[0] p of a valid task must be");
        assertThatThrownBy(() -> parseWithRows("[1, 0.5, -1]"))
                .hasMessageContaining("reward_states[0] count must not be negative");
        assertThatThrownBy(() -> parseWithRows("[\"yes\", 0.5, 1]"))
                .hasMessageContaining("reward_states[0] valid must be 1 or 0");
        assertThatThrownBy(() -> parseWithRows("7"))
                .hasMessageContaining("reward_states[0] must be an array");
    }

    @Test
    void readsValidAsTheReferenceDoesAndIgnoresAnInvalidRowsRate() {
        BudgetRound.Round round = parseWithRows("[2, 0.5, 16], [0, null, 3], [1.0, 0.25, 8.9]");

        assertThat(round.states())
                .containsExactly(
                        new TaskState(false, 0.5, 16),
                        new TaskState(false, 0.0, 3),
                        new TaskState(true, 0.25, 8));
    }

    private static BudgetRound.Round parseWithParams(String params) {
        return BudgetRound.parse("{\"reward_states\": [], \"params\": {" + params + "}}");
    }

    private static BudgetRound.Round parseWithRows(String rows) {
        return BudgetRound.parse(
                "{\"reward_states\": [" + rows + "], \"params\": {\"n\": 8, \"max_n\": 8}}");
    }
}
