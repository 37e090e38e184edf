package io.creditstream.streams.kafka;

import io.creditstream.schemas.DeadLetter;
import io.creditstream.schemas.codec.AvroCodec;
import java.nio.ByteBuffer;
import org.apache.flink.api.common.serialization.SerializationSchema;

/**
 * Serializes dead letters with every variable field bounded, so that no letter can exceed the DLQ
 * topic's record limit (an oversize letter would fail the sink and, after every restore, fail it
 * again). The payload is cut to {@code dlq.max-payload-bytes}, with its original size kept in
 * {@code payload_bytes}; the detail and episode id are cut to a few kilobytes. The Kafka
 * coordinates still point at the full original record.
 */
final class BoundedDeadLetters implements SerializationSchema<DeadLetter> {
    private static final long serialVersionUID = 1L;

    /** Most characters of the detail, and of the episode id, kept. */
    static final int MAX_TEXT_CHARS = 4096;

    /** Upper bound of the bytes of the three texts (3 UTF-8 bytes per char) and fixed fields. */
    static final int MAX_TEXT_BYTES = 3 * 3 * MAX_TEXT_CHARS + 1024;

    private final int maxPayloadBytes;
    private transient AvroCodec<DeadLetter> codec;

    BoundedDeadLetters(int maxPayloadBytes) {
        if (maxPayloadBytes < 0) {
            throw new IllegalArgumentException(
                    "dlq.max-payload-bytes must be 0 or more, got " + maxPayloadBytes);
        }
        this.maxPayloadBytes = maxPayloadBytes;
    }

    @Override
    public byte[] serialize(DeadLetter letter) {
        if (codec == null) {
            codec = AvroCodec.of(DeadLetter.class);
        }
        return codec.encode(bounded(letter));
    }

    DeadLetter bounded(DeadLetter letter) {
        ByteBuffer payload = letter.getPayload();
        int size = payload.remaining();
        if (size > maxPayloadBytes) {
            ByteBuffer cut = payload.duplicate();
            cut.limit(cut.position() + maxPayloadBytes);
            letter.setPayload(cut.slice());
            letter.setPayloadBytes((long) size);
            String note = "payload cut from " + size + " to " + maxPayloadBytes + " bytes";
            letter.setDetail(letter.getDetail() == null ? note : letter.getDetail() + "; " + note);
        }
        letter.setDetail(cut(letter.getDetail()));
        letter.setEpisodeId(cut(letter.getEpisodeId()));
        letter.setTopic(cut(letter.getTopic()));
        return letter;
    }

    private static String cut(String text) {
        if (text == null || text.length() <= MAX_TEXT_CHARS) {
            return text;
        }
        return text.substring(0, MAX_TEXT_CHARS - 20) + "… (" + text.length() + " chars)";
    }
}
