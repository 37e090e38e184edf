package io.creditstream.operators.core.prm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.creditstream.operators.core.credit.CreditParams;
import io.creditstream.operators.core.credit.Normalization;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Hand-computed checks of the OPRL combination rule (docs/ALGORITHMS.md §3 Eq.1, 3–5). */
class OprlAdvantageTest {

    private static final double EPS = 1e-6;
    private static final double TOL = 1e-9;
    private static final ExternalStepReward EQ1 = ExternalStepReward.withDefaults();

    /**
     * Three rollouts whose external log-probs give, with β = 0.05, the pooled step rewards {0.05,
     * −0.05 | 0 | 0.1, −0.1, 0}: mean 0 exactly, unbiased variance (2·0.05² + 2·0.1²)/5 = 0.005.
     */
    private static List<OprlTrajectory> externalGroup(double o1, double o2, double o3) {
        return List.of(
                new OprlTrajectory(
                        o1, new double[] {EQ1.reward(-1.0, -2.0), EQ1.reward(-3.0, -2.0)}),
                new OprlTrajectory(o2, new double[] {EQ1.reward(-2.0, -2.0)}),
                new OprlTrajectory(
                        o3,
                        new double[] {
                            EQ1.reward(0.0, -2.0), EQ1.reward(-4.0, -2.0), EQ1.reward(-5.0, -5.0)
                        }));
    }

    private static final double[][] R_PHI = {{0.05, -0.05}, {0.0}, {0.1, -0.1, 0.0}};
    private static final double POOLED_STD = Math.sqrt((2 * 0.05 * 0.05 + 2 * 0.1 * 0.1) / 5);

    @Test
    void externalPathReproducesEquationsOneToFiveWithTheDefaultRloo() {
        List<List<OprlStepCredit>> credits =
                new OprlAdvantage(OprlParams.defaults()).estimate(externalGroup(1, 0, 0));

        // RLOO over outcomes {1, 0, 0}: mean 1/3, n/(n−1) = 3/2.
        double[] episode = {1.5 * (1 - 1.0 / 3), 1.5 * (0 - 1.0 / 3), 1.5 * (0 - 1.0 / 3)};
        assertThat(episode[0]).isCloseTo(1.0, within(TOL));
        assertThat(episode[1]).isCloseTo(-0.5, within(TOL));
        for (int i = 0; i < 3; i++) {
            assertThat(credits.get(i)).hasSize(R_PHI[i].length);
            for (int t = 0; t < R_PHI[i].length; t++) {
                OprlStepCredit c = credits.get(i).get(t);
                double step = R_PHI[i][t] / (POOLED_STD + EPS);
                assertThat(c.processReward()).isCloseTo(R_PHI[i][t], within(TOL));
                assertThat(c.episodeAdvantage()).isCloseTo(episode[i], within(TOL));
                assertThat(c.stepAdvantage()).isCloseTo(step, within(TOL));
                assertThat(c.advantage()).isCloseTo(episode[i] + step, within(TOL));
            }
        }
        // 0.05/√0.005 = 1/√2: the pooled rule, not a per-trajectory one.
        assertThat(credits.get(0).get(0).stepAdvantage()).isCloseTo(Math.sqrt(0.5), within(1e-4));
        assertThat(credits.get(1).get(0).stepAdvantage()).isZero();
    }

    @Test
    void grpoEpisodeEstimatorDividesByTheUnbiasedStdPlusEpsilon() {
        OprlParams grpo = OprlParams.defaults().withEpisodeEstimator(EpisodeEstimator.GRPO);
        List<List<OprlStepCredit>> credits =
                new OprlAdvantage(grpo).estimate(externalGroup(1, 0, 0));

        // Outcomes {1, 0, 0}: std = sqrt(((2/3)² + 2·(1/3)²)/2) = sqrt(1/3).
        double std = Math.sqrt(1.0 / 3);
        assertThat(credits.get(0).get(1).episodeAdvantage())
                .isCloseTo((2.0 / 3) / (std + EPS), within(TOL));
        assertThat(credits.get(2).get(0).episodeAdvantage())
                .isCloseTo((-1.0 / 3) / (std + EPS), within(TOL));
        // The step level is unchanged by the episode estimator.
        assertThat(credits.get(2).get(0).stepAdvantage())
                .isCloseTo(0.1 / (POOLED_STD + EPS), within(TOL));
    }

    @Test
    void groupWithoutPreferencePairHasZeroEpisodeAdvantageButPooledStepAdvantage() {
        for (EpisodeEstimator estimator : EpisodeEstimator.values()) {
            OprlParams params = OprlParams.defaults().withEpisodeEstimator(estimator);
            List<List<OprlStepCredit>> credits =
                    new OprlAdvantage(params).estimate(externalGroup(0, 0, 0));
            for (int i = 0; i < 3; i++) {
                for (int t = 0; t < R_PHI[i].length; t++) {
                    OprlStepCredit c = credits.get(i).get(t);
                    assertThat(c.episodeAdvantage()).isZero();
                    assertThat(c.stepAdvantage())
                            .isCloseTo(R_PHI[i][t] / (POOLED_STD + EPS), within(TOL));
                    assertThat(c.advantage()).isEqualTo(c.stepAdvantage());
                }
            }
        }
    }

