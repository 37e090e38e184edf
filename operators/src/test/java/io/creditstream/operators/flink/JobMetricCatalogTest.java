package io.creditstream.operators.flink;

import static org.assertj.core.api.Assertions.assertThat;

import io.creditstream.operators.flink.budget.BudgetMetrics;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The catalog docs/METRICS.md is rendered from names every metric the operators register. */
class JobMetricCatalogTest {

    @Test
    void everyMetricNameConstantIsCataloguedOnce() throws Exception {
        List<String> constants = new ArrayList<>();
        constants.addAll(metricNames(CreditMetrics.class));
        constants.addAll(metricNames(BudgetMetrics.class));
        constants.remove(CreditMetrics.REASON_LABEL);
        constants.remove(CreditMetrics.SHADOW_LABEL);
        constants.remove(CreditMetrics.MAX_LENGTH_LABEL);
        constants.remove(BudgetMetrics.DESERIALIZER_GROUP);

        List<String> catalogued =
                JobMetricCatalog.ENTRIES.stream().map(JobMetricCatalog.Entry::name).toList();
        assertThat(catalogued)
                .doesNotHaveDuplicates()
                .containsExactlyInAnyOrderElementsOf(constants);
    }

    @Test
    void labelsAreBoundedEnumerationsAndMeaningsAreGiven() {
        for (JobMetricCatalog.Entry entry : JobMetricCatalog.ENTRIES) {
            // Reason codes, estimator names and length buckets: all fixed enumerations.
            assertThat(entry.label())
                    .as(entry.name())
                    .isIn(
                            null,
                            CreditMetrics.REASON_LABEL,
                            CreditMetrics.SHADOW_LABEL,
                            CreditMetrics.MAX_LENGTH_LABEL);
            assertThat(entry.meaning()).as(entry.name()).isNotBlank().endsWith(".");
            assertThat(entry.unit()).as(entry.name()).isNotBlank();
            assertThat(entry.prometheusName())
                    .as(entry.name())
                    .matches("[a-zA-Z_:][a-zA-Z0-9_:]*")
                    .startsWith(JobMetricCatalog.OPERATOR_PREFIX);
        }
    }

    private static List<String> metricNames(Class<?> type) throws IllegalAccessException {
        List<String> names = new ArrayList<>();
        for (Field field : type.getDeclaredFields()) {
            int modifiers = field.getModifiers();
            if (Modifier.isPublic(modifiers)
                    && Modifier.isStatic(modifiers)
                    && field.getType() == String.class) {
                names.add((String) field.get(null));
            }
        }
        return names;
    }
}
