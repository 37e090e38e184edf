package io.creditstream.operators.core.credit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import org.junit.jupiter.api.Test;

/** Defaults, validation and serializability of {@link CreditParams}. */
class CreditParamsTest {

    @Test
    void hasTheDocumentedDefaults() {
        CreditParams params = CreditParams.defaults();

        assertThat(params.estimator()).isEqualTo(Estimator.GIGPO);
        assertThat(params.normalization()).isEqualTo(Normalization.MEAN_STD);
        assertThat(params.epsilon()).isEqualTo(1e-6);
        assertThat(params.gamma()).isEqualTo(0.95);
        assertThat(params.stepAdvantageWeight()).isEqualTo(1.0);
        assertThat(params.invalidActionPenalty()).isEqualTo(0.1);
        assertThat(params.episodeNormScope()).isEqualTo(EpisodeNormScope.STEPS);
    }

    @Test
    void keepsWhatItWasGiven() {
        CreditParams params =
                CreditParams.defaults()
                        .withEstimator(Estimator.RLOO)
                        .withNormalization(Normalization.MEAN)
                        .withEpsilon(0)
                        .withGamma(1)
                        .withStepAdvantageWeight(-0.5)
                        .withInvalidActionPenalty(0)
                        .withEpisodeNormScope(EpisodeNormScope.TRAJECTORIES);

        assertThat(params.estimator()).isEqualTo(Estimator.RLOO);
        assertThat(params.normalization()).isEqualTo(Normalization.MEAN);
        assertThat(params.epsilon()).isZero();
        assertThat(params.gamma()).isEqualTo(1.0);
        assertThat(params.stepAdvantageWeight()).isEqualTo(-0.5);
        assertThat(params.invalidActionPenalty()).isZero();
        assertThat(params.episodeNormScope()).isEqualTo(EpisodeNormScope.TRAJECTORIES);
        assertThat(params.withGamma(1)).isEqualTo(params).hasSameHashCodeAs(params);
        assertThat(params.withGamma(0).gamma()).isZero();
        assertThat(params.withGamma(0).estimator()).isEqualTo(Estimator.RLOO);
        assertThat(params.toString()).contains("estimator=RLOO", "gamma=1.0");
    }

    @Test
    void rejectsBadEpsilon() {
        for (double bad : new double[] {-1e-9, Double.NaN, Double.POSITIVE_INFINITY}) {
            assertThatThrownBy(() -> CreditParams.defaults().withEpsilon(bad))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("credit.epsilon")
                    .hasMessageContaining(String.valueOf(bad));
        }
    }

    @Test
    void rejectsGammaOutsideTheUnitInterval() {
        for (double bad : new double[] {-0.01, 1.01, Double.NaN}) {
            assertThatThrownBy(() -> CreditParams.defaults().withGamma(bad))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("credit.gamma")
                    .hasMessageContaining("[0, 1]");
        }
    }

    @Test
    void rejectsBadPenalty() {
        for (double bad : new double[] {-0.1, Double.NaN, Double.NEGATIVE_INFINITY}) {
            assertThatThrownBy(() -> CreditParams.defaults().withInvalidActionPenalty(bad))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("credit.invalid-action-penalty");
        }
    }

    @Test
    void rejectsNonFiniteStepWeight() {
        for (double bad : new double[] {Double.NaN, Double.POSITIVE_INFINITY}) {
            assertThatThrownBy(() -> CreditParams.defaults().withStepAdvantageWeight(bad))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("credit.step-advantage-weight");
        }
    }

    @Test
    void rejectsMissingChoices() {
        assertThatThrownBy(() -> CreditParams.defaults().withEstimator(null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("credit.estimator")
                .hasMessageContaining("grpo, rloo, dr-grpo, gigpo");
        assertThatThrownBy(() -> CreditParams.defaults().withNormalization(null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("credit.normalization")
                .hasMessageContaining("mean-std, mean");
        assertThatThrownBy(() -> CreditParams.defaults().withEpisodeNormScope(null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("credit.episode-norm-scope")
                .hasMessageContaining("steps, trajectories");
    }

    @Test
    void survivesJavaSerialization() throws Exception {
        CreditParams params =
                CreditParams.defaults()
                        .withEstimator(Estimator.DR_GRPO)
                        .withGamma(0.5)
                        .withEpisodeNormScope(EpisodeNormScope.TRAJECTORIES);

        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(params);
            out.writeObject(new CreditEstimator(params));
        }
        try (ObjectInputStream in =
                new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
            assertThat(in.readObject()).isEqualTo(params);
            assertThat(((CreditEstimator) in.readObject()).params()).isEqualTo(params);
        }
    }
}
