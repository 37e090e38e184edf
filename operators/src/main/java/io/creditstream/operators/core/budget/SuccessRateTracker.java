package io.creditstream.operators.core.budget;

import java.io.Serializable;
import java.util.Objects;

/**
 * One task's success-rate estimate for Knapsack RL, the reference's per-prompt {@code
 * update_sample_state} / {@code get_sample_state} (liziniu/KnapsackRL {@code rl_dataset.py},
 * docs/ALGORITHMS.md §4) in constant memory.
 *
 * <p>Rewards must be −1, 0 or 1; −1 counts as 0. {@code count} counts every reward ever added, and
 * the task is valid once {@code count ≥ minBuffer}. With epoch estimation p is the mean of this
 * epoch's rewards when the epoch has at least {@code rewardBuffer} of them, otherwise the mean of
 * the most recent {@code rewardBuffer} rewards, this epoch's first, then earlier epochs'. Without
 * epoch estimation p is always that recent mean. A task never seen is {@code [valid = (minBuffer ==
 * 0), 0.0, 0]}: the reference answers {@code [0, 0.0, 0]} unless min_buffer_length is 0.
 *
 * <p>An epoch begins with the first reward after {@link #startEpoch()}, not at the call: the
 * reference only recomputes a prompt's estimate when the prompt gets rewards, so a task that gets
 * none in an epoch keeps the estimate of its last epoch with rewards.
 *
 * <p>The state is a Flink POJO of six primitive fields: the current epoch's sum and count, and the
 * last 64 rewards as the bits of a {@code long}, enough for any {@code rewardBuffer} ≤ 64. The
 * {@link Settings} live in the operator, not in the state.
 */
public final class SuccessRateTracker implements Serializable {

    private static final long serialVersionUID = 1L;

    // Configuration keys of the settings, named in their errors.
    public static final String KEY_MIN_BUFFER = "budget.min-buffer";
    public static final String KEY_REWARD_BUFFER = "budget.reward-buffer";

    /** The reference's min_buffer_length. */
    public static final int DEFAULT_MIN_BUFFER = 8;

    /** The reference's reward_buffer_length. */
    public static final int DEFAULT_REWARD_BUFFER = 16;

    /** The recent rewards are the bits of one long. */
    public static final int MAX_REWARD_BUFFER = Long.SIZE;

    /**
     * How rewards become an estimate.
     *
     * @param minBuffer rollouts before a task is valid (min_buffer_length)
     * @param rewardBuffer rewards an epoch needs to be used alone, and the length of the recent
     *     mean (reward_buffer_length), 1..64
     * @param epochEstimation whether a full epoch is used alone (epoch_estimation)
     * @param robustEpochEstimation whether an epoch short of rewardBuffer falls back to the recent
     *     mean rather than its own (robust_epoch_estimation, on in the reference and its script)
     */
    public record Settings(
            int minBuffer, int rewardBuffer, boolean epochEstimation, boolean robustEpochEstimation)
            implements Serializable {

        public Settings {
            if (minBuffer < 0) {
                throw new IllegalArgumentException(
                        "min buffer ("
                                + KEY_MIN_BUFFER
                                + ") must not be negative, got "
                                + minBuffer);
            }
            if (rewardBuffer < 1 || rewardBuffer > MAX_REWARD_BUFFER) {
                throw new IllegalArgumentException(
                        "reward buffer ("
                                + KEY_REWARD_BUFFER
                                + ") must be in 1.."
                                + MAX_REWARD_BUFFER
                                + ", got "
                                + rewardBuffer);
            }
        }

        /** min buffer 8, reward buffer 16, epoch estimation on, robust on: the reference's. */
        public static Settings defaults() {
            return new Settings(DEFAULT_MIN_BUFFER, DEFAULT_REWARD_BUFFER, true, true);
        }

        /** The defaults with epoch estimation switched on or off. */
        public static Settings withEpochEstimation(boolean epochEstimation) {
            return new Settings(DEFAULT_MIN_BUFFER, DEFAULT_REWARD_BUFFER, epochEstimation, true);
        }
    }

    private long count;
    private long epochSum;
    private long epochCount;
    private boolean newEpochPending;
    private long recentBits;
    private int recentCount;

    /** A task with no rewards yet. */
    public SuccessRateTracker() {}

