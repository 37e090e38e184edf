package io.creditstream.operators.core.credit;

import io.creditstream.operators.core.credit.GigpoStepAdvantage.AnchorGroups;
import io.creditstream.operators.core.credit.GroupNormalizer.SingletonRule;
import io.creditstream.operators.core.credit.GroupNormalizer.Stats;
import io.creditstream.schemas.AdvantageBatch;
import io.creditstream.schemas.StepEvent;
import io.creditstream.schemas.internal.Trajectory;
import io.creditstream.schemas.internal.TrajectoryGroup;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.function.Function;

/**
 * GiGPO with anchor memory across groups (docs/ALGORITHMS.md §1.7): a step group pools the step
 * values its anchor state had in the task's recent groups, so that a state reached by one rollout
 * of a group still gets a step advantage.
 *
 * <p>For an anchor group with current rows x_1..x_n (weight 1 each) and remembered summaries of
 * earlier groups j of the same task, k_j groups back (1 ≤ k_j ≤ {@code groups}), weight w_j =
 * decay^k_j for each of their n_j rows:
 *
 * <pre>
 *   V1 = n + Σ w_j·n_j          V2 = n + Σ w_j²·n_j
 *   μ  = (Σ x_i + Σ w_j·sum_j) / V1
 *   S  = Σ (x_i − μ)² + Σ w_j·(M2_j + n_j·(sum_j/n_j − μ)²)
 *   σ  = sqrt(S / (V1 − V2/V1))           (reliability weights: n − 1 when every weight is 1)
 *   A^S_i = (x_i − μ)/(σ + ε)  or  x_i − μ  (credit.normalization)
 * </pre>
 *
 * with §0's rules on the pooled multiset: one member in all gives 0, all members equal give 0.
 * Without a remembered summary in the window, the statistics are plain GiGPO's, bit for bit.
 *
 * <p>Estimating reads the memory only ({@link #estimate}); {@link #remember} then writes the
 * group's own summaries and evicts, so that a group that fails changes nothing. Flink-free: the job
 * keeps the histories in keyed map state, the tests in a hash map.
 */
public final class AnchorMemory implements Serializable {

    private static final long serialVersionUID = 1L;

    /** Where a task's anchor histories are written; reads happen before, through a lookup. */
    public interface Store {
        void put(String anchorKey, AnchorHistory history) throws Exception;

        void remove(String anchorKey) throws Exception;

        /** Every remembered anchor of the task; read only when the memory is over its bound. */
        Iterable<Map.Entry<String, AnchorHistory>> entries() throws Exception;
    }

    /**
     * One group's credits and what it changes in the memory.
     *
     * @param credits as {@link CreditEstimator#estimate}: one list per trajectory, in step order
     * @param group the task's number of this group
     * @param histories the new history of every anchor key of the group, to be written
     * @param newAnchors how many of those keys the memory did not hold
     * @param rows the group's step rows
     * @param pooledSingletons rows whose pooled multiset (this group's anchor group plus the
     *     remembered rows) has one member: they still get A^S = 0
     */
    public record Estimate(
            List<List<StepCredit>> credits,
            long group,
            Map<String, AnchorHistory> histories,
            int newAnchors,
            int rows,
            int pooledSingletons) {}

    /** The batch of a group and its {@link Estimate}. */
    public record Assigned(AdvantageBatch batch, Estimate estimate) {}

    private final CreditParams credit;
    private final AnchorMemoryParams memory;
    private transient CreditEstimator estimator;

    /**
     * @throws IllegalArgumentException when the memory is off, or does not fit the credit settings
     */
    public AnchorMemory(CreditParams credit, AnchorMemoryParams memory) {
        this.credit = Objects.requireNonNull(credit, "credit");
        this.memory = Objects.requireNonNull(memory, "memory");
        if (!memory.enabled()) {
            throw new IllegalArgumentException(
                    AnchorMemoryParams.KEY_ENABLED + " is false: use CreditEstimator");
        }
        memory.requireCompatible(credit);
    }

    public AnchorMemoryParams params() {
        return memory;
    }

    /** The distinct anchor keys of a group's steps, in row order: what {@link #assign} reads. */
    public static Set<String> anchorKeys(TrajectoryGroup group) {
        Set<String> keys = new LinkedHashSet<>();
        for (Trajectory trajectory : group.getTrajectories()) {
            for (StepEvent step : trajectory.getSteps()) {
                String key = GroupCreditAssigner.anchorKey(step);
                if (key != null) {
                    keys.add(key);
                }
            }
        }
        return keys;
    }

    /**
     * The advantage records of a wire group, computed with the memory.
     *
     * @param remembered the task's history of an anchor key, or null when it has none
     * @param groupNumber the task's number of this group ({@link AnchorMemoryProgress#groups})
     */
    public Assigned assign(
            TrajectoryGroup group, Function<String, AnchorHistory> remembered, long groupNumber) {
        List<TrajectorySample> samples = new ArrayList<>(group.getTrajectories().size());
        for (Trajectory trajectory : group.getTrajectories()) {
            samples.add(GroupCreditAssigner.toSample(trajectory));
        }
        Estimate estimate = estimate(samples, remembered, groupNumber);
        return new Assigned(
                AdvantageRecords.batch(group, credit.estimator().configName(), estimate.credits()),
                estimate);
    }

