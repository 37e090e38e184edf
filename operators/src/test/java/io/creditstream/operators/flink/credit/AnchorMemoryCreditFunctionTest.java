package io.creditstream.operators.flink.credit;

import static org.assertj.core.api.Assertions.assertThat;

import io.creditstream.operators.core.assembly.ScopedKey;
import io.creditstream.operators.core.credit.AnchorMemory;
import io.creditstream.operators.core.credit.AnchorMemoryParams;
import io.creditstream.operators.core.credit.CreditParams;
import io.creditstream.operators.core.credit.GroupCreditAssigner;
import io.creditstream.operators.core.prm.OprlGroups;
import io.creditstream.operators.core.prm.OprlGroups.Episode;
import io.creditstream.operators.core.prm.OprlGroups.Step;
import io.creditstream.operators.flink.DeadLetters;
import io.creditstream.schemas.AdvantageBatch;
import io.creditstream.schemas.AdvantageRecord;
import io.creditstream.schemas.internal.TrajectoryGroup;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.state.rocksdb.EmbeddedRocksDBStateBackend;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

/** GiGPO's anchor-memory operator on RocksDB keyed state against the plain-Java kernel. */
class AnchorMemoryCreditFunctionTest {

    private static final CreditParams CREDIT = CreditParams.defaults();

    private static KeyedOneInputStreamOperatorTestHarness<String, TrajectoryGroup, AdvantageBatch>
            harness(AnchorMemoryParams memory, OperatorSubtaskState restoreFrom) throws Exception {
        KeyedOneInputStreamOperatorTestHarness<String, TrajectoryGroup, AdvantageBatch> harness =
                new KeyedOneInputStreamOperatorTestHarness<>(
                        new KeyedProcessOperator<>(new AnchorMemoryCreditFunction(CREDIT, memory)),
                        group -> ScopedKey.of(group.getExperimentId(), group.getTaskId()),
                        Types.STRING);
        harness.setStateBackend(new EmbeddedRocksDBStateBackend());
        if (restoreFrom != null) {
            harness.initializeState(restoreFrom);
        }
        harness.open();
        return harness;
    }

    /** What the kernel gives for the groups in order, one memory per experiment and task. */
    private static List<AdvantageBatch> kernel(
            AnchorMemoryParams params, List<TrajectoryGroup> groups) throws Exception {
        AnchorMemory memory = new AnchorMemory(CREDIT, params);
        Map<String, AnchorMemory.HeapTask> tasks = new HashMap<>();
        List<AdvantageBatch> out = new ArrayList<>();
        for (TrajectoryGroup group : groups) {
            AnchorMemory.HeapTask task =
                    tasks.computeIfAbsent(
                            ScopedKey.of(group.getExperimentId(), group.getTaskId()),
                            k -> new AnchorMemory.HeapTask());
            out.add(task.assign(memory, group).batch());
        }
        return out;
    }

    /** Groups of four episodes over a few states, so that states recur across groups. */
    private static List<TrajectoryGroup> groups(String task, int count, long seed) {
        Random random = new Random(seed);
        List<TrajectoryGroup> groups = new ArrayList<>();
        for (int g = 0; g < count; g++) {
            Episode[] episodes = new Episode[4];
            for (int e = 0; e < episodes.length; e++) {
                Step[] steps = new Step[1 + random.nextInt(4)];
                for (int s = 0; s < steps.length; s++) {
                    steps[s] = Step.of("room" + random.nextInt(8), "go" + random.nextInt(3));
                }
                episodes[e] = new Episode(random.nextInt(2), List.of(steps));
            }
            groups.add(OprlGroups.group("exp", task, task + "-g" + g, episodes));
        }
        return groups;
    }

    private static final AnchorMemoryParams MEMORY = new AnchorMemoryParams(true, 4, 6, 0.5);