    /**
     * Adds one rollout's reward.
     *
     * @throws IllegalArgumentException unless the reward is −1, 0 or 1
     */
    public void add(double reward) {
        record(toSuccess(reward));
    }

    /** Adds several rewards, all or none: a bad one leaves the tracker unchanged. */
    public void addAll(double... rewards) {
        int[] successes = new int[rewards.length];
        for (int i = 0; i < rewards.length; i++) {
            successes[i] = toSuccess(rewards[i]);
        }
        for (int success : successes) {
            record(success);
        }
    }

    /** Marks an epoch boundary; the next reward opens a new epoch. */
    public void startEpoch() {
        newEpochPending = true;
    }

    /** The task's state under the default settings. */
    public TaskState state() {
        return state(Settings.defaults());
    }

    /** The task's {@code [valid, p, count]}, p in double precision as the reference's tracker. */
    public TaskState state(Settings settings) {
        boolean valid = count >= settings.minBuffer();
        if (count == 0) {
            return new TaskState(valid, 0.0, 0);
        }
        double p;
        if (settings.epochEstimation()
                && (epochCount >= settings.rewardBuffer() || !settings.robustEpochEstimation())) {
            p = (double) epochSum / epochCount;
        } else {
            p = recentMean(settings.rewardBuffer());
        }
        return new TaskState(valid, p, count);
    }

    private double recentMean(int rewardBuffer) {
        int size = Math.min(recentCount, rewardBuffer);
        long mask = size == Long.SIZE ? -1L : (1L << size) - 1;
        return (double) Long.bitCount(recentBits & mask) / size;
    }

    private static int toSuccess(double reward) {
        if (reward == 1) {
            return 1;
        }
        if (reward == 0 || reward == -1) {
            return 0;
        }
        throw new IllegalArgumentException(
                "A Knapsack RL reward must be -1, 0 or 1 (-1 counts as a failure), got " + reward);
    }

    private void record(int success) {
        if (newEpochPending) {
            epochSum = 0;
            epochCount = 0;
            newEpochPending = false;
        }
        count++;
        epochSum += success;
        epochCount++;
        recentBits = (recentBits << 1) | success;
        if (recentCount < MAX_REWARD_BUFFER) {
            recentCount++;
        }
    }

    // POJO accessors, for Flink's serializer; they set raw state and do not validate.

    /** Every reward ever added. */
    public long getCount() {
        return count;
    }

    public void setCount(long count) {
        this.count = count;
    }

    /** Successes in the latest epoch that has rewards. */
    public long getEpochSum() {
        return epochSum;
    }

    public void setEpochSum(long epochSum) {
        this.epochSum = epochSum;
    }

    /** Rewards in the latest epoch that has rewards. */
    public long getEpochCount() {
        return epochCount;
    }

    public void setEpochCount(long epochCount) {
        this.epochCount = epochCount;
    }

    /** Whether {@link #startEpoch()} was called since the last reward. */
    public boolean isNewEpochPending() {
        return newEpochPending;
    }

    public void setNewEpochPending(boolean newEpochPending) {
        this.newEpochPending = newEpochPending;
    }

    /** The last {@link #getRecentCount()} rewards as bits, the newest in bit 0. */
    public long getRecentBits() {
        return recentBits;
    }

    public void setRecentBits(long recentBits) {
        this.recentBits = recentBits;
    }

    /** How many of {@link #getRecentBits()}'s bits hold rewards: min(count, 64). */
    public int getRecentCount() {
        return recentCount;
    }

    public void setRecentCount(int recentCount) {
        this.recentCount = recentCount;
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof SuccessRateTracker)) {
            return false;
        }
        SuccessRateTracker that = (SuccessRateTracker) o;
        return count == that.count
                && epochSum == that.epochSum
                && epochCount == that.epochCount
                && newEpochPending == that.newEpochPending
                && recentBits == that.recentBits
                && recentCount == that.recentCount;
    }

    @Override
    public int hashCode() {
        return Objects.hash(count, epochSum, epochCount, newEpochPending, recentBits, recentCount);
    }

    @Override
    public String toString() {
        return "SuccessRateTracker{count="
                + count
                + ", epoch="
                + epochSum
                + "/"
                + epochCount
                + (newEpochPending ? " (new epoch pending)" : "")
                + ", recent="
                + Long.toBinaryString(recentBits)
                + "/"
                + recentCount
                + "}";
    }
}
