package io.creditstream.streams.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import io.creditstream.schemas.AdvantageBatch;
import io.creditstream.schemas.DeadLetter;
import io.creditstream.schemas.codec.AvroCodec;
import io.creditstream.streams.options.CreditstreamOptions;
import java.nio.ByteBuffer;
import java.util.List;
import org.apache.flink.configuration.Configuration;
import org.junit.jupiter.api.Test;

class BoundedDeadLettersTest {
    private final AvroCodec<DeadLetter> codec = AvroCodec.of(DeadLetter.class);

    @Test
    void cutsAnOversizePayloadAndKeepsItsOriginalSize() {
        byte[] payload = new byte[5_000];
        payload[0] = 7;
        DeadLetter letter = letter(payload, "oversize", "ep-1");

        DeadLetter written = codec.decode(new BoundedDeadLetters(1_000).serialize(letter));

        assertThat(written.getPayload().remaining()).isEqualTo(1_000);
        assertThat(written.getPayload().get(0)).isEqualTo((byte) 7);
        assertThat(written.getPayloadBytes()).isEqualTo(5_000L);
        assertThat(written.getDetail()).contains("payload cut from 5000 to 1000 bytes");
    }

    @Test
    void leavesASmallLetterAsItIs() {
        DeadLetter letter = letter(new byte[10], "fine", "ep-1");

        DeadLetter written = codec.decode(new BoundedDeadLetters(1_000).serialize(letter));

        assertThat(written.getPayload().remaining()).isEqualTo(10);
        assertThat(written.getPayloadBytes()).isNull();
        assertThat(written.getDetail()).isEqualTo("fine");
    }

    @Test
    void theWorstLetterFitsTheRecordLimitTheTopicsAreCreatedWith() {
        Configuration config = new Configuration();
        int maxPayload = config.get(CreditstreamOptions.DLQ_MAX_PAYLOAD_BYTES);
        // Huge texts of three-byte characters in every field.
        String huge = "日".repeat(100_000);
        DeadLetter letter = letter(new byte[maxPayload * 3], huge, huge);
        letter.setTopic(huge);

        byte[] bytes = new BoundedDeadLetters(maxPayload).serialize(letter);

        assertThat(bytes.length).isLessThan(KafkaIo.maxRecordBytes(config));
        assertThat(codec.decode(bytes).getEpisodeId()).hasSizeLessThanOrEqualTo(4096);
    }

    @Test
    void thePartsOfASplitGroupShareTheirGroupsKey() {
        AdvantageBatch whole =
                new AdvantageBatch("exp/g1", "exp", 0L, 0L, 0L, List.of(), null, null, null);
        AdvantageBatch part =
                new AdvantageBatch("exp/g1#part-1", "exp", 0L, 0L, 0L, List.of(), "g1", 1, 2);
        assertThat(KafkaIo.batchKey(part)).isEqualTo(KafkaIo.batchKey(whole)).isEqualTo("exp/g1");
    }

    private static DeadLetter letter(byte[] payload, String detail, String episodeId) {
        return DeadLetter.newBuilder()
                .setPayload(ByteBuffer.wrap(payload))
                .setReason("oversize-payload")
                .setDetail(detail)
                .setEpisodeId(episodeId)
                .build();
    }
}