    @Test
    void stepWeightScalesOnlyTheStepTerm() {
        OprlParams half = OprlParams.defaults().withStepWeight(0.5);
        OprlParams off = OprlParams.defaults().withStepWeight(0.0);
        List<OprlTrajectory> group = externalGroup(1, 0, 0);

        OprlStepCredit a = new OprlAdvantage(half).estimate(group).get(2).get(1);
        OprlStepCredit b = new OprlAdvantage(off).estimate(group).get(2).get(1);

        double step = -0.1 / (POOLED_STD + EPS);
        assertThat(a.advantage()).isCloseTo(-0.5 + 0.5 * step, within(TOL));
        assertThat(a.stepAdvantage()).isCloseTo(step, within(TOL));
        assertThat(b.advantage()).isCloseTo(-0.5, within(TOL));
    }

    @Test
    void meanNormalizationSubtractsThePooledMeanOnlyAndRlooIgnoresIt() {
        OprlParams mean = OprlParams.defaults().withNormalization(Normalization.MEAN);
        List<OprlTrajectory> group =
                List.of(
                        new OprlTrajectory(2, new double[] {0.3, 0.1}),
                        new OprlTrajectory(0, new double[] {0.2}));

        List<List<OprlStepCredit>> credits = new OprlAdvantage(mean).estimate(group);

        // Pool {0.3, 0.1, 0.2}: mean 0.2. RLOO over {2, 0}: 2·(2 − 1) = 2 and −2.
        assertThat(credits.get(0).get(0).stepAdvantage()).isCloseTo(0.1, within(TOL));
        assertThat(credits.get(0).get(1).stepAdvantage()).isCloseTo(-0.1, within(TOL));
        assertThat(credits.get(1).get(0).stepAdvantage()).isCloseTo(0, within(TOL));
        assertThat(credits.get(0).get(0).episodeAdvantage()).isCloseTo(2, within(TOL));
        assertThat(credits.get(1).get(0).episodeAdvantage()).isCloseTo(-2, within(TOL));
    }

    @Test
    void singletonGroupKeepsRawScoresAtBothLevels() {
        List<OprlTrajectory> single = List.of(new OprlTrajectory(0.7, new double[] {0.04}));

        OprlStepCredit rloo =
                new OprlAdvantage(OprlParams.defaults()).estimate(single).get(0).get(0);
        OprlStepCredit grpo =
                new OprlAdvantage(OprlParams.defaults().withEpisodeEstimator(EpisodeEstimator.GRPO))
                        .estimate(single)
                        .get(0)
                        .get(0);

        assertThat(rloo.episodeAdvantage()).isEqualTo(0.7);
        assertThat(grpo.episodeAdvantage()).isCloseTo(0.7 / (1 + EPS), within(TOL));
        assertThat(rloo.stepAdvantage()).isCloseTo(0.04 / (1 + EPS), within(TOL));
    }

    @Test
    void equalStepRewardsGiveExactlyZeroStepAdvantage() {
        List<OprlTrajectory> group =
                List.of(
                        new OprlTrajectory(1, new double[] {0.1, 0.1}),
                        new OprlTrajectory(0, new double[] {0.1}));

        for (List<OprlStepCredit> steps :
                new OprlAdvantage(OprlParams.defaults()).estimate(group)) {
            for (OprlStepCredit c : steps) {
                assertThat(c.stepAdvantage()).isZero();
                assertThat(c.advantage()).isEqualTo(c.episodeAdvantage());
            }
        }
    }

    @Test
    void rejectsBadInputAndSettings() {
        OprlAdvantage oprl = new OprlAdvantage(OprlParams.defaults());
        assertThatThrownBy(() -> oprl.estimate(List.of()))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new OprlTrajectory(1, new double[0]))
                .hasMessageContaining("at least one step");
        assertThatThrownBy(() -> new OprlTrajectory(1, new double[] {Double.NaN}))
                .hasMessageContaining("finite");
        assertThatThrownBy(() -> OprlParams.defaults().withStepWeight(Double.POSITIVE_INFINITY))
                .hasMessageContaining(OprlParams.KEY_STEP_WEIGHT);
        assertThatThrownBy(() -> OprlParams.defaults().withEpsilon(-1))
                .hasMessageContaining(CreditParams.KEY_EPSILON);
        assertThat(EpisodeEstimator.fromConfig(" GRPO ")).isEqualTo(EpisodeEstimator.GRPO);
        assertThatThrownBy(() -> EpisodeEstimator.fromConfig("ppo"))
                .hasMessageContaining(OprlParams.KEY_EPISODE_ESTIMATOR)
                .hasMessageContaining("rloo");
    }
}
