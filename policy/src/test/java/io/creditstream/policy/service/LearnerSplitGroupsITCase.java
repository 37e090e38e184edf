package io.creditstream.policy.service;

import static io.creditstream.policy.service.LearnerServiceITCase.assertSameWeights;
import static io.creditstream.policy.service.ServiceTestSupport.batch;
import static io.creditstream.policy.service.ServiceTestSupport.encode;
import static io.creditstream.policy.service.ServiceTestSupport.freshTopic;
import static io.creditstream.policy.service.ServiceTestSupport.pollUntil;
import static io.creditstream.policy.service.ServiceTestSupport.pollUntilVersion;
import static io.creditstream.policy.service.ServiceTestSupport.smallLearner;
import static io.creditstream.policy.service.ServiceTestSupport.snapshots;
import static io.creditstream.policy.service.ServiceTestSupport.splitParts;
import static io.creditstream.policy.service.ServiceTestSupport.writeCommitted;
import static org.assertj.core.api.Assertions.assertThat;

import io.creditstream.broker.EmbeddedKafkaExtension;
import io.creditstream.schemas.AdvantageBatch;
import io.creditstream.schemas.PolicySnapshot;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Groups split across batches (split_group_id, split_part, split_parts): an update never ends
 * inside one, waits for its last part, applies every record once, gives up on parts that cannot
 * come, and the read-ahead stays bounded while it waits.
 */
class LearnerSplitGroupsITCase {

    @RegisterExtension static final EmbeddedKafkaExtension KAFKA = new EmbeddedKafkaExtension();

    @TempDir Path dir;

    @Test
    void anUpdateWaitsForTheLastPartAndTrainsExactlyAsOnTheUnsplitGroup() throws Exception {
        AdvantageBatch b0 = batch("b0", 40, 1);
        AdvantageBatch group = batch("g", 90, 2);
        AdvantageBatch b1 = batch("b1", 40, 3);
        AdvantageBatch b2 = batch("b2", 30, 4);
        List<AdvantageBatch> parts = splitParts(group, "g", 3); // 30 records each

        String batches = freshTopic(KAFKA.broker(), "batches");
        String snapshotsTopic = freshTopic(KAFKA.broker(), "snapshots");
        // Part 0 alone first: b0 + part 0 hold 70 >= 64 samples, but that update would end
        // inside the group.
        writeCommitted(KAFKA.broker(), batches, List.of(encode(b0), encode(parts.get(0))));
        LearnerSettings settings =
                smallLearner(KAFKA.broker(), batches, snapshotsTopic, dir).build();
        Map<String, float[]> split;
        try (LearnerService learner = LearnerService.start(settings)) {
            pollUntil(learner, () -> learner.progress().pendingSamples() == 70, "70 pending");
            for (int i = 0; i < 5; i++) {
                learner.pollOnce(Duration.ofMillis(100));
            }
            assertThat(learner.version()).isZero();
            assertThat(learner.progress().pendingSamples()).isEqualTo(70);

            writeCommitted(
                    KAFKA.broker(),
                    batches,
                    List.of(encode(parts.get(1)), encode(parts.get(2)), encode(b1), encode(b2)));
            pollUntilVersion(learner, 2);
            learner.pollOnce(Duration.ofMillis(200));

            // b0 + the whole group, then b1 + b2: every record once, no update split the group.
            assertThat(learner.version()).isEqualTo(2);
            assertThat(learner.progress().samples()).isEqualTo(40 + 90 + 40 + 30);
            assertThat(learner.progress().pendingSamples()).isZero();
            assertThat(learner.progress().incompleteSplitGroups()).isZero();
            // b0, part 0, marker, parts 1 and 2, b1, b2, marker.
            assertThat(learner.appliedOffsets()).containsExactly(Map.entry(batches + "-0", 7L));
            split = learner.weights();
        }
        assertThat(snapshots(KAFKA.broker(), snapshotsTopic))
                .extracting(s -> s.getMetrics().get("samples"))
                .containsExactly(0.0, 130.0, 70.0);

        // The same records with the group in one batch: the same two updates, bit for bit.
        String whole = freshTopic(KAFKA.broker(), "batches");
        writeCommitted(
                KAFKA.broker(), whole, List.of(encode(b0), encode(group), encode(b1), encode(b2)));
        LearnerSettings reference =
                smallLearner(
                                KAFKA.broker(),
                                whole,
                                freshTopic(KAFKA.broker(), "snapshots"),
                                dir.resolve("ref"))
                        .build();
        try (LearnerService learner = LearnerService.start(reference)) {
            pollUntilVersion(learner, 2);
            assertSameWeights(split, learner.weights());
        }
    }

