package io.creditstream.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.creditstream.fleet.SimulatedFleet;
import io.creditstream.fleet.env.KeyDoorMazeEnvironment;
import io.creditstream.fleet.env.MazeSpec;
import io.creditstream.fleet.policy.RandomPolicy;
import io.creditstream.streams.options.CreditstreamOptions;
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
 * above a random policy's success rate; the demo stops as soon as it is at 80%. With knapsack
 * budgets on, the fleet asks the job for every round's group sizes and the loop still learns; a
 * loop that cannot make progress says what is stuck and gives up.
 */
class ClosedLoopITCase {
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * The demos' time limit, twice the hang guard: a learning run that stops on time would fail for
     * the machine's speed, not for what it learned.
     */
    private static final Duration RUN_LIMIT = HangGuard.EVENT.multipliedBy(2);

    @TempDir Path dir;

    @Test
    void thePolicyLearnsTheSmallMazeThroughKafkaFlinkAndTheLearner() throws Exception {
        double random = randomPolicySuccessRate(1_000);
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        ClosedLoopDemo.Summary summary =
                new ClosedLoopDemo(
                                settings(6_000, 1, 1_024, 512),
                                new Configuration(),
                                new PrintStream(printed, true, StandardCharsets.UTF_8))
                        .run(() -> false);

        String output = printed.toString(StandardCharsets.UTF_8);
        assertThat(random).isLessThan(0.05);
        assertLearned(summary, 6_000, random, output);
        assertThat(summary.budgetRounds()).isZero();
    }

    /**
     * Issue 17: with budgets on, the fleet plays the group sizes the job's knapsack answers (a task
     * given more rollouts makes a larger group), paced by the learner's trained version; the loop
     * must reach 80% as it does with uniform groups. Four tasks, so that the rounds have something
     * to allocate. Four runs of this setting with the job's default (no fallback) took 1,075–1,626
     * episodes, six with the reference's fallback 796–2,507 (docs/BENCHMARKS.md); the limit is
     * 10,000 episodes (the time limit only a hang guard).
     */
    @Test
    void thePolicyLearnsTheSmallMazeWithKnapsackBudgets() throws Exception {
        double random = randomPolicySuccessRate(1_000);
        Configuration budgets = new Configuration();
        budgets.set(CreditstreamOptions.BUDGET_ENABLED, true);
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        ClosedLoopDemo.Summary summary =
                new ClosedLoopDemo(
                                settings(10_000, 4, 1_024, 512),
                                budgets,
                                new PrintStream(printed, true, StandardCharsets.UTF_8))
                        .run(() -> false);

        String output = printed.toString(StandardCharsets.UTF_8);
        assertThat(summary.budgetRounds()).as(output).isPositive();
        assertThat(JSON.readTree(summary.toJson()).get("budget_rounds").asLong())
                .isEqualTo(summary.budgetRounds());
        assertLearned(summary, 10_000, random, output);
        assertThat(summary.successRateLast200()).as(output).isGreaterThanOrEqualTo(0.8);
    }

    /**
     * A fleet allowed fewer steps ahead than the learner's batch can never give it an update: the
     * demo must say what is stuck and stop with the summary's stall reason instead of hanging.
     */
    @Test
    void aLoopThatCannotMakeProgressSaysWhatIsStuckAndGivesUp() throws Exception {
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        ClosedLoopDemo.Settings base = settings(6_000, 1, 256, 4_096);
        ClosedLoopDemo.Settings stalling =
                new ClosedLoopDemo.Settings(
                        base.episodes(),
                        base.stopAtSuccess(),
                        base.duration(),
                        base.seed(),
                        base.workers(),
                        base.tasks(),
                        base.groupSize(),
                        base.maze(),
                        base.fleetRate(),
                        base.maxStepsAhead(),
                        Duration.ofSeconds(2),
                        base.metricsPort(),
                        base.learnerClasspath(),
                        base.learnerArgs(),
                        base.fleetArgs(),
                        base.outputDir(),
                        Duration.ofSeconds(5),
                        Duration.ofSeconds(40));
        ClosedLoopDemo.Summary summary =
                new ClosedLoopDemo(
                                stalling,
                                new Configuration(),
                                new PrintStream(printed, true, StandardCharsets.UTF_8))
                        .run(() -> false);

        String output = printed.toString(StandardCharsets.UTF_8);
        assertThat(summary.stalled())
                .as(output)
                .startsWith("no learner update for ")
                .contains("(--stall-timeout 40 s)");
        assertThat(summary.learnerUpdates()).isZero();
        // Only a hang guard: the give-up itself is the stall timeout's event, checked above.
        assertThat(summary.wallSeconds()).isLessThan(HangGuard.EVENT.toSeconds());
        assertThat(output)
                .contains("STALLED: no learner update for")
                .containsPattern("job: [A-Z]+, 0 restarts")
                .contains("No learner update for --stall-timeout (40 s); stopping.")
                // Stalled for want of learner updates, not because the job is stuck: it still
                // takes its final savepoint.
                .contains("job: stopped with a final savepoint");
        assertThat(JSON.readTree(summary.toJson()).get("stalled").asText())
                .startsWith("no learner update for ");
    }

    /**
     * The small maze, 80% or {@code episodes} (the time limit is only a hang guard: the fleet is
     * paced by the learner, so a slow machine plays the same episodes, later), one worker of groups
     * of 8 over {@code tasks} tasks, a quick learner (updates of {@code batchRecords} samples).
     */
    private ClosedLoopDemo.Settings settings(
            long episodes, int tasks, long maxStepsAhead, int batchRecords) {
        return new ClosedLoopDemo.Settings(
                episodes,
                0.8,
                RUN_LIMIT,
                1,
                1,
                tasks,
                8,
                "small",
                0,
                maxStepsAhead,
                Duration.ofSeconds(5),
                0,
                System.getProperty("java.class.path"),
                List.of("--lr", "0.003", "--batch-records", String.valueOf(batchRecords)),
                List.of(),
                dir,
                Duration.ofSeconds(30),
                Duration.ofMinutes(3));
    }

    private static void assertLearned(
            ClosedLoopDemo.Summary summary, long episodes, double random, String output)
            throws Exception {
        assertThat(summary.stalled()).as(output).isNull();
        // Runs until 80% or the episode budget: how soon the first lucky successes come varies a
        // lot from run to run (take-off seen anywhere from ~350 to ~1,400 episodes).
        assertThat(summary.episodes()).as(output).isGreaterThanOrEqualTo(ClosedLoopDemo.WINDOW);
        // A quick run reaches 80% after a few hundred episodes and under ten updates.
        assertThat(summary.learnerUpdates()).as(output).isGreaterThanOrEqualTo(2);
        // Every version announced exactly once, version 0 (the initial policy) included.
        assertThat(summary.snapshots()).as(output).isEqualTo(summary.learnerUpdates() + 1);
        assertThat(summary.successRateLast200())
                .as("success over the last 200 episodes; random policy %s%n%s", random, output)
                .isGreaterThan(Math.max(0.5, 10 * random));
        if (summary.episodes() < episodes && summary.wallSeconds() < RUN_LIMIT.toSeconds()) {
            // Stopped before the episode budget and the time limit: only the target does that.
            assertThat(summary.successRateLast200()).isGreaterThanOrEqualTo(0.8);
            assertThat(output).contains("reached").contains("stopping");
        }
        // The job ends with a savepoint, not a cancel that cuts off the checkpoint in flight.
        assertThat(output).contains("job: stopped with a final savepoint");
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
