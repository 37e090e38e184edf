package io.creditstream.policy.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.creditstream.policy.service.SampleConverter.Converted;
import io.creditstream.policy.service.SampleConverter.PendingSample;
import io.creditstream.policy.service.UpdateQueue.QueuedBatch;
import io.creditstream.policy.service.UpdateQueue.Split;
import io.creditstream.policy.service.UpdateQueue.Update;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

/** Which queued batches form the next update, without a consumer. */
class UpdateQueueTest {
    private static final TopicPartition P0 = new TopicPartition("learner.batches", 0);
    private static final TopicPartition P1 = new TopicPartition("learner.batches", 1);

    private long offset;

    @Test
    void anUpdateIsTheShortestPrefixHoldingBatchRecordsSamples() {
        UpdateQueue queue = new UpdateQueue(10, 100);
        add(queue, P0, 4, Split.NONE);
        add(queue, P0, 4, Split.NONE);
        assertThat(queue.holdsAnUpdate()).isFalse();
        assertThat(queue.nextUpdateLength()).isZero();

        add(queue, P0, 4, Split.NONE);
        add(queue, P0, 4, Split.NONE);

        assertThat(queue.holdsAnUpdate()).isTrue();
        assertThat(queue.nextUpdateLength()).isEqualTo(3);
        Update update = queue.take(3);
        assertThat(update.samples()).hasSize(12);
        assertThat(update.batches()).extracting(QueuedBatch::offset).containsExactly(0L, 1L, 2L);
        assertThat(queue.pendingSamples()).isEqualTo(4);
        assertThat(queue.size()).isEqualTo(1);
    }

    @Test
    void ignoredBatchesMoveWithTheUpdateTheyAreQueuedIn() {
        UpdateQueue queue = new UpdateQueue(5, 100);
        add(queue, P0, 3, Split.NONE);
        queue.addIgnored(P0, offset++);
        queue.add(P0, offset++, "b", Split.NONE, new Converted(samples(2), 4, 1, 2), 7, 0);

        assertThat(queue.nextUpdateLength()).isEqualTo(3);
        Update update = queue.take(3);
        assertThat(update.ignored()).isEqualTo(1);
        assertThat(update.skipped()).isEqualTo(4);
        assertThat(update.unknownActions()).isEqualTo(1);
        assertThat(update.onPolicy()).isEqualTo(2);
        assertThat(update.batches()).extracting(QueuedBatch::seq).containsExactly(1L, 2L, 3L);
        assertThat(update.maxPolicyVersion()).as("the newest batch version").isEqualTo(7);
    }

    @Test
    void anUpdateNeverEndsInsideASplitGroup() {
        UpdateQueue queue = new UpdateQueue(5, 100);
        add(queue, P0, 6, new Split("g", 0, 3));
        assertThat(queue.nextUpdateLength()).isZero();
        assertThat(queue.hasOpenSplitGroup(P0)).isTrue();
        assertThat(queue.hasOpenSplitGroup(P1)).isFalse();

        add(queue, P0, 6, new Split("g", 1, 3));
        assertThat(queue.nextUpdateLength()).isZero();

        add(queue, P0, 6, new Split("g", 2, 3));
        assertThat(queue.hasOpenSplitGroup(P0)).isFalse();
        assertThat(queue.nextUpdateLength()).isEqualTo(3);
        Update update = queue.take(3);
        assertThat(update.samples()).hasSize(18);
        assertThat(update.incompleteSplitGroups()).isZero();
    }

    @Test
    void anOpenSplitGroupHoldsUpTheBatchesBehindIt() {
        UpdateQueue queue = new UpdateQueue(5, 100);
        add(queue, P0, 1, new Split("g", 0, 2));
        add(queue, P1, 20, Split.NONE);

        assertThat(queue.nextUpdateLength()).isZero();
    }

    @Test
    void aSinglePartGroupIsAWholeGroup() {
        UpdateQueue queue = new UpdateQueue(5, 100);
        QueuedBatch batch = add(queue, P0, 5, new Split("g", 0, 1));

        assertThat(batch.group()).isNull();
        assertThat(queue.nextUpdateLength()).isEqualTo(1);
    }

    @Test
    void aSkippedPartClosesTheGroupAsIncompleteWhenItsLastPartArrives() {
        UpdateQueue queue = new UpdateQueue(5, 100);
        add(queue, P0, 3, new Split("g", 0, 3));
        add(queue, P0, 3, new Split("g", 2, 3));

        assertThat(queue.nextUpdateLength()).isEqualTo(2);
        assertThat(queue.take(2).incompleteSplitGroups()).isEqualTo(1);
    }

