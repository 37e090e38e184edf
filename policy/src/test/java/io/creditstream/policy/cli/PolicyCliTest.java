package io.creditstream.policy.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.creditstream.broker.EmbeddedKafkaBroker;
import io.creditstream.schemas.preflight.ExitCode;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The command line: help, flag errors that name the flag, and both commands against a broker. */
class PolicyCliTest {

    @TempDir Path dir;

    @Test
    void helpExplainsBothCommandsAndListsTheirFlags() {
        Result root = run("--help");
        assertThat(root.code()).isZero();
        assertThat(root.out()).contains("learner", "fleet", "policy.snapshots");

        Result learner = run("learner", "--help");
        assertThat(learner.code()).isZero();
        assertThat(learner.out())
                .contains(
                        "--bootstrap-servers",
                        "--experiment",
                        "--store",
                        "--checkpoint",
                        "--lr",
                        "--epochs",
                        "--minibatch",
                        "--clip",
                        "--entropy",
                        "--batch-records",
                        "--snapshot-every",
                        "--seed",
                        "--maze",
                        "--duration",
                        "--on-offset-past-end",
                        "--max-pending-samples",
                        "default: 2048",
                        "read_committed");

        Result fleet = run("fleet", "--help");
        assertThat(fleet.code()).isZero();
        assertThat(fleet.out())
                .contains(
                        "--bootstrap-servers",
                        "--maze",
                        "--workers",
                        "--tasks",
                        "--group-size",
                        "--max-episodes",
                        "--rate",
                        "--snapshot-wait",
                        "--stall-warning",
                        "--step-latency",
                        "trained_policy_version",
                        "--budget");
    }

    @Test
    void badFlagsAreNamedWithTheirFix() {
        assertUsageError(run("learner"), "--bootstrap-servers");
        assertUsageError(
                run("learner", "--bootstrap-servers", "localhost:1", "--batch-records", "0"),
                "--batch-records: must be at least 1");
        assertUsageError(
                run("learner", "--bootstrap-servers", "localhost:1", "--lr", "-1"), "--lr: ");
        assertUsageError(
                run("learner", "--bootstrap-servers", "localhost:1", "--clip", "2"), "--clip: ");
        assertUsageError(
                run("learner", "--bootstrap-servers", "localhost:1", "--experiment", "a/b"),
                "--experiment: ");
        assertUsageError(
                run("learner", "--bootstrap-servers", "localhost:1", "--maze", "huge"),
                "use standard (7x11), small (3x5), spread (7x11 in five step-limit tiers) or graded");
        assertUsageError(
                run("learner", "--bootstrap-servers", "localhost:1", "--duration", "soon"),
                "use e.g. 500ms, 30s, 5min or 2h");
        assertUsageError(
                run(
                        "learner",
                        "--bootstrap-servers",
                        "localhost:1",
                        "--on-offset-past-end",
                        "rewind"),
                "use fail, earliest or latest");
        assertUsageError(
                run("learner", "--bootstrap-servers", "localhost:1", "--max-pending-samples", "10"),
                "--max-pending-samples: must be at least --batch-records (2048)");
        assertUsageError(
                run("fleet", "--bootstrap-servers", "localhost:1", "--group-size", "0"),
                "--group-size: must be at least 1");
        assertUsageError(
                run("fleet", "--bootstrap-servers", "localhost:1", "--step-latency", "11min"),
                "--step-latency: must be 0 (no delay) or a duration up to 10 min per environment"
                        + " step (e.g. 5ms), got PT11M");
    }

    @Test
    void outOfRangeTopicReplicationIsNamedBeforeKafkaIsAsked() {
        assertUsageError(
                run(
                        "learner",
                        "--bootstrap-servers",
                        "localhost:1",
                        "--topic-replication-factor",
                        "0"),
                "--topic-replication-factor must be at least 1 (3 on a production cluster), got 0");
        assertUsageError(
                run(
                        "fleet",
                        "--bootstrap-servers",
                        "localhost:1",
                        "--topic-min-insync-replicas",
                        "4"),
                "--topic-min-insync-replicas must be 1..--topic-replication-factor (3), got 4");
    }

