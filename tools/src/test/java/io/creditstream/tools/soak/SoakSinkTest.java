package io.creditstream.tools.soak;

import static org.assertj.core.api.Assertions.assertThat;

import io.creditstream.fleet.StepEventProducer;
import io.creditstream.schemas.StepEvent;
import io.creditstream.tools.RandomFleetDemo;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

class SoakSinkTest {

    @Test
    void sendsTheNextHostileKindAfterEveryNGoodStepsOnceAnEpisodeIsDone() {
        MockProducer<String, byte[]> mock =
                new MockProducer<>(true, null, new StringSerializer(), new ByteArraySerializer());
        List<StepEvent> steps = RandomFleetDemo.randomFleet("soak", 2, 8, 5).nextGroup();
        int firstDone = indexOfFirstDone(steps);
        int every = 3;
        try (StepEventProducer producer = new StepEventProducer(mock, "agent.steps")) {
            // A rate no clock can hold back: the test never waits.
            SoakSink sink =
                    new SoakSink(producer, new HostileMix(1, 1_000), 1e12, every, () -> false);
            steps.forEach(sink::send);

            // Hostile records follow good step k (1-based) when k % every == 0 and k > firstDone.
            long due = 0;
            for (int k = every; k <= steps.size(); k += every) {
                if (k - 1 >= firstDone) {
                    due++;
                }
            }
            Map<HostileKind, Long> instances = sink.instances();
            assertThat(instances.values().stream().mapToLong(Long::longValue).sum()).isEqualTo(due);
            assertThat(sink.goodSteps()).isEqualTo(steps.size());
            long records = 0;
            for (HostileKind kind : HostileKind.values()) {
                records += instances.get(kind) * kind.records();
            }
            assertThat(sink.hostileRecords()).isEqualTo(records);
            assertThat(mock.history()).hasSize((int) (steps.size() + records));
        }
        // The first hostile record right after the first multiple of `every` good steps that
        // takes in a done step, forged from the last done step so far.
        List<ProducerRecord<String, byte[]>> sent = mock.history();
        int firstHostileAfter = ((firstDone / every) + 1) * every;
        StepEvent lastDone = steps.get(firstDone);
        for (StepEvent step : steps.subList(firstDone, firstHostileAfter)) {
            lastDone = step.getDone() ? step : lastDone;
        }
        assertThat(sent.get(firstHostileAfter).value())
                .isEqualTo(new HostileMix(1, 1_000).next(lastDone).get(0).value());
    }

    private static int indexOfFirstDone(List<StepEvent> steps) {
        for (int i = 0; i < steps.size(); i++) {
            if (steps.get(i).getDone()) {
                return i;
            }
        }
        throw new AssertionError("no episode ended");
    }
}
