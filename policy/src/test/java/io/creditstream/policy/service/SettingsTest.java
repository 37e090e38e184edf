package io.creditstream.policy.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.creditstream.fleet.env.MazeSpec;
import io.creditstream.policy.fleet.FleetSettings;
import io.creditstream.policy.model.NetworkSpec;
import io.creditstream.policy.training.UpdateOptions;
import java.nio.file.Path;
import java.time.Duration;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;

/** Learner and fleet settings: defaults, and validation that names the bad setting. */
class SettingsTest {

    @Test
    void learnerDefaultsMatchTheDocumentedOnes() {
        LearnerSettings settings = LearnerSettings.builder("localhost:9092").build();

        assertThat(settings.experimentId()).isEqualTo("demo");
        assertThat(settings.batchesTopic()).isEqualTo("learner.batches");
        assertThat(settings.snapshotsTopic()).isEqualTo("policy.snapshots");
        assertThat(settings.batchRecords()).isEqualTo(2048);
        assertThat(settings.snapshotEvery()).isEqualTo(1);
        assertThat(settings.updateOptions()).isEqualTo(UpdateOptions.DEFAULTS);
        assertThat(settings.checkpointFile())
                .isEqualTo(Path.of("policy-store", "demo", "learner.ckpt"));
        assertThat(settings.networkSpec()).isEqualTo(NetworkSpec.keyDoorMaze(7, 11));
        assertThat(settings.onOffsetPastEnd()).isEqualTo(OffsetPastEnd.FAIL);
        assertThat(settings.maxPendingSamples()).isEqualTo(4 * 2048);
        assertThat(LearnerSettings.builder("k:1").batchRecords(100).build().maxPendingSamples())
                .isEqualTo(400);
    }

    @Test
    void learnerSettersReachTheUpdateOptions() {
        LearnerSettings settings =
                LearnerSettings.builder("k:1")
                        .learningRate(3e-4)
                        .epochs(2)
                        .minibatchSize(64)
                        .clipEpsilon(0.1)
                        .entropyCoefficient(0)
                        .maxGradNorm(0.5)
                        .maze(Maze.SMALL)
                        .hiddenSize(32)
                        .build();

        assertThat(settings.updateOptions())
                .isEqualTo(
                        UpdateOptions.DEFAULTS
                                .withLearningRate(3e-4)
                                .withEpochs(2)
                                .withMinibatchSize(64)
                                .withClipEpsilon(0.1)
                                .withEntropyCoefficient(0)
                                .withMaxGradNorm(0.5));
        UpdateOptions unclipped =
                LearnerSettings.builder("k:1")
                        .maxGradNorm(0)
                        .targetKl(0.02)
                        .build()
                        .updateOptions();
        assertThat(unclipped.maxGradNorm()).as("0 turns the default clip off").isEmpty();
        assertThat(unclipped.targetKl()).hasValue(0.02);
        assertThat(unclipped.learningRate()).isEqualTo(UpdateOptions.DEFAULTS.learningRate());
        assertThat(settings.networkSpec())
                .isEqualTo(NetworkSpec.keyDoorMaze(3, 5).withHiddenSize(32));
    }

    @Test
    void learnerValidationNamesTheSetting() {
        assertInvalid(() -> LearnerSettings.builder(" "), "bootstrap-servers");
        assertInvalid(
                () -> LearnerSettings.builder("k:1").batchRecords(0).build(), "batch-records");
        assertInvalid(
                () -> LearnerSettings.builder("k:1").snapshotEvery(0).build(), "snapshot-every");
        assertInvalid(() -> LearnerSettings.builder("k:1").hiddenSize(0).build(), "hidden");
        assertInvalid(() -> LearnerSettings.builder("k:1").learningRate(-1), "lr");
        assertInvalid(() -> LearnerSettings.builder("k:1").epochs(0), "epochs");
        assertInvalid(() -> LearnerSettings.builder("k:1").minibatchSize(0), "minibatch");
        assertInvalid(() -> LearnerSettings.builder("k:1").clipEpsilon(1.5), "clip");
        assertInvalid(() -> LearnerSettings.builder("k:1").entropyCoefficient(-1), "entropy");
        assertInvalid(() -> LearnerSettings.builder("k:1").maxGradNorm(-1), "max-grad-norm");
        assertInvalid(() -> LearnerSettings.builder("k:1").targetKl(0), "target-kl");
        assertInvalid(
                () -> LearnerSettings.builder("k:1").experimentId("../etc").build(), "experiment");
        assertInvalid(
                () ->
                        LearnerSettings.builder("k:1")
                                .batchesTopic("same")
                                .snapshotsTopic("same")
                                .build(),
                "snapshots-topic");
        assertInvalid(
                () -> LearnerSettings.builder("k:1").kafkaTimeout(Duration.ZERO).build(),
                "kafka-timeout");
        assertInvalid(
                () -> LearnerSettings.builder("k:1").kafkaTimeout(Duration.ofHours(2)).build(),
                "kafka-timeout");
        assertInvalid(
                () ->
                        LearnerSettings.builder("k:1")
                                .batchRecords(100)
                                .maxPendingSamples(99)
                                .build(),
                "max-pending-samples");
    }

