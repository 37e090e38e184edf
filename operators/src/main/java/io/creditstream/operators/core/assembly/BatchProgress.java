package io.creditstream.operators.core.assembly;

/** What the advantage batcher remembers about its pending batch: a Flink POJO. */
public class BatchProgress {
    /** Advantage records waiting in the pending batch. */
    public int records;

    /** Processing time of the linger timer, or 0 when none is registered. */
    public long lingerTimer;

    public BatchProgress() {}
}
