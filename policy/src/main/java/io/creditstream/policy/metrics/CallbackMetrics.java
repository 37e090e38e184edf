package io.creditstream.policy.metrics;

import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.SummaryWithCallback;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.Quantiles;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import java.util.function.ToDoubleFunction;
import java.util.function.ToLongFunction;

/**
 * Registers metrics whose values are read from a progress view ({@code P}) when Prometheus scrapes:
 * the services keep their own counters, and nothing on their hot paths changes for metrics. Every
 * registered metric's {@link MetricSpec} is kept, in registration order, for docs/METRICS.md.
 */
final class CallbackMetrics<P> {
    private final PrometheusRegistry registry;
    private final Supplier<P> progress;
    private final List<MetricSpec> specs = new ArrayList<>();

    CallbackMetrics(PrometheusRegistry registry, Supplier<P> progress) {
        this.registry = registry;
        this.progress = progress;
    }

    /** A counter: a total that only grows while the process runs. */
    CallbackMetrics<P> counter(MetricSpec spec, ToDoubleFunction<P> value) {
        CounterWithCallback.builder()
                .name(spec.name())
                .help(spec.help())
                .callback(callback -> callback.call(value.applyAsDouble(progress.get())))
                .register(registry);
        specs.add(spec);
        return this;
    }

    /** A gauge; a NaN value (nothing measured yet) leaves the series out of the scrape. */
    CallbackMetrics<P> gauge(MetricSpec spec, ToDoubleFunction<P> value) {
        GaugeWithCallback.builder()
                .name(spec.name())
                .help(spec.help())
                .callback(
                        callback -> {
                            double current = value.applyAsDouble(progress.get());
                            if (!Double.isNaN(current)) {
                                callback.call(current);
                            }
                        })
                .register(registry);
        specs.add(spec);
        return this;
    }

    /** A summary without quantiles: a count of events and the sum of their durations. */
    CallbackMetrics<P> summary(MetricSpec spec, ToLongFunction<P> count, ToDoubleFunction<P> sum) {
        SummaryWithCallback.builder()
                .name(spec.name())
                .help(spec.help())
                .callback(
                        callback -> {
                            P current = progress.get();
                            callback.call(
                                    count.applyAsLong(current),
                                    sum.applyAsDouble(current),
                                    Quantiles.EMPTY);
                        })
                .register(registry);
        specs.add(spec);
        return this;
    }

    List<MetricSpec> specs() {
        return List.copyOf(specs);
    }
}