    @Test
    void durationsTakeUnitsOrIso8601() {
        assertThat(Converters.DurationConverter.parse("500ms")).isEqualTo(Duration.ofMillis(500));
        assertThat(Converters.DurationConverter.parse("30s")).isEqualTo(Duration.ofSeconds(30));
        assertThat(Converters.DurationConverter.parse("45")).isEqualTo(Duration.ofSeconds(45));
        assertThat(Converters.DurationConverter.parse("1.5 min")).isEqualTo(Duration.ofSeconds(90));
        assertThat(Converters.DurationConverter.parse("2h")).isEqualTo(Duration.ofHours(2));
        assertThat(Converters.DurationConverter.parse("PT10S")).isEqualTo(Duration.ofSeconds(10));
    }

    @Test
    void anUnreachableBrokerPointsAtTheBootstrapFlag() {
        Result result =
                run(
                        "learner",
                        "--bootstrap-servers",
                        "127.0.0.1:1",
                        "--kafka-connect-timeout",
                        "1500ms",
                        "--store",
                        dir.toString());

        assertThat(result.code()).isEqualTo(ExitCode.KAFKA.code());
        assertThat(result.err()).contains("no Kafka broker answered", "--bootstrap-servers");
    }

    @Test
    @Timeout(60) // the fleet runs without --duration: until its episode limit
    void learnerPublishesVersionZeroAndFleetPlaysIt() {
        try (EmbeddedKafkaBroker kafka = EmbeddedKafkaBroker.builder().build().start()) {
            List<String> common =
                    List.of(
                            "--bootstrap-servers",
                            kafka.bootstrapServers(),
                            "--experiment",
                            "cli",
                            "--maze",
                            "small",
                            "--progress-interval",
                            "300ms");
            // The default, 3 replicas as the job's, cannot be placed on one broker: refused
            // before any topic is created, naming the flag and the fix.
            Result refused =
                    run(
                            join(
                                    List.of("learner"),
                                    common,
                                    List.of("--store", dir.resolve("store").toString())));
            assertThat(refused.code()).as(refused.err()).isEqualTo(PolicyCli.USAGE);
            assertThat(refused.err())
                    .contains(
                            "--topic-replication-factor=3 cannot be met: replication factor 3"
                                    + " needs at least 3 live brokers, but the cluster at "
                                    + kafka.bootstrapServers()
                                    + " has 1. Start the missing brokers, or lower"
                                    + " --topic-replication-factor");

            common = join(common, List.of("--topic-replication-factor", "1"));
            Result learner =
                    run(
                            join(
                                    List.of("learner"),
                                    common,
                                    List.of(
                                            "--store",
                                            dir.resolve("store").toString(),
                                            "--hidden",
                                            "16",
                                            "--duration",
                                            "1s")));
            assertThat(learner.code()).as(learner.err()).isZero();
            assertThat(learner.out()).contains("learner cli: version 0 ready", "done: v0");
            assertThat(dir.resolve("store/cli/policy-v0.params")).exists();
            assertThat(dir.resolve("store/cli/learner.ckpt")).exists();

            Result fleet =
                    run(
                            join(
                                    List.of("fleet"),
                                    common,
                                    List.of(
                                            // The fleet loads weights only from the learner's
                                            // store.
                                            "--store",
                                            dir.resolve("store").toString(),
                                            "--tasks",
                                            "2",
                                            "--group-size",
                                            "4",
                                            "--max-episodes",
                                            "8")));
            assertThat(fleet.code()).as(fleet.err()).isZero();
            assertThat(fleet.out()).contains("fleet cli: playing version 0", "done: policy v0");
            assertThat(fleet.out()).containsPattern("8 episodes");

            Result waiting =
                    run(
                            "fleet",
                            "--bootstrap-servers",
                            kafka.bootstrapServers(),
                            "--experiment",
                            "nobody",
                            "--snapshot-wait",
                            "500ms");
            assertThat(waiting.code()).isEqualTo(PolicyCli.FAILED);
            assertThat(waiting.err()).contains("start the learner first", "--snapshot-wait");
        }
    }

    private static void assertUsageError(Result result, String expected) {
        assertThat(result.code()).as(result.err()).isEqualTo(PolicyCli.USAGE);
        assertThat(result.err()).contains(expected);
    }

    private static List<String> join(List<String> first, List<String> second) {
        List<String> all = new ArrayList<>(first);
        all.addAll(second);
        return List.copyOf(all);
    }

    private static String[] join(List<String> first, List<String> second, List<String> third) {
        List<String> all = new ArrayList<>(first);
        all.addAll(second);
        all.addAll(third);
        return all.toArray(String[]::new);
    }

    private record Result(int code, String out, String err) {}

    private static Result run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = PolicyCli.execute(new PrintWriter(out, true), new PrintWriter(err, true), args);
        return new Result(code, out.toString(), err.toString());
    }
}
