package io.creditstream.streams;

import io.creditstream.schemas.kafka.KafkaAccessErrors.Operation;
import io.creditstream.schemas.kafka.KafkaClientSecurity;
import io.creditstream.schemas.preflight.ExitCode;
import io.creditstream.schemas.preflight.KafkaPreflight;
import io.creditstream.schemas.preflight.KafkaPreflight.RequiredAccess;
import io.creditstream.schemas.preflight.PreflightException;
import io.creditstream.streams.kafka.KafkaIo;
import io.creditstream.streams.options.CreditstreamOptions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.flink.configuration.Configuration;

/**
 * What {@code run} (and the {@code -job} jar's main) checks against Kafka before it creates topics
 * or builds the job: that a broker answers at {@code kafka.bootstrap-servers} within {@code
 * kafka.connect-timeout}, and, when {@code kafka.create-topics} is false, that every topic the job
 * reads or writes exists. Failures are {@link PreflightException}s with {@link ExitCode#KAFKA}.
 *
 * <p>A topic's partition count is never a reason to refuse: every operator of the job keys its own
 * state and runs on processing time (no watermarks), so any number of partitions gives the same
 * output. An {@code agent.steps} with fewer partitions than the source has readers leaves the
 * surplus readers idle, which is worth a note.
 */
public final class JobPreflight {
    private JobPreflight() {}

    /**
     * Checks the broker and the topics.
     *
     * @param sourceParallelism how many readers the {@code agent.steps} source will have; null when
     *     not known here (on a cluster, where its configuration decides)
     * @return notes worth printing (never failures); empty when there is nothing to say
     * @throws PreflightException when no broker answers, or topics are missing while {@code
     *     kafka.create-topics} is false
     * @throws IllegalArgumentException when {@code kafka.bootstrap-servers} is not set
     */
    public static List<String> check(Configuration config, Integer sourceParallelism) {
        String servers = KafkaIo.bootstrapServers(config);
        List<String> topics = topics(config);
        KafkaClientSecurity security = KafkaIo.clientSecurity(config);
        KafkaPreflight preflight =
                KafkaPreflight.of(
                                servers,
                                CreditstreamOptions.BOOTSTRAP_SERVERS.key(),
                                config.get(CreditstreamOptions.CONNECT_TIMEOUT),
                                CreditstreamOptions.CONNECT_TIMEOUT.key())
                        .withClientProperties(security.settings());
        if (!security.isEmpty()) {
            // A cluster that authenticates clients usually authorizes them too: a missing grant
            // fails here, named, instead of as a restart loop of the job's sources and sinks.
            preflight.checkAccess(requiredAccess(config), security.principal().orElse(null));
        }
        Map<String, Integer> partitions = preflight.partitions(topics);
        List<String> missing = new ArrayList<>(topics);
        missing.removeAll(partitions.keySet());
        if (!missing.isEmpty() && !config.get(CreditstreamOptions.CREATE_TOPICS)) {
            throw new PreflightException(
                    ExitCode.KAFKA,
                    (missing.size() == 1 ? "topic " : "topics ")
                            + String.join(", ", missing)
                            + (missing.size() == 1 ? " does" : " do")
                            + " not exist on "
                            + servers
                            + " and "
                            + CreditstreamOptions.CREATE_TOPICS.key()
                            + " is false\nCreate "
                            + (missing.size() == 1 ? "it" : "them")
                            + " (the job uses "
                            + String.join(", ", topics)
                            + "), check the topic.* names, or let the job create what is"
                            + " missing: -D"
                            + CreditstreamOptions.CREATE_TOPICS.key()
                            + "=true.");
        }
        List<String> notes = new ArrayList<>();
        String steps = config.get(CreditstreamOptions.TOPIC_STEPS);
        Integer stepPartitions = partitions.get(steps);
        if (sourceParallelism != null
                && stepPartitions != null
                && stepPartitions < sourceParallelism) {
            int idle = sourceParallelism - stepPartitions;
            notes.add(
                    steps
                            + " has "
                            + stepPartitions
                            + (stepPartitions == 1 ? " partition" : " partitions")
                            + " and the job reads it with parallelism "
                            + sourceParallelism
                            + ", so "
                            + idle
                            + (idle == 1 ? " reader idles" : " readers idle")
                            + ". The output is the same (the job uses no event time); give the"
                            + " topic "
                            + sourceParallelism
                            + " partitions to read it in parallel.");
        }
        return notes;
    }

    /**
     * The ACLs the job's principal needs with this configuration: Read on the topics it reads and
     * on its consumer groups, Write on the topics it writes and on its transactional ids, and Read
     * on the topics of its exactly-once sinks too.
     */
    public static List<RequiredAccess> requiredAccess(Configuration config) {
        List<RequiredAccess> access = new ArrayList<>();
        String group = config.get(CreditstreamOptions.CONSUMER_GROUP);
        access.add(
                RequiredAccess.topic(config.get(CreditstreamOptions.TOPIC_STEPS), Operation.READ));
        access.add(
                RequiredAccess.topic(
                        config.get(CreditstreamOptions.TOPIC_SNAPSHOTS), Operation.READ));
        access.add(
                RequiredAccess.topic(
                        config.get(CreditstreamOptions.TOPIC_BATCHES), Operation.WRITE));
        access.add(
                RequiredAccess.topic(config.get(CreditstreamOptions.TOPIC_DLQ), Operation.WRITE));
        // The exactly-once sinks reuse a pool of transactional ids (KafkaIo): on start they list
        // the producers still open on their topics to abort what a crash left behind, and
        // describing a topic's producers takes Read on it.
        access.add(
                RequiredAccess.topic(
                        config.get(CreditstreamOptions.TOPIC_BATCHES), Operation.READ));
        access.add(RequiredAccess.topic(config.get(CreditstreamOptions.TOPIC_DLQ), Operation.READ));
        access.add(RequiredAccess.group(group));
        access.add(RequiredAccess.group(group + "-snapshots"));
        if (config.get(CreditstreamOptions.BUDGET_ENABLED)) {
            access.add(
                    RequiredAccess.topic(
                            config.get(CreditstreamOptions.TOPIC_REQUESTS), Operation.READ));
            access.add(
                    RequiredAccess.topic(
                            config.get(CreditstreamOptions.TOPIC_BUDGET), Operation.WRITE));
            access.add(RequiredAccess.group(group + "-requests"));
        }
        access.add(
                RequiredAccess.transactionalIdPrefix(
                        config.get(CreditstreamOptions.TRANSACTIONAL_ID_PREFIX)));
        return access;
    }

    /** The topics the job reads or writes with this configuration. */
    public static List<String> topics(Configuration config) {
        List<String> topics = new ArrayList<>();
        topics.add(config.get(CreditstreamOptions.TOPIC_STEPS));
        topics.add(config.get(CreditstreamOptions.TOPIC_BATCHES));
        topics.add(config.get(CreditstreamOptions.TOPIC_DLQ));
        topics.add(config.get(CreditstreamOptions.TOPIC_SNAPSHOTS));
        if (config.get(CreditstreamOptions.BUDGET_ENABLED)) {
            topics.add(config.get(CreditstreamOptions.TOPIC_REQUESTS));
            topics.add(config.get(CreditstreamOptions.TOPIC_BUDGET));
        }
        return topics;
    }
}
