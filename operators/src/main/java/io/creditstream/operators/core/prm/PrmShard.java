package io.creditstream.operators.core.prm;

import io.creditstream.operators.core.config.ConfigNames;

/**
 * Which groups share one in-stream PRM: the job keys the PRM's weights by this, so it is also the
 * unit of parallelism of the OPRL estimator.
 */
public enum PrmShard {
    /** One PRM per experiment_id (the default): tasks of one experiment teach each other. */
    EXPERIMENT("experiment"),
    /** One PRM per (experiment_id, task_id): no transfer between tasks, more parallelism. */
    TASK("task"),
    /** One PRM for everything the job sees; runs on a single subtask. */
    GLOBAL("global");

    private final String configName;

    PrmShard(String configName) {
        this.configName = configName;
    }

    public String configName() {
        return configName;
    }

    /** The key of the PRM a group of this experiment and task trains and reads. */
    public String key(String experimentId, String taskId) {
        return switch (this) {
            case EXPERIMENT -> experimentId;
            // The unit separator cannot occur in ordinary ids, so no two pairs share a key.
            case TASK -> experimentId + '\u001f' + taskId;
            case GLOBAL -> "";
        };
    }

    /**
     * @throws IllegalArgumentException naming the value and the accepted names
     */
    public static PrmShard fromConfig(String value) {
        return ConfigNames.parse(PrmParams.KEY_SHARD, value, values(), PrmShard::configName);
    }
}
