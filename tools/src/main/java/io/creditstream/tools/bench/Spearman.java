package io.creditstream.tools.bench;

import org.apache.commons.math3.stat.correlation.SpearmansCorrelation;

/**
 * Spearman's rank correlation (commons-math's, ties given their average rank), with the answer the
 * PRM check wants where the library has none: NaN for fewer than two values, as for a constant
 * sample, instead of an exception.
 */
final class Spearman {
    private Spearman() {}

    /** ρ of two equally long samples; NaN when either is constant or has fewer than 2 values. */
    static double of(double[] x, double[] y) {
        if (x.length != y.length) {
            throw new IllegalArgumentException(x.length + " values against " + y.length);
        }
        if (x.length < 2) {
            return Double.NaN;
        }
        return new SpearmansCorrelation().correlation(x, y);
    }
}
