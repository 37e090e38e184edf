package io.creditstream.policy.training;

import java.util.Objects;
import java.util.OptionalDouble;

/**
 * Settings of one {@link ClippedPolicyGradient} update, validated when built so that a bad setting
 * fails at start-up rather than mid-training.
 *
 * @param learningRate Adam's step size
 * @param epochs passes over the batch
 * @param minibatchSize samples per optimizer step (the last minibatch of a pass may be smaller)
 * @param clipEpsilon PPO's ε: the ratio is clipped to {@code [1 − ε, 1 + ε]}
 * @param entropyCoefficient weight of the entropy bonus
 * @param maxGradNorm if present, the global gradient norm is scaled down to at most this before
 *     each optimizer step
 * @param importanceCap if present, the update corrects for stale rollouts with truncated importance
 *     weights: the clipped ratio is taken against the policy as it stood when the update began, and
 *     each sample's loss is weighted by {@code min(π_update-start / π_behavior, cap)} (see {@link
 *     ClippedPolicyGradient}); if empty, the ratio is taken against the behaviour log-prob directly
 * @param targetKl if present, an update stops early, before the minibatch step whose KL from the
 *     policy the update started from (measured on that minibatch before the step) exceeds 1.5 ×
 *     this; the first step of an update always runs
 */
