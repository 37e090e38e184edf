package io.creditstream.policy.study;

import static org.assertj.core.api.Assertions.assertThat;

import io.creditstream.fleet.curve.Curve;
import io.creditstream.fleet.curve.CurvePoint;
import io.creditstream.fleet.env.MazeSpec;
import io.creditstream.operators.core.credit.Estimator;
import java.util.List;
import org.junit.jupiter.api.Test;

class InProcessStudyTest {

    /** The small maze, two layouts and a small network: cheap runs for bookkeeping checks. */
    private static StudySettings.Builder small() {
        return StudySettings.builder()
                .maze(MazeSpec.small())
                .tasks(2)
                .hiddenSize(32)
                .window(100)
                .groupsPerUpdate(2);
    }

    /**
     * One small layout, where a random policy succeeds about 0.3% of the time. How soon the first
     * lucky successes come, and so how soon learning starts, varies from seed to seed at this
     * budget (seed 1 takes off by about 600 episodes, seed 3 not by 1,600): this checks that the
     * loop learns, not how fast. One epoch, as when the take-off points above were measured.
     */
    @Test
    void gigpoLearnsASmallMazeFarBeyondARandomPolicy() {
        StudySettings settings =
                StudySettings.builder()
                        .maze(MazeSpec.small())
                        .tasks(1)
                        .window(100)
                        .estimator(Estimator.GIGPO)
                        .update(StudySettings.DEFAULT_UPDATE.withLearningRate(3e-3).withEpochs(1))
                        .groupsPerUpdate(4)
                        .episodes(1024)
                        .seed(1)
                        .build();
        double random = InProcessStudy.randomPolicySuccessRate(settings, 1024);

        Curve curve = new InProcessStudy(settings).run();

        assertThat(random).isLessThan(0.02);
        assertThat(curve.last().successRate()).isGreaterThan(Math.max(0.8, 20 * random));
        assertThat(curve.last().meanEpisodeLength()).isLessThan(MazeSpec.small().maxSteps() / 2.0);
    }

    @Test
    void pointsFollowTheBudgetAndTheUpdates() {
        StudySettings settings =
                small().estimator(Estimator.GRPO).episodes(40).groupsPerUpdate(2).build();

        Curve curve = new InProcessStudy(settings).run();

        // 5 groups: two updates of 2 groups, then one of the last group.
        assertThat(curve.points()).extracting(CurvePoint::episodes).containsExactly(16L, 32L, 40L);
        assertThat(curve.points()).extracting(CurvePoint::updates).containsExactly(1L, 2L, 3L);
        assertThat(curve.label()).isEqualTo("grpo");
        assertThat(curve.seed()).isEqualTo(1);
        assertThat(curve.points())
                .allSatisfy(
                        p -> {
                            assertThat(p.successRate()).isBetween(0.0, 1.0);
                            assertThat(p.meanEpisodeLength()).isBetween(1.0, 30.0);
                            assertThat(p.meanAbsAdvantage()).isNotNegative();
                            assertThat(p.entropy()).isBetween(0.0, Math.log(6) + 1e-6);
                        });
    }

    @Test
    void aSeedDeterminesTheCurveForEveryEstimator() {
        for (Estimator estimator :
                List.of(
                        Estimator.GRPO,
                        Estimator.GIGPO,
                        Estimator.OPRL,
                        Estimator.TEMPO,
                        Estimator.PURE,
                        Estimator.IGPO)) {
            StudySettings settings = small().estimator(estimator).episodes(48).seed(7).build();
            long[] clock = {0};

            Curve first = new InProcessStudy(settings, () -> clock[0] += 1_000_000).run();
            clock[0] = 0;
            Curve second = new InProcessStudy(settings, () -> clock[0] += 1_000_000).run();

            assertThat(second).as(estimator.configName()).isEqualTo(first);
        }
    }
}
