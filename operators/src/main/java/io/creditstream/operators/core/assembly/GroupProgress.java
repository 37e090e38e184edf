package io.creditstream.operators.core.assembly;

/**
 * What the group assembler remembers about an open rollout group besides its trajectories: a Flink
 * POJO so state never falls back to Kryo.
 */
public class GroupProgress {
    /** Trajectories the fleet said the group will have (group_size of the first arrival). */
    public int expected;

    /** Trajectories received so far. */
    public int received;

    /** Processing time the first trajectory arrived, for the completion-latency metric. */
    public long firstArrivalMs;

    /** Processing time of the group timeout timer. */
    public long timeoutTimer;

    public GroupProgress() {}

    /** True once every expected trajectory is present. */
    public boolean isComplete() {
        return received >= expected;
    }
}
