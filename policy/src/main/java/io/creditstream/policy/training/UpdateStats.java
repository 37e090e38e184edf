package io.creditstream.policy.training;

/**
 * What one {@link ClippedPolicyGradient} update saw, averaged over its minibatches (weighted by
 * size) and measured before each optimizer step, for logging and for the snapshot's metrics.
 *
 * @param loss the clipped surrogate loss including the entropy bonus
 * @param meanRatio mean ratio r the clip applies to: π(a|s) / π_behavior(a|s), or π(a|s) /
 *     π_start(a|s) when importance weights are truncated ({@link UpdateOptions#importanceCap()})
 * @param clipFraction fraction of samples whose ratio lay outside {@code [1 − ε, 1 + ε]}
 * @param approxKl estimate of KL(reference ‖ current) for that same ratio: mean of {@code (r − 1) −
 *     log r}
 * @param entropy mean entropy of the policy over the batch's observations
 * @param samples samples in the batch
 * @param optimizerSteps Adam steps taken: epochs × minibatches, fewer when {@link
 *     UpdateOptions#targetKl()} stopped the update early
 * @param gradNorm mean global gradient norm before any clipping
 * @param behaviorKl estimate of KL(behavior ‖ start), the policy that played the rollouts against
 *     the one the update began from: mean of {@code (w − 1) − log w} for the untruncated importance
 *     weight {@code w = π_start(a|s) / π_behavior(a|s)}; how far the rollouts lag the learner (0
 *     when they were played by the policy being trained)
 * @param truncatedFraction fraction of samples whose importance weight exceeded the cap (0 without
 *     one)
 */
public record UpdateStats(
        double loss,
        double meanRatio,
        double clipFraction,
        double approxKl,
        double entropy,
        int samples,
        int optimizerSteps,
        double gradNorm,
        double behaviorKl,
        double truncatedFraction) {}
