package io.creditstream.tools;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The demo's {@code --summary} file is JSON a tool can read, whatever the run produced. */
class ClosedLoopSummaryTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void writesEveryFieldWithItsValue() throws Exception {
        ClosedLoopDemo.Summary summary =
                new ClosedLoopDemo.Summary(
                        "gigpo",
                        4321,
                        0.8125,
                        17.5,
                        12,
                        13,
                        61.25,
                        Path.of("c.csv"),
                        Path.of("c.png"),
                        40,
                        new ClosedLoopDemo.Staleness(
                                new ClosedLoopDemo.Trajectories(90, 1_800, 45),
                                new ClosedLoopDemo.Trajectories(10, 700, 1)),
                        null);

        JsonNode json = JSON.readTree(summary.toJson());

        assertThat(json.get("estimator").asText()).isEqualTo("gigpo");
        assertThat(json.get("episodes").asLong()).isEqualTo(4321);
        assertThat(json.get("success_rate_last_200").asDouble()).isEqualTo(0.8125);
        assertThat(json.get("mean_episode_length_last_200").asDouble()).isEqualTo(17.5);
        assertThat(json.get("learner_updates").asLong()).isEqualTo(12);
        assertThat(json.get("snapshots").asLong()).isEqualTo(13);
        assertThat(json.get("wall_seconds").asDouble()).isEqualTo(61.25);
        assertThat(json.get("curve_csv").asText()).isEqualTo("c.csv");
        assertThat(json.get("curve_png").asText()).isEqualTo("c.png");
        assertThat(json.get("budget_rounds").asLong()).isEqualTo(40);
        assertThat(json.get("kept").get("trajectories").asLong()).isEqualTo(90);
        assertThat(json.get("kept").get("mean_length").asDouble()).isEqualTo(20.0);
        assertThat(json.get("kept").get("positive_rate").asDouble()).isEqualTo(0.5);
        assertThat(json.get("dropped_stale").get("trajectories").asLong()).isEqualTo(10);
        assertThat(json.get("dropped_stale").get("mean_length").asDouble()).isEqualTo(70.0);
        assertThat(json.get("dropped_stale").get("positive_rate").asDouble()).isEqualTo(0.1);
        assertThat(json.get("stalled").isNull()).isTrue();
    }

    @Test
    void escapesPathsAndWritesNullForFiguresNotYetKnown() throws Exception {
        // A run stopped before any episode finished has no success rate; a user's output
        // directory may hold quotes and backslashes.
        Path odd = Path.of("out \"quoted\"\\dir", "curve.csv");
        ClosedLoopDemo.Summary summary =
                new ClosedLoopDemo.Summary(
                        "grpo",
                        0,
                        Double.NaN,
                        Double.NaN,
                        0,
                        0,
                        3.0,
                        odd,
                        null,
                        0,
                        ClosedLoopDemo.Staleness.NONE,
                        "no learner update for 3 min: \"job RESTARTING\"");

        JsonNode json = JSON.readTree(summary.toJson());

        assertThat(json.get("success_rate_last_200").isNull()).isTrue();
        assertThat(json.get("mean_episode_length_last_200").isNull()).isTrue();
        assertThat(json.get("curve_csv").asText()).isEqualTo(odd.toString());
        assertThat(json.get("curve_png").isNull()).isTrue();
        assertThat(json.get("dropped_stale").get("mean_length").isNull()).isTrue();
        assertThat(json.get("stalled").asText())
                .isEqualTo("no learner update for 3 min: \"job RESTARTING\"");
    }
}
