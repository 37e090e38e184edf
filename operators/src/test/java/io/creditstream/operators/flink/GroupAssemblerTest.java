package io.creditstream.operators.flink;

import static io.creditstream.operators.flink.TestSteps.trajectory;
import static org.assertj.core.api.Assertions.assertThat;

import io.creditstream.schemas.internal.Trajectory;
import io.creditstream.schemas.internal.TrajectoryGroup;
import java.time.Duration;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class GroupAssemblerTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    private KeyedOneInputStreamOperatorTestHarness<String, EncodedTrajectory, TrajectoryGroup>
            harness;

    private void open(boolean bounded) throws Exception {
        harness =
                ProcessFunctionTestHarnesses.forKeyedProcessFunction(
                        new GroupAssembler(TIMEOUT, 2, bounded),
                        EncodedTrajectory::getGroupId,
                        Types.STRING);
        harness.setProcessingTime(5_000);
    }

    @AfterEach
    void tearDown() throws Exception {
        harness.close();
    }

    @Test
    void emitsTheGroupWhenGroupSizeTrajectoriesArrivedAndClearsState() throws Exception {
        open(false);
        harness.processElement(trajectory("g1", "e3", 3, 2), 0);
        harness.processElement(trajectory("g1", "e1", 3, 4), 0);
        assertThat(harness.extractOutputValues()).isEmpty();
        harness.processElement(trajectory("g1", "e2", 3, 1), 0);

        assertThat(harness.extractOutputValues()).hasSize(1);
        TrajectoryGroup group = harness.extractOutputValues().get(0);
        assertThat(group.getPartial()).isFalse();
        assertThat(group.getExpectedSize()).isEqualTo(3);
        assertThat(group.getTrajectories())
                .extracting(Trajectory::getEpisodeId)
                .containsExactly("e1", "e2", "e3");
        assertThat(harness.numKeyedStateEntries()).isZero();
        assertThat(harness.numProcessingTimeTimers()).isZero();
    }

    @Test
    void emitsAPartialGroupOnTimeoutWhenItHasTheMinimumSize() throws Exception {
        open(false);
        harness.processElement(trajectory("g1", "e1", 8, 2), 0);
        harness.processElement(trajectory("g1", "e2", 8, 2), 0);

        harness.setProcessingTime(5_000 + TIMEOUT.toMillis());

        assertThat(harness.extractOutputValues()).hasSize(1);
        assertThat(harness.extractOutputValues().get(0).getPartial()).isTrue();
        assertThat(harness.extractOutputValues().get(0).getTrajectories()).hasSize(2);
        assertThat(harness.numKeyedStateEntries()).isZero();
        assertThat(harness.numProcessingTimeTimers()).isZero();
    }

    @Test
    void dropsATimedOutGroupBelowTheMinimumSize() throws Exception {
        open(false);
        harness.processElement(trajectory("g1", "e1", 8, 2), 0);

        harness.setProcessingTime(5_000 + TIMEOUT.toMillis());

        assertThat(harness.extractOutputValues()).isEmpty();
        assertThat(harness.numKeyedStateEntries()).isZero();
        assertThat(harness.numProcessingTimeTimers()).isZero();
    }

    @Test
    void boundedInputEmitsEveryGroupPresentWhateverItsSize() throws Exception {
        open(true);
        harness.processElement(trajectory("g1", "e1", 8, 2), 0);

        harness.setProcessingTime(Long.MAX_VALUE);

        assertThat(harness.extractOutputValues()).hasSize(1);
        assertThat(harness.numKeyedStateEntries()).isZero();
    }

    @Test
    void keepsGroupsApart() throws Exception {
        open(false);
        harness.processElement(trajectory("g1", "e1", 2, 1), 0);
        harness.processElement(trajectory("g2", "e2", 2, 1), 0);
        assertThat(harness.extractOutputValues()).isEmpty();
        harness.processElement(trajectory("g2", "e3", 2, 1), 0);

        assertThat(harness.extractOutputValues())
                .extracting(TrajectoryGroup::getGroupId)
                .containsExactly("g2");
        assertThat(harness.numProcessingTimeTimers()).isEqualTo(1);
    }
}
