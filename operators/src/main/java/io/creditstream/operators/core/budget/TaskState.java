package io.creditstream.operators.core.budget;

/**
 * One task's {@code [valid, p, count]} row of the reference's {@code reward_states}, the input of a
 * Knapsack RL allocation.
 *
 * <p>{@code p} is kept in double precision, as the reference's tracker produces it. The reference
 * classifies a task (0 &lt; p &lt; 1, p = 0, p = 1) and computes its cost from this double, and
 * uses the float32 copy {@link #p32()} only where it reads its float32 {@code success_rates} array:
 * in the knapsack's gains and in the test for p = 0 tasks that collect the fallback budget.
 *
 * @param valid whether the task has been tried often enough ({@code count ≥ min_buffer}); an
 *     invalid task gets n rollouts and its p is ignored
 * @param p the estimated success rate, in [0, 1] when valid
 * @param count rollouts made for the task so far; informational
 */
public record TaskState(boolean valid, double p, long count) {

    private static final TaskState UNSEEN = new TaskState(false, 0.0, 0);

    public TaskState {
        if (count < 0) {
            throw new IllegalArgumentException("count must not be negative, got " + count);
        }
        if (valid && !(p >= 0 && p <= 1)) {
            throw new IllegalArgumentException(
                    "p of a valid task must be a success rate in [0, 1], got " + p);
        }
    }

    /** The reference's state of a task it has never seen, {@code [0, 0.0, 0]}. */
    public static TaskState unseen() {
        return UNSEEN;
    }

    /** p rounded to float32, as the reference stores it in its {@code success_rates} array. */
    public double p32() {
        return (float) p;
    }

    /** Whether the reference treats this task as effective: valid and 0 &lt; p &lt; 1. */
    public boolean effective() {
        return valid && p > 0 && p < 1;
    }
}
