package io.creditstream.operators.core.prm;

import java.util.List;
import java.util.Objects;

/**
 * One finished trajectory as the implicit PRM sees it: its outcome and the features of each step.
 *
 * @param outcome the outcome reward; positive when above {@code prm.positive-threshold}
 * @param steps φ of each step, in step order; not empty
 */
public record TrajectoryFeatures(double outcome, List<FeatureVector> steps) {

    public TrajectoryFeatures {
        if (!Double.isFinite(outcome)) {
            throw new IllegalArgumentException("outcome must be finite, but was " + outcome);
        }
        Objects.requireNonNull(steps, "steps");
        if (steps.isEmpty()) {
            throw new IllegalArgumentException("a trajectory needs at least one step");
        }
        steps = List.copyOf(steps);
    }
}
