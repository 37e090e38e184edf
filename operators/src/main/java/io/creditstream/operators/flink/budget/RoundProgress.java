package io.creditstream.operators.flink.budget;

/** The keyed state of {@link RoundAllocator} for one round besides its replies; a Flink POJO. */
public class RoundProgress {
    /** Tasks in the round, from the first reply's probe. */
    public int taskCount;

    /** Distinct task indices that have replied. */
    public int received;

    /** The processing time at which the round times out, the timer's timestamp. */
    public long timeoutTimer;

    public RoundProgress() {}

    public RoundProgress(int taskCount, int received, long timeoutTimer) {
        this.taskCount = taskCount;
        this.received = received;
        this.timeoutTimer = timeoutTimer;
    }

    public boolean isComplete() {
        return received >= taskCount;
    }
}
