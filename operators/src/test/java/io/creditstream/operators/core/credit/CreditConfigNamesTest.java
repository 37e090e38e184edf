package io.creditstream.operators.core.credit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** Parsing of the credit.* enum settings from their configuration names. */
class CreditConfigNamesTest {

    @Test
    void estimatorNamesRoundTrip() {
        assertThat(Estimator.GRPO.configName()).isEqualTo("grpo");
        assertThat(Estimator.RLOO.configName()).isEqualTo("rloo");
        assertThat(Estimator.DR_GRPO.configName()).isEqualTo("dr-grpo");
        assertThat(Estimator.GIGPO.configName()).isEqualTo("gigpo");
        for (Estimator estimator : Estimator.values()) {
            assertThat(Estimator.fromConfig(estimator.configName())).isEqualTo(estimator);
        }
        assertThat(Estimator.fromConfig(" GiGPO ")).isEqualTo(Estimator.GIGPO);
    }

    @Test
    void unknownEstimatorNamesTheValueAndTheAcceptedOnes() {
        assertThatThrownBy(() -> Estimator.fromConfig("ppo"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'ppo'")
                .hasMessageContaining("credit.estimator")
                .hasMessageContaining("grpo, rloo, dr-grpo, gigpo, oprl");
        // The Java constant name is not a configuration name.
        assertThatThrownBy(() -> Estimator.fromConfig("DR_GRPO"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'DR_GRPO'");
        assertThatThrownBy(() -> Estimator.fromConfig(null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("credit.estimator");
    }

    @Test
    void plannedEstimatorsAreReportedAsNotAvailable() {
        assertThat(Estimator.fromConfig("OPRL")).isEqualTo(Estimator.OPRL);
        for (String planned : new String[] {"tempo", "pure", "igpo"}) {
            assertThatThrownBy(() -> Estimator.fromConfig(planned))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("'" + planned + "'")
                    .hasMessageContaining("not available in this version")
                    .hasMessageContaining("grpo, rloo, dr-grpo, gigpo, oprl");
        }
    }

    @Test
    void normalizationNamesRoundTrip() {
        assertThat(Normalization.fromConfig("mean-std")).isEqualTo(Normalization.MEAN_STD);
        assertThat(Normalization.fromConfig("mean")).isEqualTo(Normalization.MEAN);
        assertThat(Normalization.MEAN_STD.dividesByStd()).isTrue();
        assertThat(Normalization.MEAN.dividesByStd()).isFalse();
        assertThatThrownBy(() -> Normalization.fromConfig("std"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'std'")
                .hasMessageContaining("credit.normalization")
                .hasMessageContaining("mean-std, mean");
    }

    @Test
    void scopeNamesRoundTrip() {
        assertThat(EpisodeNormScope.fromConfig("steps")).isEqualTo(EpisodeNormScope.STEPS);
        assertThat(EpisodeNormScope.fromConfig("trajectories"))
                .isEqualTo(EpisodeNormScope.TRAJECTORIES);
        assertThatThrownBy(() -> EpisodeNormScope.fromConfig("episodes"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'episodes'")
                .hasMessageContaining("credit.episode-norm-scope")
                .hasMessageContaining("steps, trajectories");
    }
}
