package io.creditstream.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.creditstream.operators.core.prm.FeatureFamily;
import io.creditstream.operators.core.prm.OprlParams;
import io.creditstream.operators.core.prm.PrmParams;
import io.creditstream.operators.core.prm.TrajectoryScore;
import io.creditstream.tools.bench.PrmLearningCheck;
import java.util.EnumSet;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The in-stream PRM learns step quality it was never told, on the key-and-door maze: the learning
 * check of {@code creditstream prm-check} at a size that runs in seconds. The bar is the numpy
 * study's ~0.2 rank correlation (docs/BENCHMARKS.md has the full-size numbers).
 */
class PrmLearningITCase {

    private static PrmLearningCheck.Settings settings() {
        // The full check's held-out set (64 groups, 4000 window pairs): smaller ones are too
        // noisy to order two variants reliably.
        return new PrmLearningCheck.Settings(300, List.of(30, 300), 64, 32, 8, 0.8, 1, 10, 4000);
    }

    @Test
    void thePapersPrmBeatsTheBaselineAndItsAdvantagesTrackTrueQualityBetterThanGrpo() {
        PrmLearningCheck.Result result =
                PrmLearningCheck.run(settings(), OprlParams.defaults(), PrmParams.defaults(), null);

        PrmLearningCheck.Point last = result.points().get(1);
        assertThat(last.groups()).isEqualTo(300);
        assertThat(last.stepSpearman()).isGreaterThan(0.2);
        assertThat(last.withinStateAccuracy()).isGreaterThan(0.55);
        assertThat(last.equalLengthPairAccuracy()).isGreaterThan(0.55);
        // Outcome pairs are easy (failures run to the step limit): high, and not the point.
        assertThat(last.outcomePairAccuracy()).isGreaterThan(0.9);
        assertThat(last.oprlAdvantageSpearman())
                .isGreaterThan(result.grpoAdvantageSpearman() + 0.1)
                .isGreaterThan(result.gigpoAdvantageSpearman());
    }

    @Test
    void aLengthNeutralStateActionPrmRanksEqualLengthBehaviourBetter() {
        PrmParams paper = PrmParams.defaults();
        PrmParams tuned =
                PrmParams.defaults()
                        .withTrajectoryScore(TrajectoryScore.MEAN)
                        .withFeatures(EnumSet.of(FeatureFamily.STATE_ACTION))
                        .withLearningRate(30);

        PrmLearningCheck.Point base =
                PrmLearningCheck.run(settings(), OprlParams.defaults(), paper, null)
                        .points()
                        .get(1);
        PrmLearningCheck.Point better =
                PrmLearningCheck.run(settings(), OprlParams.defaults(), tuned, null)
                        .points()
                        .get(1);

        assertThat(better.equalLengthPairAccuracy()).isGreaterThan(base.equalLengthPairAccuracy());
        assertThat(better.oprlAdvantageSpearmanAllFailed())
                .isGreaterThan(base.oprlAdvantageSpearmanAllFailed());
    }
}