    @Test
    void partsOutOfSequenceAreAppliedAsIncompleteGroupsWithoutWaiting() throws Exception {
        List<AdvantageBatch> first = splitParts(batch("g1", 60, 5), "g1", 3); // 20 each
        List<AdvantageBatch> second = splitParts(batch("g2", 90, 6), "g2", 3); // 30 each
        String batches = freshTopic(KAFKA.broker(), "batches");
        String snapshotsTopic = freshTopic(KAFKA.broker(), "snapshots");
        writeCommitted(
                KAFKA.broker(),
                batches,
                List.of(
                        // Parts 1 and 2 without part 0: the topic lost its beginning.
                        encode(first.get(1)),
                        encode(first.get(2)),
                        // Part 0 then part 2: part 1 is missing.
                        encode(second.get(0)),
                        encode(second.get(2)),
                        encode(batch("b0", 70, 7))));
        LearnerSettings settings =
                smallLearner(KAFKA.broker(), batches, snapshotsTopic, dir).build();
        try (LearnerService learner = LearnerService.start(settings)) {
            pollUntilVersion(learner, 2);
            learner.pollOnce(Duration.ofMillis(200));

            assertThat(learner.version()).isEqualTo(2);
            assertThat(learner.progress().incompleteSplitGroups()).isEqualTo(2);
            assertThat(learner.progress().samples()).isEqualTo(40 + 60 + 70);
            assertThat(learner.progress().pendingSamples()).isZero();
        }
        // g1's two parts reach 40 samples and g2's first part 70, but g2 is still open then: the
        // update waits for its last part (100), and b0 makes the second.
        assertThat(snapshots(KAFKA.broker(), snapshotsTopic))
                .extracting(s -> s.getMetrics().get("samples"))
                .containsExactly(0.0, 100.0, 70.0);
    }

    @Test
    void aGroupWhoseLastPartNeverComesIsAppliedOnceThePartitionIsReadToItsEnd() throws Exception {
        List<AdvantageBatch> parts = splitParts(batch("g", 120, 8), "g", 3); // 40 each
        String batches = freshTopic(KAFKA.broker(), "batches");
        String snapshotsTopic = freshTopic(KAFKA.broker(), "snapshots");
        writeCommitted(
                KAFKA.broker(), batches, List.of(encode(parts.get(0)), encode(parts.get(1))));
        LearnerSettings settings =
                smallLearner(KAFKA.broker(), batches, snapshotsTopic, dir).build();
        try (LearnerService learner = LearnerService.start(settings)) {
            learner.splitGroupWait(Duration.ofMillis(500));
            long start = System.nanoTime();
            pollUntilVersion(learner, 1);

            assertThat(System.nanoTime() - start).isGreaterThan(Duration.ofMillis(500).toNanos());
            assertThat(learner.progress().samples()).isEqualTo(80);
            assertThat(learner.progress().incompleteSplitGroups()).isEqualTo(1);
            assertThat(learner.appliedOffsets()).containsExactly(Map.entry(batches + "-0", 2L));
        }
    }

    @Test
    void readAheadStaysBoundedWhileAnUpdateWaitsForASplitGroup() throws Exception {
        String batches = "batches-" + UUID.randomUUID().toString().substring(0, 8);
        KAFKA.broker().createTopics(2, batches);
        String snapshotsTopic = freshTopic(KAFKA.broker(), "snapshots");
        List<AdvantageBatch> parts = splitParts(batch("g", 80, 9), "g", 2); // 40 each
        // Partition 0: b0 and the group's first part; its second part comes last.
        writeCommitted(
                KAFKA.broker(),
                batches,
                0,
                List.of(encode(batch("b0", 16, 10)), encode(parts.get(0))));
        int limit = 128;
        LearnerSettings settings =
                smallLearner(KAFKA.broker(), batches, snapshotsTopic, dir)
                        .maxPendingSamples(limit)
                        .build();
        try (LearnerService learner = LearnerService.start(settings)) {
            learner.splitGroupWait(Duration.ofMinutes(5));
            pollUntil(learner, () -> learner.progress().pendingSamples() == 56, "56 pending");

            // Partition 1: thirteen batches of 32 the blocked update cannot take.
            List<byte[]> backlog = new ArrayList<>();
            for (int i = 0; i < 13; i++) {
                backlog.add(encode(batch("p1-" + i, 32, 20 + i)));
            }
            writeCommitted(KAFKA.broker(), batches, 1, backlog);
            int mostPending = 0;
            long until = System.nanoTime() + Duration.ofSeconds(3).toNanos();
            while (System.nanoTime() < until) {
                learner.pollOnce(Duration.ofMillis(100));
                mostPending = Math.max(mostPending, learner.progress().pendingSamples());
            }
            assertThat(learner.version()).isZero();
            // At the limit it stops reading: at most one batch more. Unbounded: 56 + 416.
            assertThat(mostPending).isBetween(limit, limit + 32);

            writeCommitted(KAFKA.broker(), batches, 0, List.of(encode(parts.get(1))));
            pollUntil(
                    learner,
                    () -> learner.progress().samples() == 16 + 80 + 13 * 32,
                    "every sample applied");
            learner.pollOnce(Duration.ofMillis(200));

            assertThat(learner.progress().pendingSamples()).isZero();
            assertThat(learner.progress().incompleteSplitGroups()).isZero();
            // Partition 0: b0, part 0, marker, part 1, marker; partition 1: 13 batches, marker.
            assertThat(learner.appliedOffsets())
                    .containsExactly(Map.entry(batches + "-0", 4L), Map.entry(batches + "-1", 13L));
            List<PolicySnapshot> published = snapshots(KAFKA.broker(), snapshotsTopic);
            // The first update runs to the group's last part, so it takes the three batches of
            // partition 1 queued before it too (16 + 40 + 3 x 32 + 40); then pairs of the rest.
            assertThat(published).hasSize(1 + 1 + 5);
            assertThat(published.get(1).getMetrics()).containsEntry("samples", 192.0);
            assertThat(published.subList(2, published.size()))
                    .allSatisfy(s -> assertThat(s.getMetrics()).containsEntry("samples", 64.0));
        }
    }
}
