package io.creditstream.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.creditstream.tools.RandomFleetDemo;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.regex.Pattern;
import org.apache.flink.configuration.Configuration;
import org.junit.jupiter.api.Test;

/**
 * The newcomer's first command, {@code ./creditstream demo}, for a short run: broker, job and fleet
 * come up, advantages flow to learner.batches, and the job's Prometheus endpoint answers.
 */
class RandomFleetDemoITCase {
    /** A progress line once batches have come back: "batches out N" with N at least 1. */
    private static final Pattern BATCHES_CAME_BACK = Pattern.compile("batches out [1-9]");

    @Test
    void advantagesFlowAndPrometheusServesTheJobsMetrics() throws Exception {
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        long guard = System.nanoTime() + HangGuard.EVENT.toNanos();
        // Runs until a progress line shows batches read back (an event, not a duration: start-up
        // alone can take tens of seconds on a busy machine), then stops the way Ctrl-C does.
        RandomFleetDemo.Summary summary =
                new RandomFleetDemo(
                                new RandomFleetDemo.Settings(
                                        null, 4, 8, 3, 5_000, 0, Duration.ofSeconds(2)),
                                new Configuration(),
                                new PrintStream(printed, true, StandardCharsets.UTF_8))
                        .run(
                                () ->
                                        BATCHES_CAME_BACK
                                                        .matcher(
                                                                printed.toString(
                                                                        StandardCharsets.UTF_8))
                                                        .find()
                                                || System.nanoTime() > guard);

        String output = printed.toString(StandardCharsets.UTF_8);
        assertThat(output).contains("Prometheus metrics: http://127.0.0.1:");
        assertThat(output).contains("events sent");
        assertThat(output).contains("job: stopped with a final savepoint");
        assertThat(summary.eventsSent()).isPositive();
        assertThat(summary.eventsIn()).as("events in, scraped from Prometheus").isPositive();
        assertThat(summary.groupsCompleted()).as("groups completed, from Prometheus").isPositive();
        assertThat(summary.records()).as("advantage records read back").isPositive();
        assertThat(summary.batches()).isPositive();
        assertThat(summary.meanAbsAdvantage()).isPositive();
        assertThat(summary.deadLettered()).isZero();
        assertThat(summary.budgetRounds()).as("knapsack rounds the fleet asked for").isPositive();
    }
}
