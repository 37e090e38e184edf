package io.creditstream.operators.flink;

import static org.assertj.core.api.Assertions.assertThat;

import io.creditstream.operators.core.assembly.EpisodeProgress;
import io.creditstream.operators.core.assembly.GroupProgress;
import io.creditstream.operators.core.prm.PrmProgress;
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
    }
}
