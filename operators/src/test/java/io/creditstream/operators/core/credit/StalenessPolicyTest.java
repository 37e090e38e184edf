package io.creditstream.operators.core.credit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.creditstream.operators.core.prm.OprlGroups;
import io.creditstream.operators.core.prm.OprlGroups.Episode;
import io.creditstream.operators.core.prm.OprlGroups.Step;
import io.creditstream.schemas.internal.Trajectory;
import io.creditstream.schemas.internal.TrajectoryGroup;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class StalenessPolicyTest {

    /** A group of four whose trajectories were sampled by the given policy versions. */
    private static TrajectoryGroup sampledBy(long... versions) {
        TrajectoryGroup group =
                OprlGroups.group(
                        "g",
                        Episode.of(1, Step.of("a", "x")),
                        Episode.of(0, Step.of("a", "y")),
                        Episode.of(0, Step.of("b", "x")),
                        Episode.of(1, Step.of("b", "y")));
        List<Trajectory> trajectories = new ArrayList<>();
        for (int i = 0; i < versions.length; i++) {
            trajectories.add(
                    Trajectory.newBuilder(group.getTrajectories().get(i))
                            .setPolicyVersion(versions[i])
                            .build());
        }
        return TrajectoryGroup.newBuilder(group).setTrajectories(trajectories).build();
    }

    @Test
    void withoutAKnownVersionNothingIsDropped() {
        TrajectoryGroup group = sampledBy(0, 0, 0, 0);
        StalenessPolicy.Outcome outcome = new StalenessPolicy(2, 2).apply(group, null);
        assertThat(outcome.kept()).isSameAs(group);
        assertThat(outcome.lags()).isEmpty();
    }

    @Test
    void trajectoriesWithinTheLagAreKeptAndTheGroupIsUntouched() {
        TrajectoryGroup group = sampledBy(8, 9, 10, 11);
        StalenessPolicy.Outcome outcome = new StalenessPolicy(2, 2).apply(group, 10L);
        assertThat(outcome.kept()).isSameAs(group);
        // Version 11 is newer than the newest snapshot the job has seen: lag 0.
        assertThat(outcome.lags()).containsExactly(2, 1, 0, 0);
        assertThat(outcome.droppedTrajectories()).isZero();
    }

    @Test
    void staleTrajectoriesAreDroppedAndTheGroupMarkedPartial() {
        StalenessPolicy.Outcome outcome =
                new StalenessPolicy(2, 2).apply(sampledBy(7, 9, 3, 10), 10L);
        assertThat(outcome.droppedTrajectories()).isEqualTo(2);
        assertThat(outcome.kept().getPartial()).isTrue();
        assertThat(outcome.kept().getTrajectories())
                .extracting(Trajectory::getPolicyVersion)
                .containsExactly(9L, 10L);
        assertThat(outcome.lags()).containsExactly(3, 1, 7, 0);
    }

    @Test
    void aGroupLeftBelowTheMinimumSizeIsDroppedWhole() {
        StalenessPolicy.Outcome outcome =
                new StalenessPolicy(0, 2).apply(sampledBy(9, 9, 9, 10), 10L);
        assertThat(outcome.kept()).isNull();
        assertThat(outcome.droppedTrajectories()).isEqualTo(4);
    }

    @Test
    void rejectsANegativeLagNamingTheKey() {
        assertThatThrownBy(() -> new StalenessPolicy(-1, 2))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("credit.max-policy-lag");
    }
}
