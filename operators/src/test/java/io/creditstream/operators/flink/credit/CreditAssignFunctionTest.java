package io.creditstream.operators.flink.credit;

import static io.creditstream.operators.flink.TestSteps.step;
import static org.assertj.core.api.Assertions.assertThat;

import io.creditstream.operators.core.assembly.Trajectories;
import io.creditstream.operators.core.credit.CreditParams;
import io.creditstream.operators.core.input.DeadLetterReason;
import io.creditstream.operators.flink.DeadLetters;
import io.creditstream.schemas.AdvantageBatch;
import io.creditstream.schemas.DeadLetter;
import io.creditstream.schemas.StepEvent;
import io.creditstream.schemas.codec.AvroCodec;
import io.creditstream.schemas.internal.Trajectory;
import io.creditstream.schemas.internal.TrajectoryGroup;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class CreditAssignFunctionTest {
    private OneInputStreamOperatorTestHarness<TrajectoryGroup, AdvantageBatch> harness;

    @BeforeEach
    void setUp() throws Exception {
        harness =
                ProcessFunctionTestHarnesses.forProcessFunction(
                        new CreditAssignFunction(CreditParams.defaults()));
    }

    @AfterEach
    void tearDown() throws Exception {
        harness.close();
    }

    @Test
    void aGroupWhoseReturnsOverflowIsDeadLetteredPerTrajectoryAndTheNextGroupStillFlows()
            throws Exception {
        // Two finite rewards whose sum is +Infinity.
        harness.processElement(group("g-bad", List.of(1e308, 1e308), List.of(1.0)), 0);
        harness.processElement(group("g-good", List.of(1.0), List.of(0.0)), 0);

        assertThat(harness.extractOutputValues())
                .extracting(AdvantageBatch::getBatchId)
                .containsExactly("g-good");
        List<DeadLetter> letters = deadLetters();
        assertThat(letters)
                .extracting(DeadLetter::getReason)
                .containsOnly(DeadLetterReason.ESTIMATOR_FAILURE.code())
                .hasSize(2);
        assertThat(letters)
                .extracting(DeadLetter::getEpisodeId)
                .containsExactly("g-bad-0", "g-bad-1");
        assertThat(letters.get(0).getDetail()).contains("g-bad").contains("finite");
        Trajectory payload =
                AvroCodec.of(Trajectory.class).decode(letters.get(0).getPayload().array());
        assertThat(payload.getSteps()).hasSize(2);
    }

    @Test
    void aGroupWithNonFiniteAdvantagesNeverReachesTheOutput() throws Exception {
        // Every return is finite, but their sum (and so the group mean) overflows.
        harness.processElement(group("g-wide", List.of(1e308), List.of(1e308), List.of(-1e308)), 0);

        assertThat(harness.extractOutputValues()).isEmpty();
        assertThat(deadLetters())
                .extracting(DeadLetter::getReason)
                .hasSize(3)
                .allSatisfy(
                        reason ->
                                assertThat(reason)
                                        .isIn(
                                                DeadLetterReason.NON_FINITE_ADVANTAGE.code(),
                                                DeadLetterReason.ESTIMATOR_FAILURE.code()));
    }

    /** One trajectory per list of rewards, its last step done. */
    @SafeVarargs
    private static TrajectoryGroup group(String groupId, List<Double>... rewards) {
        List<Trajectory> trajectories = new ArrayList<>();
        for (int t = 0; t < rewards.length; t++) {
            List<StepEvent> steps = new ArrayList<>();
            for (int i = 0; i < rewards[t].size(); i++) {
                StepEvent s =
                        step(
                                groupId,
                                groupId + "-" + t,
                                i,
                                i == rewards[t].size() - 1,
                                rewards.length);
                s.setReward(rewards[t].get(i));
                steps.add(s);
            }
            trajectories.add(Trajectories.of(steps));
        }
        return TrajectoryGroup.newBuilder()
                .setExperimentId("exp")
                .setTaskId("task-1")
                .setGroupId(groupId)
                .setExpectedSize(rewards.length)
                .setPartial(false)
                .setTrajectories(trajectories)
                .build();
    }

    private List<DeadLetter> deadLetters() {
        var records = harness.getSideOutput(DeadLetters.TAG);
        return records == null ? List.of() : records.stream().map(StreamRecord::getValue).toList();
    }
}
