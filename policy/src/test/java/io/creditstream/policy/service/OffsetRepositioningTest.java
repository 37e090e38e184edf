package io.creditstream.policy.service;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

/** The rules for an offset outside the log [first, end), without a broker. */
class OffsetRepositioningTest {

    private static final TopicPartition PARTITION = new TopicPartition("batches", 3);

    private final AtomicLong lost = new AtomicLong();
    private final List<String> pastEnd = new ArrayList<>();

    private OffsetRepositioning rules(OffsetPastEnd onPastEnd) {
        return new OffsetRepositioning(onPastEnd, "batches", Path.of("ckpt/learner.bin"), lost);
    }

    @Test
    void anOffsetInsideTheLogOrAtItsEndIsKept() {
        OffsetRepositioning rules = rules(OffsetPastEnd.FAIL);

        assertThat(rules.reposition(PARTITION, 10, 10, 20, "saved offset", pastEnd)).isEqualTo(10);
        assertThat(rules.reposition(PARTITION, 15, 10, 20, "saved offset", pastEnd)).isEqualTo(15);
        assertThat(rules.reposition(PARTITION, 20, 10, 20, "saved offset", pastEnd)).isEqualTo(20);
        assertThat(lost).hasValue(0);
        assertThat(pastEnd).isEmpty();
    }

    @Test
    void belowTheLogStartReadingGoesOnFromTheStartAndTheDeletedOffsetsCountAsLost() {
        // Whatever the past-end policy: deleted records cannot be had back by stopping.
        for (OffsetPastEnd policy : OffsetPastEnd.values()) {
            lost.set(0);
            assertThat(rules(policy).reposition(PARTITION, 4, 10, 20, "saved offset", pastEnd))
                    .isEqualTo(10);
            assertThat(lost).hasValue(6);
        }
        assertThat(pastEnd).isEmpty();
    }

    @Test
    void pastTheEndEarliestReplaysThePartitionFromItsStart() {
        assertThat(rules(OffsetPastEnd.EARLIEST).reposition(PARTITION, 50, 10, 20, "x", pastEnd))
                .isEqualTo(10);
        assertThat(lost).hasValue(0);
        assertThat(pastEnd).isEmpty();
    }

    @Test
    void pastTheEndLatestSkipsWhatThePartitionHoldsAndCountsItAsLost() {
        assertThat(rules(OffsetPastEnd.LATEST).reposition(PARTITION, 50, 10, 20, "x", pastEnd))
                .isEqualTo(20);
        assertThat(lost).hasValue(10);
        assertThat(pastEnd).isEmpty();
    }

    @Test
    void pastTheEndFailNamesThePartitionAndBothOffsetsAndTheFailureSaysWhatToDo() {
        OffsetRepositioning rules = rules(OffsetPastEnd.FAIL);

        assertThat(rules.reposition(PARTITION, 50, 10, 20, "saved offset", pastEnd)).isNull();
        assertThat(pastEnd)
                .containsExactly(
                        "partition 3 of topic batches: saved offset 50 is past the log's end"
                                + " offset 20 (log start 10)");
        assertThat(lost).hasValue(0);

        IllegalStateException failure = rules.pastEndFailure(pastEnd, "Restart");
        assertThat(failure.getMessage())
                .startsWith("refusing to read batches: partition 3 of topic batches")
                .contains("ckpt/learner.bin".replace('/', java.io.File.separatorChar))
                .contains("Restart with --on-offset-past-end=earliest")
                .contains("--on-offset-past-end=latest");
    }
}
