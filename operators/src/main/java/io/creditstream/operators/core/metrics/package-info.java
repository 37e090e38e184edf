/** Plain-Java summaries behind the operators' metric gauges ({@link RollingWindow}). */
package io.creditstream.operators.core.metrics;