    @Test
    void matchesTheKernelAndKeepsTheMemoryAcrossSnapshotAndRestore() throws Exception {
        List<TrajectoryGroup> groups = groups("task-1", 12, 7);
        List<AdvantageBatch> expected = kernel(MEMORY, groups);
        // The memory changes the advantages: the plain estimator differs on some step.
        GroupCreditAssigner plain = new GroupCreditAssigner(CREDIT);
        boolean differs = false;
        for (int g = 0; g < groups.size(); g++) {
            differs |= !plain.assign(groups.get(g)).equals(expected.get(g));
        }
        assertThat(differs).isTrue();

        var original = harness(MEMORY, null);
        for (int g = 0; g < 8; g++) {
            original.processElement(groups.get(g), g);
        }
        OperatorSubtaskState snapshot = original.snapshot(1L, 8L);
        for (int g = 8; g < 12; g++) {
            original.processElement(groups.get(g), g);
        }
        assertThat(original.extractOutputValues()).isEqualTo(expected);
        original.close();

        var restored = harness(MEMORY, snapshot);
        for (int g = 8; g < 12; g++) {
            restored.processElement(groups.get(g), g);
        }
        assertThat(restored.extractOutputValues()).isEqualTo(expected.subList(8, 12));
        restored.close();
    }

    @Test
    void eachTaskPoolsOnlyWithItsOwnGroups() throws Exception {
        List<TrajectoryGroup> a = groups("task-a", 10, 1);
        List<TrajectoryGroup> b = groups("task-b", 10, 2);
        var harness = harness(MEMORY, null);
        for (int g = 0; g < 10; g++) {
            harness.processElement(a.get(g), 0);
            harness.processElement(b.get(g), 0);
        }
        List<AdvantageBatch> fromA = new ArrayList<>();
        for (AdvantageBatch batch : harness.extractOutputValues()) {
            if (batch.getRecords().get(0).getTaskId().equals("task-a")) {
                fromA.add(batch);
            }
        }
        assertThat(fromA).isEqualTo(kernel(MEMORY, a));
        harness.close();
    }

    @Test
    void aDeadLetteredGroupLeavesTheMemoryAsItWas() throws Exception {
        List<TrajectoryGroup> groups = groups("task-1", 6, 3);
        TrajectoryGroup broken =
                OprlGroups.group(
                        "exp",
                        "task-1",
                        "task-1-broken",
                        Episode.of(1e308, Step.of("room1", "go0"), Step.of("room2", "go1")),
                        Episode.of(0, Step.of("room1", "go2")));
        // Two rewards of 1e308 sum to an infinite outcome: the estimate throws.
        broken.getTrajectories().get(0).getSteps().get(0).setReward(1e308);

        var harness = harness(MEMORY, null);
        for (int g = 0; g < 6; g++) {
            harness.processElement(groups.get(g), g);
            if (g == 2) {
                harness.processElement(broken, g);
            }
        }
        assertThat(harness.getSideOutput(DeadLetters.TAG)).isNotEmpty();
        assertThat(harness.extractOutputValues()).isEqualTo(kernel(MEMORY, groups));
        harness.close();
    }

    @Test
    void theRecordsKeepThePlainAnchorGroupSize() throws Exception {
        List<TrajectoryGroup> groups = groups("task-1", 3, 11);
        var harness = harness(MEMORY, null);
        for (TrajectoryGroup group : groups) {
            harness.processElement(group, 0);
        }
        GroupCreditAssigner plain = new GroupCreditAssigner(CREDIT);
        List<AdvantageBatch> out = harness.extractOutputValues();
        for (int g = 0; g < groups.size(); g++) {
            assertThat(out.get(g).getRecords())
                    .extracting(AdvantageRecord::getAnchorGroupSize)
                    .isEqualTo(
                            plain.assign(groups.get(g)).getRecords().stream()
                                    .map(AdvantageRecord::getAnchorGroupSize)
                                    .toList());
        }
        harness.close();
    }
}
