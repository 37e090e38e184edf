package io.creditstream.operators.flink.budget;

import io.creditstream.operators.core.metrics.RollingWindow;

/**
 * The Knapsack RL headline ratios (docs/ALGORITHMS.md §4, the reference's {@code metric_utils})
 * over the most recent groups: {@code effective_gradient_ratio}, the samples in groups whose
 * rewards are not all equal over all samples, and {@code effective_prompt_ratio}, the groups with
 * at least one reward &gt; 0 and one ≤ 0 over all groups.
 *
 * <p>Fed with {@link TaskOutcome} rewards, which are already {0, 1}, both ratios see success
 * against failure only: a group whose returns differ only among failures (−1 and 0) counts as
 * having no gradient here, where the reference's std &gt; 0 test on raw scores would count it.
 */
public final class EffectiveRatios {
    private final RollingWindow samples;
    private final RollingWindow effectiveSamples;
    private final RollingWindow effectivePrompts;

    public EffectiveRatios(int groups) {
        this.samples = new RollingWindow(groups);
        this.effectiveSamples = new RollingWindow(groups);
        this.effectivePrompts = new RollingWindow(groups);
    }

    /** Records one group's rewards; an empty group is ignored. */
    public void add(double[] rewards) {
        if (rewards.length == 0) {
            return;
        }
        boolean allEqual = true;
        boolean anyPositive = false;
        boolean anyNonPositive = false;
        for (double reward : rewards) {
            allEqual &= Double.compare(reward, rewards[0]) == 0;
            anyPositive |= reward > 0;
            anyNonPositive |= reward <= 0;
        }
        samples.add(rewards.length);
        effectiveSamples.add(allEqual ? 0 : rewards.length);
        effectivePrompts.add(anyPositive && anyNonPositive ? 1 : 0);
    }

    /** Groups in the window. */
    public int groups() {
        return samples.size();
    }

    /** Samples in groups with unequal rewards / samples; 0 when no group was seen. */
    public double gradientRatio() {
        double all = samples.mean();
        // The windows hold the same groups, so the ratio of means is the ratio of sums.
        return all == 0 ? 0 : effectiveSamples.mean() / all;
    }

    /** Groups with a reward &gt; 0 and one ≤ 0 / groups; 0 when no group was seen. */
    public double promptRatio() {
        return effectivePrompts.mean();
    }
}
