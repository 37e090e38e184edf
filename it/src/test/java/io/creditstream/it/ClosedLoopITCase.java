package io.creditstream.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.creditstream.fleet.SimulatedFleet;
import io.creditstream.fleet.env.KeyDoorMazeEnvironment;
import io.creditstream.fleet.env.MazeSpec;
import io.creditstream.fleet.policy.RandomPolicy;
import io.creditstream.tools.ClosedLoopDemo;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.apache.flink.configuration.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole loop on the easy maze: fleet process → agent.steps → the job (GiGPO) → learner.batches
 * → learner process → policy.snapshots → fleet and job. A policy that starts random must end up far
 * above a random policy's success rate; the demo stops as soon as it is at 80%.
 */
class ClosedLoopITCase {
    @TempDir Path dir;

    @Test
    void thePolicyLearnsTheSmallMazeThroughKafkaFlinkAndTheLearner() throws Exception {
        double random = randomPolicySuccessRate(1_000);
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        ClosedLoopDemo.Summary summary =
                new ClosedLoopDemo(
                                new ClosedLoopDemo.Settings(
                                        6_000,
                                        0.8,
                                        Duration.ofMinutes(7),
                                        1,
                                        1,
                                        1,
                                        8,
                                        "small",
                                        0,
                                        1_024,
                                        Duration.ofSeconds(5),
                                        0,
                                        System.getProperty("java.class.path"),
                                        List.of("--lr", "0.003", "--batch-records", "512"),
                                        dir),
                                new Configuration(),
                                new PrintStream(printed, true, StandardCharsets.UTF_8))
                        .run(() -> false);

        String output = printed.toString(StandardCharsets.UTF_8);
        assertThat(random).isLessThan(0.05);
        // Runs until 80% or 6,000 episodes: how soon the first lucky successes come varies a lot
        // from run to run (take-off seen anywhere from ~350 to ~1,400 episodes).
        assertThat(summary.episodes()).as(output).isGreaterThanOrEqualTo(ClosedLoopDemo.WINDOW);
        // A quick run reaches 80% after a few hundred episodes and under ten updates.
        assertThat(summary.learnerUpdates()).as(output).isGreaterThanOrEqualTo(2);
        // Every version announced exactly once, version 0 (the initial policy) included.
        assertThat(summary.snapshots()).as(output).isEqualTo(summary.learnerUpdates() + 1);
        assertThat(summary.successRateLast200())
                .as("success over the last 200 episodes; random policy %s%n%s", random, output)
                .isGreaterThan(Math.max(0.5, 10 * random));
        if (summary.episodes() < 6_000
                && summary.wallSeconds() < Duration.ofMinutes(6).toSeconds()) {
            // Stopped before the episode budget and the time limit: only the target does that.
            assertThat(summary.successRateLast200()).isGreaterThanOrEqualTo(0.8);
            assertThat(output).contains("reached").contains("stopping");
        }
        assertThat(Files.size(summary.curveCsv())).isPositive();
        assertThat(Files.size(summary.curvePng())).isPositive();
        assertThat(summary.toJson())
                .contains("\"episodes\"")
                .contains("\"success_rate_last_200\"")
                .contains("\"learner_updates\"")
                .contains("\"snapshots\"")
                .contains("\"wall_seconds\"");
    }

    private static double randomPolicySuccessRate(int episodes) {
        SimulatedFleet fleet =
                SimulatedFleet.builder("random")
                        .tasks(1)
                        .groupSize(8)
                        .seed(1)
                        .environment(() -> new KeyDoorMazeEnvironment(MazeSpec.small()))
                        .policy(new RandomPolicy(1))
                        .build();
        int played = 0;
        int successes = 0;
        while (played < episodes) {
            var group = fleet.nextRolloutGroup();
            played += group.episodes();
            successes += group.successes();
        }
        return (double) successes / played;
    }
}
