package io.creditstream.policy.metrics;

/**
 * A learner or fleet metric as it is registered: its base name (a counter is exposed with {@code
 * _total} after it), its help text and the unit docs/METRICS.md gives it.
 */
public record MetricSpec(String name, String help, String unit) {
    public MetricSpec {
        if (!name.matches("creditstream_[a-z_]+") || name.endsWith("_total")) {
            throw new IllegalArgumentException(
                    "a metric name is creditstream_ and snake case, without _total: " + name);
        }
        if (help.isBlank() || unit.isBlank()) {
            throw new IllegalArgumentException(name + " needs a help text and a unit");
        }
    }
}
