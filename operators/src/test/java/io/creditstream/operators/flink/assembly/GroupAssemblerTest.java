package io.creditstream.operators.flink.assembly;

import static io.creditstream.operators.flink.TestSteps.trajectory;
import static org.assertj.core.api.Assertions.assertThat;

import io.creditstream.operators.core.input.DeadLetterReason;
import io.creditstream.operators.flink.DeadLetters;
import io.creditstream.operators.flink.EncodedTrajectory;
import io.creditstream.schemas.DeadLetter;
import io.creditstream.schemas.codec.AvroCodec;
import io.creditstream.schemas.internal.Trajectory;
import io.creditstream.schemas.internal.TrajectoryGroup;
import java.time.Duration;
import java.util.List;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class GroupAssemblerTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private static final Duration RETENTION = Duration.ofMinutes(10);

    private KeyedOneInputStreamOperatorTestHarness<String, EncodedTrajectory, TrajectoryGroup>
            harness;

    private void open(boolean bounded) throws Exception {
        harness =
                ProcessFunctionTestHarnesses.forKeyedProcessFunction(
                        new GroupAssembler(TIMEOUT, 2, RETENTION, bounded),
                        EncodedTrajectory::groupKey,
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
        // Only the marker of its members is left, until the retention ends.
        assertThat(harness.numKeyedStateEntries()).isEqualTo(1);
        assertThat(harness.numProcessingTimeTimers()).isEqualTo(1);
        harness.setProcessingTime(5_000 + RETENTION.toMillis());
        assertThat(harness.numKeyedStateEntries()).isZero();
        assertThat(harness.numProcessingTimeTimers()).isZero();
    }

    @Test
    void aReSentTrajectoryIsNotCountedTwiceAndANewOneAfterCompletionIsDeadLettered()
            throws Exception {
        open(false);
        harness.processElement(trajectory("g1", "e1", 2, 2), 0);
        harness.processElement(trajectory("g1", "e1", 2, 2), 0);
        assertThat(harness.extractOutputValues()).isEmpty();
        harness.processElement(trajectory("g1", "e2", 2, 2), 0);
        assertThat(harness.extractOutputValues()).hasSize(1);

        harness.processElement(trajectory("g1", "e2", 2, 2), 0);
        harness.processElement(trajectory("g1", "e3", 2, 2), 0);

        assertThat(harness.extractOutputValues()).hasSize(1);
        List<DeadLetter> letters = deadLetters();
        assertThat(letters)
                .extracting(DeadLetter::getReason)
                .containsExactly(DeadLetterReason.GROUP_OVERFLOW.code());
        assertThat(letters.get(0).getEpisodeId()).isEqualTo("e3");
        Trajectory payload =
                AvroCodec.of(Trajectory.class).decode(letters.get(0).getPayload().array());
        assertThat(payload.getSteps()).hasSize(2);
    }

    @Test
    void deadLettersATrajectoryWhoseGroupSizeOrTaskDisagrees() throws Exception {
        open(false);
        harness.processElement(trajectory("g1", "e1", 2, 1), 0);
        harness.processElement(trajectory("g1", "e2", 3, 1), 0);
        EncodedTrajectory otherTask = trajectory("g1", "e3", 2, 1);
        otherTask.taskId = "task-2";
        harness.processElement(otherTask, 0);
        harness.processElement(trajectory("g1", "e4", 2, 1), 0);

        assertThat(harness.extractOutputValues()).hasSize(1);
        assertThat(harness.extractOutputValues().get(0).getTrajectories())
                .extracting(Trajectory::getEpisodeId)
                .containsExactly("e1", "e4");
        assertThat(deadLetters()).extracting(DeadLetter::getEpisodeId).containsExactly("e2", "e3");
        assertThat(deadLetters())
                .extracting(DeadLetter::getReason)
                .containsOnly(DeadLetterReason.INCONSISTENT_GROUP.code());
    }

    @Test
    void keepsGroupsOfDifferentExperimentsApart() throws Exception {
        open(false);
        harness.processElement(trajectory("exp-a", "g1", "e1", 2, 1), 0);
        harness.processElement(trajectory("exp-b", "g1", "e2", 2, 1), 0);
        assertThat(harness.extractOutputValues()).isEmpty();
        harness.processElement(trajectory("exp-b", "g1", "e3", 2, 1), 0);

        assertThat(harness.extractOutputValues())
                .extracting(TrajectoryGroup::getExperimentId)
                .containsExactly("exp-b");
        assertThat(harness.extractOutputValues().get(0).getGroupId()).isEqualTo("g1");
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

        // A straggler after the partial group left is dead-lettered, not a new group.
        harness.processElement(trajectory("g1", "e3", 8, 2), 0);
        assertThat(harness.extractOutputValues()).hasSize(1);
        assertThat(deadLetters())
                .extracting(DeadLetter::getReason)
                .containsExactly(DeadLetterReason.LATE_TRAJECTORY.code());
    }

    @Test
    void deadLettersATimedOutGroupBelowTheMinimumSize() throws Exception {
        open(false);
        harness.processElement(trajectory("g1", "e1", 8, 2), 0);

        harness.setProcessingTime(5_000 + TIMEOUT.toMillis());

        assertThat(harness.extractOutputValues()).isEmpty();
        assertThat(deadLetters())
                .extracting(DeadLetter::getReason)
                .containsExactly(DeadLetterReason.GROUP_TIMEOUT.code());
        harness.setProcessingTime(5_000 + TIMEOUT.toMillis() + RETENTION.toMillis());
        assertThat(harness.numKeyedStateEntries()).isZero();
        assertThat(harness.numProcessingTimeTimers()).isZero();
    }

    @Test
    void boundedInputEmitsEveryGroupPresentWhateverItsSize() throws Exception {
        open(true);
        harness.processElement(trajectory("g1", "e1", 8, 2), 0);

        harness.setProcessingTime(Long.MAX_VALUE);

        assertThat(harness.extractOutputValues()).hasSize(1);
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
        assertThat(harness.numProcessingTimeTimers()).isEqualTo(2);
    }

    private List<DeadLetter> deadLetters() {
        var records = harness.getSideOutput(DeadLetters.TAG);
        return records == null ? List.of() : records.stream().map(StreamRecord::getValue).toList();
    }
}
