package io.creditstream.fleet.curve;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TaskRolloutsTest {

    @Test
    void eachSpanCountsEveryTasksEpisodesAndSuccesses() {
        TaskRollouts rollouts = new TaskRollouts(4);
        rollouts.add("b", true);
        rollouts.add("a", false);
        rollouts.add("b", false);
        rollouts.add("b", true); // the 4th episode closes the first span
        rollouts.add("a", true);

        assertThat(rollouts.rows())
                .containsExactly(
                        new TaskRollouts.Row(4, "a", 1, 0),
                        new TaskRollouts.Row(4, "b", 3, 2),
                        // The open span, as it stands after 5 episodes.
                        new TaskRollouts.Row(5, "a", 1, 1));
    }

    @Test
    void aTaskWithoutEpisodesInASpanHasNoRowThere() {
        TaskRollouts rollouts = new TaskRollouts(2);
        rollouts.add("a", true);
        rollouts.add("a", true);
        rollouts.add("b", false);
        rollouts.add("b", false);

        assertThat(rollouts.rows())
                .extracting(TaskRollouts.Row::spanEndEpisodes, TaskRollouts.Row::taskId)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple(2L, "a"),
                        org.assertj.core.groups.Tuple.tuple(4L, "b"));
    }

    @Test
    void writesOneCsvRowPerTaskAndSpanQuotingOddIds(@TempDir Path dir) throws Exception {
        TaskRollouts rollouts = new TaskRollouts(2);
        rollouts.add("maze,7", true);
        rollouts.add("plain", false);
        Path file = dir.resolve("sub/rollouts.csv");

        rollouts.write(file);

        assertThat(Files.readAllLines(file))
                .isEqualTo(List.of(TaskRollouts.HEADER, "2,\"maze,7\",1,1", "2,plain,1,0"));
    }

    @Test
    void aSpanMustHoldAtLeastOneEpisode() {
        assertThatThrownBy(() -> new TaskRollouts(0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("spanEpisodes");
    }
}
