package io.creditstream.operators.core.prm;

/**
 * What the job remembers about one in-stream PRM besides its weights: how many updates it has had
 * (for the warm-up and the learning-rate schedule), a running mean of its pair accuracy on groups
 * it had not trained on yet (for confidence-scaled α), and its live feature count (so the metric
 * needs no scan of the weights).
 *
 * <p>A mutable Flink POJO (public fields, no-arg constructor) kept in value state next to the
 * weights.
 */
public class PrmProgress {

    /**
     * The running accuracy weighs the last ~64 updates: long enough to smooth one group's noise,
     * short enough to follow a PRM that is still learning.
     */
    public static final int ACCURACY_WINDOW = 64;

    /** Updates applied, i.e. groups that had a preference pair. */
    public long updates;

    /** Groups seen, with or without a pair. */
    public long groups;

    /** Running mean of the pre-update pair accuracy; NaN before the first update. */
    public double pairAccuracy = Double.NaN;

    /** Non-zero weights after the last update. */
    public int liveFeatures;

    public PrmProgress() {}

    /** Records one group; {@code accuracy} is the update's pre-update pair accuracy, or NaN. */
    public void record(ImplicitPrm.UpdateResult update) {
        groups++;
        liveFeatures = update.liveFeatures();
        if (!update.updated()) {
            return;
        }
        updates++;
        double rate = Math.max(1.0 / updates, 1.0 / ACCURACY_WINDOW);
        pairAccuracy =
                Double.isNaN(pairAccuracy)
                        ? update.pairAccuracy()
                        : pairAccuracy + rate * (update.pairAccuracy() - pairAccuracy);
    }

    /**
     * clamp(2·accuracy − 1, 0, 1): 0 for a PRM no better than chance (or without updates), 1 for
     * one that ranked every recent pair right.
     */
    public double confidence() {
        if (Double.isNaN(pairAccuracy)) {
            return 0;
        }
        return Math.max(0, Math.min(1, 2 * pairAccuracy - 1));
    }

    @Override
    public String toString() {
        return "PrmProgress{updates="
                + updates
                + ", groups="
                + groups
                + ", pairAccuracy="
                + pairAccuracy
                + ", liveFeatures="
                + liveFeatures
                + "}";
    }
}
