package io.creditstream.operators.core.budget;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The JSON contract of {@code creditstream budget --input round.json}: {@code {"reward_states":
 * [[valid, p, count], …], "params": {…}}} in, {@code {"budgets": […]}} out, where a null or absent
 * parameter takes the reference's default.
 *
 * <p>{@code valid} is true when it equals 1 (or is JSON {@code true}), as the reference tests
 * {@code reward_states[i][0] == 1}; p and count of an invalid row are not used, but count must
 * still be a number as the reference reads it.
 */
public final class BudgetRound {

    public static final String FIELD_REWARD_STATES = "reward_states";
    public static final String FIELD_PARAMS = "params";
    public static final String FIELD_BUDGETS = "budgets";

    /** The parameters a round may carry, the reference's keyword arguments. */
    public static final List<String> PARAMETER_FIELDS =
            List.of(
                    KnapsackParams.FIELD_N,
                    KnapsackParams.FIELD_MIN_N,
                    KnapsackParams.FIELD_MAX_N,
                    KnapsackParams.FIELD_ALPHA,
                    KnapsackParams.FIELD_ALLOW_FALLBACK,
                    KnapsackParams.FIELD_NEGATIVE_N,
                    KnapsackParams.FIELD_POSITIVE_N,
                    KnapsackParams.FIELD_TOTAL_BUDGET,
                    KnapsackParams.FIELD_COST_ESTIMATION);

    private static final ObjectMapper MAPPER = new ObjectMapper();

    /**
     * A parsed round.
     *
     * @param states one per task, in input order
     * @param params the validated parameters
     */
    public record Round(List<TaskState> states, KnapsackParams params) {

        public Round {
            states = List.copyOf(states);
        }

        /** Allocates with {@code solver}. */
        public int[] allocate(KnapsackSolver solver) {
            return solver.allocate(states, params);
        }
    }

    private BudgetRound() {}

    /**
     * Parses a round document.
     *
     * @throws IllegalArgumentException when it is not valid JSON, lacks a field, or holds a value
     *     the reference would reject; the message names the field
     */
    public static Round parse(String json) {
        Object document;
        try {
            document = MAPPER.readValue(json, Object.class);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(
                    "The round is not valid JSON: " + e.getOriginalMessage(), e);
        }
        if (!(document instanceof Map)) {
            throw new IllegalArgumentException(
                    "The round must be a JSON object with \""
                            + FIELD_REWARD_STATES
                            + "\" and \""
                            + FIELD_PARAMS
                            + "\"");
        }
        Map<?, ?> root = (Map<?, ?>) document;
        Set<Object> unknown = new LinkedHashSet<>(root.keySet());
        unknown.removeAll(List.of(FIELD_REWARD_STATES, FIELD_PARAMS));
        if (!unknown.isEmpty()) {
            throw new IllegalArgumentException(
                    "Unknown round field(s) "
                            + unknown
                            + "; a round has \""
                            + FIELD_REWARD_STATES
                            + "\" and \""
                            + FIELD_PARAMS
                            + "\"");
        }
        Object rows = root.get(FIELD_REWARD_STATES);
        if (!(rows instanceof List)) {
            throw new IllegalArgumentException(
                    "\"" + FIELD_REWARD_STATES + "\" must be an array of [valid, p, count] rows");
        }
        Object params = root.get(FIELD_PARAMS);
        if (params != null && !(params instanceof Map)) {
            throw new IllegalArgumentException("\"" + FIELD_PARAMS + "\" must be a JSON object");
        }
        return new Round(states((List<?>) rows), params((Map<?, ?>) params));
    }

    /**
     * Allocates a round given as plain Java values, with an {@link KnapsackSolver.Mode#AUTO}
     * solver.
     *
     * @param rewardStates one {@code [valid, p, count]} row per task
     * @param params the parameters by JSON field name; null values take the defaults
     */
    public static int[] allocate(List<double[]> rewardStates, Map<String, Object> params) {
        return new Round(states(rewardStates), params(params)).allocate(new KnapsackSolver());
    }

    /** {@code {"budgets":[…]}}, the CLI's last line. */
    public static String budgetsJson(int[] budgets) {
        try {
            return MAPPER.writeValueAsString(Map.of(FIELD_BUDGETS, budgets));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("An int array always serializes", e);
        }
    }

    /** Task states from rows that are {@code double[]} or lists of numbers (or booleans). */
    public static List<TaskState> states(List<?> rewardStates) {
        List<TaskState> states = new ArrayList<>(rewardStates.size());
        for (int i = 0; i < rewardStates.size(); i++) {
            states.add(state(i, rewardStates.get(i)));
        }
        return states;
    }

