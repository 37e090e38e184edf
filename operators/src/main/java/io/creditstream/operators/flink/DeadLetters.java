package io.creditstream.operators.flink;

import io.creditstream.operators.core.input.DeadLetterReason;
import io.creditstream.schemas.DeadLetter;
import java.nio.ByteBuffer;
import org.apache.flink.util.OutputTag;

/** The side output every operator sends unusable input to, and the builder of its records. */
public final class DeadLetters {
    /** Side output of dead letters; the job unions them into the DLQ topic. */
    public static final OutputTag<DeadLetter> TAG = new OutputTag<>("dead-letters") {};

    private DeadLetters() {}

    public static DeadLetter of(
            byte[] payload,
            String topic,
            Integer partition,
            Long offset,
            DeadLetterReason reason,
            String detail,
            String episodeId,
            long timeMs) {
        return DeadLetter.newBuilder()
                .setPayload(ByteBuffer.wrap(payload))
                .setTopic(topic)
                .setPartition(partition)
                .setOffset(offset)
                .setReason(reason.code())
                .setDetail(detail)
                .setEpisodeId(episodeId)
                .setTimeMs(timeMs)
                .build();
    }
}
