package io.creditstream.schemas.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.creditstream.schemas.kafka.TopicReplication.Names;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The one replication rule of the job's, the learner's and the fleet's topics, and its errors. */
class TopicReplicationTest {
    private static final Names CLI = Names.POLICY_PROCESS;

    @Test
    void threeReplicasWithTwoInSyncByDefault() {
        TopicReplication defaults = TopicReplication.defaults(CLI);
        assertThat(defaults.replicationFactor()).isEqualTo(3);
        assertThat(defaults.minInsyncReplicas()).contains(2);
        assertThat(defaults.topicConfigs()).isEqualTo(Map.of("min.insync.replicas", "2"));
    }

    @Test
    void belowThreeReplicasTheBrokersMinInsyncReplicasStands() {
        TopicReplication single = TopicReplication.of(1, Optional.empty(), CLI);
        assertThat(single.minInsyncReplicas()).isEmpty();
        assertThat(single.topicConfigs()).isEmpty();
        assertThat(TopicReplication.of(2, Optional.empty(), CLI).minInsyncReplicas()).isEmpty();
        assertThat(TopicReplication.of(5, Optional.of(3), CLI).topicConfigs())
                .isEqualTo(Map.of("min.insync.replicas", "3"));
    }

    @Test
    void outOfRangeValuesNameTheSettingAsTheCallersUsersWriteIt() {
        assertThatThrownBy(() -> TopicReplication.of(0, Optional.empty(), CLI))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(
                        "--topic-replication-factor must be at least 1 (3 on a production"
                                + " cluster), got 0");
        assertThatThrownBy(() -> TopicReplication.of(40_000, Optional.empty(), CLI))
                .hasMessageEndingWith("got 40000");
        assertThatThrownBy(() -> TopicReplication.of(3, Optional.of(4), CLI))
                .hasMessage(
                        "--topic-min-insync-replicas must be 1..--topic-replication-factor (3),"
                                + " got 4");
        Names job = new Names("kafka.rf", "kafka.min-isr", "-Dkafka.rf");
        assertThatThrownBy(() -> TopicReplication.of(2, Optional.of(0), job))
                .hasMessage("kafka.min-isr must be 1..kafka.rf (2), got 0");
    }

    @Test
    void tooFewBrokersNamesTheSettingAndBothWaysOut() {
        TopicReplication three = TopicReplication.defaults(CLI);
        IllegalArgumentException error =
                three.cannotBeMet(new TopicCreator.TooFewBrokersException("127.0.0.1:9092", 3, 1));
        assertThat(error)
                .hasMessage(
                        "--topic-replication-factor=3 cannot be met: replication factor 3 needs at"
                                + " least 3 live brokers, but the cluster at 127.0.0.1:9092 has 1."
                                + " Start the missing brokers, or lower --topic-replication-factor"
                                + " (1 only for a single development broker: one lost broker then"
                                + " loses what the topics hold).")
                .hasCauseInstanceOf(TopicCreator.TooFewBrokersException.class);
    }
}
