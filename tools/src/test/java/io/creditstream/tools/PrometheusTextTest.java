package io.creditstream.tools;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class PrometheusTextTest {
    private static final String EXPOSITION =
            "# HELP flink_taskmanager_job_task_operator_creditEventsIn creditEventsIn\n"
                    + "# TYPE flink_taskmanager_job_task_operator_creditEventsIn counter\n"
                    + "flink_taskmanager_job_task_operator_creditEventsIn{operator_name=\"Decode"
                    + " and validate\",subtask_index=\"0\",} 120.0\n"
                    + "flink_taskmanager_job_task_operator_creditEventsIn{operator_name=\"Decode"
                    + " and validate\",subtask_index=\"1\",} 80.0\n"
                    + "flink_taskmanager_job_task_operator_creditLastStepToAdvantageMs{quantile=\"0.5\",}"
                    + " 12.0\n"
                    + "flink_taskmanager_job_task_operator_creditLastStepToAdvantageMs{quantile=\"0.99\",}"
                    + " 95.0\n"
                    + "flink_taskmanager_job_task_operator_creditLastStepToAdvantageMs{quantile=\"0.99\",}"
                    + " NaN\n";

    @Test
    void sumsEverySubtaskOfACounter() {
        assertThat(PrometheusText.sum(EXPOSITION, "creditEventsIn")).isEqualTo(200.0);
        assertThat(PrometheusText.sum(EXPOSITION, "creditGroupsCompleted")).isZero();
    }

    @Test
    void sumsOnlyTheSamplesWithALabel() {
        String letters =
                "flink_taskmanager_job_task_operator_creditDeadLettered{reason=\"malformed-bytes\","
                        + "subtask_index=\"0\",} 3.0\n"
                        + "flink_taskmanager_job_task_operator_creditDeadLettered{reason=\"malformed-bytes\","
                        + "subtask_index=\"1\",} 2.0\n"
                        + "flink_taskmanager_job_task_operator_creditDeadLettered{reason=\"invalid-id\","
                        + "subtask_index=\"0\",} 7.0\n";

        assertThat(PrometheusText.sum(letters, "creditDeadLettered", "reason=\"malformed-bytes\""))
                .isEqualTo(5.0);
        assertThat(PrometheusText.sum(letters, "creditDeadLettered")).isEqualTo(12.0);
    }

    @Test
    void takesTheLargestQuantileSampleAndSkipsNaN() {
        assertThat(
                        PrometheusText.max(
                                EXPOSITION, "creditLastStepToAdvantageMs", "quantile=\"0.99\""))
                .isEqualTo(95.0);
    }

    @Test
    void averagesOneLabelsSamplesAndHasNoValueWithoutThem() {
        String shadows =
                "flink_taskmanager_job_task_operator_shadow_creditShadowRankCorrelation{"
                        + "shadow=\"grpo\",subtask_index=\"0\",} 0.5\n"
                        + "flink_taskmanager_job_task_operator_shadow_creditShadowRankCorrelation{"
                        + "shadow=\"grpo\",subtask_index=\"1\",} 0.7\n"
                        + "flink_taskmanager_job_task_operator_shadow_creditShadowRankCorrelation{"
                        + "shadow=\"rloo\",subtask_index=\"0\",} -1.0\n";
        assertThat(PrometheusText.mean(shadows, "creditShadowRankCorrelation", "shadow=\"grpo\""))
                .isCloseTo(0.6, org.assertj.core.api.Assertions.within(1e-12));
        assertThat(PrometheusText.mean(shadows, "creditShadowRankCorrelation", "shadow=\"gigpo\""))
                .isNaN();
    }
}