    /**
     * The credits of one group with its step groups pooled; reads the memory only.
     *
     * @param remembered the task's history of an anchor key, or null when it has none
     * @param groupNumber the task's number of this group; a summary of group g is k = groupNumber −
     *     g groups old
     */
    public Estimate estimate(
            List<TrajectorySample> group,
            Function<String, AnchorHistory> remembered,
            long groupNumber) {
        if (estimator == null) {
            estimator = new CreditEstimator(credit);
        }
        Map<String, AnchorHistory> histories = new LinkedHashMap<>();
        int[] newAnchors = {0};
        int[] pooledSingletons = {0};
        int[] rows = {0};
        List<List<StepCredit>> credits =
                estimator.estimate(
                        group,
                        (trajectories, stepReturn, anchors) -> {
                            double[] stepR =
                                    GigpoStepAdvantage.penalisedStepReturns(
                                            trajectories,
                                            stepReturn,
                                            credit.invalidActionPenalty());
                            rows[0] = stepR.length;
                            Stats[] stats =
                                    pooledStats(
                                            stepR,
                                            anchors,
                                            remembered,
                                            groupNumber,
                                            histories,
                                            newAnchors);
                            double[] advantage = new double[stepR.length];
                            int[] groupOfRow = anchors.groupOfRows();
                            for (int i = 0; i < stepR.length; i++) {
                                Stats pooled = stats[groupOfRow[i]];
                                if (pooled.count() == 1) {
                                    pooledSingletons[0]++;
                                }
                                advantage[i] =
                                        GroupNormalizer.normalize(
                                                stepR[i],
                                                pooled,
                                                credit.normalization().dividesByStd(),
                                                credit.epsilon(),
                                                SingletonRule.ZERO);
                            }
                            return advantage;
                        });
        return new Estimate(
                credits, groupNumber, histories, newAnchors[0], rows[0], pooledSingletons[0]);
    }

    /**
     * The pooled statistics of every anchor group; fills {@code histories} with each key's new
     * history and counts the keys the memory did not hold.
     */
    private Stats[] pooledStats(
            double[] stepR,
            AnchorGroups anchors,
            Function<String, AnchorHistory> remembered,
            long groupNumber,
            Map<String, AnchorHistory> histories,
            int[] newAnchors) {
        int count = anchors.count();
        int[] groupOfRow = anchors.groupOfRows();
        Stats[] stats = GroupNormalizer.statsByGroup(stepR, groupOfRow, count);
        double[][] values = valuesByGroup(stepR, groupOfRow, count);
        AnchorHistory empty = new AnchorHistory();
        for (int g = 0; g < count; g++) {
            String key = anchors.keyOf(g);
            if (key == null) {
                continue; // no identity: never pooled, never remembered
            }
            AnchorHistory history = remembered.apply(key);
            if (history == null) {
                newAnchors[0]++;
                history = empty;
            } else {
                stats[g] = pooled(values[g], stats[g], history, groupNumber);
            }
            histories.put(key, history.followedBy(groupNumber, values[g], memory.groups()));
        }
        return stats;
    }

    /** Each anchor group's values, in row order. */
    private static double[][] valuesByGroup(double[] stepR, int[] groupOfRow, int count) {
        int[] size = new int[count];
        for (int g : groupOfRow) {
            size[g]++;
        }
        double[][] values = new double[count][];
        for (int g = 0; g < count; g++) {
            values[g] = new double[size[g]];
        }
        int[] filled = new int[count];
        for (int i = 0; i < stepR.length; i++) {
            int g = groupOfRow[i];
            values[g][filled[g]++] = stepR[i];
        }
        return values;
    }

    /**
     * The weighted statistics of the current values (weight 1) and the history's summaries inside
     * the window; {@code plain} unchanged when the window holds none.
     */
    Stats pooled(double[] current, Stats plain, AnchorHistory history, long groupNumber) {
        double v1 = current.length;
        double v2 = current.length;
        double weightedSum = 0;
        double min = current[0];
        double max = current[0];
        for (double x : current) {
            weightedSum += x;
            min = Math.min(min, x);
            max = Math.max(max, x);
        }
        int members = current.length;
        double[] weight = new double[history.size()];
        for (int j = 0; j < history.size(); j++) {
            long age = groupNumber - history.groups[j];
            if (age < 1 || age > memory.groups()) {
                continue; // weight 0: out of the window (or not older than this group)
            }
            double w = Math.pow(memory.decay(), age);
            weight[j] = w;
            int n = history.counts[j];
            v1 += w * n;
            v2 += w * w * n;
            weightedSum += w * history.sums[j];
            members += n;
            min = Math.min(min, history.mins[j]);
            max = Math.max(max, history.maxs[j]);
        }
        if (members == current.length) {
            return plain;
        }
        if (min == max) {
            return new Stats(members, min, 0.0, true);
        }
        double mean = weightedSum / v1;
        double squares = 0;
        for (double x : current) {
            double d = x - mean;
            squares += d * d;
        }
        for (int j = 0; j < history.size(); j++) {
            if (weight[j] == 0) {
                continue;
            }
            int n = history.counts[j];
            double d = history.sums[j] / n - mean;
            squares += weight[j] * (history.squaredDeviations[j] + n * d * d);
        }
        return new Stats(members, mean, Math.sqrt(squares / (v1 - v2 / v1)), false);
    }

