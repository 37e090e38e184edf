package io.creditstream.operators.core.metrics;

/**
 * The most recent {@code capacity} values of a metric, summarised on read: metric gauges are read
 * rarely (on scrape) and written per record, so writes are O(1) and reads scan the window.
 */
public final class RollingWindow {
    private final double[] values;
    private int next;
    private int size;

    public RollingWindow(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be at least 1, got " + capacity);
        }
        this.values = new double[capacity];
    }

    public void add(double value) {
        values[next] = value;
        next = (next + 1) % values.length;
        size = Math.min(size + 1, values.length);
    }

    public int size() {
        return size;
    }

    /** Mean of the window, 0 when empty. */
    public double mean() {
        if (size == 0) {
            return 0;
        }
        double sum = 0;
        for (int i = 0; i < size; i++) {
            sum += values[i];
        }
        return sum / size;
    }

    /** Population standard deviation of the window, 0 when empty. */
    public double std() {
        if (size == 0) {
            return 0;
        }
        double mean = mean();
        double squares = 0;
        for (int i = 0; i < size; i++) {
            double d = values[i] - mean;
            squares += d * d;
        }
        return Math.sqrt(squares / size);
    }

    /** Largest absolute value in the window, 0 when empty. */
    public double absMax() {
        double max = 0;
        for (int i = 0; i < size; i++) {
            max = Math.max(max, Math.abs(values[i]));
        }
        return max;
    }
}
