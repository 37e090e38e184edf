package io.creditstream.operators.flink.prm;

import static org.assertj.core.api.Assertions.assertThat;

import io.creditstream.operators.core.input.DeadLetterReason;
import io.creditstream.operators.core.prm.ImplicitPrm;
import io.creditstream.operators.core.prm.OprlCreditAssigner;
import io.creditstream.operators.core.prm.OprlGroups;
import io.creditstream.operators.core.prm.OprlParams;
import io.creditstream.operators.core.prm.PrmParams;
import io.creditstream.operators.core.prm.PrmProgress;
import io.creditstream.operators.flink.DeadLetters;
import io.creditstream.schemas.AdvantageBatch;
import io.creditstream.schemas.AdvantageRecord;
import io.creditstream.schemas.StepEvent;
import io.creditstream.schemas.internal.TrajectoryGroup;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.state.rocksdb.EmbeddedRocksDBStateBackend;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

/** The OPRL operator on RocksDB keyed state against the plain-Java kernel. */
class OprlCreditFunctionTest {

    private static KeyedOneInputStreamOperatorTestHarness<String, TrajectoryGroup, AdvantageBatch>
            harness(PrmParams prm, OperatorSubtaskState restoreFrom) throws Exception {
        KeyedOneInputStreamOperatorTestHarness<String, TrajectoryGroup, AdvantageBatch> harness =
                new KeyedOneInputStreamOperatorTestHarness<>(
                        new KeyedProcessOperator<>(
                                new OprlCreditFunction(OprlParams.defaults(), prm)),
                        group -> prm.shard().key(group.getExperimentId(), group.getTaskId()),
                        Types.STRING);
        harness.setStateBackend(new EmbeddedRocksDBStateBackend());
        if (restoreFrom != null) {
            harness.initializeState(restoreFrom);
        }
        harness.open();
        return harness;
    }

    /** What the kernel gives for the groups in order, one PRM per experiment. */
    private static List<AdvantageBatch> kernel(PrmParams prm, List<TrajectoryGroup> groups) {
        OprlCreditAssigner assigner = new OprlCreditAssigner(OprlParams.defaults(), prm);
        Map<String, ImplicitPrm> models = new HashMap<>();
        Map<String, PrmProgress> progress = new HashMap<>();
        List<AdvantageBatch> out = new ArrayList<>();
        for (TrajectoryGroup group : groups) {
            String key = group.getExperimentId();
            out.add(
                    assigner.assign(
                                    group,
                                    models.computeIfAbsent(key, k -> new ImplicitPrm(prm)),
                                    progress.computeIfAbsent(key, k -> new PrmProgress()))
                            .batch());
        }
        return out;
    }

    private static List<TrajectoryGroup> groups(int count) {
        List<TrajectoryGroup> groups = new ArrayList<>();
        for (int g = 0; g < count; g++) {
            groups.add(
                    g % 4 == 0
                            ? OprlGroups.eastBeatsWest("g" + g)
                            : OprlGroups.varied("exp", "g" + g, g));
        }
        return groups;
    }

    @Test
    void matchesTheKernelAndKeepsThePrmAcrossSnapshotAndRestore() throws Exception {
        PrmParams prm = PrmParams.defaults();
        List<TrajectoryGroup> groups = groups(12);
        List<AdvantageBatch> expected = kernel(prm, groups);

        var original = harness(prm, null);
        for (int g = 0; g < 8; g++) {
            original.processElement(groups.get(g), g);
        }
        OperatorSubtaskState snapshot = original.snapshot(1L, 8L);
        for (int g = 8; g < 12; g++) {
            original.processElement(groups.get(g), g);
        }
        assertThat(original.extractOutputValues()).isEqualTo(expected);
        original.close();

        var restored = harness(prm, snapshot);
        for (int g = 8; g < 12; g++) {
            restored.processElement(groups.get(g), g);
        }
        List<AdvantageBatch> afterRestore = restored.extractOutputValues();
        assertThat(afterRestore).isEqualTo(expected.subList(8, 12));
        // The restored model is the trained one: a fresh model would score every step 0.
        assertThat(afterRestore.get(0).getRecords())
                .extracting(AdvantageRecord::getProcessReward)
                .anySatisfy(reward -> assertThat(reward).isNotZero());
        restored.close();
    }

