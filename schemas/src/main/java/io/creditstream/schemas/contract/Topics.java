package io.creditstream.schemas.contract;

import java.util.List;

/**
 * The default names of the topics between the fleet, the job and the learner, with the record each
 * carries (Avro single-object encoding) and its Kafka key. Each is only a default: the job takes
 * other names from its {@code topic.*} options, the learner and the fleet from their {@code
 * --*-topic} flags.
 */
public final class Topics {
    private Topics() {}

    /**
     * {@code StepEvent}s, fleet to job; key: the episode id, so one episode's steps stay in order
     * on one partition. Job option {@code topic.steps}, fleet flag {@code --steps-topic}.
     */
    public static final String STEPS = "agent.steps";

    /**
     * {@code AdvantageBatch}es, job (exactly once) to learner ({@code read_committed}); key: the
     * batch id ({@code <experiment>/<first group>}), or for a part of a split group {@code
     * <experiment>/<split_group_id>}, so the parts land in one partition in order. Job option
     * {@code topic.batches}, learner flag {@code --batches-topic}.
     */
    public static final String BATCHES = "learner.batches";

    /**
     * {@code DeadLetter}s the job writes (exactly once) for whoever investigates or replays bad
     * input; no key. Job option {@code topic.dlq}.
     */
    public static final String DEAD_LETTERS = "agent.steps.dlq";

    /**
     * {@code BudgetRequest}s, fleet to job; key: the round id. Job option {@code topic.requests},
     * fleet flag {@code --requests-topic}.
     */
    public static final String BUDGET_REQUESTS = "rollout.requests";

    /**
     * {@code BudgetAllocation}s, job (at least once) to fleet, one per task of a round; key: the
     * round id. Job option {@code topic.budget}, fleet flag {@code --budget-topic}.
     */
    public static final String BUDGET_ANSWERS = "rollout.budget";

    /**
     * {@code PolicySnapshot}s, learner to fleet and job, one per published version, with the
     * metrics of {@link SnapshotMetrics}; key: the experiment id. Job option {@code
     * topic.snapshots}, learner and fleet flag {@code --snapshots-topic}.
     */
    public static final String SNAPSHOTS = "policy.snapshots";

    /** Every default topic name, in the order above. */
    public static final List<String> ALL =
            List.of(STEPS, BATCHES, DEAD_LETTERS, BUDGET_REQUESTS, BUDGET_ANSWERS, SNAPSHOTS);
}
