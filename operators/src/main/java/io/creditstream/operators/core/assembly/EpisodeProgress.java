package io.creditstream.operators.core.assembly;

/**
 * What the trajectory assembler remembers about an open episode besides its steps: a Flink POJO
 * (public fields, no-arg constructor) so state never falls back to Kryo.
 *
 * <p>The completeness rule lives here so it is testable without Flink: an episode is complete when
 * its {@code done} step has arrived and so has every index below it.
 */
public class EpisodeProgress {
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

    /** True when the {@code done} step and all indices below it are present. */
    public boolean isComplete() {
        return doneIndex >= 0 && received == doneIndex + 1 && maxIndex == doneIndex;
    }
}
