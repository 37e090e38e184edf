package io.creditstream.schemas.codec;

import static org.assertj.core.api.Assertions.assertThat;

import io.creditstream.schemas.AdvantageBatch;
import io.creditstream.schemas.AdvantageRecord;
import java.util.ArrayList;
import java.util.List;
import org.apache.avro.specific.SpecificRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class AvroSizeTest {

    static List<TestRecords.Kind<?>> allKinds() {
        return TestRecords.allKinds();
    }

    @ParameterizedTest
    @MethodSource("allKinds")
    void equalsTheEncodedLengthForEveryRecordType(TestRecords.Kind<?> kind) {
        assertMatchesEncoding(kind);
    }

    private static <T extends SpecificRecord> void assertMatchesEncoding(TestRecords.Kind<T> kind) {
        AvroCodec<T> codec = AvroCodec.of(kind.type);
        TestRecords records = new TestRecords(kind.type.getName().hashCode() + 7);
        for (int i = 0; i < 200; i++) {
            T record = kind.make(records);
            assertThat(AvroSize.singleObject((org.apache.avro.generic.IndexedRecord) record))
                    .as("%s #%d", kind, i)
                    .isEqualTo(codec.encode(record).length);
        }
    }

    @Test
    void countsMultiByteCharactersAndLongArrays() {
        TestRecords records = new TestRecords(3);
        List<AdvantageRecord> many = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            AdvantageRecord record = records.advantageRecord();
            // Two-, three- and four-byte UTF-8 characters and a lone surrogate.
            record.setObservation("é日🤖\uD800x".repeat(i % 7));
            many.add(record);
        }
        AdvantageBatch batch = records.advantageBatch(0);
        batch.setRecords(many);
        assertThat(AvroSize.singleObject(batch))
                .isEqualTo(AvroCodec.of(AdvantageBatch.class).encode(batch).length);
    }
}
