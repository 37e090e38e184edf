package io.creditstream.operators.core.credit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import org.junit.jupiter.api.Test;

/** Defaults, eager validation and serializability of {@link CreditParams}. */
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
    void keepsWhatTheBuilderWasGiven() {
        CreditParams params =
                CreditParams.builder()
                        .estimator(Estimator.RLOO)
                        .normalization(Normalization.MEAN)
                        .epsilon(0)
                        .gamma(1)
                        .stepAdvantageWeight(-0.5)
                        .invalidActionPenalty(0)
                        .episodeNormScope(EpisodeNormScope.TRAJECTORIES)
                        .build();

        assertThat(params.estimator()).isEqualTo(Estimator.RLOO);
        assertThat(params.normalization()).isEqualTo(Normalization.MEAN);
        assertThat(params.epsilon()).isZero();
        assertThat(params.gamma()).isEqualTo(1.0);
        assertThat(params.stepAdvantageWeight()).isEqualTo(-0.5);
        assertThat(params.invalidActionPenalty()).isZero();
        assertThat(params.episodeNormScope()).isEqualTo(EpisodeNormScope.TRAJECTORIES);
        assertThat(params.toBuilder().build()).isEqualTo(params).hasSameHashCodeAs(params);
        assertThat(params.toBuilder().gamma(0).build().gamma()).isZero();
        assertThat(params.toString()).contains("credit.estimator=rloo", "credit.gamma=1.0");
    }

    @Test
    void rejectsBadEpsilon() {
        for (double bad : new double[] {-1e-9, Double.NaN, Double.POSITIVE_INFINITY}) {
            assertThatThrownBy(() -> CreditParams.builder().epsilon(bad))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("credit.epsilon")
                    .hasMessageContaining(String.valueOf(bad));
        }
    }

    @Test
    void rejectsGammaOutsideTheUnitInterval() {
        for (double bad : new double[] {-0.01, 1.01, Double.NaN}) {
            assertThatThrownBy(() -> CreditParams.builder().gamma(bad))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("credit.gamma")
                    .hasMessageContaining("[0, 1]");
        }
    }

    @Test
    void rejectsBadPenalty() {
        for (double bad : new double[] {-0.1, Double.NaN, Double.NEGATIVE_INFINITY}) {
            assertThatThrownBy(() -> CreditParams.builder().invalidActionPenalty(bad))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("credit.invalid-action-penalty");
        }
    }

    @Test
    void rejectsNonFiniteStepWeight() {
        for (double bad : new double[] {Double.NaN, Double.POSITIVE_INFINITY}) {
            assertThatThrownBy(() -> CreditParams.builder().stepAdvantageWeight(bad))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("credit.step-advantage-weight");
        }
    }

    @Test
    void rejectsMissingChoices() {
        assertThatThrownBy(() -> CreditParams.builder().estimator(null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("credit.estimator")
                .hasMessageContaining("grpo, rloo, dr-grpo, gigpo");
        assertThatThrownBy(() -> CreditParams.builder().normalization(null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("credit.normalization")
                .hasMessageContaining("mean-std, mean");
        assertThatThrownBy(() -> CreditParams.builder().episodeNormScope(null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("credit.episode-norm-scope")
                .hasMessageContaining("steps, trajectories");
    }

    @Test
    void survivesJavaSerialization() throws Exception {
        CreditParams params =
                CreditParams.builder()
                        .estimator(Estimator.DR_GRPO)
                        .gamma(0.5)
                        .episodeNormScope(EpisodeNormScope.TRAJECTORIES)
                        .build();

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
