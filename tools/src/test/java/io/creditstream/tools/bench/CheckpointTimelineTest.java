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
    void aGroupInTheFirstCheckpointAfterItsLastStepPaysOnlyTheCommitAndTheFetch() throws Exception {
        // Last step sent at 10,400, batch emitted at 10,470, checkpoint 8 triggered at 11,000 and
        // completed at 11,080, batch seen at 11,095.
        CheckpointTimeline.Split split = timeline().split(10_400, 10_470, 11_095).orElseThrow();

        assertThat(split.missedCheckpoint()).isFalse();
        assertThat(split.barrierWait()).isEqualTo(530);
        assertThat(split.checkpoint()).isEqualTo(80);
        assertThat(split.afterCompletion()).isEqualTo(15);
        assertThat(split.beyondCommit()).isEqualTo(15);
    }

    @Test
    void aBatchHeldUntilTheBarrierIsNotChargedForWaitingForIt() throws Exception {
        // A lingering batch flushed by checkpoint 8's barrier at 11,030: its group was sent at
        // 10,400, so the 600 ms before the trigger are the checkpoint's, not the pipeline's.
        CheckpointTimeline.Split split = timeline().split(10_400, 11_030, 11_095).orElseThrow();

        assertThat(split.barrierWait()).isZero();
        assertThat(split.beyondCommit()).isEqualTo(15);
    }

    @Test
    void aGroupThatMissedTheFirstBarrierAfterItPaysTheWholeWaitForTheNextCommit() throws Exception {
        // Sent at 9,990, just before checkpoint 7's trigger; the pipeline had not brought it to
        // the sink before checkpoint 7's barrier, so checkpoint 8 committed it. A pipeline taking
        // no time would have had it visible at 10,050.
        CheckpointTimeline.Split split = timeline().split(9_990, 10_110, 11_090).orElseThrow();

        assertThat(split.missedCheckpoint()).isTrue();
        assertThat(split.emittedBeforeMissed()).isFalse();
        assertThat(split.barrierWait()).isEqualTo(890);
        assertThat(split.afterCompletion()).isEqualTo(10);
        assertThat(split.beyondCommit()).isEqualTo(11_090 - 10_050);
    }

    @Test
    void aBatchEmittedBeforeATriggerYetCommittedByTheNextCheckpointCameLateAfterThePipeline()
            throws Exception {
        // Emitted at 9,900, before checkpoint 7's trigger, so in its transaction; yet first seen
        // after checkpoint 8 completed: an open transaction hid it.
        CheckpointTimeline.Split split = timeline().split(9_850, 9_900, 11_090).orElseThrow();

        assertThat(split.missedCheckpoint()).isTrue();
        assertThat(split.emittedBeforeMissed()).isTrue();
    }

    @Test
    void aGroupSentJustAfterATriggerThatStillMadeItsBarrierPaysOnlyTheFetch() throws Exception {
        // The barrier reaches the sources a few ms after the JobManager's trigger time: a step sent
        // at 10,002 can still precede it, and checkpoint 7 commits the group.
        CheckpointTimeline.Split split = timeline().split(10_002, 10_020, 10_060).orElseThrow();

        assertThat(split.missedCheckpoint()).isFalse();
        assertThat(split.beyondCommit()).isEqualTo(10);
    }

    @Test
    void theNewestCheckpointSaysHowFarTheTimelineReaches() throws Exception {
        assertThat(new CheckpointTimeline().newest()).isEmpty();
        assertThat(timeline().newest().orElseThrow().id()).isEqualTo(8);
    }
}
