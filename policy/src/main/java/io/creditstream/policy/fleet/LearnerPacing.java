package io.creditstream.policy.fleet;

import io.creditstream.schemas.PolicySnapshot;
import io.creditstream.schemas.contract.SnapshotMetrics;
import java.util.Locale;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;

/**
 * How many of the steps a fleet sent the learner has not trained on yet, and whether the fleet may
 * play another group under {@code --max-steps-ahead}: pure logic, no Kafka, not thread-safe ({@link
 * FleetService} guards it with its snapshot monitor).
 *
 * <p>The fleet counts the steps it sent per policy version. The newest snapshot's {@value
 * SnapshotMetrics#TRAINED_POLICY_VERSION} w is the newest version behind the samples the learner
 * has trained on, so every step sent with a version above w is one it has not trained on, wherever
 * that step is: in a group the job still assembles, in a batch waiting for the job's checkpoint, in
 * learner.batches, or in the learner's queue. Those are the steps ahead. (Steps of version w itself
 * are taken as trained: the learner may still hold some of them, at most what the fleet sent under
 * w, so the backlog stays bounded by about twice the limit.)
 *
 * <p>The two never wait on each other: when the fleet pauses, at least {@code maxStepsAhead} steps
 * with versions above w are on their way to the learner, at least a batch if {@code maxStepsAhead}
 * is at least the learner's batch, so it makes an update; an update that reaches those steps raises
 * w, and once the learner has trained on all but less than a batch of them the fleet plays on. Only
 * steps the job drops (stale, dead-lettered, timed out) can leave the learner short, and then
 * {@link FleetService} reports the stall.
 *
 * <p>A snapshot without the metric (a learner from before it) falls back to its {@value
 * SnapshotMetrics#PENDING_SAMPLES}: the count restarts at that backlog with every new snapshot and
 * grows by every step sent after it. That misses the steps still in the job or the topic when the
 * learner published, so with such a learner the backlog can grow every version.
 */
final class LearnerPacing {
    private final long maxStepsAhead;

    /** Steps sent per policy version, for versions above the learner's trained version. */
    private final NavigableMap<Long, Long> sentByVersion = new TreeMap<>();

    private long followedVersion = -1;
    private Map<String, Double> followedMetrics = Map.of();

    /** The newest snapshot's trained_policy_version, or null when it does not carry one. */
    private Long trainedVersion;

    /** Without a trained version: the reported backlog plus the steps sent since. */
    private long stepsSinceSnapshot;

    /**
     * @param maxStepsAhead steps ahead at which the fleet pauses; 0 never pauses
     */
    LearnerPacing(long maxStepsAhead) {
        if (maxStepsAhead < 0) {
            throw new IllegalArgumentException("maxStepsAhead must be >= 0, got " + maxStepsAhead);
        }
        this.maxStepsAhead = maxStepsAhead;
    }

    /** Takes {@code newest} (the experiment's newest snapshot, or null before the first) in. */
    void follow(PolicySnapshot newest) {
        long version = newest == null ? -1 : newest.getVersion();
        if (version == followedVersion) {
            return;
        }
        followedVersion = version;
        followedMetrics = newest == null ? Map.of() : Map.copyOf(newest.getMetrics());
        Double trained = followedMetrics.get(SnapshotMetrics.TRAINED_POLICY_VERSION);
        if (trained != null && !trained.isNaN()) {
            trainedVersion = trained.longValue();
            sentByVersion.headMap(trainedVersion, true).clear();
        } else {
            trainedVersion = null;
            Double backlog = followedMetrics.get(SnapshotMetrics.PENDING_SAMPLES);
            stepsSinceSnapshot = backlog == null || !(backlog > 0) ? 0 : backlog.longValue();
        }
    }

    /** Counts {@code steps} sent with policy version {@code policyVersion}. */
    void sent(long policyVersion, long steps) {
        if (trainedVersion == null || policyVersion > trainedVersion) {
            sentByVersion.merge(policyVersion, steps, Long::sum);
        }
        stepsSinceSnapshot += steps;
    }

    /** Steps the learner has not trained on, as far as the fleet can tell. */
    long stepsAhead() {
        if (trainedVersion == null) {
            return stepsSinceSnapshot;
        }
        long ahead = 0;
        for (long steps : sentByVersion.tailMap(trainedVersion, false).values()) {
            ahead += steps;
        }
        return ahead;
    }

    /** Whether the fleet must wait for a newer snapshot before it plays another group. */
    boolean mustWait() {
        return maxStepsAhead > 0 && stepsAhead() >= maxStepsAhead;
    }

    /** The snapshot version followed, or -1 before the first. */
    long followedVersion() {
        return followedVersion;
    }

    /**
     * What the fleet waits for, in words: the steps ahead and the limit, and what the newest
     * snapshot said of the learner.
     */
    String describe() {
        StringBuilder text = new StringBuilder();
        if (trainedVersion != null && trainedVersion < 0) {
            text.append(
                    String.format(
                            Locale.ROOT,
                            "%,d steps sent and the learner has trained on none yet (limit %,d)",
                            stepsAhead(),
                            maxStepsAhead));
        } else if (trainedVersion != null) {
            text.append(
                    String.format(
                            Locale.ROOT,
                            "%,d steps sent with versions after v%d, which the learner has not"
                                    + " trained on (limit %,d)",
                            stepsAhead(),
                            trainedVersion,
                            maxStepsAhead));
        } else {
            text.append(
                    String.format(
                            Locale.ROOT,
                            "%,d steps ahead of the learner (its reported backlog plus the steps"
                                    + " sent since v%d; limit %,d)",
                            stepsAhead(),
                            followedVersion,
                            maxStepsAhead));
        }
        text.append(String.format(Locale.ROOT, "; newest snapshot v%d", followedVersion));
        Double pending = followedMetrics.get(SnapshotMetrics.PENDING_SAMPLES);
        Double batch = followedMetrics.get(SnapshotMetrics.BATCH_RECORDS);
        if (pending != null) {
            text.append(
                    String.format(
                            Locale.ROOT,
                            ": the learner held %,.0f samples when it published",
                            pending));
            if (batch != null) {
                text.append(String.format(Locale.ROOT, " (an update takes %,.0f)", batch));
            }
        }
        return text.toString();
    }

    /**
     * Why the learner makes no update while the fleet waits, from what the fleet knows: its limit
     * below the learner's batch, or steps sent that the learner has not received.
     */
    String diagnosis() {
        Double batch = followedMetrics.get(SnapshotMetrics.BATCH_RECORDS);
        if (batch != null && maxStepsAhead < batch) {
            return String.format(
                    Locale.ROOT,
                    "--max-steps-ahead %,d is below the learner's batch of %,.0f samples, so it"
                            + " may never get enough for an update: raise --max-steps-ahead to at"
                            + " least %,.0f",
                    maxStepsAhead,
                    batch,
                    2 * batch);
        }
        return "the learner has not trained on the steps sent: the job has not delivered them to"
                + " its batch topic (is it restarting or dropping them? see its log and"
                + " metrics), or the learner is stuck (see its log)";
    }
}
