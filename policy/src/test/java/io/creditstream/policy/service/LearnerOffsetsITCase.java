package io.creditstream.policy.service;

import static io.creditstream.policy.service.ServiceTestSupport.batch;
import static io.creditstream.policy.service.ServiceTestSupport.deleteRecordsBefore;
import static io.creditstream.policy.service.ServiceTestSupport.encode;
import static io.creditstream.policy.service.ServiceTestSupport.freshTopic;
import static io.creditstream.policy.service.ServiceTestSupport.pollUntilVersion;
import static io.creditstream.policy.service.ServiceTestSupport.recreateTopic;
import static io.creditstream.policy.service.ServiceTestSupport.smallLearner;
import static io.creditstream.policy.service.ServiceTestSupport.versions;
import static io.creditstream.policy.service.ServiceTestSupport.writeCommitted;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.creditstream.broker.EmbeddedKafkaExtension;
import io.creditstream.policy.training.LearnerCheckpoint;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Saved offsets the batch topic no longer holds: past the end of a re-created topic the learner
 * refuses to start unless told how to continue; below the log start it reports the loss and reads
 * on.
 */
class LearnerOffsetsITCase {

    @RegisterExtension static final EmbeddedKafkaExtension KAFKA = new EmbeddedKafkaExtension();

    @TempDir Path dir;

    @Test
    void refusesToStartPastTheEndOfARecreatedTopicAndSaysWhatToDo() throws Exception {
        String batches = freshTopic(KAFKA.broker(), "batches");
        LearnerSettings settings = trainThenRecreate(batches);

        assertThatThrownBy(() -> LearnerService.start(settings))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("partition 0 of topic " + batches)
                .hasMessageContaining("saved offset 4 is past the log's end offset 2")
                .hasMessageContaining("re-created")
                .hasMessageContaining("--on-offset-past-end=earliest")
                .hasMessageContaining("--on-offset-past-end=latest");
        try (LearnerCheckpoint.Restored checkpoint =
                LearnerCheckpoint.restore(settings.checkpointFile(), settings.updateOptions())) {
            assertThat(checkpoint.learner().updatesApplied()).isEqualTo(2);
            assertThat(checkpoint.consumedOffsets()).containsExactly(Map.entry(batches + "-0", 4L));
        }
    }

    @Test
    void earliestTrainsOnEverythingInTheRecreatedTopic() throws Exception {
        String batches = freshTopic(KAFKA.broker(), "batches");
        LearnerSettings earliest = with(trainThenRecreate(batches), OffsetPastEnd.EARLIEST);
        try (LearnerService learner = LearnerService.start(earliest)) {
            assertThat(learner.version()).isEqualTo(2);
            pollUntilVersion(learner, 3);

            assertThat(learner.progress().samples()).isEqualTo(64);
            assertThat(learner.progress().lostOffsets()).isZero();
            assertThat(learner.appliedOffsets()).containsExactly(Map.entry(batches + "-0", 1L));
        }
    }

    @Test
    void latestSkipsWhatTheRecreatedTopicHoldsAndTrainsOnWhatComesNext() throws Exception {
        String batches = freshTopic(KAFKA.broker(), "batches");
        LearnerSettings latest = with(trainThenRecreate(batches), OffsetPastEnd.LATEST);
        try (LearnerService learner = LearnerService.start(latest)) {
            assertThat(learner.progress().lostOffsets()).isEqualTo(2);
            // A checkpoint saved now must not send a restart back past the end again.
            assertThat(learner.appliedOffsets()).containsExactly(Map.entry(batches + "-0", 2L));
            for (int i = 0; i < 3; i++) {
                learner.pollOnce(Duration.ofMillis(100));
            }
            assertThat(learner.version()).isEqualTo(2);

            writeCommitted(KAFKA.broker(), batches, List.of(encode(batch("next", 64, 40))));
            pollUntilVersion(learner, 3);

            assertThat(learner.progress().samples()).isEqualTo(64);
            assertThat(learner.appliedOffsets()).containsExactly(Map.entry(batches + "-0", 3L));
        }
    }

    @ParameterizedTest(name = "deleted while the learner {0}")
    @ValueSource(strings = {"was stopped", "was reading"})
    void batchesDeletedBeforeTheyWereAppliedAreCountedAndTheRestIsRead(String when)
            throws Exception {
        String batches = freshTopic(KAFKA.broker(), "batches");
        String snapshotsTopic = freshTopic(KAFKA.broker(), "snapshots");
        LearnerSettings settings =
                smallLearner(KAFKA.broker(), batches, snapshotsTopic, dir).build();
        writeCommitted(
                KAFKA.broker(),
                batches,
                List.of(encode(batch("b0", 64, 1)), encode(batch("b1", 64, 2))));
        try (LearnerService learner = LearnerService.start(settings)) {
            pollUntilVersion(learner, 2);
        }
        // The checkpoint saved offset 2 (the commit marker's); the marker, b2 and b3 (offsets 2 to
        // 4) are deleted before the learner reads them.
        writeCommitted(
                KAFKA.broker(),
                batches,
                List.of(
                        encode(batch("b2", 64, 3)),
                        encode(batch("b3", 64, 4)),
                        encode(batch("b4", 64, 5))));
        boolean whileReading = when.equals("was reading");
        if (!whileReading) {
            deleteRecordsBefore(KAFKA.broker(), batches, 0, 5);
        }
        try (LearnerService learner = LearnerService.start(settings)) {
            if (whileReading) {
                // Started at its saved offset 2, but has not fetched anything yet.
                assertThat(learner.progress().lostOffsets()).isZero();
                deleteRecordsBefore(KAFKA.broker(), batches, 0, 5);
            } else {
                assertThat(learner.progress().lostOffsets()).isEqualTo(3);
            }
            pollUntilVersion(learner, 3);
            learner.pollOnce(Duration.ofMillis(200));

            assertThat(learner.version()).isEqualTo(3);
            assertThat(learner.progress().lostOffsets()).isEqualTo(3);
            assertThat(learner.progress().samples()).isEqualTo(64);
            assertThat(learner.appliedOffsets()).containsExactly(Map.entry(batches + "-0", 6L));
        }
        assertThat(versions(KAFKA.broker(), snapshotsTopic)).containsExactly(0L, 1L, 2L, 3L);
    }

    /**
     * Trains on four batches of 32 in two updates (the checkpoint saves offset 4, the commit
     * marker's), then deletes the topic and creates it again with one batch of 64 (end offset 2).
     */
    private LearnerSettings trainThenRecreate(String batches) throws Exception {
        LearnerSettings settings =
                smallLearner(KAFKA.broker(), batches, freshTopic(KAFKA.broker(), "snapshots"), dir)
                        .build();
        writeCommitted(
                KAFKA.broker(),
                batches,
                List.of(
                        encode(batch("b0", 32, 1)),
                        encode(batch("b1", 32, 2)),
                        encode(batch("b2", 32, 3)),
                        encode(batch("b3", 32, 4))));
        try (LearnerService learner = LearnerService.start(settings)) {
            pollUntilVersion(learner, 2);
            assertThat(learner.appliedOffsets()).containsExactly(Map.entry(batches + "-0", 4L));
        }
        recreateTopic(KAFKA.broker(), batches, 1);
        writeCommitted(KAFKA.broker(), batches, List.of(encode(batch("new", 64, 30))));
        return settings;
    }

    private LearnerSettings with(LearnerSettings settings, OffsetPastEnd choice) {
        return smallLearner(KAFKA.broker(), settings.batchesTopic(), settings.snapshotsTopic(), dir)
                .onOffsetPastEnd(choice)
                .build();
    }
}
