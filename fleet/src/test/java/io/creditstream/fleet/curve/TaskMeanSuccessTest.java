package io.creditstream.fleet.curve;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class TaskMeanSuccessTest {

    @Test
    void eachTaskWeighsTheSameHoweverManyEpisodesItWasGiven() {
        TaskMeanSuccess success = new TaskMeanSuccess(4);
        // A solved task given 2 rollouts, a hard one given 10 with 2 successes: the fleet-wide
        // rate is 4/12; the task mean is (1 + the hard task's rate over its last 4) / 2.
        success.add("solved", true);
        success.add("solved", true);
        for (int i = 0; i < 10; i++) {
            success.add("hard", i == 0 || i == 8);
        }

        // "hard" keeps its last 4 episodes (i = 6..9): one success.
        assertThat(success.mean()).isCloseTo((1.0 + 0.25) / 2, within(1e-12));
        assertThat(success.tasks()).isEqualTo(2);
    }

    @Test
    void beforeAnyEpisodeThereIsNoFigure() {
        assertThat(new TaskMeanSuccess(5).mean()).isNaN();
    }

    @Test
    void theWindowMustHoldAnEpisode() {
        assertThatThrownBy(() -> new TaskMeanSuccess(0)).hasMessageContaining("episodesPerTask");
    }
}
