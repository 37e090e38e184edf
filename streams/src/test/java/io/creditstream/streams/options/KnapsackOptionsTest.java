package io.creditstream.streams.options;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.creditstream.operators.core.budget.KnapsackParams;
import org.apache.flink.configuration.Configuration;
import org.junit.jupiter.api.Test;

/**
 * The job's budget keys reach the solver's settings; unset ones keep the reference's defaults, but
 * for the fallback.
 */
class KnapsackOptionsTest {

    @Test
    void unsolvedAndSolvedTasksGetMinNUnlessConfigured() {
        Configuration config = new Configuration();
        config.set(CreditstreamOptions.BUDGET_MIN_N, 3);

        KnapsackParams params = CreditstreamOptions.knapsackParams(config);

        assertThat(params.negativeN()).isNull();
        assertThat(params.positiveN()).isNull();
        assertThat(params.effectiveNegativeN()).isEqualTo(3);
        assertThat(params.effectivePositiveN()).isEqualTo(3);
    }

    @Test
    void theJobLeavesTheFallbackOffUnlessAskedWhereOfflineRoundsKeepTheReferences() {
        assertThat(CreditstreamOptions.knapsackParams(new Configuration()).allowFallback())
                .isFalse();
        assertThat(KnapsackParams.of(8, KnapsackParams.SCRIPT_MAX_N).allowFallback()).isTrue();

        Configuration config = new Configuration();
        config.setString("budget.allow-fallback", "true");
        assertThat(CreditstreamOptions.knapsackParams(config).allowFallback()).isTrue();
    }

    @Test
    void negativeAndPositiveNAreReadFromTheirKeys() {
        Configuration config = new Configuration();
        config.setString("budget.negative-n", "8");
        config.setString("budget.positive-n", "1");

        KnapsackParams params = CreditstreamOptions.knapsackParams(config);

        assertThat(params.effectiveNegativeN()).isEqualTo(8);
        assertThat(params.effectivePositiveN()).isEqualTo(1);
        assertThat(params.minN()).isEqualTo(KnapsackParams.DEFAULT_MIN_N);
    }

    @Test
    void aNegativeCountIsRefusedNamingTheKey() {
        Configuration config = new Configuration();
        config.setString("budget.negative-n", "-1");

        assertThatThrownBy(() -> CreditstreamOptions.knapsackParams(config))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("budget.negative-n")
                .hasMessageContaining("-1");
    }
}
