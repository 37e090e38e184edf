package io.creditstream.schemas.contract;

import java.util.List;

/**
 * The keys of {@code PolicySnapshot.metrics}: the learner writes the figures of the update a
 * snapshot follows; the fleet paces itself by {@link #TRAINED_POLICY_VERSION} and the demo plots
 * {@link #ENTROPY} and {@link #APPROX_KL}. Version 0 (before any update) carries {@link #SAMPLES}
 * 0, {@link #PENDING_SAMPLES} 0, {@link #TRAINED_POLICY_VERSION} -1 and {@link #BATCH_RECORDS}.
 */
public final class SnapshotMetrics {
    private SnapshotMetrics() {}

    /** The clipped surrogate loss of the update, entropy bonus included. */
    public static final String LOSS = "loss";

    /**
     * Mean ratio the clip applies to: current to behaviour policy, or current to the policy at the
     * update's start when the learner truncates importance weights ({@code --importance-cap}).
     */
    public static final String MEAN_RATIO = "mean_ratio";

    /** Share of samples whose ratio lay outside {@code [1 - epsilon, 1 + epsilon]}. */
    public static final String CLIP_FRACTION = "clip_fraction";

    /** Estimate of KL(reference || current) for the ratio of {@link #MEAN_RATIO}. */
    public static final String APPROX_KL = "approx_kl";

    /** Mean entropy of the policy over the update's samples. */
    public static final String ENTROPY = "entropy";

    /** Mean global gradient norm, before any clipping. */
    public static final String GRAD_NORM = "grad_norm";

    /**
     * Estimate of KL(behaviour || policy at the update's start) over the update's samples: how far
     * the rollouts lag the policy being trained (0 when on-policy), whether or not the learner
     * corrects for it.
     */
    public static final String BEHAVIOR_KL = "behavior_kl";

    /** Share of samples whose importance weight exceeded {@code --importance-cap} (0 without). */
    public static final String TRUNCATED_FRACTION = "truncated_fraction";

    /** Samples the update trained on. */
    public static final String SAMPLES = "samples";

    /**
     * Samples without a {@code behavior_logprob}, treated as on-policy (the current policy's
     * log-probability stands in).
     */
    public static final String ON_POLICY_SAMPLES = "on_policy_samples";

    /** Adam steps the update took (epochs x minibatches). */
    public static final String OPTIMIZER_STEPS = "optimizer_steps";

    /**
     * Samples the learner had read from the batch topic but not yet trained on when it published:
     * its queue, which says why a learner waits (a fleet paced itself by it before {@link
     * #TRAINED_POLICY_VERSION}; a learner's queue is nearly empty whenever it publishes).
     */
    public static final String PENDING_SAMPLES = "pending_samples";

    /**
     * The newest policy version behind the samples the learner has trained on (the highest {@code
     * max_policy_version} of the batches applied), -1 before its first update. A fleet paces itself
     * by it: the steps it played with newer versions are the ones the learner has not trained on
     * yet, wherever they are (in the job, in the topic, in the learner's queue).
     */
    public static final String TRAINED_POLICY_VERSION = "trained_policy_version";

    /** The samples an update needs ({@code learner --batch-records}). */
    public static final String BATCH_RECORDS = "batch_records";

    /** Every key a snapshot after an update carries, in the order the learner writes them. */
    public static final List<String> ALL =
            List.of(
                    LOSS,
                    MEAN_RATIO,
                    CLIP_FRACTION,
                    APPROX_KL,
                    ENTROPY,
                    GRAD_NORM,
                    BEHAVIOR_KL,
                    TRUNCATED_FRACTION,
                    SAMPLES,
                    ON_POLICY_SAMPLES,
                    OPTIMIZER_STEPS,
                    PENDING_SAMPLES,
                    TRAINED_POLICY_VERSION,
                    BATCH_RECORDS);
}
