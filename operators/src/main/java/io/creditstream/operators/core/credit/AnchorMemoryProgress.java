package io.creditstream.operators.core.credit;

/**
 * A task's anchor-memory counters: how many of its groups have been estimated (the next group's
 * number, from which every remembered summary's age is counted) and how many anchors it remembers
 * (so that the bound is checked without a scan).
 *
 * <p>A mutable Flink POJO (public fields, no-arg constructor) kept in value state beside the task's
 * {@link AnchorHistory} map.
 */
public class AnchorMemoryProgress {

    /** Groups of the task estimated so far; also the number the next group gets. */
    public long groups;

    /** Anchors remembered for the task. */
    public int anchors;

    public AnchorMemoryProgress() {}

    @Override
    public String toString() {
        return "AnchorMemoryProgress{groups=" + groups + ", anchors=" + anchors + "}";
    }
}