    @Test
    void runLimitsLongerThanNanosecondsCanCountAreForever() {
        assertThat(LearnerService.saturatedNanos(Duration.ofSeconds(Long.MAX_VALUE)))
                .isEqualTo(Long.MAX_VALUE);
        assertThat(LearnerService.saturatedNanos(Duration.ofSeconds(3))).isEqualTo(3_000_000_000L);
    }

    @Test
    void fleetValidationNamesTheSetting() {
        assertInvalid(() -> FleetSettings.builder("k:1").workers(0).build(), "workers");
        assertInvalid(() -> FleetSettings.builder("k:1").tasks(0).build(), "tasks");
        assertInvalid(() -> FleetSettings.builder("k:1").groupSize(0).build(), "group-size");
        assertInvalid(() -> FleetSettings.builder("k:1").maxEpisodes(-1).build(), "max-episodes");
        assertInvalid(() -> FleetSettings.builder("k:1").maxGroups(-1).build(), "max-groups");
        assertInvalid(() -> FleetSettings.builder("k:1").targetEventsPerSecond(-5).build(), "rate");
        assertInvalid(
                () -> FleetSettings.builder("k:1").maxStepsAhead(-1).build(), "max-steps-ahead");
        assertInvalid(() -> FleetSettings.builder("k:1").runId("a b").build(), "run-id");
        assertInvalid(
                () -> FleetSettings.builder("k:1").stallWarning(Duration.ofSeconds(-1)).build(),
                "stall-warning");
        assertInvalid(
                () -> FleetSettings.builder("k:1").snapshotWait(Duration.ZERO).build(),
                "snapshot-wait");
        assertInvalid(
                () -> new FleetSettings.Budget("r", "b", 0, Duration.ofSeconds(1)),
                "budget-round-size");
    }

    @Test
    void fleetRunIdsDifferBetweenRunsUnlessGiven() {
        String first = FleetSettings.builder("k:1").build().runId();
        String second = FleetSettings.builder("k:1").build().runId();

        assertThat(first).startsWith("r1-").isNotEqualTo(second);
        assertThat(FleetSettings.builder("k:1").runId("run-7").build().runId()).isEqualTo("run-7");
    }

    @Test
    void mazesParseByTheirCommandLineNames() {
        assertThat(Maze.parse("Small")).isEqualTo(Maze.SMALL);
        assertThat(Maze.parse("standard").spec()).isEqualTo(MazeSpec.standard());
        assertThat(Maze.SMALL.fits(NetworkSpec.keyDoorMaze(3, 5))).isTrue();
        assertThat(Maze.SMALL.fits(NetworkSpec.keyDoorMaze(7, 11))).isFalse();
        assertThat(Maze.parse("spread").spec()).isEqualTo(MazeSpec.spread());
        assertThat(Maze.SPREAD.fits(NetworkSpec.keyDoorMaze(7, 11))).isTrue();
        assertThat(Maze.parse("graded").spec()).isEqualTo(MazeSpec.graded());
        assertThat(Maze.GRADED.fits(NetworkSpec.keyDoorMaze(7, 11))).isTrue();
        assertThatThrownBy(() -> Maze.parse("huge"))
                .hasMessageContaining("use standard (7x11), small (3x5), spread")
                .hasMessageContaining("graded");
    }

    private static void assertInvalid(ThrowingCallable call, String setting) {
        assertThatThrownBy(call)
                .isInstanceOf(InvalidSettingException.class)
                .satisfies(
                        e -> {
                            InvalidSettingException invalid = (InvalidSettingException) e;
                            assertThat(invalid.setting()).isEqualTo(setting);
                            assertThat(invalid.getMessage()).startsWith(setting + ": ");
                        });
    }
}
