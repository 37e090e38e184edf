package io.creditstream.fleet.curve;

/**
 * One point of a learning curve (after a policy update, or every few episodes in the demo).
 *
 * @param episodes episodes played so far
 * @param successRate fraction of the last {@code window} episodes that reached the goal (of all
 *     episodes so far while fewer have been played)
 * @param meanEpisodeLength mean steps of the same episodes
 * @param meanAbsAdvantage mean |advantage| over this update's samples
 * @param updates policy updates applied so far
 * @param wallSeconds seconds since the run started
 * @param entropy the policy's mean entropy over this update's samples
 * @param approxKl the update's estimate of KL(behavior ‖ updated)
 */
public record CurvePoint(
        long episodes,
        double successRate,
        double meanEpisodeLength,
        double meanAbsAdvantage,
        long updates,
        double wallSeconds,
        double entropy,
        double approxKl) {}
