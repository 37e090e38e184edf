package io.creditstream.operators.core.credit;

import static io.creditstream.operators.core.config.ConfigChecks.outOfRange;

import java.io.Serializable;

/**
 * GiGPO's anchor memory across groups (docs/ALGORITHMS.md §1.7), validated when constructed. On, a
 * step group pools the step returns its anchor state had in the task's recent groups, each earlier
 * group weighted by {@code decay^age}, so that a state reached once per group is no longer a
 * singleton.
 *
 * @param enabled whether step groups pool returns from the task's earlier groups
 * @param groups how many of the task's most recent earlier groups are remembered (also the most
 *     summaries kept per anchor), at least 1
 * @param maxAnchors the most anchor states remembered per task; past it the least recently seen are
 *     forgotten first, down to 1/16 below it
 * @param decay the weight factor per group of age, in (0, 1]: a group {@code k} groups back weighs
 *     {@code decay^k}, the current group 1
 */
public record AnchorMemoryParams(boolean enabled, int groups, int maxAnchors, double decay)
        implements Serializable {

    private static final long serialVersionUID = 1L;

    public static final String KEY_ENABLED = "credit.gigpo.anchor-memory.enabled";
    public static final String KEY_GROUPS = "credit.gigpo.anchor-memory.groups";
    public static final String KEY_MAX_ANCHORS = "credit.gigpo.anchor-memory.max-anchors";
    public static final String KEY_DECAY = "credit.gigpo.anchor-memory.decay";

    public static final boolean DEFAULT_ENABLED = false;

    /** Eight groups of eight rollouts: a state has up to 64 earlier visits to pool with. */
    public static final int DEFAULT_GROUPS = 8;

    /** Far above the ~300 states a 7×11 key-and-door layout has, yet a bounded few MB per task. */
    public static final int DEFAULT_MAX_ANCHORS = 4096;

    /** Halves a group's weight per group of age: the policy that produced it has moved on. */
    public static final double DEFAULT_DECAY = 0.5;

    /** Groups beyond this cost a summary per anchor each and weigh nothing at any useful decay. */
    public static final int MAX_GROUPS = 1024;

    public static final int MAX_MAX_ANCHORS = 1_000_000;

    /**
     * Checks every setting.
     *
     * @throws IllegalArgumentException naming the key, the accepted range and the value
     */
    public AnchorMemoryParams {
        if (groups < 1 || groups > MAX_GROUPS) {
            throw outOfRange(KEY_GROUPS, "in [1, " + MAX_GROUPS + "]", DEFAULT_GROUPS, groups);
        }
        if (maxAnchors < 1 || maxAnchors > MAX_MAX_ANCHORS) {
            throw outOfRange(
                    KEY_MAX_ANCHORS,
                    "in [1, " + MAX_MAX_ANCHORS + "]",
                    DEFAULT_MAX_ANCHORS,
                    maxAnchors);
        }
        // The negated form also rejects NaN.
        if (!(decay > 0 && decay <= 1)) {
            throw outOfRange(
                    KEY_DECAY,
                    "in (0, 1] (1 weighs every remembered group like the current one; to pool"
                            + " nothing set "
                            + KEY_ENABLED
                            + "=false)",
                    DEFAULT_DECAY,
                    decay);
        }
    }

    /** Off, with the default bounds kept for when it is switched on. */
    public static AnchorMemoryParams defaults() {
        return new AnchorMemoryParams(
                DEFAULT_ENABLED, DEFAULT_GROUPS, DEFAULT_MAX_ANCHORS, DEFAULT_DECAY);
    }

    /**
     * Checks that the memory fits the credit settings it runs with.
     *
     * @throws IllegalArgumentException naming both keys when the memory is on with an estimator
     *     other than gigpo or with similarity grouping
     */
    public void requireCompatible(CreditParams credit) {
        if (!enabled) {
            return;
        }
        if (credit.estimator() != Estimator.GIGPO) {
            throw new IllegalArgumentException(
                    KEY_ENABLED
                            + "=true pools GiGPO's step groups and needs "
                            + CreditParams.KEY_ESTIMATOR
                            + "=gigpo, but the estimator is "
                            + credit.estimator().configName()
                            + ": set "
                            + KEY_ENABLED
                            + "=false or choose gigpo");
        }
        if (credit.anchorSimilarity().enabled()) {
            throw new IllegalArgumentException(
                    KEY_ENABLED
                            + "=true remembers anchor states by their exact key and cannot be"
                            + " combined with "
                            + AnchorSimilarity.KEY_ENABLED
                            + "=true: turn one of them off");
        }
    }
}