    @Test
    void eachExperimentTrainsItsOwnPrm() throws Exception {
        PrmParams prm = PrmParams.defaults();
        List<TrajectoryGroup> interleaved = new ArrayList<>();
        List<TrajectoryGroup> onlyA = new ArrayList<>();
        for (int g = 0; g < 10; g++) {
            TrajectoryGroup a = OprlGroups.varied("a", "a" + g, g);
            TrajectoryGroup b = OprlGroups.varied("b", "b" + g, g + 3);
            interleaved.add(a);
            interleaved.add(b);
            onlyA.add(a);
        }
        var harness = harness(prm, null);
        for (TrajectoryGroup group : interleaved) {
            harness.processElement(group, 0);
        }
        List<AdvantageBatch> fromA = new ArrayList<>();
        for (AdvantageBatch batch : harness.extractOutputValues()) {
            if (batch.getExperimentId().equals("a")) {
                fromA.add(batch);
            }
        }
        assertThat(fromA).isEqualTo(kernel(prm, onlyA));
        harness.close();
    }

    @Test
    void theFeatureBoundEvictsFromMapStateAsInTheKernel() throws Exception {
        PrmParams prm = PrmParams.defaults().withMaxFeatures(40);
        List<TrajectoryGroup> groups = groups(30);
        OprlCreditAssigner assigner = new OprlCreditAssigner(OprlParams.defaults(), prm);
        ImplicitPrm model = new ImplicitPrm(prm);
        PrmProgress progress = new PrmProgress();
        int evicted = 0;
        for (TrajectoryGroup group : groups) {
            ImplicitPrm.UpdateResult update = assigner.assign(group, model, progress).update();
            evicted += update.evicted();
            assertThat(update.liveFeatures()).isLessThanOrEqualTo(40);
        }
        assertThat(evicted).isPositive();

        var harness = harness(prm, null);
        for (TrajectoryGroup group : groups) {
            harness.processElement(group, 0);
        }

        // Later rewards depend on which weights were dropped, so equal output means the
        // operator evicted exactly what the kernel did, through its map-state view.
        assertThat(harness.extractOutputValues()).isEqualTo(kernel(prm, groups));
        harness.close();
    }

    @Test
    void aGroupTheEstimatorFailsOnLeavesThePrmUntouchedAndIsDeadLettered() throws Exception {
        var harness = harness(PrmParams.defaults(), null);
        TrajectoryGroup group = OprlGroups.eastBeatsWest("g0");
        // Finite rewards whose sum overflows: the PRM may update before the advantages fail.
        for (StepEvent step : group.getTrajectories().get(0).getSteps()) {
            step.setReward(1e308);
        }
        harness.processElement(group, 0);

        assertThat(harness.extractOutputValues()).isEmpty();
        var letters = harness.getSideOutput(DeadLetters.TAG);
        assertThat(letters).hasSize(group.getTrajectories().size());
        assertThat(letters.peek().getValue().getReason())
                .isIn(
                        DeadLetterReason.ESTIMATOR_FAILURE.code(),
                        DeadLetterReason.NON_FINITE_ADVANTAGE.code());
        // Neither the weights nor the progress of the shard were written: the next group of the
        // shard is estimated as if the bad one had never come.
        TrajectoryGroup next = OprlGroups.eastBeatsWest("g1");
        harness.processElement(next, 0);
        assertThat(harness.extractOutputValues())
                .containsExactlyElementsOf(kernel(PrmParams.defaults(), List.of(next)));
        harness.close();
    }
}
