package io.creditstream.policy.metrics;

import io.creditstream.policy.service.LearnerProgress;
import io.creditstream.policy.training.UpdateStats;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.util.List;
import java.util.function.Supplier;
import java.util.function.ToDoubleFunction;

/**
 * The learner's metrics, read from {@link LearnerProgress} at each scrape. No labels: one learner
 * process is one target, which Prometheus labels with its job and instance.
 */
public final class LearnerMetrics {
    public static final MetricSpec UPDATES =
            new MetricSpec(
                    "creditstream_learner_updates",
                    "Policy updates applied by this process.",
                    "updates");
    public static final MetricSpec SAMPLES =
            new MetricSpec(
                    "creditstream_learner_samples",
                    "Samples trained on by this process (its rate is the learner's samples/s).",
                    "samples");
    public static final MetricSpec SKIPPED_RECORDS =
            new MetricSpec(
                    "creditstream_learner_skipped_records",
                    "Advantage records skipped: no observation or action, unknown action,"
                            + " malformed observation or a non-finite number.",
                    "records");
    public static final MetricSpec IGNORED_BATCHES =
            new MetricSpec(
                    "creditstream_learner_ignored_batches",
                    "Kafka values skipped whole: not an AdvantageBatch, or another experiment's.",
                    "batches");
    public static final MetricSpec PENDING_SAMPLES =
            new MetricSpec(
                    "creditstream_learner_pending_samples",
                    "Usable samples read from learner.batches and waiting for the next update.",
                    "samples");
    public static final MetricSpec POLICY_VERSION =
            new MetricSpec(
                    "creditstream_learner_policy_version",
                    "Updates applied in total, restored ones included: the newest policy version.",
                    "policy version");
    public static final MetricSpec TRAINED_POLICY_VERSION =
            new MetricSpec(
                    "creditstream_learner_trained_policy_version",
                    "The newest policy version behind the samples this process trained on (absent"
                            + " before its first update).",
                    "policy version");
    public static final MetricSpec LOSS =
            new MetricSpec(
                    "creditstream_learner_loss",
                    "The last update's clipped surrogate loss, entropy bonus included (absent"
                            + " before the first update).",
                    "loss units");
    public static final MetricSpec APPROX_KL =
            new MetricSpec(
                    "creditstream_learner_approx_kl",
                    "The last update's estimate of KL(reference || current) for its clipped ratio"
                            + " (the behavior policy, or the update's start with --importance-cap).",
                    "nats");
    public static final MetricSpec CLIP_FRACTION =
            new MetricSpec(
                    "creditstream_learner_clip_fraction",
                    "The last update's share of samples whose importance ratio lay outside the"
                            + " clip range.",
                    "ratio (0-1)");
    public static final MetricSpec BEHAVIOR_KL =
            new MetricSpec(
                    "creditstream_learner_behavior_kl",
                    "The last update's estimate of KL(behavior || policy at the update's start): how"
                            + " far the rollouts lag the policy being trained.",
                    "nats");
    public static final MetricSpec TRUNCATED_FRACTION =
            new MetricSpec(
                    "creditstream_learner_truncated_fraction",
                    "The last update's share of samples whose importance weight exceeded"
                            + " --importance-cap (0 without one).",
                    "ratio (0-1)");
    public static final MetricSpec ENTROPY =
            new MetricSpec(
                    "creditstream_learner_entropy",
                    "The last update's mean policy entropy over its observations.",
                    "nats");
    public static final MetricSpec GRAD_NORM =
            new MetricSpec(
                    "creditstream_learner_grad_norm",
                    "The last update's mean global gradient norm before clipping.",
                    "L2 norm");
    public static final MetricSpec SNAPSHOT_PUBLISH =
            new MetricSpec(
                    "creditstream_learner_snapshot_publish_seconds",
                    "Snapshot publications (_count) and their wall time (_sum): writing the"
                            + " weights file and announcing it until the broker acknowledged.",
                    "seconds");

    public static final MetricSpec SNAPSHOTS_REFUSED =
            new MetricSpec(
                    "creditstream_learner_snapshots_refused",
                    "Records of this experiment on policy.snapshots ignored at start-up: unsigned"
                            + " or not signed with --signing-key, or beyond --max-version-jump.",
                    "snapshots");

    private LearnerMetrics() {}

    /**
     * Registers every learner metric in {@code registry}, reading {@code progress} at each scrape.
     *
     * @return what was registered, in order
     */
    public static List<MetricSpec> register(
            PrometheusRegistry registry, Supplier<LearnerProgress> progress) {
        return new CallbackMetrics<>(registry, progress)
                .counter(UPDATES, LearnerProgress::updates)
                .counter(SAMPLES, LearnerProgress::samples)
                .counter(SKIPPED_RECORDS, LearnerProgress::skippedRecords)
                .counter(IGNORED_BATCHES, LearnerProgress::ignoredBatches)
                .counter(SNAPSHOTS_REFUSED, LearnerProgress::snapshotsRefused)
                .gauge(PENDING_SAMPLES, LearnerProgress::pendingSamples)
                .gauge(POLICY_VERSION, LearnerProgress::version)
                .gauge(
                        TRAINED_POLICY_VERSION,
                        p -> p.trainedPolicyVersion() < 0 ? Double.NaN : p.trainedPolicyVersion())
                .gauge(LOSS, lastUpdate(UpdateStats::loss))
                .gauge(APPROX_KL, lastUpdate(UpdateStats::approxKl))
                .gauge(CLIP_FRACTION, lastUpdate(UpdateStats::clipFraction))
                .gauge(ENTROPY, lastUpdate(UpdateStats::entropy))
                .gauge(BEHAVIOR_KL, lastUpdate(UpdateStats::behaviorKl))
                .gauge(TRUNCATED_FRACTION, lastUpdate(UpdateStats::truncatedFraction))
                .gauge(GRAD_NORM, lastUpdate(UpdateStats::gradNorm))
                .summary(
                        SNAPSHOT_PUBLISH,
                        LearnerProgress::snapshotsPublished,
                        LearnerProgress::publishSeconds)
                .specs();
    }

    private static ToDoubleFunction<LearnerProgress> lastUpdate(ToDoubleFunction<UpdateStats> f) {
        return p -> p.lastStats().map(f::applyAsDouble).orElse(Double.NaN);
    }
}
