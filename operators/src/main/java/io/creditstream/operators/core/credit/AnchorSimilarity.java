package io.creditstream.operators.core.credit;

import static io.creditstream.operators.core.config.ConfigChecks.outOfRange;

import java.io.Serializable;

/**
 * GiGPO's optional similarity grouping of anchor states (docs/ALGORITHMS.md §1.4), validated when
 * constructed. Off, a step group is the rows with exactly equal anchor keys. On, rows are clustered
 * greedily in row order: a row joins the first cluster whose first member's key has a {@link
 * SequenceMatcherRatio difflib ratio} of at least {@code threshold} against its own, else it starts
 * a cluster.
 *
 * @param enabled whether anchor keys are clustered by similarity instead of matched exactly
 * @param threshold the smallest ratio that joins a cluster, in (0, 1)
 */
public record AnchorSimilarity(boolean enabled, double threshold) implements Serializable {

    private static final long serialVersionUID = 1L;

    public static final String KEY_ENABLED = "credit.gigpo.similarity";
    public static final String KEY_THRESHOLD = "credit.gigpo.similarity-threshold";

    /** The reference's {@code enable_similarity} default. */
    public static final boolean DEFAULT_ENABLED = false;

    /** The reference's {@code similarity_thresh} default (its search example uses 0.9). */
    public static final double DEFAULT_THRESHOLD = 0.95;

    /**
     * Checks the threshold; like the reference, a threshold of 1 is refused (that is exact
     * matching: turn similarity off instead).
     *
     * @throws IllegalArgumentException naming the key, the range and the value
     */
    public AnchorSimilarity {
        // The negated form also rejects NaN.
        if (!(threshold > 0 && threshold < 1)) {
            throw outOfRange(
                    KEY_THRESHOLD,
                    "in (0, 1) (1 would be exact matching: set " + KEY_ENABLED + "=false)",
                    DEFAULT_THRESHOLD,
                    threshold);
        }
    }

    /** Exact matching, with the default threshold kept for when similarity is switched on. */
    public static AnchorSimilarity defaults() {
        return new AnchorSimilarity(DEFAULT_ENABLED, DEFAULT_THRESHOLD);
    }
}