    @Test
    void aGroupWhoseFirstPartReadIsNotPartZeroIsIncomplete() {
        UpdateQueue queue = new UpdateQueue(5, 100);
        QueuedBatch batch = add(queue, P0, 3, new Split("g", 1, 3));
        add(queue, P0, 3, new Split("g", 2, 3));

        assertThat(batch.group().incomplete()).isTrue();
        assertThat(queue.take(queue.nextUpdateLength()).incompleteSplitGroups()).isEqualTo(1);
    }

    @Test
    void anEarlierPartWhereALaterWasDueEndsTheGroupReadSoFar() {
        UpdateQueue queue = new UpdateQueue(5, 100);
        QueuedBatch first = add(queue, P0, 3, new Split("g", 0, 3));
        add(queue, P0, 3, new Split("g", 1, 3));
        QueuedBatch again = add(queue, P0, 3, new Split("g", 0, 3));

        assertThat(first.group().closed()).isTrue();
        assertThat(first.group().incomplete()).isTrue();
        assertThat(again.group()).isNotSameAs(first.group());
        // The first group (6 samples) may be applied; the new one is open.
        assertThat(queue.nextUpdateLength()).isEqualTo(2);
        assertThat(queue.take(2).incompleteSplitGroups()).isEqualTo(1);
        assertThat(queue.hasOpenSplitGroup(P0)).isTrue();
    }

    @Test
    void aBatchNamingNoRealPartIsAppliedAloneAsIncomplete() {
        UpdateQueue queue = new UpdateQueue(5, 100);
        QueuedBatch batch = add(queue, P0, 5, new Split("g", 3, 2));

        assertThat(batch.group().closed()).isTrue();
        assertThat(batch.group().incomplete()).isTrue();
        assertThat(queue.hasOpenSplitGroup(P0)).isFalse();
        assertThat(queue.take(queue.nextUpdateLength()).incompleteSplitGroups()).isEqualTo(1);
    }

    @Test
    void aStalledGroupIsGivenUpOnlyAfterTheWaitAndAtThePartitionsEnd() {
        UpdateQueue queue = new UpdateQueue(5, 100);
        queue.add(
                P0, offset++, "b", new Split("g", 0, 2), new Converted(samples(6), 0, 0, 0), 0, 0);
        List<TopicPartition> asked = new ArrayList<>();

        assertThat(queue.giveUpStalledSplitGroups(999, 1000, p -> asked.add(p))).isFalse();
        assertThat(asked).isEmpty();
        assertThat(queue.giveUpStalledSplitGroups(1000, 1000, p -> !asked.add(p))).isFalse();
        assertThat(asked).containsExactly(P0);
        assertThat(queue.nextUpdateLength()).isZero();

        assertThat(queue.giveUpStalledSplitGroups(1000, 1000, p -> true)).isTrue();
        assertThat(queue.hasOpenSplitGroup(P0)).isFalse();
        assertThat(queue.nextUpdateLength()).isEqualTo(1);
        assertThat(queue.take(1).incompleteSplitGroups()).isEqualTo(1);
    }

    @Test
    void theQueueIsFullAtMaxPendingSamples() {
        UpdateQueue queue = new UpdateQueue(50, 10);
        add(queue, P0, 9, Split.NONE);
        assertThat(queue.full()).isFalse();

        add(queue, P0, 1, Split.NONE);
        assertThat(queue.full()).isTrue();
        assertThat(queue.pendingSamples()).isEqualTo(10);
    }

    @Test
    void theLastQueuedBatchOfAPartitionIsFound() {
        UpdateQueue queue = new UpdateQueue(50, 100);
        assertThat(queue.lastQueuedSeq(P0)).isEmpty();
        add(queue, P0, 1, Split.NONE);
        add(queue, P1, 1, Split.NONE);
        add(queue, P0, 1, Split.NONE);
        add(queue, P1, 1, Split.NONE);

        assertThat(queue.lastQueuedSeq(P0)).hasValue(3);
        assertThat(queue.lastQueuedSeq(P1)).hasValue(4);
    }

    @Test
    void takingMoreThanIsQueuedIsRefused() {
        UpdateQueue queue = new UpdateQueue(5, 100);
        add(queue, P0, 1, Split.NONE);

        assertThatThrownBy(() -> queue.take(2)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new UpdateQueue(0, 1))
                .isInstanceOf(IllegalArgumentException.class);
    }

    private QueuedBatch add(UpdateQueue queue, TopicPartition partition, int samples, Split split) {
        return queue.add(
                partition,
                offset++,
                "batch-" + offset,
                split,
                new Converted(samples(samples), 0, 0, 0),
                3,
                0);
    }

    private static List<PendingSample> samples(int n) {
        return Collections.nCopies(n, new PendingSample("obs", 0, -1.0, 1.0));
    }
}
