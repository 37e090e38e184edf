package io.creditstream.operators.core.assembly;

/**
 * What the trajectory assembler remembers about an episode besides its steps: a Flink POJO (public
 * fields, no-arg constructor) so state never falls back to Kryo.
 *
 * <p>The completeness rule lives here so it is testable without Flink: an episode is complete when
 * its {@code done} step has arrived and so has every index below it. A completed episode is kept
 * for a while as a small marker (the hash of each step) so that a step re-sent after completion is
 * told apart: identical (dropped) or conflicting (dead-lettered).
 */
public class EpisodeProgress {
    /** The task, group and group size of the episode's first step; later steps must agree. */
    public String taskId;

    public String groupId;

    public int groupSize;

    /** True once the trajectory left; the steps are gone, {@link #stepHashes} remain. */
    public boolean completed;

    /** {@link PayloadHash} of each step of a completed episode, by step index. */
    public long[] stepHashes;

    /** Processing time of the timer that forgets a completed episode. */
    public long retentionTimer;

    /** Distinct step indices received. */
    public int received;

    /** Index of the {@code done} step, or -1 while it has not arrived. */
    public int doneIndex = -1;

    /** Highest step index received. */
    public int maxIndex = -1;

    /** Processing time of the eviction timer registered for this episode. */
    public long timeoutTimer;

    /**
     * Bit i is set when step i has arrived, so telling a new step from a duplicate needs no read of
     * the stored steps; grows with the highest index (one long per 64 steps).
     */
    public long[] receivedBits = new long[1];

    public EpisodeProgress() {}

    /** Whether step {@code index} has already arrived. */
    public boolean hasStep(int index) {
        int word = index >>> 6;
        return word < receivedBits.length && (receivedBits[word] & (1L << index)) != 0;
    }

    /** Whether a step at {@code index} would lie beyond the episode's {@code done} step. */
    public boolean isAfterDone(int index) {
        return doneIndex >= 0 && index > doneIndex;
    }

    /** Records a new distinct step. */
    public void accept(int index, boolean done) {
        int word = index >>> 6;
        if (word >= receivedBits.length) {
            receivedBits = java.util.Arrays.copyOf(receivedBits, word + 1);
        }
        receivedBits[word] |= 1L << index;
        received++;
        maxIndex = Math.max(maxIndex, index);
        if (done) {
            doneIndex = index;
        }
    }

    /**
     * Why {@code step} does not belong to this episode (its task, group or group size differs from
     * the first step's), or null when it does.
     */
    public String inconsistency(String stepTask, String stepGroup, int stepGroupSize) {
        if (!taskId.equals(stepTask)) {
            return "task_id " + stepTask + " differs from the episode's task_id " + taskId;
        }
        if (!groupId.equals(stepGroup)) {
            return "group_id " + stepGroup + " differs from the episode's group_id " + groupId;
        }
        if (groupSize != stepGroupSize) {
            return "group_size " + stepGroupSize + " differs from the episode's " + groupSize;
        }
        return null;
    }

    /** True when the {@code done} step and all indices below it are present. */
    public boolean isComplete() {
        return doneIndex >= 0 && received == doneIndex + 1 && maxIndex == doneIndex;
    }
}
