package io.creditstream.policy.metrics;

import io.creditstream.policy.fleet.FleetProgress;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.util.List;
import java.util.function.Supplier;

/**
 * The fleet's metrics, read from {@link FleetProgress} (summed over its workers) at each scrape. No
 * labels: one fleet process is one target.
 */
public final class FleetMetrics {
    public static final MetricSpec GROUPS =
            new MetricSpec(
                    "creditstream_fleet_groups", "Rollout groups played and sent.", "groups");
    public static final MetricSpec EPISODES =
            new MetricSpec(
                    "creditstream_fleet_episodes",
                    "Episodes played (its rate is the fleet's episodes/s).",
                    "episodes");
    public static final MetricSpec SUCCESSES =
            new MetricSpec(
                    "creditstream_fleet_successes",
                    "Episodes with a positive return; over the episodes' rate, the success rate.",
                    "episodes");
    public static final MetricSpec STEPS =
            new MetricSpec(
                    "creditstream_fleet_steps",
                    "Steps played and sent to agent.steps (its rate is the fleet's steps/s).",
                    "steps");
    public static final MetricSpec POLICY_VERSION =
            new MetricSpec(
                    "creditstream_fleet_policy_version",
                    "The oldest policy version a worker is playing (absent before the first).",
                    "policy version");
    public static final MetricSpec NEWEST_SNAPSHOT_VERSION =
            new MetricSpec(
                    "creditstream_fleet_newest_snapshot_version",
                    "The newest snapshot version seen on policy.snapshots (absent before the"
                            + " first).",
                    "policy version");
    public static final MetricSpec POLICY_LAG =
            new MetricSpec(
                    "creditstream_fleet_policy_lag",
                    "Newest snapshot version minus the oldest version a worker plays.",
                    "policy versions");
    public static final MetricSpec POLICY_SWAPS =
            new MetricSpec(
                    "creditstream_fleet_policy_swaps",
                    "Times a worker switched to a newer snapshot between groups.",
                    "swaps");
    public static final MetricSpec SNAPSHOT_LOAD_FAILURES =
            new MetricSpec(
                    "creditstream_fleet_snapshot_load_failures",
                    "Newer snapshots a worker could not load (it kept its policy).",
                    "snapshots");
    public static final MetricSpec PACING_PAUSES =
            new MetricSpec(
                    "creditstream_fleet_pacing_pauses",
                    "Times a worker paused for a newer snapshot (--max-steps-ahead).",
                    "pauses");
    public static final MetricSpec PAUSED_WORKERS =
            new MetricSpec(
                    "creditstream_fleet_paused_workers",
                    "Workers paused for a newer snapshot right now.",
                    "workers");
    public static final MetricSpec PAUSED_WORKER_SECONDS =
            new MetricSpec(
                    "creditstream_fleet_paused_worker_seconds",
                    "Time workers spent paused for the learner, summed over the workers, pauses"
                            + " under way included (its rate is the mean number of paused"
                            + " workers).",
                    "seconds");
    public static final MetricSpec BUDGET_ROUNDS =
            new MetricSpec(
                    "creditstream_fleet_budget_rounds",
                    "Knapsack budget rounds asked of the job (0 without --budget).",
                    "rounds");
    public static final MetricSpec BUDGET_FALLBACKS =
            new MetricSpec(
                    "creditstream_fleet_budget_fallbacks",
                    "Budget rounds that fell back to uniform group sizes (no answer in time, or"
                            + " an error answer).",
                    "rounds");

    public static final MetricSpec SNAPSHOTS_REFUSED =
            new MetricSpec(
                    "creditstream_fleet_snapshots_refused",
                    "Snapshots of the experiment not believed: unsigned or forged (with"
                            + " --snapshot-public-key), or a version beyond --max-version-jump or"
                            + " outside 0..2^53.",
                    "snapshots");
    public static final MetricSpec BUDGET_ANSWERS_REFUSED =
            new MetricSpec(
                    "creditstream_fleet_budget_answers_refused",
                    "Budget answers ignored: another experiment's, a task the round did not ask,"
                            + " rollouts outside 0 to the round's budget, or answers not summing"
                            + " to it.",
                    "answers");

    private FleetMetrics() {}

    /**
     * Registers every fleet metric in {@code registry}, reading {@code progress} at each scrape.
     *
     * @return what was registered, in order
     */
    public static List<MetricSpec> register(
            PrometheusRegistry registry, Supplier<FleetProgress> progress) {
        return new CallbackMetrics<>(registry, progress)
                .counter(GROUPS, FleetProgress::groups)
                .counter(EPISODES, FleetProgress::episodes)
                .counter(SUCCESSES, FleetProgress::successes)
                .counter(STEPS, FleetProgress::steps)
                .gauge(POLICY_VERSION, p -> versionOrNaN(p.policyVersion()))
                .gauge(NEWEST_SNAPSHOT_VERSION, p -> versionOrNaN(p.newestSnapshotVersion()))
                .gauge(
                        POLICY_LAG,
                        p ->
                                p.policyVersion() < 0 || p.newestSnapshotVersion() < 0
                                        ? Double.NaN
                                        : p.newestSnapshotVersion() - p.policyVersion())
                .counter(POLICY_SWAPS, FleetProgress::policySwaps)
                .counter(SNAPSHOT_LOAD_FAILURES, FleetProgress::snapshotLoadFailures)
                .counter(PACING_PAUSES, FleetProgress::pacingPauses)
                .gauge(PAUSED_WORKERS, FleetProgress::pausedWorkers)
                .counter(PAUSED_WORKER_SECONDS, FleetProgress::pausedWorkerSeconds)
                .counter(BUDGET_ROUNDS, FleetProgress::budgetRounds)
                .counter(BUDGET_FALLBACKS, FleetProgress::budgetFallbacks)
                .counter(SNAPSHOTS_REFUSED, FleetProgress::snapshotsRefused)
                .counter(BUDGET_ANSWERS_REFUSED, FleetProgress::budgetAnswersRefused)
                .specs();
    }

    private static double versionOrNaN(long version) {
        return version < 0 ? Double.NaN : version;
    }
}
