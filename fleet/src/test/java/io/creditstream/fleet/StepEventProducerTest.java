package io.creditstream.fleet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.creditstream.schemas.StepEvent;
import java.nio.ByteBuffer;
import java.util.List;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/** Records carry the episode id as key and the step in Avro single-object encoding. */
class StepEventProducerTest {

    @Test
    void writesEpisodeKeyedSingleObjectEncodedRecords() throws Exception {
        MockProducer<String, byte[]> mock = mockProducer(true);
        List<StepEvent> group = SimulatedFleetTest.fleet(1).build().nextGroup();

        try (StepEventProducer producer = new StepEventProducer(mock, "agent.steps")) {
            group.forEach(producer::send);
            producer.flush();
            assertThat(producer.sent()).isEqualTo(group.size());
            assertThat(producer.acknowledged()).isEqualTo(group.size());
            assertThat(producer.failed()).isZero();
        }

        List<ProducerRecord<String, byte[]>> records = mock.history();
        assertThat(records).hasSize(group.size());
        for (int i = 0; i < group.size(); i++) {
            ProducerRecord<String, byte[]> record = records.get(i);
            assertThat(record.topic()).isEqualTo("agent.steps");
            assertThat(record.key()).isEqualTo(group.get(i).getEpisodeId());
            // Avro single-object encoding starts with the marker C3 01.
            assertThat(record.value()[0]).isEqualTo((byte) 0xC3);
            assertThat(record.value()[1]).isEqualTo((byte) 0x01);
            assertThat(StepEvent.getDecoder().decode(ByteBuffer.wrap(record.value())))
                    .isEqualTo(group.get(i));
            assertThat(record.value()).isEqualTo(StepEventProducer.encode(group.get(i)));
        }
        assertThat(mock.closed()).isTrue();
    }

    @Test
    void sendsARawValueAsGiven() {
        MockProducer<String, byte[]> mock = mockProducer(true);
        byte[] garbage = {1, 2, 3};

        try (StepEventProducer producer = new StepEventProducer(mock, "agent.steps")) {
            producer.sendRaw("e-1", garbage);
            producer.sendRaw("e-2", new byte[0]);
            assertThat(producer.sent()).isEqualTo(2);
        }

        assertThat(mock.history()).extracting(ProducerRecord::key).containsExactly("e-1", "e-2");
        assertThat(mock.history().get(0).value()).isEqualTo(garbage);
        assertThat(mock.history().get(1).value()).isEmpty();
    }

    @Test
    void aFailedSendIsRethrown() {
        MockProducer<String, byte[]> mock = mockProducer(false);
        StepEvent step = SimulatedFleetTest.fleet(1).build().nextGroup().get(0);
        StepEventProducer producer = new StepEventProducer(mock, "agent.steps");

        producer.send(step);
        mock.errorNext(new IllegalStateException("broker gone"));

        assertThat(producer.failed()).isEqualTo(1);
        assertThatThrownBy(() -> producer.send(step))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("1 step(s) could not be sent to agent.steps")
                .hasRootCauseMessage("broker gone");
        assertThatThrownBy(producer::close).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void defaultsBatchAndCanBeOverridden() {
        assertThat(StepEventProducer.defaultConfig("127.0.0.1:1"))
                .containsEntry("acks", "all")
                .containsEntry("linger.ms", 10)
                .containsEntry("bootstrap.servers", "127.0.0.1:1");
        assertThatThrownBy(() -> StepEventProducer.defaultConfig(""))
                .isInstanceOf(IllegalArgumentException.class);
    }

    private static MockProducer<String, byte[]> mockProducer(boolean autoComplete) {
        return new MockProducer<>(
                autoComplete,
                null, // records carry no partition; the mock then picks one from the key
                new StringSerializer(),
                new ByteArraySerializer());
    }
}
