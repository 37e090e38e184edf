package io.creditstream.operators.flink.budget;

import io.creditstream.operators.core.budget.SuccessRateTracker;

/**
 * The keyed state of {@link TaskStatsFunction} for one task: its success-rate tracker and where its
 * current epoch began; a Flink POJO (the tracker itself is one).
 */
public class TaskStats {
    public SuccessRateTracker tracker;

    /** The highest policy version seen for the task. */
    public long policyVersion;

    /** Groups added since the current epoch began. */
    public int groupsSinceEpoch;

    public TaskStats() {}

    public TaskStats(SuccessRateTracker tracker, long policyVersion, int groupsSinceEpoch) {
        this.tracker = tracker;
        this.policyVersion = policyVersion;
        this.groupsSinceEpoch = groupsSinceEpoch;
    }

    @Override
    public String toString() {
        return "TaskStats{"
                + tracker
                + ", policyVersion="
                + policyVersion
                + ", groupsSinceEpoch="
                + groupsSinceEpoch
                + "}";
    }
}
