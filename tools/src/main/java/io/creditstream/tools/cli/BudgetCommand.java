package io.creditstream.tools.cli;

import io.creditstream.operators.core.budget.BudgetRound;
import io.creditstream.operators.core.budget.KnapsackSolver;
import io.creditstream.schemas.preflight.ExitCode;
import io.creditstream.schemas.preflight.FilePreflight;
import io.creditstream.schemas.preflight.PreflightException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code creditstream budget}: one knapsack rollout-budget round, offline. */
@Command(
        name = "budget",
        mixinStandardHelpOptions = true,
        description = {
            "Allocate one round of rollouts across tasks with the knapsack solver (KnapsackRL,"
                    + " docs/ALGORITHMS.md §4) and print {\"budgets\": [...]} as the last line"
                    + " of stdout.",
            "Input: {\"reward_states\": [[valid, p, count], ...], \"params\": {\"n\", \"min_n\","
                    + " \"max_n\", \"alpha\", \"allow_fallback\", \"negative_n\", \"positive_n\","
                    + " \"total_budget\", \"cost_estimation\"}}; null or absent = the reference"
                    + " default (max_n has none: the reference fails without it, and so does"
                    + " this).",
            "An input that is not a round exits with status 2 and the reason; an empty one with"
                    + " status 6.",
            "",
            "Example: creditstream budget --input round.json"
        })
public class BudgetCommand implements Callable<Integer> {
    @Option(
            names = "--input",
            required = true,
            paramLabel = "FILE",
            description = "The round, as JSON.")
    Path input;

    @Option(
            names = "--solver",
            defaultValue = "AUTO",
            description =
                    "AUTO (the exact DP while it is fast, else the marginal-gain greedy), DP or"
                            + " GREEDY (default: ${DEFAULT-VALUE}).")
    KnapsackSolver.Mode solver;

    @Override
    public Integer call() throws Exception {
        FilePreflight.readableFile(input, "--input");
        String json = Files.readString(input, StandardCharsets.UTF_8);
        if (json.isBlank()) {
            throw new PreflightException(
                    ExitCode.NO_INPUT,
                    "--input "
                            + input
                            + " is empty: there is no round to allocate (expected"
                            + " {\"reward_states\": [[valid, p, count], ...], \"params\": {...}})");
        }
        BudgetRound.Round round = BudgetRound.parse(json);
        int[] budgets = round.allocate(new KnapsackSolver(solver));
        System.out.println(BudgetRound.budgetsJson(budgets));
        return 0;
    }
}