    /**
     * Writes a successful group's histories and counters; once the task holds more than {@code
     * credit.gigpo.anchor-memory.max-anchors} anchors, forgets the least recently seen (oldest
     * {@link AnchorHistory#lastGroup}, then smallest key) down to the {@link #lowWaterMark}.
     *
     * @return how many anchors were forgotten
     */
    public int remember(Estimate estimate, Store store, AnchorMemoryProgress progress)
            throws Exception {
        for (Map.Entry<String, AnchorHistory> entry : estimate.histories().entrySet()) {
            store.put(entry.getKey(), entry.getValue());
        }
        progress.groups = estimate.group() + 1;
        progress.anchors += estimate.newAnchors();
        if (progress.anchors <= memory.maxAnchors()) {
            return 0;
        }
        List<String> forgotten =
                leastRecent(store.entries(), progress.anchors - lowWaterMark(memory.maxAnchors()));
        for (String key : forgotten) {
            store.remove(key);
        }
        progress.anchors -= forgotten.size();
        return forgotten.size();
    }

    /**
     * How many anchors a task keeps after forgetting: 1/16 below the bound, so that finding the
     * least recent (a scan of the whole task's state) happens once per max/16 new anchors, not for
     * every group that brings one. Below 16 anchors it is the bound itself.
     */
    static int lowWaterMark(int maxAnchors) {
        return maxAnchors - maxAnchors / 16;
    }

    private static final Comparator<Map.Entry<String, AnchorHistory>> RECENCY =
            Comparator.<Map.Entry<String, AnchorHistory>>comparingLong(e -> e.getValue().lastGroup)
                    .thenComparing(Map.Entry::getKey);

    /** The {@code count} least recently seen keys, least recent first. */
    static List<String> leastRecent(Iterable<Map.Entry<String, AnchorHistory>> entries, int count) {
        // A max-heap of the `count` least recent so far: one pass, no sort of the whole memory.
        PriorityQueue<Map.Entry<String, AnchorHistory>> kept =
                new PriorityQueue<>(count, RECENCY.reversed());
        for (Map.Entry<String, AnchorHistory> entry : entries) {
            Map.Entry<String, AnchorHistory> copy = Map.entry(entry.getKey(), entry.getValue());
            if (kept.size() < count) {
                kept.add(copy);
            } else if (RECENCY.compare(copy, kept.peek()) < 0) {
                kept.poll();
                kept.add(copy);
            }
        }
        List<String> keys = new ArrayList<>(kept.size());
        while (!kept.isEmpty()) {
            keys.add(kept.poll().getKey());
        }
        Collections.reverse(keys);
        return keys;
    }

    /**
     * One task's memory on the heap, with its counters: how the in-process study, the singleton
     * probe and the tests keep it (the job keeps the same histories in keyed map state).
     */
    public static final class HeapTask implements Store {
        private final Map<String, AnchorHistory> histories = new LinkedHashMap<>();
        private final AnchorMemoryProgress progress = new AnchorMemoryProgress();

        /** The remembered histories by anchor key, read-only. */
        public Map<String, AnchorHistory> histories() {
            return Collections.unmodifiableMap(histories);
        }

        public AnchorMemoryProgress progress() {
            return progress;
        }

        /** Estimates the task's next group against this memory, then remembers it. */
        public Estimate next(AnchorMemory memory, List<TrajectorySample> group) {
            Estimate estimate = memory.estimate(group, histories::get, progress.groups);
            rememberIn(memory, estimate);
            return estimate;
        }

        /** {@link #next} for a wire group, with its advantage batch. */
        public Assigned assign(AnchorMemory memory, TrajectoryGroup group) {
            Assigned assigned = memory.assign(group, histories::get, progress.groups);
            rememberIn(memory, assigned.estimate());
            return assigned;
        }

        private void rememberIn(AnchorMemory memory, Estimate estimate) {
            try {
                memory.remember(estimate, this, progress);
            } catch (Exception e) {
                // Only a state backend throws; this store is a hash map.
                throw new IllegalStateException(e);
            }
        }

        @Override
        public void put(String anchorKey, AnchorHistory history) {
            histories.put(anchorKey, history);
        }

        @Override
        public void remove(String anchorKey) {
            histories.remove(anchorKey);
        }

        @Override
        public Iterable<Map.Entry<String, AnchorHistory>> entries() {
            return histories.entrySet();
        }
    }
}
