package io.creditstream.operators.core.budget;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.creditstream.operators.core.budget.KnapsackSolver.Mode;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Rounds whose budgets were computed by the reference's {@code sampling_budget_by_knapsack}
 * (liziniu/KnapsackRL, standard DP path) under numpy 1.24; "error" marks a round it crashes on.
 */
class KnapsackReferenceCasesTest {

    /** One round a line: the round JSON, " => ", the reference's budgets or "error". */
    private static final String CASES =
            """
            {"reward_states":[[1,0.5,28],[1,0.75,23],[1,0.04,10],[1,0.0,35]],"params":{"n":13,"min_n":0,"max_n":128,"alpha":0.5,"allow_fallback":false,"negative_n":3,"positive_n":5,"total_budget":29,"cost_estimation":"probability"}} => [7,9,10,3]
            {"reward_states":[[1,0.4375,21],[1,0.9583333333333334,16],[1,0.10903846723501787,16],[1,0.8518518518518519,28],[1,0.41793285151985937,4],[1,0.9375,7],[1,0.75,22],[0,0.1875,5]],"params":{"n":11,"min_n":1,"max_n":128,"alpha":0.75,"allow_fallback":false,"negative_n":4,"total_budget":100,"cost_estimation":"probability"}} => [10,1,33,17,11,3,14,11]
            {"reward_states":[[1,0.25,32],[1,0.34941349887359874,17],[1,1.0,2],[1,1.0,8],[0,0.75,40],[0,0.0,21],[0,0.0,36],[1,0.11764705882352941,30]],"params":{"n":7,"min_n":2,"max_n":2,"alpha":0.75,"allow_fallback":true,"positive_n":3,"total_budget":72,"cost_estimation":"expectation"}} => [4,4,3,3,18,18,18,4]
            {"reward_states":[[1,0.25,18],[1,0.03943799528342362,10],[1,0.25,9]],"params":{"n":8,"min_n":4,"max_n":4,"alpha":0.9,"allow_fallback":false,"cost_estimation":"expectation"}} => [8,8,8]
            {"reward_states":[[1,1.0,33],[1,0.0,29],[1,0.5142857142857142,6],[0,0.0,9],[1,0.29126834481402486,32],[1,0.058823529411764705,22]],"params":{"n":4,"min_n":1,"max_n":2,"alpha":0.9,"allow_fallback":false,"total_budget":27,"cost_estimation":"probability"}} => [1,1,7,4,7,7]
            {"reward_states":[[1,0.25,5],[0,0.3125,3],[1,0.2857142857142857,9]],"params":{"n":14,"min_n":3,"max_n":128,"alpha":0.75,"allow_fallback":true,"total_budget":44,"cost_estimation":"probability"}} => [7,30,7]
            {"reward_states":[[1,0.0,14],[1,0.0,12],[1,0.8461538461538461,35],[1,0.5,15],[1,0.3333333333333333,26]],"params":{"n":8,"min_n":3,"max_n":4,"alpha":0.5,"allow_fallback":true,"negative_n":1,"positive_n":4,"total_budget":35,"cost_estimation":"expectation"}} => [8,8,7,6,6]
            {"reward_states":[[1,0.0,7],[1,0.125,15],[1,0.75,19],[1,0.0,37],[1,1.0,21],[1,0.9375,28],[1,0.375,39],[1,0.375,9]],"params":{"n":10,"min_n":2,"max_n":128,"alpha":0.9,"allow_fallback":true,"cost_estimation":"expectation"}} => [17,17,8,17,2,2,9,8]
            {"reward_states":[[1,0.0,29],[1,1.0,16],[1,0.09660386501046969,2],[1,0.0625,3]],"params":{"n":16,"min_n":1,"max_n":128,"alpha":0.75,"allow_fallback":false,"negative_n":4,"cost_estimation":"expectation"}} => [4,1,28,31]
            {"reward_states":[[0,0.0,31],[1,0.875,33],[0,0.3125,30],[1,0.9283675548529976,15],[0,0.0,38]],"params":{"n":5,"min_n":0,"max_n":0,"alpha":0.75,"allow_fallback":true,"negative_n":5,"cost_estimation":"expectation"}} => [9,0,8,0,8]
            {"reward_states":[[0,0.0,9],[1,0.3125,4],[0,0.0,0],[1,1.0,9],[1,0.0,20]],"params":{"n":12,"min_n":1,"max_n":20,"alpha":0.75,"allow_fallback":false,"total_budget":105,"cost_estimation":"expectation"}} => [12,79,12,1,1]
            {"reward_states":[[0,1.0,37],[1,0.1875,39],[0,0.0,11],[1,0.2777777777777778,32],[1,0.0,23],[1,0.5135135135135135,39],[1,0.1875,18],[1,0.0,30],[1,0.0,16],[1,0.775,9]],"params":{"n":14,"min_n":0,"max_n":128,"alpha":0.75,"allow_fallback":true,"positive_n":0,"total_budget":62,"cost_estimation":"expectation"}} => [17,6,17,5,3,4,5,3,2,0]
            {"reward_states":[[1,1.0,17],[1,0.875,1],[1,0.47058823529411764,21],[1,0.625,33],[1,0.0,28],[1,0.875,22],[1,0.5,37],[0,0.0,2],[1,0.25,18]],"params":{"n":12,"min_n":1,"max_n":2,"alpha":0.5,"allow_fallback":true,"cost_estimation":"probability"}} => [1,3,3,3,41,2,2,51,2]
            {"reward_states":[[1,0.0,3],[1,0.375,39],[1,0.2857142857142857,19],[1,0.41025641025641024,18],[0,0.0,38],[0,0.14285714285714285,20]],"params":{"n":3,"min_n":2,"max_n":3,"alpha":0.75,"allow_fallback":true,"cost_estimation":"expectation"}} => [2,4,3,3,3,3]
            {"reward_states":[[1,0.125,28],[1,1.0,28],[1,0.1875,2],[1,0.3125,1],[1,0.0,21],[0,0.5229467042396627,23],[1,0.375,11],[1,0.5,33],[1,1.0,14],[0,0.0,14]],"params":{"n":1,"min_n":1,"max_n":128,"alpha":0.5,"allow_fallback":true,"negative_n":1,"total_budget":19,"cost_estimation":"probability"}} => [2,1,3,3,1,1,3,3,1,1]
            {"reward_states":[[0,0.0,24],[1,0.0,33],[1,0.37037037037037035,0]],"params":{"n":9,"min_n":1,"max_n":128,"alpha":0.5,"allow_fallback":true,"total_budget":28,"cost_estimation":"probability"}} => [17,9,2]
            {"reward_states":[[1,0.39621317920579857,35],[0,0.0,24],[1,0.6985742367975908,31],[0,0.125,4],[1,1.0,32],[1,1.0,18]],"params":{"n":4,"min_n":4,"max_n":4,"alpha":0.09035438143457965,"allow_fallback":true,"negative_n":4,"positive_n":3,"total_budget":38,"cost_estimation":"expectation"}} => [7,9,7,9,3,3]
            {"reward_states":[[1,0.4912334512182409,8],[1,1.0,21],[1,1.0,31],[0,0.0,11],[1,0.9770675654377353,39]],"params":{"n":10,"min_n":3,"max_n":16,"alpha":0.5,"allow_fallback":true,"cost_estimation":"expectation"}} => [14,3,3,19,11]
            {"reward_states":[[1,1.0,26],[1,0.5416666666666666,2],[0,1.0,20],[1,0.625,14],[0,0.9722222222222222,30],[1,0.0,29],[1,0.14054834508858471,29],[0,0.625,15],[0,0.0,4]],"params":{"n":12,"min_n":4,"max_n":5,"alpha":0.9,"allow_fallback":true,"negative_n":0,"positive_n":3,"total_budget":124,"cost_estimation":"expectation"}} => [3,8,22,8,22,10,7,22,22]
            {"reward_states":[[1,0.4375,9],[1,0.0,40],[1,0.4375,20],[1,0.6666666666666666,37],[0,0.0,28],[1,0.625,8],[1,0.875,2],[1,0.0,18],[1,0.0,21]],"params":{"n":13,"min_n":3,"max_n":128,"alpha":0.75,"allow_fallback":true,"cost_estimation":"probability"}} => [8,19,7,8,28,7,4,18,18]
            {"reward_states":[[1,0.0625,25],[1,0.2222222222222222,16],[1,0.0,17]],"params":{"n":3,"min_n":1,"max_n":2,"alpha":0.75,"allow_fallback":true,"total_budget":9,"cost_estimation":"probability"}} => [3,3,3]
            {"reward_states":[[1,1.0,19],[1,0.0,0],[1,0.8125,23],[0,0.8292560586576623,27],[1,0.45172811050072037,21],[1,1.0,14],[1,0.8125,30]],"params":{"n":9,"min_n":2,"max_n":2,"alpha":0.9,"allow_fallback":true,"negative_n":1,"total_budget":56,"cost_estimation":"expectation"}} => [2,16,4,24,4,2,4]
            {"reward_states":[[0,1.0,3],[1,0.0,18],[1,0.6470588235294118,34],[0,0.25,15],[1,1.0,15],[1,0.0,40],[1,0.875,5],[1,1.0,40]],"params":{"n":14,"min_n":3,"max_n":128,"alpha":0.9,"allow_fallback":true,"positive_n":2,"cost_estimation":"probability"}} => [26,15,12,25,2,14,16,2]
            {"reward_states":[[1,0.6470588235294118,13],[0,0.0,37],[1,0.11764705882352941,29],[1,0.0,2],[0,0.0,24]],"params":{"n":10,"min_n":0,"max_n":0,"alpha":0.5,"allow_fallback":true,"positive_n":3,"cost_estimation":"probability"}} => [0,20,0,10,20]
            {"reward_states":[[1,0.2222222222222222,5],[1,1.0,8]],"params":{"n":2,"min_n":4,"max_n":128,"alpha":0.9,"allow_fallback":false,"total_budget":7,"cost_estimation":"expectation"}} => "error"
            {"reward_states":[[1,0.0,8],[1,1.0,35],[1,0.4838709677419355,25],[0,0.0,19],[0,0.0,6],[1,0.8484848484848485,5]],"params":{"n":1,"min_n":1,"max_n":3,"alpha":0.75,"allow_fallback":false,"negative_n":3,"cost_estimation":"probability"}} => "error"
            {"reward_states":[[1,0.35294117647058826,6],[1,0.8872342953671638,21]],"params":{"n":15,"min_n":4,"max_n":5,"alpha":0.5,"allow_fallback":true,"positive_n":5,"cost_estimation":"probability"}} => "error"
            {"reward_states":[[0,0.0,23],[0,0.75,39],[1,0.53410200125563,6],[1,0.6621555694905975,15],[1,0.0,31]],"params":{"n":2,"min_n":4,"max_n":4,"alpha":0.9,"allow_fallback":true,"negative_n":1,"cost_estimation":"probability"}} => "error"
            {"reward_states":[[1,1.0,16],[1,0.0,16],[1,0.875,16],[1,0.8125,16],[1,0.9375,16],[1,0.3125,16],[1,0.9375,16],[1,0.3125,16],[1,0.8125,16],[1,0.6875,16],[0,0.0,3],[1,0.0,16]],"params":{"n":8,"min_n":1,"max_n":32,"allow_fallback":true,"cost_estimation":"expectation"}} => [1,7,9,11,1,12,1,12,11,10,14,7]
            {"reward_states":[[1,0.1875,16],[1,0.8125,16],[1,0.375,16],[1,0.0,16],[1,0.875,16],[1,0.625,16],[1,0.0625,16]],"params":{"n":8,"min_n":2,"max_n":16,"allow_fallback":true,"cost_estimation":"expectation"}} => [14,7,8,4,3,7,13]
            {"reward_states":[[1,1.0,16],[1,0.5625,16],[1,0.0625,16],[1,0.3125,16],[1,0.5625,16],[1,0.1875,16],[1,0.125,16],[1,0.0,16],[1,0.1875,16],[0,0.0,3],[1,0.875,16]],"params":{"n":8,"min_n":2,"max_n":128,"allow_fallback":false,"cost_estimation":"probability"}} => [2,7,10,9,7,13,14,2,13,8,3]
            {"reward_states":[[1,0.0,16],[1,0.625,16],[1,0.75,16],[1,0.75,16],[1,0.0625,16]],"params":{"n":8,"min_n":2,"max_n":128,"allow_fallback":false,"cost_estimation":"expectation"}} => [2,7,8,8,15]
            {"reward_states":[[1,1e-30,16],[1,0.6875,16],[1,0.0,16],[1,0.999999999999,16],[1,0.875,16],[0,0.0,4],[1,0.125,16]],"params":{"n":8,"min_n":2,"max_n":32,"allow_fallback":false,"cost_estimation":"probability"}} => "error"
            {"reward_states":[[1,0.9698132768381156,29],[1,1.0,39],[1,0.8676138422503308,30],[1,1.0,34],[1,1.0,23],[1,1.0,28]],"params":{"n":11,"min_n":0,"max_n":0,"alpha":0.75,"allow_fallback":false,"total_budget":75,"cost_estimation":"expectation"}} => [38,0,37,0,0,0]
            {"reward_states":[[1,0.25,26],[1,0.42105263157894735,3],[0,0.0,19],[1,1.0,35],[1,0.6451612903225806,5],[0,0.9600788169648591,11],[1,0.625,3]],"params":{"n":16,"min_n":0,"max_n":6,"alpha":0.520845642383793,"allow_fallback":false,"negative_n":5,"cost_estimation":"expectation"}} => [20,20,16,0,20,16,20]
            """;

