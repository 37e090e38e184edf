package io.creditstream.operators.core.budget;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import org.junit.jupiter.api.Test;

/** Defaults, eager validation and serializability of {@link KnapsackParams}. */
class KnapsackParamsTest {

    @Test
    void hasTheReferenceDefaults() {
        KnapsackParams params = KnapsackParams.builder().n(8).maxN(128).build();

        assertThat(params.n()).isEqualTo(8);
        assertThat(params.minN()).isEqualTo(2);
        assertThat(params.maxN()).isEqualTo(128);
        assertThat(params.alpha()).isEqualTo(0.9);
        assertThat(params.allowFallback()).isTrue();
        assertThat(params.negativeN()).isEqualTo(2);
        assertThat(params.positiveN()).isEqualTo(2);
        assertThat(params.totalBudget()).isEmpty();
        assertThat(params.totalBudget(32)).isEqualTo(256);
        assertThat(params.costEstimation()).isEqualTo(CostEstimation.PROBABILITY);
    }

    @Test
    void negativeAndPositiveNFollowMinNUnlessSet() {
        KnapsackParams params = KnapsackParams.builder().n(8).minN(3).maxN(16).build();
        assertThat(params.negativeN()).isEqualTo(3);
        assertThat(params.positiveN()).isEqualTo(3);

        KnapsackParams set = params.toBuilder().negativeN(0).positiveN(5).totalBudget(100).build();
        assertThat(set.negativeN()).isZero();
        assertThat(set.positiveN()).isEqualTo(5);
        assertThat(set.totalBudget()).hasValue(100);
        assertThat(set.totalBudget(32)).isEqualTo(100);
        assertThat(set.toBuilder().build()).isEqualTo(set);
    }

    @Test
    void maxNIsRequiredBecauseTheReferenceCrashesWithoutIt() {
        assertThatThrownBy(() -> KnapsackParams.builder().n(8).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("max_n")
                .hasMessageContaining("budget.max-n")
                .hasMessageContaining("must be set");
    }

    @Test
    void nIsRequired() {
        assertThatThrownBy(() -> KnapsackParams.builder().maxN(128).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("n (budget.n) must be set");
    }

    @Test
    void rejectsValuesOutsideTheirDomainNamingTheField() {
        assertThatThrownBy(() -> KnapsackParams.builder().n(0).maxN(128).build())
                .hasMessageContaining("n (budget.n) must be at least 1");
        assertThatThrownBy(() -> KnapsackParams.builder().n(8).minN(-1).maxN(128).build())
                .hasMessageContaining("min_n (budget.min-n)");
        assertThatThrownBy(() -> KnapsackParams.builder().n(8).minN(4).maxN(3).build())
                .hasMessageContaining("max_n (budget.max-n) must be at least min_n");
        assertThatThrownBy(() -> KnapsackParams.builder().n(8).maxN(128).alpha(1.0).build())
                .hasMessageContaining("alpha (budget.alpha)");
        assertThatThrownBy(() -> KnapsackParams.builder().n(8).maxN(128).alpha(Double.NaN).build())
                .hasMessageContaining("alpha");
        assertThatThrownBy(() -> KnapsackParams.builder().n(8).maxN(128).negativeN(-1).build())
                .hasMessageContaining("negative_n (budget.negative-n)");
        assertThatThrownBy(() -> KnapsackParams.builder().n(8).maxN(128).positiveN(-2).build())
                .hasMessageContaining("positive_n (budget.positive-n)");
        assertThatThrownBy(() -> KnapsackParams.builder().n(8).maxN(128).totalBudget(-5).build())
                .hasMessageContaining("total_budget (budget.total-budget)");
        assertThatThrownBy(
                        () ->
                                KnapsackParams.builder()
                                        .n(8)
                                        .maxN(128)
                                        .costEstimation((CostEstimation) null)
                                        .build())
                .hasMessageContaining("cost_estimation (budget.cost-estimation)");
    }

    @Test
    void parsesCostEstimationNames() {
        assertThat(KnapsackParams.builder().n(8).maxN(8).costEstimation(" Expectation ").build())
                .extracting(KnapsackParams::costEstimation)
                .isEqualTo(CostEstimation.EXPECTATION);
        assertThatThrownBy(() -> KnapsackParams.builder().costEstimation("median"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(
                        "Unknown cost_estimation 'median'; accepted values: probability,"
                                + " expectation");
    }

    @Test
    void survivesJavaSerialization() throws Exception {
        KnapsackParams params =
                KnapsackParams.builder()
                        .n(8)
                        .minN(1)
                        .maxN(64)
                        .alpha(0.75)
                        .allowFallback(false)
                        .negativeN(3)
                        .totalBudget(1000)
                        .costEstimation(CostEstimation.EXPECTATION)
                        .build();

        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(params);
        }
        try (ObjectInputStream in =
                new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
            KnapsackParams copy = (KnapsackParams) in.readObject();
            assertThat(copy).isEqualTo(params).hasSameHashCodeAs(params);
            assertThat(copy.toString()).contains("max_n=64", "cost_estimation=expectation");
        }
    }
}
