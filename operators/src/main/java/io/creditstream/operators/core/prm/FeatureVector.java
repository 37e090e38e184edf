package io.creditstream.operators.core.prm;

import java.util.Arrays;
import java.util.List;
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

    /**
     * Σ_k coefficients[k]·vectors[k], each feature's terms added in the order of the vectors, so
     * the same inputs give the same bits. Primitive arrays and one sort of packed (index, order)
     * keys instead of a map: this runs for every trajectory and pair of every group.
     */
    static FeatureVector sum(List<FeatureVector> vectors, double[] coefficients) {
        int total = 0;
        for (FeatureVector v : vectors) {
            total += v.indices.length;
        }
        if (total == 0) {
            return EMPTY;
        }
        long[] keys = new long[total];
        double[] terms = new double[total];
        int n = 0;
        for (int k = 0; k < vectors.size(); k++) {
            FeatureVector v = vectors.get(k);
            for (int j = 0; j < v.indices.length; j++) {
                // Index in the high half, arrival order in the low half: sorting the keys groups
                // each feature's terms and keeps them in arrival order.
                keys[n] = ((long) v.indices[j] << 32) | n;
                terms[n] = coefficients[k] * v.values[j];
                n++;
            }
        }
        Arrays.sort(keys);
        int[] indices = new int[total];
        double[] values = new double[total];
        int size = 0;
        for (int k = 0; k < total; ) {
            int index = (int) (keys[k] >>> 32);
            double sum = terms[(int) keys[k]];
            k++;
            while (k < total && (int) (keys[k] >>> 32) == index) {
                sum += terms[(int) keys[k]];
                k++;
            }
            if (sum != 0) {
                indices[size] = index;
                values[size] = sum;
                size++;
            }
        }
        return new FeatureVector(Arrays.copyOf(indices, size), Arrays.copyOf(values, size));
    }

    /** The same indices with other values (same length). */
    static FeatureVector withValues(FeatureVector indices, double[] values) {
        if (values.length != indices.indices.length) {
            throw new IllegalArgumentException(
                    values.length + " values for " + indices.indices.length + " indices");
        }
        return new FeatureVector(indices.indices, values.clone());
    }

    /** Whether the feature has an entry (binary search over the ascending indices). */
    boolean contains(int feature) {
        return Arrays.binarySearch(indices, feature) >= 0;
    }

    /** The vector of sorted bucket occurrences, each counting 1 (the featurizer's form). */
    static FeatureVector ofSortedOccurrences(int[] sortedBuckets, int length) {
        int[] indices = new int[length];
        double[] values = new double[length];
        int size = 0;
        for (int k = 0; k < length; ) {
            int bucket = sortedBuckets[k];
            int count = 0;
            while (k < length && sortedBuckets[k] == bucket) {
                count++;
                k++;
            }
            indices[size] = bucket;
            values[size] = count;
            size++;
        }
        return new FeatureVector(Arrays.copyOf(indices, size), Arrays.copyOf(values, size));
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
