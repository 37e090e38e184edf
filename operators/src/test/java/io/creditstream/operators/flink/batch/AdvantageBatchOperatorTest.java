package io.creditstream.operators.flink.batch;

import static org.assertj.core.api.Assertions.assertThat;

import io.creditstream.operators.core.input.DeadLetterReason;
import io.creditstream.operators.flink.DeadLetters;
import io.creditstream.schemas.AdvantageBatch;
import io.creditstream.schemas.AdvantageRecord;
import io.creditstream.schemas.codec.AvroCodec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class AdvantageBatchOperatorTest {
    private static final int MAX_BYTES = 20_000;
    private final AvroCodec<AdvantageBatch> codec = AvroCodec.of(AdvantageBatch.class);

    private OneInputStreamOperatorTestHarness<AdvantageBatch, AdvantageBatch> harness;

    @BeforeEach
    void setUp() throws Exception {
        harness = open(null);
    }

    @AfterEach
    void tearDown() throws Exception {
        harness.close();
    }

    private static OneInputStreamOperatorTestHarness<AdvantageBatch, AdvantageBatch> open(
            OperatorSubtaskState restoreFrom) throws Exception {
        var h =
                new OneInputStreamOperatorTestHarness<>(
                        new AdvantageBatchOperator(10, MAX_BYTES, Duration.ofMillis(200)));
        h.setProcessingTime(100);
        if (restoreFrom != null) {
            h.initializeState(restoreFrom);
        }
        h.open();
        return h;
    }

    @Test
    void emitsWhenTheBatchReachesMaxRecords() throws Exception {
        harness.processElement(group("exp", "g1", 4, 1), 0);
        harness.processElement(group("exp", "g2", 6, 2), 0);

        List<AdvantageBatch> out = harness.extractOutputValues();
        assertThat(out).hasSize(1);
        assertThat(out.get(0).getRecords()).hasSize(10);
        assertThat(out.get(0).getBatchId()).isEqualTo("exp/g1");
        assertThat(out.get(0).getMinPolicyVersion()).isEqualTo(1);
        assertThat(out.get(0).getMaxPolicyVersion()).isEqualTo(2);
    }

    @Test
    void neverSplitsAGroup() throws Exception {
        harness.processElement(group("exp", "g1", 6, 1), 0);
        harness.processElement(group("exp", "g2", 6, 1), 0);

        assertThat(harness.extractOutputValues()).hasSize(1);
        assertThat(harness.extractOutputValues().get(0).getRecords())
                .extracting(AdvantageRecord::getGroupId)
                .containsOnly("g1");

        harness.processElement(group("exp", "g3", 25, 1), 0);
        List<AdvantageBatch> out = harness.extractOutputValues();
        assertThat(out).hasSize(3);
        assertThat(out.get(1).getRecords())
                .extracting(AdvantageRecord::getGroupId)
                .containsOnly("g2");
        assertThat(out.get(2).getRecords()).hasSize(25);
    }

    @Test
    void emitsAfterTheLingerTime() throws Exception {
        harness.processElement(group("exp", "g1", 3, 1), 0);
        harness.setProcessingTime(299);
        assertThat(harness.extractOutputValues()).isEmpty();

        harness.setProcessingTime(300);

        assertThat(harness.extractOutputValues()).hasSize(1);
        assertThat(harness.extractOutputValues().get(0).getRecords()).hasSize(3);
    }

    @Test
    void keepsExperimentsInSeparateBatches() throws Exception {
        harness.processElement(group("a", "g1", 3, 1), 0);
        harness.processElement(group("b", "g2", 3, 1), 0);
        harness.setProcessingTime(300);

        assertThat(harness.extractOutputValues())
                .extracting(AdvantageBatch::getExperimentId)
                .containsExactlyInAnyOrder("a", "b");
    }

    @Test
    void pendingGroupsSurviveACheckpointAndRestore() throws Exception {
        harness.processElement(group("exp", "g1", 3, 1), 0);
        harness.processElement(group("exp", "g2", 3, 1), 0);
        OperatorSubtaskState snapshot = harness.snapshot(1, 150);
        harness.close();

        harness = open(snapshot);
        assertThat(harness.extractOutputValues()).isEmpty();
        harness.setProcessingTime(300);

        assertThat(harness.extractOutputValues()).hasSize(1);
        assertThat(harness.extractOutputValues().get(0).getRecords())
                .extracting(AdvantageRecord::getGroupId)
                .containsExactly("g1", "g1", "g1", "g2", "g2", "g2");
    }

    @Test
    void aGroupThatWouldPassTheByteLimitMakesThePendingBatchLeaveFirst() throws Exception {
        harness.processElement(withObservations(group("exp", "g1", 2, 1), 6_000), 0);
        harness.processElement(withObservations(group("exp", "g2", 2, 1), 6_000), 0);

        List<AdvantageBatch> out = harness.extractOutputValues();
        assertThat(out).hasSize(1);
        assertThat(out.get(0).getRecords())
                .extracting(AdvantageRecord::getGroupId)
                .containsOnly("g1");
        assertThat(codec.encode(out.get(0)).length).isLessThanOrEqualTo(MAX_BYTES);
        assertThat(out.get(0).getSplitGroupId()).isNull();
    }

    @Test
    void splitsAGroupLargerThanOneBatchIntoPartsThatEachFit() throws Exception {
        harness.processElement(group("exp", "small", 1, 1), 0);
        harness.processElement(withObservations(group("exp", "big", 9, 2), 5_000), 0);

        List<AdvantageBatch> out = harness.extractOutputValues();
        // The pending batch leaves first, then the parts, in order, each of that group alone.
        assertThat(out.get(0).getBatchId()).isEqualTo("exp/small");
        List<AdvantageBatch> parts = out.subList(1, out.size());
        assertThat(parts).hasSize(3);
        List<AdvantageRecord> joined = new ArrayList<>();
        for (int i = 0; i < parts.size(); i++) {
            AdvantageBatch part = parts.get(i);
            assertThat(part.getSplitGroupId()).isEqualTo("big");
            assertThat(part.getSplitPart()).isEqualTo(i);
            assertThat(part.getSplitParts()).isEqualTo(3);
            assertThat(part.getBatchId()).isEqualTo("exp/big#part-" + i);
            assertThat(part.getMinPolicyVersion()).isEqualTo(2);
            assertThat(codec.encode(part).length).isLessThanOrEqualTo(MAX_BYTES);
            joined.addAll(part.getRecords());
        }
        assertThat(joined)
                .extracting(AdvantageRecord::getStepIndex)
                .containsExactly(0, 1, 2, 3, 4, 5, 6, 7, 8);
    }

    @Test
    void theEnvelopeBoundHoldsForLongIds() throws Exception {
        String experiment = "é".repeat(200);
        String groupId = "日".repeat(256);
        AdvantageBatch big = withObservations(group(experiment, groupId, 40, 1), 2_000);
        harness.processElement(big, 0);

        List<AdvantageBatch> out = harness.extractOutputValues();
        assertThat(out).hasSizeGreaterThan(1);
        for (AdvantageBatch part : out) {
            assertThat(codec.encode(part).length).isLessThanOrEqualTo(MAX_BYTES);
        }
    }

    @Test
    void deadLettersAGroupWithARecordLargerThanABatch() throws Exception {
        AdvantageBatch group = withObservations(group("exp", "huge", 3, 1), 5_000);
        group.getRecords().get(1).setObservation("x".repeat(MAX_BYTES));
        harness.processElement(group, 0);

        assertThat(harness.extractOutputValues()).isEmpty();
        var letters = harness.getSideOutput(DeadLetters.TAG);
        assertThat(letters).hasSize(1);
        assertThat(letters.peek().getValue().getReason())
                .isEqualTo(DeadLetterReason.OVERSIZE_OUTPUT.code());
        assertThat(letters.peek().getValue().getDetail()).contains("batch.max-bytes=" + MAX_BYTES);
    }

    @Test
    void withFlushAtCheckpointPendingBatchesLeaveBeforeTheBarrierAndAreNotRestored()
            throws Exception {
        harness.close();
        harness =
                new OneInputStreamOperatorTestHarness<>(
                        new AdvantageBatchOperator(10, MAX_BYTES, Duration.ofMillis(200), true));
        harness.setProcessingTime(100);
        harness.open();
        harness.processElement(group("exp", "g1", 3, 1), 0);
        harness.processElement(group("exp", "g2", 3, 1), 0);

        // Before the linger (due at 300): the checkpoint takes the pending batch with it. The
        // task calls the hook before it sends the barrier on; the harness leaves that to us.
        harness.prepareSnapshotPreBarrier(1);
        OperatorSubtaskState snapshot = harness.snapshot(1, 150);

        assertThat(harness.extractOutputValues()).hasSize(1);
        assertThat(harness.extractOutputValues().get(0).getRecords())
                .extracting(AdvantageRecord::getGroupId)
                .containsExactly("g1", "g1", "g1", "g2", "g2", "g2");
        harness.close();
        harness = open(snapshot);
        harness.setProcessingTime(1_000);
        assertThat(harness.extractOutputValues())
                .as("the groups left in checkpoint 1's output; restoring it must not repeat them")
                .isEmpty();
    }

    @Test
    void endOfInputEmitsWhatIsPending() throws Exception {
        harness.processElement(group("exp", "g1", 3, 1), 0);
        harness.endInput();

        assertThat(harness.extractOutputValues()).hasSize(1);
    }

    private static AdvantageBatch withObservations(AdvantageBatch group, int chars) {
        for (AdvantageRecord record : group.getRecords()) {
            record.setObservation("o".repeat(chars));
        }
        return group;
    }

    private static AdvantageBatch group(
            String experiment, String groupId, int records, long version) {
        List<AdvantageRecord> list = new ArrayList<>();
        for (int i = 0; i < records; i++) {
            list.add(
                    AdvantageRecord.newBuilder()
                            .setExperimentId(experiment)
                            .setTaskId("t")
                            .setGroupId(groupId)
                            .setEpisodeId(groupId + "-e")
                            .setStepIndex(i)
                            .setPolicyVersion(version)
                            .setAdvantage(i)
                            .setEpisodeAdvantage(i)
                            .setEstimator("gigpo")
                            .build());
        }
        return AdvantageBatch.newBuilder()
                .setBatchId(groupId)
                .setExperimentId(experiment)
                .setMinPolicyVersion(version)
                .setMaxPolicyVersion(version)
                .setRecords(list)
                .build();
    }
}
