package io.creditstream.operators.flink.budget;

import static io.creditstream.operators.flink.budget.BudgetTestData.groupWithReturns;
import static org.assertj.core.api.Assertions.assertThat;

import io.creditstream.operators.core.budget.SuccessRateTracker;
import java.io.IOException;
import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.java.typeutils.GenericTypeInfo;
import org.apache.flink.api.java.typeutils.PojoTypeInfo;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.junit.jupiter.api.Test;

/** The budget operators' shuffle and state types are POJOs, never the Kryo fallback. */
class BudgetTypesTest {

    @Test
    void shuffleAndStateTypesArePojosWithoutGenericFields() {
        for (Class<?> type :
                new Class<?>[] {
                    TaskOutcome.class,
                    RoundProbe.class,
                    TaskStateReply.class,
                    TaskStats.class,
                    RoundProgress.class,
                    SuccessRateTracker.class
                }) {
            TypeInformation<?> info = TypeInformation.of(type);
            assertThat(info).as(type.getSimpleName()).isInstanceOf(PojoTypeInfo.class);
            PojoTypeInfo<?> pojo = (PojoTypeInfo<?>) info;
            for (int i = 0; i < pojo.getArity(); i++) {
                assertThat(pojo.getPojoFieldAt(i).getTypeInformation())
                        .as(
                                type.getSimpleName()
                                        + "."
                                        + pojo.getPojoFieldAt(i).getField().getName())
                        .isNotInstanceOf(GenericTypeInfo.class);
            }
        }
    }

    @Test
    void theErrorSideOutputCarriesAvroRecordsNotKryo() {
        assertThat(ExpandBudgetRequest.ERRORS.getTypeInfo()).isNotInstanceOf(GenericTypeInfo.class);
    }

    @Test
    void replyAndStatsSurviveASerializerRoundTrip() throws IOException {
        RoundProbe probe = new RoundProbe("exp", "r1", "t1", 2, 5, 40, null);
        TaskStateReply reply = new TaskStateReply(probe, true, 0.375, 8);
        assertThat(roundTrip(reply, TaskStateReply.class)).isEqualTo(reply);

        TaskOutcome outcome = new TaskOutcome("exp", "t1", 7, new double[] {1, 0, 1});
        assertThat(roundTrip(outcome, TaskOutcome.class)).isEqualTo(outcome);

        SuccessRateTracker tracker = new SuccessRateTracker();
        tracker.addAll(1, 0, 1, 1);
        tracker.startEpoch();
        TaskStats stats = new TaskStats(tracker, 3, 1);
        TaskStats copy = roundTrip(stats, TaskStats.class);
        assertThat(copy.tracker).isEqualTo(tracker);
        assertThat(copy.policyVersion).isEqualTo(3);
        assertThat(copy.groupsSinceEpoch).isEqualTo(1);
    }

    @Test
    void outcomeCountsAnyPositiveReturnAsASuccessAndTakesTheNewestVersion() {
        TaskOutcome outcome = TaskOutcome.of(groupWithReturns("t1", 4, 1.0, -1.0, 0.0, 0.25));

        assertThat(outcome.rewards).containsExactly(1.0, 0.0, 0.0, 1.0);
        assertThat(outcome.policyVersion).isEqualTo(4);
        assertThat(outcome.key()).isEqualTo("exp/t1");
    }

    @Test
    void keysJoinExperimentAndTaskOrRound() {
        RoundProbe probe = new RoundProbe("exp", "r1", "t1", 0, 1, null, null);

        assertThat(probe.taskKey()).isEqualTo("exp/t1");
        assertThat(probe.roundKey()).isEqualTo("exp/r1");
        assertThat(new TaskStateReply(probe, false, 0, 0).roundKey()).isEqualTo("exp/r1");
    }

    private static <T> T roundTrip(T value, Class<T> type) throws IOException {
        TypeSerializer<T> serializer =
                TypeInformation.of(type).createSerializer(new SerializerConfigImpl());
        DataOutputSerializer out = new DataOutputSerializer(64);
        serializer.serialize(value, out);
        return serializer.deserialize(new DataInputDeserializer(out.getCopyOfBuffer()));
    }
}
