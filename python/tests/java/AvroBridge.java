import io.creditstream.schemas.codec.AvroCodec;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.apache.avro.specific.SpecificRecord;

/**
 * The Java half of the Python client's encoding cross-check, run by pytest as a single-file source
 * program on the launcher's jar. Reads lines {@code <record class> <base64 single-object payload>}
 * on stdin; for each, decodes the payload with the project's {@link AvroCodec}, encodes the decoded
 * record again and prints {@code <class> <fingerprint hex> <base64 re-encoding> <record as JSON>};
 * a payload it cannot decode prints {@code <class> ERROR <message>}.
 */
public final class AvroBridge {
    public static void main(String[] args) throws Exception {
        BufferedReader in =
                new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        StringBuilder out = new StringBuilder();
        for (String line = in.readLine(); line != null; line = in.readLine()) {
            if (line.isBlank()) {
                continue;
            }
            String[] parts = line.split(" ", 2);
            out.append(parts[0]).append(' ').append(bridge(parts[0], parts[1])).append('\n');
        }
        System.out.print(out);
    }

    @SuppressWarnings("unchecked")
    private static String bridge(String className, String base64) throws Exception {
        Class<? extends SpecificRecord> type =
                (Class<? extends SpecificRecord>) Class.forName(className);
        AvroCodec<SpecificRecord> codec = (AvroCodec<SpecificRecord>) (AvroCodec<?>) AvroCodec.of(type);
        SpecificRecord record;
        try {
            record = codec.decode(Base64.getDecoder().decode(base64));
        } catch (RuntimeException e) {
            return "ERROR " + e.getMessage().replace('\n', ' ');
        }
        return String.format("%016x", codec.fingerprint())
                + ' '
                + Base64.getEncoder().encodeToString(codec.encode(record))
                + ' '
                + record.toString().replace('\n', ' ');
    }
}
