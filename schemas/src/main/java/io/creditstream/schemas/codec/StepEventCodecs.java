package io.creditstream.schemas.codec;

import io.creditstream.schemas.StepEvent;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;
import org.apache.avro.Schema;

/**
 * The one way to build a {@link StepEvent} codec that reads what fleets write: the current schema
 * and every released one. A fleet built against a released schema keeps writing that schema's
 * fingerprint after the job is upgraded, and steps already in Kafka or in a savepoint's state carry
 * the fingerprint they were written with, so a codec that knew only the current schema would
 * dead-letter them as malformed.
 */
public final class StepEventCodecs {

    /** Resource folder of the released schemas, one sub-folder per version. */
    private static final String RELEASED = "/io/creditstream/schemas/released/";

    /**
     * Every released version whose StepEvent schema differs from the current one; a release adds
     * its version here and its schema under {@link #RELEASED}.
     */
    private static final List<String> RELEASED_VERSIONS = List.of("0.1.0");

    private static final List<Schema> OLDER = loadOlder();

    private StepEventCodecs() {}

    /** A new codec (not thread-safe, see {@link AvroCodec}) that reads every released schema. */
    public static AvroCodec<StepEvent> create() {
        return AvroCodec.of(StepEvent.class, OLDER);
    }

    /** The released StepEvent writer schemas, oldest first. */
    public static List<Schema> olderWriterSchemas() {
        return OLDER;
    }

    private static List<Schema> loadOlder() {
        return RELEASED_VERSIONS.stream().map(StepEventCodecs::load).toList();
    }

    private static Schema load(String version) {
        String path = RELEASED + version + "/StepEvent.avsc";
        try (InputStream in = StepEventCodecs.class.getResourceAsStream(path)) {
            if (in == null) {
                throw new IllegalStateException("released schema " + path + " is not packaged");
            }
            return new Schema.Parser().parse(in);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read released schema " + path, e);
        }
    }
}
