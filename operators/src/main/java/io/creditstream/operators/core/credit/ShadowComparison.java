package io.creditstream.operators.core.credit;

import io.creditstream.operators.core.metrics.RankCorrelation;

/**
 * How a shadow estimator's advantages for one group compare with the primary's, row by row (the
 * same steps in the same order).
 *
 * @param rankCorrelation Spearman's ρ of the two advantage vectors; NaN when either is constant or
 *     the group has one row
 * @param agreeingSigns rows whose advantages have the same sign (−, 0 or +) in both
 * @param rows rows compared
 * @param shadowConstant true when every shadow advantage of the group is equal: the shadow would
 *     give the group no learning signal (its zero-variance case)
 */
public record ShadowComparison(
        double rankCorrelation, int agreeingSigns, int rows, boolean shadowConstant) {

    /**
     * Compares the advantages of one group.
     *
     * @throws IllegalArgumentException when the two have different lengths
     */
    public static ShadowComparison of(double[] primary, double[] shadow) {
        if (primary.length != shadow.length) {
            throw new IllegalArgumentException(
                    "the shadow has "
                            + shadow.length
                            + " advantages for "
                            + primary.length
                            + " rows");
        }
        int agreeing = 0;
        boolean constant = true;
        for (int i = 0; i < primary.length; i++) {
            if (Math.signum(primary[i]) == Math.signum(shadow[i])) {
                agreeing++;
            }
            if (shadow[i] != shadow[0]) {
                constant = false;
            }
        }
        boolean primaryConstant = true;
        for (double value : primary) {
            primaryConstant &= value == primary[0];
        }
        double rho;
        if (primary.length < 2) {
            rho = Double.NaN;
        } else if (primaryConstant || constant) {
            rho = primaryConstant && constant ? 1.0 : 0.0;
        } else {
            rho = RankCorrelation.spearman(primary, shadow);
        }
        return new ShadowComparison(rho, agreeing, primary.length, constant);
    }
}
