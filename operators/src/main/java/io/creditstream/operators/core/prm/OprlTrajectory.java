package io.creditstream.operators.core.prm;

import java.util.Arrays;

/**
 * One finished trajectory as the OPRL combination rule sees it: its outcome and the step rewards
 * r_φ of its turns, already computed.
 *
 * @param outcome the outcome reward r_o(τ), normalised across the group for A^E
 * @param stepRewards r_φ(a_t) per turn, in step order; not empty, all finite
 */
public record OprlTrajectory(double outcome, double[] stepRewards) {

    public OprlTrajectory {
        if (!Double.isFinite(outcome)) {
            throw new IllegalArgumentException("outcome must be finite, but was " + outcome);
        }
        if (stepRewards == null || stepRewards.length == 0) {
            throw new IllegalArgumentException("a trajectory needs at least one step reward");
        }
        // A defensive copy keeps the record immutable although arrays are not.
        stepRewards = stepRewards.clone();
        for (int t = 0; t < stepRewards.length; t++) {
            if (!Double.isFinite(stepRewards[t])) {
                throw new IllegalArgumentException(
                        "step reward " + t + " must be finite, but was " + stepRewards[t]);
            }
        }
    }

    /** A copy of the step rewards. */
    @Override
    public double[] stepRewards() {
        return stepRewards.clone();
    }

    /** The number of steps. */
    public int length() {
        return stepRewards.length;
    }

    /** r_φ of step t. */
    public double stepReward(int t) {
        return stepRewards[t];
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof OprlTrajectory that
                && Double.compare(outcome, that.outcome) == 0
                && Arrays.equals(stepRewards, that.stepRewards);
    }

    @Override
    public int hashCode() {
        return 31 * Double.hashCode(outcome) + Arrays.hashCode(stepRewards);
    }

    @Override
    public String toString() {
        return "OprlTrajectory{outcome="
                + outcome
                + ", stepRewards="
                + Arrays.toString(stepRewards)
                + "}";
    }
}
