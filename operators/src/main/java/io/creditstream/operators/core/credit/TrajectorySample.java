package io.creditstream.operators.core.credit;

import java.util.List;
import java.util.Objects;

/**
 * One finished trajectory of a group as the credit kernels see it.
 *
 * @param episodeId identity of the episode, for diagnostics only
 * @param episodeReturn the outcome every estimator normalises; upstream this is the undiscounted
 *     sum of the step rewards, but it is taken as given so that a declared return can override it
 * @param steps the active steps in step order; not empty
 */
public record TrajectorySample(String episodeId, double episodeReturn, List<StepSample> steps) {

    public TrajectorySample {
        Objects.requireNonNull(episodeId, "episodeId");
        if (!Double.isFinite(episodeReturn)) {
            throw new IllegalArgumentException(
                    "episode return of " + episodeId + " must be finite, but was " + episodeReturn);
        }
        Objects.requireNonNull(steps, "steps");
        if (steps.isEmpty()) {
            throw new IllegalArgumentException("trajectory " + episodeId + " has no steps");
        }
        // Copying also rejects null elements and keeps the record immutable.
        steps = List.copyOf(steps);
    }
}
