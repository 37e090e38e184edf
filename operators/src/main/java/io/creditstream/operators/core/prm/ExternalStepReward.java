package io.creditstream.operators.core.prm;

import java.io.Serializable;

/**
 * The implicit step reward of Eq.1 from log-probs supplied by an external PRM: r_φ(a_t) = β·(log
 * π_φ(a_t) − log π_old(a_t)), each log-prob being the sum over the turn's tokens.
 */
public final class ExternalStepReward implements Serializable {

    private static final long serialVersionUID = 1L;

    private final double beta;

    /**
     * @param beta β, in (0, 1] ({@link PrmParams#KEY_BETA})
     */
    public ExternalStepReward(double beta) {
        this.beta = PrmParams.requireBeta(beta);
    }

    public static ExternalStepReward withDefaults() {
        return new ExternalStepReward(PrmParams.DEFAULT_BETA);
    }

    public double beta() {
        return beta;
    }

    /**
     * True when both log-probs are present and finite, i.e. when {@link #reward} will succeed; the
     * job sends a record failing this to the dead-letter queue rather than into the advantages.
     */
    public boolean accepts(Double prmLogprob, Double refLogprob) {
        return reason(prmLogprob, refLogprob) == null;
    }

    /** r_φ, or null when a log-prob is missing or non-finite (or their difference overflows). */
    public Double rewardOrNull(Double prmLogprob, Double refLogprob) {
        if (!accepts(prmLogprob, refLogprob)) {
            return null;
        }
        double reward = beta * (prmLogprob - refLogprob);
        return Double.isFinite(reward) ? reward : null;
    }

    /**
     * r_φ = β·(prm − ref).
     *
     * @throws IllegalArgumentException naming the missing or non-finite log-prob
     */
    public double reward(Double prmLogprob, Double refLogprob) {
        String reason = reason(prmLogprob, refLogprob);
        if (reason != null) {
            throw new IllegalArgumentException(reason);
        }
        double reward = beta * (prmLogprob - refLogprob);
        if (!Double.isFinite(reward)) {
            // Two finite log-probs of opposite extreme sign can still overflow.
            throw new IllegalArgumentException(
                    "step reward overflows: prm_logprob="
                            + prmLogprob
                            + ", ref_logprob="
                            + refLogprob);
        }
        return reward;
    }

    private static String reason(Double prmLogprob, Double refLogprob) {
        if (prmLogprob == null) {
            return "prm_logprob is missing";
        }
        if (refLogprob == null) {
            return "ref_logprob is missing";
        }
        if (!Double.isFinite(prmLogprob)) {
            return "prm_logprob must be finite, but was " + prmLogprob;
        }
        if (!Double.isFinite(refLogprob)) {
            return "ref_logprob must be finite, but was " + refLogprob;
        }
        return null;
    }
}
