package io.creditstream.operators.core.prm;

import java.util.Arrays;
import java.util.Map;
import java.util.SortedMap;

/**
 * A sparse feature vector φ: strictly ascending bucket indices with their values, so that sums over
 * it run in one fixed order.
 */
public final class FeatureVector {

    private static final FeatureVector EMPTY = new FeatureVector(new int[0], new double[0]);

    private final int[] indices;
    private final double[] values;

    private FeatureVector(int[] indices, double[] values) {
        this.indices = indices;
        this.values = values;
    }

    public static FeatureVector empty() {
        return EMPTY;
    }

    /** The vector of a sorted map from index to value; zero values are dropped. */
    public static FeatureVector of(SortedMap<Integer, Double> entries) {
        int size = 0;
        for (double v : entries.values()) {
            if (v != 0) {
                size++;
            }
        }
        int[] indices = new int[size];
        double[] values = new double[size];
        int k = 0;
        for (Map.Entry<Integer, Double> e : entries.entrySet()) {
            if (e.getValue() != 0) {
                indices[k] = e.getKey();
                values[k] = e.getValue();
                k++;
            }
        }
        return new FeatureVector(indices, values);
    }

    /** The number of non-zero entries. */
    public int size() {
        return indices.length;
    }

    public int index(int k) {
        return indices[k];
    }

    public double value(int k) {
        return values[k];
    }

    /** A copy of the indices. */
    public int[] indices() {
        return indices.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof FeatureVector that
                && Arrays.equals(indices, that.indices)
                && Arrays.equals(values, that.values);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(indices) + Arrays.hashCode(values);
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("{");
        for (int k = 0; k < indices.length; k++) {
            if (k > 0) {
                sb.append(", ");
            }
            sb.append(indices[k]).append('=').append(values[k]);
        }
        return sb.append('}').toString();
    }
}