public record UpdateOptions(
        double learningRate,
        int epochs,
        int minibatchSize,
        double clipEpsilon,
        double entropyCoefficient,
        OptionalDouble maxGradNorm,
        OptionalDouble importanceCap,
        OptionalDouble targetKl) {

    /**
     * The default gradient-norm clip. Without it GiGPO at 4 epochs fell back from 80% success to
     * below 50% on each of 6 seeds within 100,000 episodes of the 7x11 maze, once to 4.5% for
     * 17,000 episodes. The longest fall began at an update whose gradient norm was 64 times the
     * run's median, and the updates after it kept moving the policy even where every advantage was
     * zero. Clipped to 1.0, which cuts 2–3% of updates (mean norm above 1), no seed fell below 51%
     * and 80% came sooner on 5 of 6 (docs/BENCHMARKS.md, "GiGPO over 100,000 episodes"). 1.0 is
     * also the actor's default in verl, the trainer the GiGPO and GRPO reference code runs on.
     */
    public static final double DEFAULT_MAX_GRAD_NORM = 1.0;

    /**
     * The defaults: lr 1e-3, 4 epochs, minibatches of 256, ε 0.2, entropy 0.01, the gradient norm
     * clipped to {@value #DEFAULT_MAX_GRAD_NORM}. Four passes halved the episodes to 50% success on
     * the 7x11 maze against one (docs/BENCHMARKS.md), for GiGPO and GRPO alike; a higher learning
     * rate or an update per group collapsed instead.
     */
    public static final UpdateOptions DEFAULTS =
            new UpdateOptions(
                    1e-3,
                    4,
                    256,
                    0.2,
                    0.01,
                    OptionalDouble.of(UpdateOptions.DEFAULT_MAX_GRAD_NORM),
                    OptionalDouble.empty(),
                    OptionalDouble.empty());

    /** Checks every setting, saying which one is wrong and what is allowed. */
    public UpdateOptions {
        if (!(learningRate > 0) || !Double.isFinite(learningRate)) {
            throw new IllegalArgumentException(
                    "learningRate must be a positive finite number, got " + learningRate);
        }
        if (epochs < 1) {
            throw new IllegalArgumentException("epochs must be >= 1, got " + epochs);
        }
        if (minibatchSize < 1) {
            throw new IllegalArgumentException("minibatchSize must be >= 1, got " + minibatchSize);
        }
        if (!(clipEpsilon > 0 && clipEpsilon < 1)) {
            throw new IllegalArgumentException(
                    "clipEpsilon must be in (0, 1), got " + clipEpsilon + " (PPO uses 0.1 to 0.3)");
        }
        if (!(entropyCoefficient >= 0) || !Double.isFinite(entropyCoefficient)) {
            throw new IllegalArgumentException(
                    "entropyCoefficient must be a finite number >= 0, got " + entropyCoefficient);
        }
        Objects.requireNonNull(maxGradNorm, "maxGradNorm (use OptionalDouble.empty())");
        if (maxGradNorm.isPresent()
                && (!(maxGradNorm.getAsDouble() > 0)
                        || !Double.isFinite(maxGradNorm.getAsDouble()))) {
            throw new IllegalArgumentException(
                    "maxGradNorm must be a positive finite number when set, got "
                            + maxGradNorm.getAsDouble());
        }
        Objects.requireNonNull(importanceCap, "importanceCap (use OptionalDouble.empty())");
        if (importanceCap.isPresent()
                && (!(importanceCap.getAsDouble() >= 1)
                        || !Double.isFinite(importanceCap.getAsDouble()))) {
            throw new IllegalArgumentException(
                    "importanceCap must be a finite number >= 1 when set, got "
                            + importanceCap.getAsDouble()
                            + " (a cap below 1 would shrink even on-policy samples; 2 is common)");
        }
        Objects.requireNonNull(targetKl, "targetKl (use OptionalDouble.empty())");
        if (targetKl.isPresent()
                && (!(targetKl.getAsDouble() > 0) || !Double.isFinite(targetKl.getAsDouble()))) {
            throw new IllegalArgumentException(
                    "targetKl must be a positive finite number when set, got "
                            + targetKl.getAsDouble()
                            + " (0.01 to 0.05 is common)");
        }
    }

    /** These options with another learning rate. */
    public UpdateOptions withLearningRate(double value) {
        return new UpdateOptions(
                value,
                epochs,
                minibatchSize,
                clipEpsilon,
                entropyCoefficient,
                maxGradNorm,
                importanceCap,
                targetKl);
    }

    /** These options with another number of epochs. */
    public UpdateOptions withEpochs(int value) {
        return new UpdateOptions(
                learningRate,
                value,
                minibatchSize,
                clipEpsilon,
                entropyCoefficient,
                maxGradNorm,
                importanceCap,
                targetKl);
    }

    /** These options with another minibatch size. */
    public UpdateOptions withMinibatchSize(int value) {
        return new UpdateOptions(
                learningRate,
                epochs,
                value,
                clipEpsilon,
                entropyCoefficient,
                maxGradNorm,
                importanceCap,
                targetKl);
    }

    /** These options with another clip ε. */
    public UpdateOptions withClipEpsilon(double value) {
        return new UpdateOptions(
                learningRate,
                epochs,
                minibatchSize,
                value,
                entropyCoefficient,
                maxGradNorm,
                importanceCap,
                targetKl);
    }

    /** These options with another entropy coefficient. */
    public UpdateOptions withEntropyCoefficient(double value) {
        return new UpdateOptions(
                learningRate,
                epochs,
                minibatchSize,
                clipEpsilon,
                value,
                maxGradNorm,
                importanceCap,
                targetKl);
    }

    /** These options with the gradient norm clipped to {@code value}, or not clipped for 0. */
    public UpdateOptions withMaxGradNorm(double value) {
        return new UpdateOptions(
                learningRate,
                epochs,
                minibatchSize,
                clipEpsilon,
                entropyCoefficient,
                value == 0 ? OptionalDouble.empty() : OptionalDouble.of(value),
                importanceCap,
                targetKl);
    }

    /** These options with truncated importance weights capped at {@code value}. */
    public UpdateOptions withImportanceCap(double value) {
        return new UpdateOptions(
                learningRate,
                epochs,
                minibatchSize,
                clipEpsilon,
                entropyCoefficient,
                maxGradNorm,
                OptionalDouble.of(value),
                targetKl);
    }

    /**
     * These options with early stopping: an update stops taking optimizer steps once a minibatch's
     * KL from the update's starting policy exceeds 1.5 × {@code value}.
     */
    public UpdateOptions withTargetKl(double value) {
        return new UpdateOptions(
                learningRate,
                epochs,
                minibatchSize,
                clipEpsilon,
                entropyCoefficient,
                maxGradNorm,
                importanceCap,
                OptionalDouble.of(value));
    }
}
