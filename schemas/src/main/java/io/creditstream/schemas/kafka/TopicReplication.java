package io.creditstream.schemas.kafka;

import io.creditstream.schemas.contract.PolicyProcess;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * How many brokers hold each topic that the job, the learner and the fleet create, and how many of
 * them must have a record before an {@code acks=all} producer hears it was written. One rule for
 * all three, so that whichever of them starts first creates a topic the same way: {@value
 * #DEFAULT_REPLICATION_FACTOR} replicas unless told otherwise, and {@code min.insync.replicas} 2
 * once there are three or more (a record is then on two brokers before the writer goes on, and one
 * broker may fail without losing it), else the broker's default.
 *
 * <p>Errors name the setting as the caller's users write it ({@link Names}): {@code
 * kafka.topic-replication-factor} for the job, {@code --topic-replication-factor} for the learner
 * and the fleet.
 *
 * @param replicationFactor replicas of each new topic
 * @param minInsyncReplicas {@code min.insync.replicas} of each new topic; empty: the broker's
 * @param names the settings' names, for errors
 */
public record TopicReplication(
        int replicationFactor, Optional<Integer> minInsyncReplicas, Names names) {

    /** Replicas of a new topic unless told otherwise: one broker may then fail. */
    public static final int DEFAULT_REPLICATION_FACTOR = 3;

    /**
     * The names of the two settings as the caller's users write them, and how to lower the factor.
     *
     * @param replicationFactor e.g. {@code kafka.topic-replication-factor}
     * @param minInsyncReplicas e.g. {@code kafka.topic-min-insync-replicas}
     * @param lowerWith what to give to lower the factor, e.g. {@code
     *     -Dkafka.topic-replication-factor}
     */
    public record Names(String replicationFactor, String minInsyncReplicas, String lowerWith) {
        /** The learner's and the fleet's flags. */
        public static final Names POLICY_PROCESS =
                new Names(
                        PolicyProcess.TOPIC_REPLICATION_FACTOR,
                        PolicyProcess.TOPIC_MIN_INSYNC_REPLICAS,
                        PolicyProcess.TOPIC_REPLICATION_FACTOR);

        public Names {
            Objects.requireNonNull(replicationFactor, "replicationFactor");
            Objects.requireNonNull(minInsyncReplicas, "minInsyncReplicas");
            Objects.requireNonNull(lowerWith, "lowerWith");
        }
    }

    public TopicReplication {
        Objects.requireNonNull(minInsyncReplicas, "minInsyncReplicas (use Optional.empty())");
        Objects.requireNonNull(names, "names");
    }

    /**
     * Checks the settings and fills in the default {@code min.insync.replicas}.
     *
     * @param replicationFactor the factor given (1..32767)
     * @param minInsyncReplicas the {@code min.insync.replicas} given (1..factor), or empty for the
     *     default: 2 when the factor is 3 or more, else the broker's
     * @throws IllegalArgumentException naming the setting that is out of range
     */
    public static TopicReplication of(
            int replicationFactor, Optional<Integer> minInsyncReplicas, Names names) {
        Objects.requireNonNull(names, "names");
        if (replicationFactor < 1 || replicationFactor > Short.MAX_VALUE) {
            throw new IllegalArgumentException(
                    names.replicationFactor()
                            + " must be at least 1 (3 on a production cluster), got "
                            + replicationFactor);
        }
        if (minInsyncReplicas.isPresent()) {
            int value = minInsyncReplicas.get();
            if (value < 1 || value > replicationFactor) {
                throw new IllegalArgumentException(
                        names.minInsyncReplicas()
                                + " must be 1.."
                                + names.replicationFactor()
                                + " ("
                                + replicationFactor
                                + "), got "
                                + value);
            }
            return new TopicReplication(replicationFactor, minInsyncReplicas, names);
        }
        return new TopicReplication(
                replicationFactor,
                replicationFactor >= 3 ? Optional.of(2) : Optional.empty(),
                names);
    }

    /** {@value #DEFAULT_REPLICATION_FACTOR} replicas, {@code min.insync.replicas} 2. */
    public static TopicReplication defaults(Names names) {
        return of(DEFAULT_REPLICATION_FACTOR, Optional.empty(), names);
    }

    /** The topic configurations this adds to a new topic's. */
    public Map<String, String> topicConfigs() {
        return minInsyncReplicas
                .map(value -> Map.of("min.insync.replicas", value.toString()))
                .orElse(Map.of());
    }

    /**
     * The error for a cluster with fewer live brokers than the factor: which setting cannot be met,
     * why, and the two ways out.
     */
    public IllegalArgumentException cannotBeMet(TopicCreator.TooFewBrokersException e) {
        return new IllegalArgumentException(
                names.replicationFactor()
                        + "="
                        + replicationFactor
                        + " cannot be met: "
                        + e.getMessage()
                        + ". Start the missing brokers, or lower "
                        + names.lowerWith()
                        + " (1 only for a single development broker: one lost broker then"
                        + " loses what the topics hold).",
                e);
    }
}
