package io.creditstream.policy.training;

/**
 * What one {@link ClippedPolicyGradient} update saw, averaged over its minibatches (weighted by
 * size) and measured before each optimizer step, for logging and for the snapshot's metrics.
 *
 * @param loss the clipped surrogate loss including the entropy bonus
 * @param meanRatio mean importance ratio π(a|s) / π_behavior(a|s)
 * @param clipFraction fraction of samples whose ratio lay outside {@code [1 − ε, 1 + ε]}
 * @param approxKl estimate of KL(behavior ‖ current): mean of {@code (r − 1) − log r}
 * @param entropy mean entropy of the policy over the batch's observations
 * @param samples samples in the batch
 * @param optimizerSteps Adam steps taken (epochs × minibatches)
 * @param gradNorm mean global gradient norm before any clipping
 */
public record UpdateStats(
        double loss,
        double meanRatio,
        double clipFraction,
        double approxKl,
        double entropy,
        int samples,
        int optimizerSteps,
        double gradNorm) {}