    private static TaskState state(int index, Object row) {
        List<?> cells;
        if (row instanceof double[]) {
            cells = Arrays.stream((double[]) row).boxed().toList();
        } else if (row instanceof List) {
            cells = (List<?>) row;
        } else {
            throw badRow(index, "must be an array [valid, p, count], got " + row);
        }
        if (cells.size() != 3) {
            throw badRow(index, "must have 3 entries [valid, p, count], got " + cells.size());
        }
        Object validCell = cells.get(0);
        boolean valid;
        if (validCell instanceof Boolean) {
            valid = (Boolean) validCell;
        } else if (validCell instanceof Number) {
            valid = ((Number) validCell).doubleValue() == 1;
        } else {
            throw badRow(index, "valid must be 1 or 0 (or true / false), got " + validCell);
        }
        Object countCell = cells.get(2);
        if (!(countCell instanceof Number)) {
            throw badRow(index, "count must be a number, got " + countCell);
        }
        double count = ((Number) countCell).doubleValue();
        if (!(count >= 0)) {
            throw badRow(index, "count must not be negative, got " + countCell);
        }
        Object pCell = cells.get(1);
        double p;
        if (pCell instanceof Number) {
            p = ((Number) pCell).doubleValue();
        } else if (pCell == null && !valid) {
            p = 0.0;
        } else {
            throw badRow(index, "p must be a number, got " + pCell);
        }
        if (valid && !(p >= 0 && p <= 1)) {
            throw badRow(index, "p of a valid task must be a success rate in [0, 1], got " + pCell);
        }
        // The reference reads count into an int32 array, truncating a fraction.
        return new TaskState(valid, p, (long) count);
    }

    private static IllegalArgumentException badRow(int index, String problem) {
        return new IllegalArgumentException(FIELD_REWARD_STATES + "[" + index + "] " + problem);
    }

    /**
     * Parameters from a map keyed by JSON field name; absent or null entries take the defaults, and
     * n and max_n are required.
     */
    public static KnapsackParams params(Map<?, ?> params) {
        Map<?, ?> given = params != null ? params : Map.of();
        Set<Object> unknown = new LinkedHashSet<>(given.keySet());
        unknown.removeAll(PARAMETER_FIELDS);
        if (!unknown.isEmpty()) {
            throw new IllegalArgumentException(
                    "Unknown parameter(s) "
                            + unknown
                            + " in \""
                            + FIELD_PARAMS
                            + "\"; accepted: "
                            + String.join(", ", PARAMETER_FIELDS));
        }
        Integer n = integer(given, KnapsackParams.FIELD_N);
        Integer minN = integer(given, KnapsackParams.FIELD_MIN_N);
        Integer maxN = integer(given, KnapsackParams.FIELD_MAX_N);
        Object alpha = given.get(KnapsackParams.FIELD_ALPHA);
        if (alpha != null && !(alpha instanceof Number)) {
            throw badParam(KnapsackParams.FIELD_ALPHA, "a number", alpha);
        }
        Object allowFallback = given.get(KnapsackParams.FIELD_ALLOW_FALLBACK);
        if (allowFallback != null && !(allowFallback instanceof Boolean)) {
            throw badParam(KnapsackParams.FIELD_ALLOW_FALLBACK, "true or false", allowFallback);
        }
        Integer negativeN = integer(given, KnapsackParams.FIELD_NEGATIVE_N);
        Integer positiveN = integer(given, KnapsackParams.FIELD_POSITIVE_N);
        Integer totalBudget = integer(given, KnapsackParams.FIELD_TOTAL_BUDGET);
        Object costEstimation = given.get(KnapsackParams.FIELD_COST_ESTIMATION);
        if (costEstimation != null && !(costEstimation instanceof String)) {
            throw badParam(
                    KnapsackParams.FIELD_COST_ESTIMATION,
                    "\"probability\" or \"expectation\"",
                    costEstimation);
        }
        return KnapsackParams.fromKeywordArguments(
                n,
                minN,
                maxN,
                alpha != null ? ((Number) alpha).doubleValue() : null,
                (Boolean) allowFallback,
                negativeN,
                positiveN,
                totalBudget,
                costEstimation != null
                        ? CostEstimation.parse(
                                KnapsackParams.FIELD_COST_ESTIMATION, (String) costEstimation)
                        : null);
    }

    /** An integer parameter, null when absent; 8.0 is accepted as 8, as Python would. */
    private static Integer integer(Map<?, ?> params, String field) {
        Object value = params.get(field);
        if (value == null) {
            return null;
        }
        if (!(value instanceof Number)) {
            throw badParam(field, "an integer", value);
        }
        double number = ((Number) value).doubleValue();
        if (number != Math.rint(number)
                || number < Integer.MIN_VALUE
                || number > Integer.MAX_VALUE) {
            throw badParam(field, "an integer", value);
        }
        return (int) number;
    }

    private static IllegalArgumentException badParam(String field, String expected, Object value) {
        return new IllegalArgumentException(
                "Parameter " + field + " must be " + expected + ", got " + value);
    }
}
