package io.creditstream.operators.core.budget;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import org.junit.jupiter.api.Test;

/** Defaults, validation and serializability of {@link KnapsackParams}. */
class KnapsackParamsTest {

    @Test
    void hasTheReferenceDefaults() {
        KnapsackParams params = KnapsackParams.of(8, 128);

        assertThat(params.n()).isEqualTo(8);
        assertThat(params.minN()).isEqualTo(2);
        assertThat(params.maxN()).isEqualTo(128);
        assertThat(params.alpha()).isEqualTo(0.9);
        assertThat(params.allowFallback()).isTrue();
        assertThat(params.negativeN()).isNull();
        assertThat(params.effectiveNegativeN()).isEqualTo(2);
        assertThat(params.positiveN()).isNull();
        assertThat(params.effectivePositiveN()).isEqualTo(2);
        assertThat(params.totalBudget()).isNull();
        assertThat(params.totalBudget(32)).isEqualTo(256);
        assertThat(params.costEstimation()).isEqualTo(CostEstimation.PROBABILITY);
    }

    @Test
    void negativeAndPositiveNFollowMinNUnlessSet() {
        KnapsackParams params = KnapsackParams.of(8, 16).withMinN(3);
        assertThat(params.effectiveNegativeN()).isEqualTo(3);
        assertThat(params.effectivePositiveN()).isEqualTo(3);

        KnapsackParams set = params.withNegativeN(0).withPositiveN(5).withTotalBudget(100);
        assertThat(set.effectiveNegativeN()).isZero();
        assertThat(set.effectivePositiveN()).isEqualTo(5);
        assertThat(set.totalBudget()).isEqualTo(100);
        assertThat(set.totalBudget(32)).isEqualTo(100);
        assertThat(set.withNegativeN(null).withPositiveN(null).withTotalBudget(null))
                .isEqualTo(params);
    }

    @Test
    void maxNIsRequiredBecauseTheReferenceCrashesWithoutIt() {
        assertThatThrownBy(() -> fromKeywordArguments(8, null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("max_n")
                .hasMessageContaining("budget.max-n")
                .hasMessageContaining("must be set");
    }

    @Test
    void nIsRequired() {
        assertThatThrownBy(() -> fromKeywordArguments(null, 128))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("n (budget.n) must be set");
    }

    @Test
    void rejectsValuesOutsideTheirDomainNamingTheField() {
        assertThatThrownBy(() -> KnapsackParams.of(0, 128))
                .hasMessageContaining("n (budget.n) must be at least 1");
        assertThatThrownBy(() -> KnapsackParams.of(8, 128).withMinN(-1))
                .hasMessageContaining("min_n (budget.min-n)");
        assertThatThrownBy(() -> KnapsackParams.of(8, 3).withMinN(4))
                .hasMessageContaining("max_n (budget.max-n) must be at least min_n");
        assertThatThrownBy(() -> KnapsackParams.of(8, 128).withAlpha(1.0))
                .hasMessageContaining("alpha (budget.alpha)");
        assertThatThrownBy(() -> KnapsackParams.of(8, 128).withAlpha(Double.NaN))
                .hasMessageContaining("alpha");
        assertThatThrownBy(() -> KnapsackParams.of(8, 128).withNegativeN(-1))
                .hasMessageContaining("negative_n (budget.negative-n)");
        assertThatThrownBy(() -> KnapsackParams.of(8, 128).withPositiveN(-2))
                .hasMessageContaining("positive_n (budget.positive-n)");
        assertThatThrownBy(() -> KnapsackParams.of(8, 128).withTotalBudget(-5))
                .hasMessageContaining("total_budget (budget.total-budget)");
        assertThatThrownBy(
                        () -> KnapsackParams.of(8, 128).withCostEstimation((CostEstimation) null))
                .hasMessageContaining("cost_estimation (budget.cost-estimation)");
    }

    @Test
    void parsesCostEstimationNames() {
        assertThat(CostEstimation.parse(KnapsackParams.FIELD_COST_ESTIMATION, " Expectation "))
                .isEqualTo(CostEstimation.EXPECTATION);
        assertThatThrownBy(
                        () -> CostEstimation.parse(KnapsackParams.FIELD_COST_ESTIMATION, "median"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(
                        "Unknown cost_estimation 'median'; accepted values: probability,"
                                + " expectation");
    }

    @Test
    void survivesJavaSerialization() throws Exception {
        KnapsackParams params =
                KnapsackParams.of(8, 64)
                        .withMinN(1)
                        .withAlpha(0.75)
                        .withAllowFallback(false)
                        .withNegativeN(3)
                        .withTotalBudget(1000)
                        .withCostEstimation(CostEstimation.EXPECTATION);

        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(params);
        }
        try (ObjectInputStream in =
                new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
            KnapsackParams copy = (KnapsackParams) in.readObject();
            assertThat(copy).isEqualTo(params).hasSameHashCodeAs(params);
            assertThat(copy.toString()).contains("maxN=64", "costEstimation=EXPECTATION");
        }
    }

    @Test
    void keywordArgumentsTakeTheDefaultsWhereNull() {
        assertThat(fromKeywordArguments(8, 128)).isEqualTo(KnapsackParams.of(8, 128));
    }

    /** Only n and max_n given, as a round's JSON may give them. */
    private static KnapsackParams fromKeywordArguments(Integer n, Integer maxN) {
        return KnapsackParams.fromKeywordArguments(
                n, null, maxN, null, null, null, null, null, null);
    }
}
