package io.creditstream.fleet.curve;

import java.util.List;
import java.util.Objects;
import java.util.OptionalLong;

/**
 * One run's learning curve, named for plotting and tables.
 *
 * @param label what the run measured, e.g. {@code gigpo}; curves with one label share a colour
 * @param seed the run's seed
 * @param points one point per update, in order
 */
public record Curve(String label, long seed, List<CurvePoint> points) {

    public Curve {
        Objects.requireNonNull(label, "label");
        points = List.copyOf(points);
    }

    /**
     * Episodes played when the windowed success rate first reached {@code rate}; empty if it never
     * did. Points before a full window has been played count too: the caller chooses a window small
     * against the budget.
     */
    public OptionalLong episodesToReach(double rate) {
        for (CurvePoint point : points) {
            if (point.successRate() >= rate) {
                return OptionalLong.of(point.episodes());
            }
        }
        return OptionalLong.empty();
    }

    /** The last point, the run's final state. */
    public CurvePoint last() {
        if (points.isEmpty()) {
            throw new IllegalStateException("curve " + label + " has no points");
        }
        return points.get(points.size() - 1);
    }
}
