package io.creditstream.schemas;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.SchemaCompatibility.SchemaPairCompatibility;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.SchemaParser;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Guards schema evolution: every record of every released version under {@code
 * src/test/resources/released/<version>/} must stay readable by the current schema (backward) and
 * the current schema's data by the released one (forward), so an incompatible change fails the
 * build naming the record.
 *
 * <p>When a version is released, copy {@code src/main/avro/*.avsc} into a new {@code
 * released/<version>/} folder; keep the old folders. A released StepEvent schema also goes under
 * {@code src/main/resources/io/creditstream/schemas/released/<version>/} and into {@code
 * StepEventCodecs}, so that the job keeps decoding what fleets built on it write.
 */
class SchemaCompatibilityTest {

    private static final Path BASEDIR = Path.of(System.getProperty("basedir", "."));
    private static final Path CURRENT = BASEDIR.resolve("src/main/avro");
    private static final Path RELEASED = BASEDIR.resolve("src/test/resources/released");

    @TestFactory
    Stream<DynamicTest> everyReleasedRecordIsReadableBothWays() {
        Map<String, Schema> current = loadRecords(CURRENT);
        List<DynamicTest> tests = new ArrayList<>();
        for (Path versionDir : releasedVersions()) {
            String version = versionDir.getFileName().toString();
            for (Map.Entry<String, Schema> released : loadRecords(versionDir).entrySet()) {
                String name = released.getKey();
                tests.add(
                        DynamicTest.dynamicTest(
                                version + " " + name,
                                () ->
                                        assertThat(
                                                        compatibilityProblems(
                                                                name,
                                                                current.get(name),
                                                                released.getValue(),
                                                                version))
                                                .as("schema compatibility of %s", name)
                                                .isEmpty()));
            }
        }
        assertThat(tests).as("released schemas under %s", RELEASED).isNotEmpty();
        return tests.stream();
    }

    @Test
    void everyCurrentSchemaIsTheOneTheGeneratedClassCarries() throws Exception {
        for (Map.Entry<String, Schema> entry : loadRecords(CURRENT).entrySet()) {
            Schema generated = (Schema) Class.forName(entry.getKey()).getField("SCHEMA$").get(null);
            assertThat(SchemaNormalization.toParsingForm(generated))
                    .as("generated class of %s is stale; rebuild", entry.getKey())
                    .isEqualTo(SchemaNormalization.toParsingForm(entry.getValue()));
        }
    }

    @Test
    void theGuardCatchesAFieldAddedWithoutDefault() {
        Schema released = StepEvent.getClassSchema();
        Schema changed =
                withExtraField(
                        released, new Schema.Field("turn_id", Schema.create(Schema.Type.LONG)));

        assertThat(compatibilityProblems("StepEvent", changed, released, "0.1.0"))
                .singleElement()
                .asString()
                .startsWith(
                        "StepEvent: the current schema cannot read data written with the"
                                + " released 0.1.0 schema")
                .contains("turn_id");
    }

    @Test
    void theGuardCatchesARequiredFieldDroppedOrRetyped() {
        Schema released = StepEvent.getClassSchema();
        List<Schema.Field> fields = new ArrayList<>();
        for (Schema.Field field : released.getFields()) {
            if (field.name().equals("group_size")) {
                continue; // dropped: data written now cannot be read by 0.1.0 readers
            }
            if (field.name().equals("step_index")) {
                fields.add(new Schema.Field(field.name(), Schema.create(Schema.Type.STRING)));
            } else {
                fields.add(new Schema.Field(field, field.schema()));
            }
        }
        Schema changed =
                Schema.createRecord(
                        released.getName(), null, released.getNamespace(), false, fields);

        List<String> problems = compatibilityProblems("StepEvent", changed, released, "0.1.0");

        assertThat(problems).hasSize(2);
        assertThat(problems.get(0))
                .contains("cannot read data written with")
                .contains("step_index");
        assertThat(problems.get(1))
                .contains("cannot read data written with the current schema")
                .contains("group_size");
    }

    @Test
    void theGuardCatchesARemovedRecord() {
        assertThat(compatibilityProblems("StepEvent", null, StepEvent.getClassSchema(), "0.1.0"))
                .containsExactly(
                        "StepEvent: released in 0.1.0 but missing from src/main/avro;"
                                + " records may not be removed");
    }

    /** What is wrong between a current and a released schema of one record, in words. */
    static List<String> compatibilityProblems(
            String name, Schema current, Schema released, String version) {
        String simpleName = name.substring(name.lastIndexOf('.') + 1);
        if (current == null) {
            return List.of(
                    simpleName
                            + ": released in "
                            + version
                            + " but missing from src/main/avro; records may not be removed");
        }
        List<String> problems = new ArrayList<>();
        SchemaPairCompatibility backward =
                SchemaCompatibility.checkReaderWriterCompatibility(current, released);
        if (backward.getType() != SchemaCompatibility.SchemaCompatibilityType.COMPATIBLE) {
            problems.add(
                    simpleName
                            + ": the current schema cannot read data written with the released "
                            + version
                            + " schema (backward incompatible): "
                            + describe(backward)
                            + ". Add new fields with defaults; never remove a default.");
        }
        SchemaPairCompatibility forward =
                SchemaCompatibility.checkReaderWriterCompatibility(released, current);
        if (forward.getType() != SchemaCompatibility.SchemaCompatibilityType.COMPATIBLE) {
            problems.add(
                    simpleName
                            + ": the released "
                            + version
                            + " schema cannot read data written with the current schema"
                            + " (forward incompatible): "
                            + describe(forward)
                            + ". Only fields with defaults may be removed; types may not change.");
        }
        return problems;
    }

    private static String describe(SchemaPairCompatibility compatibility) {
        return compatibility.getResult().getIncompatibilities().stream()
                .map(
                        i ->
                                i.getMessage()
                                        + " at field '"
                                        + fieldPath(compatibility.getReader(), i.getLocation())
                                        + "' ("
                                        + i.getLocation()
                                        + ")")
                .collect(Collectors.joining("; "));
    }

    /**
     * Turns Avro's JSON-pointer location into the reader schema, such as {@code
     * /fields/5/type/items/fields/4/type}, into a field path such as {@code records[].step_index}.
     */
    static String fieldPath(Schema reader, String location) {
        String[] tokens = location.split("/");
        StringBuilder path = new StringBuilder();
        Schema current = reader;
        try {
            for (int i = 0; i < tokens.length; i++) {
                String token = tokens[i];
                if (token.equals("fields") && i + 1 < tokens.length) {
                    Schema.Field field = current.getFields().get(Integer.parseInt(tokens[++i]));
                    path.append(path.length() == 0 ? "" : ".").append(field.name());
                    current = field.schema();
                } else if (token.equals("items")) {
                    path.append("[]");
                    current = current.getElementType();
                } else if (token.equals("values")) {
                    path.append("[]");
                    current = current.getValueType();
                } else if (current.getType() == Schema.Type.UNION && token.matches("\\d+")) {
                    current = current.getTypes().get(Integer.parseInt(token));
                }
            }
        } catch (RuntimeException e) {
            return path + "?";
        }
        return path.length() == 0 ? "(record)" : path.toString();
    }

    private static List<Path> releasedVersions() {
        try (Stream<Path> dirs = Files.list(RELEASED)) {
            return dirs.filter(Files::isDirectory).sorted().collect(Collectors.toList());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The top-level record of every .avsc file in {@code dir}, by full name. */
    private static Map<String, Schema> loadRecords(Path dir) {
        List<Path> files;
        try (Stream<Path> list = Files.list(dir)) {
            files =
                    list.filter(p -> p.getFileName().toString().endsWith(".avsc"))
                            .sorted()
                            .collect(Collectors.toList());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        // Parse every file before resolving any, so files may refer to each other in any order.
        SchemaParser parser = new SchemaParser();
        Map<Path, SchemaParser.ParseResult> results = new TreeMap<>();
        for (Path file : files) {
            try {
                results.put(file, parser.parse(file));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        Map<String, Schema> records = new TreeMap<>();
        for (Map.Entry<Path, SchemaParser.ParseResult> result : results.entrySet()) {
            Schema schema = parser.resolve(result.getValue());
            assertThat(result.getKey().getFileName().toString())
                    .as("file name of record %s", schema.getFullName())
                    .isEqualTo(schema.getName() + ".avsc");
            records.put(schema.getFullName(), schema);
        }
        return records;
    }

    private static Schema withExtraField(Schema schema, Schema.Field extra) {
        List<Schema.Field> fields = new ArrayList<>();
        for (Schema.Field field : schema.getFields()) {
            fields.add(new Schema.Field(field, field.schema()));
        }
        fields.add(extra);
        return Schema.createRecord(schema.getName(), null, schema.getNamespace(), false, fields);
    }
}
