package io.creditstream.policy.fleet;

/**
 * A view of a {@link FleetService}'s counters, summed over its workers.
 *
 * @param groups rollout groups played and sent
 * @param episodes episodes played
 * @param successes episodes with a positive return
 * @param steps steps played (events sent)
 * @param policyVersion the oldest policy version a worker is playing, or -1 before the first
 * @param newestSnapshotVersion the newest snapshot version seen on the topic, or -1
 * @param policySwaps times a worker switched to a newer snapshot between groups
 * @param snapshotLoadFailures newer snapshots a worker could not load (it kept its policy)
 * @param budgetRounds knapsack rounds asked for (0 without budgets)
 * @param budgetFallbacks rounds that fell back to uniform group sizes
 * @param pacingPauses times a worker paused for a newer snapshot ({@code --max-steps-ahead})
 * @param pausedWorkers workers paused for a newer snapshot right now
 * @param pausedWorkerSeconds time workers spent paused for a newer snapshot, summed over the
 *     workers, pauses under way included
 * @param stall what the fleet is stuck on, when a worker has been paused for the learner longer
 *     than {@code --stall-warning} with no newer snapshot; null otherwise
 * @param snapshotsRefused records of the experiment on the snapshot topic not believed: unsigned or
 *     forged (with {@code --snapshot-public-key}), or a version out of bounds
 * @param budgetAnswersRefused budget answers ignored: another experiment's, a task the round did
 *     not ask, rollouts out of bounds, or answers that did not sum to the round's budget
 */
public record FleetProgress(
        long groups,
        long episodes,
        long successes,
        long steps,
        long policyVersion,
        long newestSnapshotVersion,
        long policySwaps,
        long snapshotLoadFailures,
        long budgetRounds,
        long budgetFallbacks,
        long pacingPauses,
        int pausedWorkers,
        double pausedWorkerSeconds,
        String stall,
        long snapshotsRefused,
        long budgetAnswersRefused) {

    /** Fraction of episodes that succeeded; 0 before the first. */
    public double successRate() {
        return episodes == 0 ? 0 : (double) successes / episodes;
    }

    /** One line for a progress log. */
    public String line() {
        String line =
                String.format(
                        "policy v%d (newest v%d) | %,d groups, %,d episodes (%.1f%% success), %,d"
                                + " steps",
                        policyVersion,
                        newestSnapshotVersion,
                        groups,
                        episodes,
                        100 * successRate(),
                        steps);
        if (pacingPauses > 0) {
            line +=
                    String.format(
                            " | paused for the learner %,d times (%d workers now)",
                            pacingPauses, pausedWorkers);
        }
        if (budgetRounds > 0) {
            line +=
                    String.format(
                            " | %,d budget rounds (%,d fell back)", budgetRounds, budgetFallbacks);
        }
        if (snapshotsRefused > 0 || budgetAnswersRefused > 0) {
            line +=
                    String.format(
                            " | refused %,d snapshots, %,d budget answers",
                            snapshotsRefused, budgetAnswersRefused);
        }
        if (stall != null) {
            line += " | STALLED: " + stall;
        }
        return line;
    }
}