    @Test
    void theDpReproducesTheReferenceBudgets() {
        List<String> lines = CASES.lines().filter(line -> !line.isBlank()).toList();
        assertThat(lines).hasSizeGreaterThan(30);
        KnapsackSolver solver = new KnapsackSolver(Mode.DP);
        for (String line : lines) {
            String[] parts = line.strip().split(" => ");
            BudgetRound.Round round = BudgetRound.parse(parts[0]);
            if (parts[1].equals("\"error\"")) {
                assertThatThrownBy(() -> round.allocate(solver))
                        .as(parts[0])
                        .isInstanceOf(IllegalArgumentException.class);
            } else {
                assertThat(BudgetRound.budgetsJson(round.allocate(solver)))
                        .as(parts[0])
                        .isEqualTo("{\"budgets\":" + parts[1] + "}");
            }
        }
    }

    @Test
    void autoModeRunsTheDpOnTheseSmallRounds() {
        KnapsackSolver auto = new KnapsackSolver();
        for (String line : CASES.lines().filter(line -> !line.isBlank()).toList()) {
            String[] parts = line.strip().split(" => ");
            if (!parts[1].equals("\"error\"")) {
                BudgetRound.Round round = BudgetRound.parse(parts[0]);
                assertThat(Arrays.toString(round.allocate(auto)).replace(" ", ""))
                        .as(parts[0])
                        .isEqualTo(parts[1]);
            }
        }
    }
}
