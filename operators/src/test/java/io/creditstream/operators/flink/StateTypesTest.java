package io.creditstream.operators.flink;

import static org.assertj.core.api.Assertions.assertThat;

import io.creditstream.operators.core.assembly.EpisodeProgress;
import io.creditstream.operators.core.assembly.GroupProgress;
import io.creditstream.operators.core.credit.AnchorHistory;
import io.creditstream.operators.core.credit.AnchorMemoryProgress;
import io.creditstream.operators.core.prm.PrmProgress;
import io.creditstream.operators.flink.assembly.EncodedStep;
import io.creditstream.operators.flink.budget.RoundProgress;
import io.creditstream.operators.flink.budget.TaskStateReply;
import io.creditstream.operators.flink.budget.TaskStats;
import java.util.Set;
import java.util.TreeSet;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.java.typeutils.PojoTypeInfo;
import org.junit.jupiter.api.Test;

/** State types must be serialized as POJOs or Avro, never by the Kryo fallback. */
class StateTypesTest {
    @Test
    void stateAndShuffleTypesArePojos() {
        assertThat(TypeInformation.of(EpisodeProgress.class)).isInstanceOf(PojoTypeInfo.class);
        assertThat(TypeInformation.of(GroupProgress.class)).isInstanceOf(PojoTypeInfo.class);
        assertThat(TypeInformation.of(EncodedStep.class)).isInstanceOf(PojoTypeInfo.class);
        assertThat(TypeInformation.of(EncodedTrajectory.class)).isInstanceOf(PojoTypeInfo.class);
        assertThat(TypeInformation.of(PrmProgress.class)).isInstanceOf(PojoTypeInfo.class);
        assertThat(TypeInformation.of(AnchorHistory.class)).isInstanceOf(PojoTypeInfo.class);
        assertThat(TypeInformation.of(AnchorMemoryProgress.class)).isInstanceOf(PojoTypeInfo.class);
    }

    /**
     * Flink writes the class name of every POJO held in state into the serializer snapshot of each
     * checkpoint and savepoint, and a restore looks the class up by that name: moving or renaming
     * one of these classes makes every earlier checkpoint unrestorable. Change this list only
     * together with a state migration.
     */
    @Test
    void statePojoClassNamesStayWhereCheckpointsRecordThem() {
        Set<String> names = new TreeSet<>();
        for (Class<?> stateType :
                new Class<?>[] {
                    EpisodeProgress.class,
                    GroupProgress.class,
                    EncodedTrajectory.class,
                    OpenCounts.Entry.class,
                    PrmProgress.class,
                    AnchorHistory.class,
                    AnchorMemoryProgress.class,
                    TaskStats.class,
                    TaskStateReply.class,
                    RoundProgress.class
                }) {
            collectPojoClassNames(TypeInformation.of(stateType), names);
        }
        assertThat(names)
                .containsExactly(
                        "io.creditstream.operators.core.assembly.EpisodeProgress",
                        "io.creditstream.operators.core.assembly.GroupProgress",
                        "io.creditstream.operators.core.budget.SuccessRateTracker",
                        "io.creditstream.operators.core.credit.AnchorHistory",
                        "io.creditstream.operators.core.credit.AnchorMemoryProgress",
                        "io.creditstream.operators.core.prm.PrmProgress",
                        "io.creditstream.operators.flink.EncodedTrajectory",
                        "io.creditstream.operators.flink.OpenCounts$Entry",
                        "io.creditstream.operators.flink.budget.RoundProbe",
                        "io.creditstream.operators.flink.budget.RoundProgress",
                        "io.creditstream.operators.flink.budget.TaskStateReply",
                        "io.creditstream.operators.flink.budget.TaskStats");
    }

    private static void collectPojoClassNames(TypeInformation<?> info, Set<String> names) {
        if (info instanceof PojoTypeInfo<?> pojo) {
            names.add(pojo.getTypeClass().getName());
            for (int i = 0; i < pojo.getArity(); i++) {
                collectPojoClassNames(pojo.getPojoFieldAt(i).getTypeInformation(), names);
            }
        }
    }
}
