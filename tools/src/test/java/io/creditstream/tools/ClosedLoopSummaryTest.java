package io.creditstream.tools;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.creditstream.operators.core.credit.LengthBuckets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
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
    void writesTheLengthDistributionOfKeptAndDroppedWhenTheJobCountedIt() throws Exception {
        List<Long> kept = new ArrayList<>(Collections.nCopies(LengthBuckets.count(), 0L));
        List<Long> dropped = new ArrayList<>(kept);
        // Kept: 30 of 9-10 steps, 10 of 91-100; dropped: 4 of 91-100.
        kept.set(LengthBuckets.bucketOf(10), 30L);
        kept.set(LengthBuckets.bucketOf(100), 10L);
        dropped.set(LengthBuckets.bucketOf(100), 4L);
        ClosedLoopDemo.Summary summary =
                new ClosedLoopDemo.Summary(
                        "gigpo",
                        44,
                        0.5,
                        30,
                        1,
                        2,
                        10,
                        null,
                        null,
                        0,
                        new ClosedLoopDemo.Staleness(
                                new ClosedLoopDemo.Trajectories(40, 1_200, 30, kept),
                                new ClosedLoopDemo.Trajectories(4, 400, 0, dropped)),
                        null);

        JsonNode json = JSON.readTree(summary.toJson());

        // Rank 20 of 40 lies two thirds into (9, 10]; rank 2 of 4 half-way into (90, 100].
        assertThat(json.get("kept").get("median_length").asDouble())
                .isCloseTo(9 + 2.0 / 3, within(1e-9));
        assertThat(json.get("dropped_stale").get("median_length").asDouble())
                .isCloseTo(95, within(1e-9));
        assertThat(json.get("kept").get("length_histogram").get("10").asLong()).isEqualTo(30);
        assertThat(json.get("kept").get("length_histogram").get("100").asLong()).isEqualTo(10);
        assertThat(json.get("dropped_stale").get("length_histogram").get("inf").asLong()).isZero();
        assertThat(json.get("dropped_stale").get("length_histogram").size())
                .isEqualTo(LengthBuckets.count());
        // Without counts (an older job): no distribution, not a wrong one.
        assertThat(
                        JSON.readTree(
                                        new ClosedLoopDemo.Summary(
                                                        "gigpo",
                                                        0,
                                                        0,
                                                        0,
                                                        0,
                                                        0,
                                                        0,
                                                        null,
                                                        null,
                                                        0,
                                                        ClosedLoopDemo.Staleness.NONE,
                                                        null)
                                                .toJson())
                                .get("kept")
                                .has("median_length"))
                .isFalse();
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
