package io.creditstream.operators.core.credit;

import io.creditstream.schemas.internal.Trajectory;
import io.creditstream.schemas.internal.TrajectoryGroup;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;

/**
 * Off-policy control of a group before its advantages are computed: a trajectory sampled by a
 * policy more than {@code credit.max-policy-lag} snapshots older than the newest one is dropped,
 * because its behavior log-probs no longer describe the policy the learner is updating. A group
 * that keeps fewer than {@code assembly.min-group-size} trajectories is dropped whole (its baseline
 * would be meaningless); one that lost some is marked partial.
 */
public final class StalenessPolicy implements Serializable {
    private static final long serialVersionUID = 1L;

    public static final String KEY_MAX_POLICY_LAG = "credit.max-policy-lag";

    /**
     * What happened to one group.
     *
     * @param kept the group to estimate, or null when it was dropped
     * @param lags each trajectory's lag behind the newest version (empty without a known version)
     * @param droppedTrajectories stale trajectories removed (all of them when the group was dropped
     *     for being too small)
     */
    public record Outcome(TrajectoryGroup kept, long[] lags, int droppedTrajectories) {}

    private final int maxLag;
    private final int minGroupSize;

    public StalenessPolicy(int maxLag, int minGroupSize) {
        if (maxLag < 0) {
            throw new IllegalArgumentException(
                    KEY_MAX_POLICY_LAG + " must be >= 0 (versions), but was " + maxLag);
        }
        if (minGroupSize < 1) {
            throw new IllegalArgumentException(
                    "min group size must be >= 1, but was " + minGroupSize);
        }
        this.maxLag = maxLag;
        this.minGroupSize = minGroupSize;
    }

    public int maxLag() {
        return maxLag;
    }

    /**
     * @param newestVersion the newest policy snapshot version of the group's experiment, or null
     *     when none has been seen (then nothing is dropped)
     */
    public Outcome apply(TrajectoryGroup group, Long newestVersion) {
        if (newestVersion == null) {
            return new Outcome(group, new long[0], 0);
        }
        List<Trajectory> trajectories = group.getTrajectories();
        long[] lags = new long[trajectories.size()];
        List<Trajectory> fresh = new ArrayList<>(trajectories.size());
        for (int i = 0; i < trajectories.size(); i++) {
            // A trajectory newer than the newest snapshot the job has seen (the snapshot record
            // is still on its way) has lag 0, not a negative one.
            lags[i] = Math.max(0, newestVersion - trajectories.get(i).getPolicyVersion());
            if (lags[i] <= maxLag) {
                fresh.add(trajectories.get(i));
            }
        }
        int dropped = trajectories.size() - fresh.size();
        if (dropped == 0) {
            return new Outcome(group, lags, 0);
        }
        if (fresh.size() < Math.min(minGroupSize, group.getExpectedSize())) {
            return new Outcome(null, lags, trajectories.size());
        }
        TrajectoryGroup kept =
                TrajectoryGroup.newBuilder(group).setTrajectories(fresh).setPartial(true).build();
        return new Outcome(kept, lags, dropped);
    }
}
