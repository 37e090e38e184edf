package io.creditstream.policy.service;

import io.creditstream.policy.training.UpdateStats;
import java.util.Optional;

/**
 * A consistent view of a {@link LearnerService}'s counters. Every count except {@code version}
 * covers this process only, and counts records of batches whose update was applied: records read
 * but still pending are in {@code pendingSamples} only.
 *
 * @param version updates applied in total, restored ones included: the newest policy version
 * @param updates updates applied by this process
 * @param samples samples trained on by this process
 * @param onPolicySamples of {@code samples}, those without a behavior log-prob, which took the
 *     current policy's
 * @param skippedRecords advantage records skipped (no observation or action, unknown action,
 *     malformed observation, non-finite number)
 * @param unknownActionRecords of {@code skippedRecords}, those whose action the policy lacks
 * @param ignoredBatches Kafka values skipped whole: not an AdvantageBatch, or another experiment's
 * @param lostOffsets offsets of the batch topic passed over unread, counted when the learner moved
 *     past them: deleted (by retention) before they were applied, or skipped by {@code
 *     --on-offset-past-end=latest}. An upper bound on the batches lost: transaction markers take
 *     offsets too
 * @param incompleteSplitGroups split groups applied with parts missing: a part arrived out of
 *     sequence, or the group's remaining parts were not in the topic
 * @param pendingSamples usable samples read and waiting for the next update
 * @param batchRecords the samples an update needs
 * @param trainedPolicyVersion the newest policy version behind the samples this process trained on,
 *     or -1 before its first update
 * @param publishedVersion the newest version this process announced on the snapshot topic, or -1
 * @param snapshotsPublished snapshots this process published (weights written and announced)
 * @param publishSeconds the wall time those publications took in total: writing the weights file
 *     and sending the announcement until the broker acknowledged it
 * @param snapshotsRefused records of this experiment on the snapshot topic ignored at start-up:
 *     unsigned or not signed with {@code --signing-key}, or beyond {@code --max-version-jump}
 * @param lastStats what the last update saw, if this process made one
 */
public record LearnerProgress(
        long version,
        long updates,
        long samples,
        long onPolicySamples,
        long skippedRecords,
        long unknownActionRecords,
        long ignoredBatches,
        long lostOffsets,
        long incompleteSplitGroups,
        int pendingSamples,
        int batchRecords,
        long trainedPolicyVersion,
        long publishedVersion,
        long snapshotsPublished,
        double publishSeconds,
        long snapshotsRefused,
        Optional<UpdateStats> lastStats) {

    /** One line for a progress log. */
    public String line() {
        StringBuilder line =
                new StringBuilder()
                        .append(
                                String.format(
                                        "v%d | %,d updates, %,d samples",
                                        version, updates, samples))
                        .append(
                                String.format(
                                        " (%,d on-policy, %,d skipped, %,d batches ignored)",
                                        onPolicySamples, skippedRecords, ignoredBatches))
                        .append(
                                String.format(
                                        " | %,d pending (an update takes %,d)",
                                        pendingSamples, batchRecords));
        if (trainedPolicyVersion >= 0) {
            line.append(String.format(" | trained on steps up to v%d", trainedPolicyVersion));
        }
        if (lostOffsets > 0 || incompleteSplitGroups > 0) {
            line.append(
                    String.format(
                            " | %,d offsets lost, %,d incomplete split groups",
                            lostOffsets, incompleteSplitGroups));
        }
        lastStats.ifPresent(
                s ->
                        line.append(
                                String.format(
                                        " | loss %.4f ratio %.3f kl %.5f clip %.1f%% entropy %.3f"
                                                + " | behaviour kl %.5f, %.1f%% truncated",
                                        s.loss(),
                                        s.meanRatio(),
                                        s.approxKl(),
                                        100 * s.clipFraction(),
                                        s.entropy(),
                                        s.behaviorKl(),
                                        100 * s.truncatedFraction())));
        return line.toString();
    }
}
