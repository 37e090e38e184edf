package io.creditstream.tools.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.creditstream.schemas.StepEvent;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class OpenEpisodeGeneratorTest {

    private static OpenEpisodeGenerator generator(int open, int length, int groupSize) {
        return new OpenEpisodeGenerator(
                new OpenEpisodeGenerator.Shape(open, length, groupSize, 4, 16, 16, 7));
    }

    /** Replays the steps and counts, per step, the episodes that have begun and not ended. */
    @ParameterizedTest
    @CsvSource({"1000, 4, 8", "96, 10, 8", "40, 100, 8", "16, 3, 4", "8, 5, 8", "64, 2, 8"})
    void onceFilledExactlyTheTargetIsOpenBetweenVisits(int open, int length, int groupSize) {
        OpenEpisodeGenerator generator = generator(open, length, groupSize);
        Set<String> begun = new HashSet<>();
        long fill = generator.fillSteps();
        for (long i = 0; i < fill + 20L * open; i++) {
            StepEvent step = generator.next();
            if (step.getStepIndex() == 0) {
                assertThat(begun.add(step.getEpisodeId().toString())).isTrue();
            }
            if (step.getDone()) {
                begun.remove(step.getEpisodeId().toString());
            }
            assertThat(generator.openEpisodes()).isEqualTo(begun.size()).isLessThanOrEqualTo(open);
            if (i < fill) {
                assertThat(generator.episodesDone()).as("no episode ends during the fill").isZero();
            }
            if (i == fill - 1) {
                assertThat(begun).as("every slot holds an episode after the fill").hasSize(open);
            }
            if (i >= fill) {
                // One fewer only between an episode's last step and its successor's first.
                assertThat(begun.size()).as("open after step %d", i).isBetween(open - 1, open);
                assertThat(begun.size() == open || step.getDone()).isTrue();
            }
        }
    }

    @Test
    void theFillSpreadsTheHeadStartsEvenlySoTheStepsHeldAreAboutHalfAnEpisodeEach() {
        int open = 10_000;
        int length = 20;
        OpenEpisodeGenerator generator = generator(open, length, 8);

        assertThat((double) generator.fillSteps())
                .isCloseTo(open * length / 2.0, org.assertj.core.data.Percentage.withPercentage(5));
    }

    @Test
    void everyEpisodeHasItsLengthWithContiguousIndicesAndEveryGroupItsSize() {
        int length = 7;
        int groupSize = 4;
        OpenEpisodeGenerator generator = generator(64, length, groupSize);
        Map<String, Integer> nextIndex = new HashMap<>();
        Map<String, Set<String>> groups = new HashMap<>();
        List<String> completed = new ArrayList<>();
        Map<String, Integer> firstEnd = new HashMap<>();
        Map<String, Integer> lastEnd = new HashMap<>();
        int steps = 64 * length * 5;
        for (int i = 0; i < steps; i++) {
            StepEvent step = generator.next();
            String episode = step.getEpisodeId().toString();
            assertThat(step.getStepIndex()).isEqualTo(nextIndex.getOrDefault(episode, 0));
            assertThat(step.getGroupSize()).isEqualTo(groupSize);
            assertThat(step.getDone()).isEqualTo(step.getStepIndex() == length - 1);
            nextIndex.put(episode, step.getStepIndex() + 1);
            groups.computeIfAbsent(step.getGroupId().toString(), g -> new HashSet<>()).add(episode);
            if (step.getDone()) {
                completed.add(episode);
                firstEnd.putIfAbsent(step.getGroupId().toString(), i);
                lastEnd.put(step.getGroupId().toString(), i);
                assertThat(step.getEpisodeReturn()).isIn(0.0, 1.0);
            }
        }
        assertThat(completed).doesNotHaveDuplicates().isNotEmpty();
        assertThat(groups.values())
                .allSatisfy(members -> assertThat(members).hasSizeLessThanOrEqualTo(groupSize));
        // A group's members end at most P = length - 1 rounds apart (a round: 64 visits, at most
        // 128 steps): a group whose first member ended long before the last step is complete.
        Map<String, Long> ended = new HashMap<>();
        completed.forEach(e -> ended.merge(e.substring(0, e.lastIndexOf("-e")), 1L, Long::sum));
        List<String> early =
                firstEnd.entrySet().stream()
                        .filter(e -> e.getValue() < steps - 128 * length)
                        .map(Map.Entry::getKey)
                        .toList();
        assertThat(early)
                .isNotEmpty()
                .allSatisfy(g -> assertThat(ended.get(g)).isEqualTo(groupSize));
        assertThat(generator.episodesDone()).isEqualTo(completed.size());
        // Not in lockstep: a group's members end rounds apart, as a fleet's rollouts do.
        assertThat(firstEnd.keySet())
                .anySatisfy(g -> assertThat(lastEnd.get(g) - firstEnd.get(g)).isGreaterThan(64));
    }

    @Test
    void stateKeysAndActionsStayWithinTheirCountsAndTheSeedFixesTheSteps() {
        OpenEpisodeGenerator a =
                new OpenEpisodeGenerator(new OpenEpisodeGenerator.Shape(16, 5, 8, 2, 3, 5, 11));
        OpenEpisodeGenerator b =
                new OpenEpisodeGenerator(new OpenEpisodeGenerator.Shape(16, 5, 8, 2, 3, 5, 11));
        Set<String> keys = new HashSet<>();
        Set<String> actions = new HashSet<>();
        for (int i = 0; i < 2_000; i++) {
            StepEvent step = a.next();
            assertThat(b.next()).isEqualTo(step);
            keys.add(step.getStateKey().toString());
            actions.add(step.getAction().toString());
        }
        // Two tasks, three keys each; five actions.
        assertThat(keys).hasSize(6);
        assertThat(actions).hasSize(5);
    }

    @Test
    void aShapeThatCannotBeHeldIsRejectedNamingTheSetting() {
        assertThatThrownBy(() -> generator(100, 4, 8))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("multiple of --group-size");
        assertThatThrownBy(() -> generator(96, 1, 8))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("trajectory length");
    }
}
