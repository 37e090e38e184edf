package io.creditstream.policy.service;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where the learner reads a partition from when its offset is no longer inside the log: below the
 * log start the records are gone (counted as lost, reading goes on from the start); past the end
 * the topic was re-created or truncated, and {@link OffsetPastEnd} decides. Plain rules over
 * offsets, so they are tested without a broker.
 */
final class OffsetRepositioning {
    // Logged under the learner's name: where an operator looks for lost or replayed batches.
    private static final Logger LOG = LoggerFactory.getLogger(LearnerService.class);

    private final OffsetPastEnd onPastEnd;
    private final String batchesTopic;
    private final Path checkpointFile;
    private final AtomicLong lostOffsets;

    /**
     * @param lostOffsets counts the offsets the learner will never apply (deleted, or skipped)
     */
    OffsetRepositioning(
            OffsetPastEnd onPastEnd,
            String batchesTopic,
            Path checkpointFile,
            AtomicLong lostOffsets) {
        this.onPastEnd = onPastEnd;
        this.batchesTopic = batchesTopic;
        this.checkpointFile = checkpointFile;
        this.lostOffsets = lostOffsets;
    }

    /**
     * Where to read {@code partition} from when the learner's offset for it is {@code offset} and
     * the partition holds [{@code first}, {@code end}); null, with a line added to {@code pastEnd},
     * when the offset lies past the end and the settings say to fail.
     */
    Long reposition(
            TopicPartition partition,
            long offset,
            long first,
            long end,
            String what,
            List<String> pastEnd) {
        if (offset < first) {
            // The records are gone; nothing can restore them, and stopping would not either.
            LOG.warn(
                    "LOST BATCHES: offsets {} to {} of {} were deleted (retention, or deleteRecords)"
                            + " before this learner applied them: up to {} batches it will never"
                            + " train on. Continuing from the log start, offset {}",
                    offset,
                    first - 1,
                    partition,
                    first - offset,
                    first);
            lostOffsets.addAndGet(first - offset);
            return first;
        }
        if (offset <= end) {
            return offset;
        }
        switch (onPastEnd) {
            case EARLIEST:
                LOG.warn(
                        "The {} {} of {} is past the partition's end offset {}: the topic was"
                                + " re-created or truncated. --on-offset-past-end=earliest:"
                                + " REPLAYING everything now in the partition, offsets [{}, {}),"
                                + " as new batches",
                        what,
                        offset,
                        partition,
                        end,
                        first,
                        end);
                return first;
            case LATEST:
                LOG.warn(
                        "The {} {} of {} is past the partition's end offset {}: the topic was"
                                + " re-created or truncated. --on-offset-past-end=latest: SKIPPING"
                                + " the {} offsets now in the partition, [{}, {}), and reading"
                                + " from offset {}",
                        what,
                        offset,
                        partition,
                        end,
                        end - first,
                        first,
                        end,
                        end);
                lostOffsets.addAndGet(end - first);
                return end;
            case FAIL:
            default:
                pastEnd.add(
                        "partition "
                                + partition.partition()
                                + " of topic "
                                + partition.topic()
                                + ": "
                                + what
                                + " "
                                + offset
                                + " is past the log's end offset "
                                + end
                                + " (log start "
                                + first
                                + ")");
                return null;
        }
    }

    IllegalStateException pastEndFailure(List<String> problems, String restart) {
        return new IllegalStateException(
                "refusing to read "
                        + batchesTopic
                        + ": "
                        + String.join("; ", problems)
                        + ". Offsets never go back in a live partition, so the topic was deleted"
                        + " and re-created, or truncated, since the learner read it (checkpoint "
                        + checkpointFile
                        + "), and what it holds now is not what the learner trained on."
                        + " If that was intended: "
                        + restart
                        + " with --on-offset-past-end=earliest to train on everything now in the"
                        + " topic, or --on-offset-past-end=latest to skip it and train only on"
                        + " batches written from now on. Otherwise check --bootstrap-servers,"
                        + " --batches-topic and --checkpoint: this checkpoint may belong to another"
                        + " cluster or topic");
    }
}
