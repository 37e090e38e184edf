package io.creditstream.operators.flink.budget;

import static io.creditstream.operators.flink.budget.BudgetTestData.outcome;
import static io.creditstream.operators.flink.budget.BudgetTestData.probe;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.creditstream.operators.core.budget.SuccessRateTracker;
import io.creditstream.operators.core.budget.TaskState;
import java.time.Duration;
import java.util.List;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.util.KeyedTwoInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class TaskStatsFunctionTest {
    private static final Duration TTL = Duration.ofHours(6);

    private KeyedTwoInputStreamOperatorTestHarness<String, TaskOutcome, RoundProbe, TaskStateReply>
            harness;

    private void open(int epochGroups) throws Exception {
        harness =
                ProcessFunctionTestHarnesses.forKeyedCoProcessFunction(
                        new TaskStatsFunction(
                                SuccessRateTracker.Settings.defaults(), epochGroups, TTL),
                        TaskOutcome::key,
                        RoundProbe::taskKey,
                        Types.STRING);
    }

    @AfterEach
    void tearDown() throws Exception {
        if (harness != null) {
            harness.close();
        }
    }

    private TaskStateReply ask(String task) throws Exception {
        harness.getOutput().clear();
        RoundProbe probe = probe("r1", task, 0, 1);
        harness.processElement2(probe, 0);
        List<TaskStateReply> replies = harness.extractOutputValues();
        assertThat(replies).hasSize(1);
        assertThat(replies.get(0).probe).isEqualTo(probe);
        return replies.get(0);
    }

    @Test
    void anUnseenTaskRepliesInvalidWithoutCreatingState() throws Exception {
        open(0);

        TaskStateReply reply = ask("t1");

        assertThat(reply.valid).isFalse();
        assertThat(reply.p).isZero();
        assertThat(reply.count).isZero();
        assertThat(harness.numKeyedStateEntries()).isZero();
    }

    @Test
    void aTaskWithEightRolloutsIsValidWithItsSuccessRate() throws Exception {
        open(0);
        harness.processElement1(outcome("t1", 1, 3, 2), 0);
        assertThat(ask("t1").valid).isFalse();

        harness.processElement1(outcome("t1", 1, 0, 3), 0);
        TaskStateReply reply = ask("t1");

        assertThat(reply.valid).isTrue();
        assertThat(reply.p).isEqualTo(3.0 / 8);
        assertThat(reply.count).isEqualTo(8);
        assertThat(harness.numKeyedStateEntries()).isEqualTo(1);
        assertThat(harness.numProcessingTimeTimers()).isZero();
    }

    @Test
    void aHigherPolicyVersionStartsANewEpoch() throws Exception {
        open(0);
        harness.processElement1(outcome("t1", 1, 8, 0), 0);
        harness.processElement1(outcome("t1", 2, 8, 8), 0);
        // Same version: the second group joins the first group's epoch.
        harness.processElement1(outcome("t2", 1, 8, 0), 0);
        harness.processElement1(outcome("t2", 1, 8, 8), 0);

        assertThat(ask("t1").p).isEqualTo(expected(8, 0, true, 8, 8));
        assertThat(ask("t1").p).isEqualTo(0.5);
        assertThat(ask("t2").p).isEqualTo(expected(8, 0, false, 8, 8));
        assertThat(ask("t2").p).isEqualTo(16.0 / 24);
        assertThat(harness.numKeyedStateEntries()).isEqualTo(2);
    }

    @Test
    void anOlderPolicyVersionJoinsTheCurrentEpoch() throws Exception {
        open(0);
        harness.processElement1(outcome("t1", 5, 8, 0), 0);
        harness.processElement1(outcome("t1", 4, 8, 8), 0);

        assertThat(ask("t1").p).isEqualTo(16.0 / 24);
    }

    @Test
    void everyEpochGroupsGroupsStartANewEpochWhenTheVersionStays() throws Exception {
        open(2);
        harness.processElement1(outcome("t1", 1, 4, 0), 0);
        harness.processElement1(outcome("t1", 1, 4, 0), 0);
        assertThat(ask("t1").p).isEqualTo(1.0);

        harness.processElement1(outcome("t1", 1, 8, 8), 0);

        // Groups 1 and 2 make epoch 1; group 3 opens epoch 2, which holds 16 rewards.
        assertThat(ask("t1").p).isEqualTo(0.5);
        assertThat(ask("t1").count).isEqualTo(24);
    }

    @Test
    void withoutEpochGroupsTheVersionAloneMakesEpochs() throws Exception {
        open(0);
        harness.processElement1(outcome("t1", 1, 4, 0), 0);
        harness.processElement1(outcome("t1", 1, 4, 0), 0);
        harness.processElement1(outcome("t1", 1, 8, 8), 0);

        assertThat(ask("t1").p).isEqualTo(16.0 / 24);
    }

    @Test
    void rewardsTheTrackerRejectsLeaveNoState() throws Exception {
        open(0);
        harness.processElement1(new TaskOutcome("exp", "t1", 1, new double[] {1, 0.5}), 0);
        harness.processElement1(new TaskOutcome("exp", "t1", 1, new double[0]), 0);

        assertThat(harness.numKeyedStateEntries()).isZero();
        assertThat(ask("t1").count).isZero();
    }

    @Test
    void rejectsBadConstructorArguments() {
        SuccessRateTracker.Settings settings = SuccessRateTracker.Settings.defaults();
        assertThatThrownBy(() -> new TaskStatsFunction(settings, -1, TTL))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("epoch groups");
        assertThatThrownBy(() -> new TaskStatsFunction(settings, 0, Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("budget.task-ttl");
    }

    /** p of a tracker fed a first group, then (after an epoch start or not) a second. */
    private static double expected(
            int firstSuccesses,
            int firstFailures,
            boolean newEpoch,
            int secondSuccesses,
            int secondFailures) {
        SuccessRateTracker tracker = new SuccessRateTracker();
        tracker.addAll(outcome("x", 0, firstSuccesses, firstFailures).rewards);
        if (newEpoch) {
            tracker.startEpoch();
        }
        tracker.addAll(outcome("x", 0, secondSuccesses, secondFailures).rewards);
        TaskState state = tracker.state(SuccessRateTracker.Settings.defaults());
        return state.p();
    }
}
