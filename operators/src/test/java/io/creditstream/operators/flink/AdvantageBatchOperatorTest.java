package io.creditstream.operators.flink;

import static org.assertj.core.api.Assertions.assertThat;

import io.creditstream.schemas.AdvantageBatch;
import io.creditstream.schemas.AdvantageRecord;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class AdvantageBatchOperatorTest {
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
                        new AdvantageBatchOperator(10, Duration.ofMillis(200)));
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
    void endOfInputEmitsWhatIsPending() throws Exception {
        harness.processElement(group("exp", "g1", 3, 1), 0);
        harness.endInput();

        assertThat(harness.extractOutputValues()).hasSize(1);
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
