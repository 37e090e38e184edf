package io.creditstream.operators.core.assembly;

/**
 * What the group assembler remembers about a rollout group besides its trajectories: a Flink POJO
 * so state never falls back to Kryo. After the group leaves (complete, partial or dropped) it stays
 * for a while as a marker of its members, so a re-sent trajectory is recognised.
 */
public class GroupProgress {
    /** The task of the first trajectory; later ones must agree. */
    public String taskId;

    /** Episode ids of the trajectories received, in arrival order. */
    public String[] episodeIds = new String[0];

    /** True once the group left; only the member ids remain. */
    public boolean completed;

    /** Processing time of the timer that forgets a group that left. */
    public long retentionTimer;

    /** Trajectories the fleet said the group will have (group_size of the first arrival). */
    public int expected;

    /** Trajectories received so far. */
    public int received;

    /** Processing time the first trajectory arrived, for the completion-latency metric. */
    public long firstArrivalMs;

    /** Processing time of the group timeout timer. */
    public long timeoutTimer;

    public GroupProgress() {}

    /** Whether a trajectory of {@code episodeId} has already arrived. */
    public boolean hasMember(String episodeId) {
        for (String id : episodeIds) {
            if (id.equals(episodeId)) {
                return true;
            }
        }
        return false;
    }

    /** Records a new member. */
    public void add(String episodeId) {
        episodeIds = java.util.Arrays.copyOf(episodeIds, episodeIds.length + 1);
        episodeIds[episodeIds.length - 1] = episodeId;
        received++;
    }

    /** True once every expected trajectory is present. */
    public boolean isComplete() {
        return received >= expected;
    }
}
