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
                .hasMessageContaining("grpo, rloo, dr-grpo, gigpo, oprl, tempo, pure, igpo");
        // The Java constant name is not a configuration name.
        assertThatThrownBy(() -> Estimator.fromConfig("DR_GRPO"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'DR_GRPO'");
        assertThatThrownBy(() -> Estimator.fromConfig(null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("credit.estimator");
    }

    @Test
    void tempoPureAndIgpoAreAvailable() {
        assertThat(Estimator.fromConfig("OPRL")).isEqualTo(Estimator.OPRL);
        assertThat(Estimator.fromConfig("tempo")).isEqualTo(Estimator.TEMPO);
        assertThat(Estimator.fromConfig(" PURE ")).isEqualTo(Estimator.PURE);
        assertThat(Estimator.fromConfig("igpo")).isEqualTo(Estimator.IGPO);
    }

    @Test
    void pureAndIgpoOptionNamesRoundTripAndUnknownOnesNameTheKey() {
        assertThat(PureParams.Baseline.fromConfig("token")).isEqualTo(PureParams.Baseline.TOKEN);
        assertThat(PureParams.RewardMode.fromConfig("PRM-VR"))
                .isEqualTo(PureParams.RewardMode.PRM_VR);
        assertThat(IgpoParams.Gain.fromConfig("log-prob-diff"))
                .isEqualTo(IgpoParams.Gain.LOG_PROB_DIFF);
        assertThat(IgpoParams.NormMode.fromConfig("separate"))
                .isEqualTo(IgpoParams.NormMode.SEPARATE);
        assertThatThrownBy(() -> PureParams.Baseline.fromConfig("rloo"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("credit.pure.baseline")
                .hasMessageContaining("'rloo'")
                .hasMessageContaining("step, token");
        assertThatThrownBy(() -> PureParams.RewardMode.fromConfig("PRMVR"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("credit.pure.reward-mode")
                .hasMessageContaining("prm-vr, prm, vr");
        assertThatThrownBy(() -> IgpoParams.Gain.fromConfig("prob_diff"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("credit.igpo.gain")
                .hasMessageContaining("prob-diff, log-prob-diff");
        assertThatThrownBy(() -> IgpoParams.NormMode.fromConfig(null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("credit.igpo.norm-mode")
                .hasMessageContaining("joint, separate");
    }

    @Test
    void pureAndIgpoNumbersAreChecked() {
        for (double bad : new double[] {0, -0.1, Double.NaN, Double.POSITIVE_INFINITY}) {
            assertThatThrownBy(() -> PureParams.defaults().withTemperature(bad))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("credit.pure.temperature")
                    .hasMessageContaining("> 0");
        }
        assertThatThrownBy(() -> PureParams.defaults().withVerifiableRewardCoef(Double.NaN))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("credit.pure.verifiable-reward-coef");
        for (double bad : new double[] {-0.01, 1.01, Double.NaN}) {
            assertThatThrownBy(() -> IgpoParams.defaults().withGamma(bad))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("credit.igpo.gamma")
                    .hasMessageContaining("[0, 1]");
        }
        assertThatThrownBy(() -> PureParams.defaults().withBaseline(null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("credit.pure.baseline")
                .hasMessageContaining("step, token");
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
