package io.creditstream.fleet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.creditstream.fleet.env.CorridorMazeEnvironment;
import io.creditstream.schemas.StepEvent;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The fleet's rollout groups have the shape the job relies on. */
class SimulatedFleetTest {

    @Test
    void sameSeedGivesTheSameGroups() {
        SimulatedFleet first = fleet(7).build();
        SimulatedFleet second = fleet(7).build();
        for (int i = 0; i < 5; i++) {
            assertThat(second.nextGroup()).isEqualTo(first.nextGroup());
        }
        assertThat(fleet(8).build().nextGroup()).isNotEqualTo(fleet(7).build().nextGroup());
    }

    @Test
    void episodesOfOneGroupRevisitTheSameStates() {
        SimulatedFleet fleet = fleet(1).build();
        for (int g = 0; g < 20; g++) {
            Map<String, Set<String>> episodesPerState = new HashMap<>();
            for (StepEvent step : fleet.nextGroup()) {
                episodesPerState
                        .computeIfAbsent(step.getStateKey(), k -> new HashSet<>())
                        .add(step.getEpisodeId());
            }
            // The start state is shared by all episodes; anchors beyond it need revisits too.
            long sharedStates =
                    episodesPerState.values().stream().filter(eps -> eps.size() >= 2).count();
            assertThat(sharedStates).as("group %d", g).isGreaterThanOrEqualTo(2);
        }
    }

    @Test
    void everyEpisodeIsWellFormed() {
        SimulatedFleet fleet = fleet(3).groupSize(6).build();
        for (int g = 0; g < 30; g++) {
            RolloutGroup group = fleet.nextRolloutGroup();
            Map<String, List<StepEvent>> episodes = byEpisode(group.events());

            assertThat(episodes).hasSize(6);
            assertThat(group.events()).hasSize(group.steps());
            int successes = 0;
            for (List<StepEvent> steps : episodes.values()) {
                double sum = 0;
                for (int i = 0; i < steps.size(); i++) {
                    StepEvent step = steps.get(i);
                    // Contiguous 0-based indices, done only on the last, reward only at the goal.
                    assertThat(step.getStepIndex()).isEqualTo(i);
                    assertThat(step.getDone()).isEqualTo(i == steps.size() - 1);
                    assertThat(step.getReward() == 0 || step.getDone()).isTrue();
                    assertThat(step.getEpisodeReturn() != null).isEqualTo(step.getDone());
                    assertThat(step.getStateKey()).isEqualTo(step.getObservation());
                    assertThat(step.getGroupSize()).isEqualTo(6);
                    assertThat(step.getGroupId()).isEqualTo(group.groupId());
                    assertThat(step.getTaskId()).isEqualTo(group.taskId());
                    assertThat(step.getExperimentId()).isEqualTo("exp");
                    assertThat(step.getPolicyVersion()).isZero();
                    assertThat(step.getBehaviorLogprob()).isCloseTo(-Math.log(5), within(1e-12));
                    assertThat(step.getInvalidAction())
                            .isEqualTo(
                                    CorridorMazeEnvironment.INVALID_ACTION.equals(
                                            step.getAction()));
                    sum += step.getReward();
                }
                StepEvent last = steps.get(steps.size() - 1);
                assertThat(last.getEpisodeReturn()).isEqualTo(sum);
                assertThat(steps.size()).isBetween(1, CorridorMazeEnvironment.DEFAULT_MAX_STEPS);
                if (sum > 0) {
                    successes++;
                }
            }
            assertThat(group.successes()).isEqualTo(successes);
            assertThat(group.episodes()).isEqualTo(6);
        }
    }

    @Test
    void randomPlaySometimesSucceedsAndSometimesFails() {
        SimulatedFleet fleet = fleet(11).tasks(8).build();
        int episodes = 0;
        int successes = 0;
        for (int g = 0; g < 100; g++) {
            RolloutGroup group = fleet.nextRolloutGroup();
            episodes += group.episodes();
            successes += group.successes();
        }
        double rate = successes / (double) episodes;
        assertThat(rate).isGreaterThan(0.05).isLessThan(0.6);
    }

    @Test
    void tasksAreTakenInTurnAndIdsAreUniqueAndPrefixedByTheRun() {
        SimulatedFleet fleet = fleet(5).tasks(3).runId("run1").build();
        List<String> tasks = new ArrayList<>();
        Set<String> groupIds = new HashSet<>();
        for (int g = 0; g < 6; g++) {
            RolloutGroup group = fleet.nextRolloutGroup();
            tasks.add(group.taskId());
            groupIds.add(group.groupId());
            assertThat(group.groupId()).startsWith("run1-" + group.taskId());
        }
        assertThat(tasks)
                .containsExactly(
                        "task-0000",
                        "task-0001",
                        "task-0002",
                        "task-0000",
                        "task-0001",
                        "task-0002");
        assertThat(groupIds).hasSize(6);
        assertThat(fleet.nextRolloutGroup("task-0002").taskId()).isEqualTo("task-0002");
        assertThatThrownBy(() -> fleet.nextRolloutGroup("task-0003"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("3 tasks");
    }

    @Test
    void eventTimeComesFromTheInjectedClock() {
        AtomicLong now = new AtomicLong(1_000);
        List<StepEvent> events = fleet(2).clock(now::getAndIncrement).build().nextGroup();

        assertThat(events.get(0).getEventTimeMs()).isEqualTo(1_000);
        assertThat(events)
                .extracting(StepEvent::getEventTimeMs)
                .isSortedAccordingTo(Comparator.naturalOrder())
                .doesNotHaveDuplicates();
    }

    @Test
    void shufflingAndDuplicatesKeepWhatWasPlayed() {
        List<StepEvent> ordered = fleet(4).build().nextGroup();
        RolloutGroup disordered =
                fleet(4).shuffleWithinGroup(true).duplicateFraction(0.2).build().nextRolloutGroup();

        // Same play: disorder uses its own generator.
        assertThat(new HashSet<>(disordered.events())).isEqualTo(new HashSet<>(ordered));
        assertThat(disordered.steps()).isEqualTo(ordered.size());
        assertThat(disordered.events().size()).isGreaterThan(ordered.size());
        assertThat(disordered.events()).isNotEqualTo(ordered);
    }

    @Test
    void builderRejectsBadSettings() {
        assertThatThrownBy(() -> SimulatedFleet.builder(" "))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("experimentId");
        assertThatThrownBy(() -> SimulatedFleet.builder("e").groupSize(0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("groupSize");
        assertThatThrownBy(() -> SimulatedFleet.builder("e").tasks(0))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> SimulatedFleet.builder("e").duplicateFraction(1.0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("[0, 1)");
    }

    static SimulatedFleet.Builder fleet(long seed) {
        return SimulatedFleet.builder("exp").tasks(4).seed(seed).clock(() -> 0L);
    }

    private static Map<String, List<StepEvent>> byEpisode(List<StepEvent> events) {
        return events.stream()
                .collect(
                        Collectors.groupingBy(
                                StepEvent::getEpisodeId, LinkedHashMap::new, Collectors.toList()));
    }
}
