package io.creditstream.fleet.curve;

/** The outcomes and lengths of the most recent episodes, in a ring of fixed capacity. */
public final class EpisodeWindow {
    private final boolean[] successes;
    private final int[] lengths;
    private int size;
    private int next;
    private int successCount;
    private long lengthSum;

    public EpisodeWindow(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be >= 1, got " + capacity);
        }
        this.successes = new boolean[capacity];
        this.lengths = new int[capacity];
    }

    public void add(boolean success, int length) {
        if (size == successes.length) {
            successCount -= successes[next] ? 1 : 0;
            lengthSum -= lengths[next];
        } else {
            size++;
        }
        successes[next] = success;
        lengths[next] = length;
        successCount += success ? 1 : 0;
        lengthSum += length;
        next = (next + 1) % successes.length;
    }

    /** Fraction of the held episodes that succeeded; 0 when empty. */
    public double successRate() {
        return size == 0 ? 0 : (double) successCount / size;
    }

    /** Mean length of the held episodes; 0 when empty. */
    public double meanLength() {
        return size == 0 ? 0 : (double) lengthSum / size;
    }

    /** True once the window holds as many episodes as its capacity. */
    public boolean isFull() {
        return size == successes.length;
    }

    int size() {
        return size;
    }
}
