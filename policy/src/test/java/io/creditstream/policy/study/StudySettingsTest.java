package io.creditstream.policy.study;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.creditstream.fleet.env.MazeSpec;
import io.creditstream.operators.core.credit.Estimator;
import io.creditstream.operators.core.credit.IgpoParams;
import io.creditstream.operators.core.credit.PureParams;
import org.junit.jupiter.api.Test;

class StudySettingsTest {

    @Test
    void defaultsAreTheStandardMazeWithoutPenalty() {
        StudySettings settings = StudySettings.builder().build();

        assertThat(settings.estimator()).isEqualTo(Estimator.GIGPO);
        assertThat(settings.maze()).isEqualTo(MazeSpec.standard());
        assertThat(settings.tasks()).isEqualTo(32);
        assertThat(settings.groupSize()).isEqualTo(8);
        assertThat(settings.invalidActionPenalty()).isZero();
        assertThat(settings.window()).isEqualTo(200);
        assertThat(settings.networkSpec().rows()).isEqualTo(7);
        assertThat(settings.networkSpec().cols()).isEqualTo(11);
        assertThat(settings.label()).isEqualTo("gigpo");
    }

    @Test
    void creditParamsCarryTheEstimatorAndPenalty() {
        StudySettings settings =
                StudySettings.builder().estimator(Estimator.GRPO).invalidActionPenalty(0.1).build();

        assertThat(settings.creditParams().estimator()).isEqualTo(Estimator.GRPO);
        assertThat(settings.creditParams().invalidActionPenalty()).isEqualTo(0.1);
        assertThat(settings.label()).isEqualTo("grpo penalty 0.1");
        assertThat(settings.toBuilder().build()).isEqualTo(settings);
    }

    @Test
    void rejectsAnEstimatorTheLoopDoesNotRun() {
        assertThatThrownBy(() -> StudySettings.builder().estimator(Estimator.RLOO).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("rloo")
                .hasMessageContaining("grpo, gigpo, oprl, tempo, pure or igpo");
        assertThatThrownBy(() -> StudySettings.builder().estimator(null).build())
                .isInstanceOf(NullPointerException.class)
                .hasMessageContaining("estimator");
    }

    @Test
    void rejectsABudgetOfPartGroups() {
        assertThatThrownBy(() -> StudySettings.builder().episodes(1001).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("multiple of groupSize 8")
                .hasMessageContaining("1001");
        assertThatThrownBy(() -> StudySettings.builder().episodes(0).build())
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void rejectsGroupsWithoutABaselineAndEmptyUpdates() {
        assertThatThrownBy(() -> StudySettings.builder().groupSize(1).episodes(10).build())
                .hasMessageContaining("groupSize must be >= 2");
        assertThatThrownBy(() -> StudySettings.builder().groupsPerUpdate(0).build())
                .hasMessageContaining("groupsPerUpdate must be >= 1");
        assertThatThrownBy(() -> StudySettings.builder().tasks(0).build())
                .hasMessageContaining("tasks must be >= 1");
        assertThatThrownBy(() -> StudySettings.builder().window(0).build())
                .hasMessageContaining("window must be >= 1");
        assertThatThrownBy(() -> StudySettings.builder().hiddenSize(0).build())
                .hasMessageContaining("hiddenSize must be >= 1");
    }

    @Test
    void rejectsABadPenaltyAndAPenaltyOprlWouldIgnore() {
        assertThatThrownBy(() -> StudySettings.builder().invalidActionPenalty(-0.1).build())
                .hasMessageContaining("invalidActionPenalty must be a finite number >= 0");
        assertThatThrownBy(() -> StudySettings.builder().invalidActionPenalty(Double.NaN).build())
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(
                        () ->
                                StudySettings.builder()
                                        .estimator(Estimator.OPRL)
                                        .invalidActionPenalty(0.1)
                                        .build())
                .hasMessageContaining("oprl does not apply");
        assertThatThrownBy(
                        () ->
                                StudySettings.builder()
                                        .estimator(Estimator.PURE)
                                        .invalidActionPenalty(0.1)
                                        .build())
                .hasMessageContaining("pure does not apply");
    }

    @Test
    void theCreditSettingsCarryPureAndIgpoOptions() {
        PureParams pure = PureParams.defaults().withBaseline(PureParams.Baseline.TOKEN);
        IgpoParams igpo = IgpoParams.defaults().withGamma(0.9);
        StudySettings settings =
                StudySettings.builder()
                        .estimator(Estimator.IGPO)
                        .pureParams(pure)
                        .igpoParams(igpo)
                        .build();

        assertThat(settings.creditParams().estimator()).isEqualTo(Estimator.IGPO);
        assertThat(settings.creditParams().pure()).isEqualTo(pure);
        assertThat(settings.creditParams().igpo()).isEqualTo(igpo);
        assertThat(settings.toBuilder().build()).isEqualTo(settings);
    }
}
