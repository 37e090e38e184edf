package io.creditstream.tools.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

class CheckpointTimelineTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Checkpoints 7 and 8 completed, 9 in progress: the shape of /jobs/:id/checkpoints. */
    private static final String ANSWER =
            """
            {"counts": {"completed": 2},
             "history": [
               {"id": 9, "status": "IN_PROGRESS", "trigger_timestamp": 12000,
                "latest_ack_timestamp": 12010},
               {"id": 8, "status": "COMPLETED", "trigger_timestamp": 11000,
                "latest_ack_timestamp": 11080},
               {"id": 7, "status": "COMPLETED", "trigger_timestamp": 10000,
                "latest_ack_timestamp": 10050}]}
            """;

    private static CheckpointTimeline timeline() throws Exception {
        CheckpointTimeline timeline = new CheckpointTimeline();
        timeline.add(JSON.readTree(ANSWER));
        return timeline;
    }

    @Test
    void keepsOnlyCompletedCheckpointsOnce() throws Exception {
        CheckpointTimeline timeline = timeline();
        timeline.add(JSON.readTree(ANSWER));

        assertThat(timeline.size()).isEqualTo(2);
        assertThat(timeline.triggeredBetween(0, Long.MAX_VALUE))
                .extracting(CheckpointTimeline.Checkpoint::id)
                .containsExactly(7L, 8L);
        assertThat(timeline.triggeredBetween(10_500, 12_500))
                .extracting(CheckpointTimeline.Checkpoint::durationMillis)
                .containsExactly(80L);
    }

    @Test
    void aBatchIsCommittedByTheNewestCheckpointCompletedBeforeItWasSeen() throws Exception {
        CheckpointTimeline timeline = timeline();

        assertThat(timeline.committing(10_049)).isEmpty();
        assertThat(timeline.committing(10_060).orElseThrow().id()).isEqualTo(7);
        assertThat(timeline.committing(11_079).orElseThrow().id()).isEqualTo(7);
        assertThat(timeline.committing(11_100).orElseThrow().id()).isEqualTo(8);
    }

    @Test
    void aBatchEmittedBeforeTheTriggerWaitsForItAndThatWaitIsTheCheckpoints() throws Exception {
        // Last step sent at 10,400, batch emitted at 10,470, checkpoint 8 triggered at 11,000 and
        // completed at 11,080, batch seen at 11,095.
        CheckpointTimeline.Split split = timeline().split(10_400, 10_470, 11_095).orElseThrow();

        assertThat(split.barrierWait()).isEqualTo(530);
        assertThat(split.checkpoint()).isEqualTo(80);
        assertThat(split.afterCompletion()).isEqualTo(15);
        // 70 ms to the batch, 15 ms after the checkpoint: the rest the checkpoint imposed.
        assertThat(split.beyondCommit()).isEqualTo(85);
        assertThat(split.beyondCommit() + split.barrierWait() + split.checkpoint())
                .isEqualTo(11_095 - 10_400);
    }

    @Test
    void aBatchFlushedByTheBarrierCountsItsWaitAfterTheTriggerAsTheCheckpoints() throws Exception {
        // The barrier of checkpoint 8 (triggered at 11,000) reached the batcher at 11,030 and
        // flushed the batch; the group's last step was sent at 10,990.
        CheckpointTimeline.Split split = timeline().split(10_990, 11_030, 11_095).orElseThrow();

        assertThat(split.barrierWait()).isZero();
        assertThat(split.beyondCommit()).isEqualTo(10 + 15);
    }

    @Test
    void aGroupThatMissedABarrierCountsItsPipelineNotTheWaitForTheNextCheckpoint()
            throws Exception {
        // Sent at 9,990, just before checkpoint 7's trigger; the pipeline took 120 ms, so the batch
        // left after checkpoint 7's barrier and was committed by checkpoint 8. The 120 ms are the
        // job's; the wait from the batch to checkpoint 8 is what any batch ready then would pay.
        CheckpointTimeline.Split split = timeline().split(9_990, 10_110, 11_090).orElseThrow();

        assertThat(split.barrierWait()).isEqualTo(890);
        assertThat(split.beyondCommit()).isEqualTo(120 + 10);
    }
}
