package io.creditstream.operators.flink;

import static org.assertj.core.api.Assertions.assertThat;

import io.creditstream.schemas.AdvantageBatch;
import io.creditstream.schemas.AdvantageRecord;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class AdvantageBatcherTest {
    private KeyedOneInputStreamOperatorTestHarness<String, AdvantageBatch, AdvantageBatch> harness;

    @BeforeEach
    void setUp() throws Exception {
        harness =
                ProcessFunctionTestHarnesses.forKeyedProcessFunction(
                        new AdvantageBatcher(10, Duration.ofMillis(200)),
                        AdvantageBatch::getExperimentId,
                        Types.STRING);
        harness.setProcessingTime(100);
    }

    @AfterEach
    void tearDown() throws Exception {
        harness.close();
    }

    @Test
    void emitsWhenTheBatchReachesMaxRecords() throws Exception {
        harness.processElement(group("g1", 4, 1), 0);
        harness.processElement(group("g2", 6, 2), 0);

        List<AdvantageBatch> out = harness.extractOutputValues();
        assertThat(out).hasSize(1);
        assertThat(out.get(0).getRecords()).hasSize(10);
        assertThat(out.get(0).getBatchId()).isEqualTo("exp/g1");
        assertThat(out.get(0).getMinPolicyVersion()).isEqualTo(1);
        assertThat(out.get(0).getMaxPolicyVersion()).isEqualTo(2);
        assertThat(harness.numKeyedStateEntries()).isZero();
        assertThat(harness.numProcessingTimeTimers()).isZero();
    }

    @Test
    void neverSplitsAGroup() throws Exception {
        harness.processElement(group("g1", 6, 1), 0);
        harness.processElement(group("g2", 6, 1), 0);

        assertThat(harness.extractOutputValues()).hasSize(1);
        assertThat(harness.extractOutputValues().get(0).getRecords())
                .extracting(AdvantageRecord::getGroupId)
                .containsOnly("g1");

        harness.processElement(group("g3", 25, 1), 0);
        List<AdvantageBatch> out = harness.extractOutputValues();
        assertThat(out).hasSize(3);
        assertThat(out.get(1).getRecords())
                .extracting(AdvantageRecord::getGroupId)
                .containsOnly("g2");
        assertThat(out.get(2).getRecords()).hasSize(25);
        assertThat(harness.numKeyedStateEntries()).isZero();
    }

    @Test
    void emitsAfterTheLingerTime() throws Exception {
        harness.processElement(group("g1", 3, 1), 0);
        harness.setProcessingTime(299);
        assertThat(harness.extractOutputValues()).isEmpty();

        harness.setProcessingTime(300);

        assertThat(harness.extractOutputValues()).hasSize(1);
        assertThat(harness.extractOutputValues().get(0).getRecords()).hasSize(3);
        assertThat(harness.numKeyedStateEntries()).isZero();
        assertThat(harness.numProcessingTimeTimers()).isZero();
    }

    private static AdvantageBatch group(String groupId, int records, long version) {
        List<AdvantageRecord> list = new ArrayList<>();
        for (int i = 0; i < records; i++) {
            list.add(
                    AdvantageRecord.newBuilder()
                            .setExperimentId("exp")
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
                .setExperimentId("exp")
                .setMinPolicyVersion(version)
                .setMaxPolicyVersion(version)
                .setRecords(list)
                .build();
    }
}
