package io.creditstream.schemas.codec;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.TextNode;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.avro.AvroRuntimeException;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericFixed;
import org.apache.avro.generic.IndexedRecord;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecord;

/**
 * Reads and writes one generated Avro record type as single-line JSON objects with the schema's
 * snake_case field names: the JSON-lines form of creditstream's records.
 *
 * <p>The mapping is driven by the Avro schema, so every record type (nested records, arrays, maps
 * included) gets the same rules:
 *
 * <ul>
 *   <li>{@code int}/{@code long}: JSON integers only, within range ({@code 1.5} is rejected).
 *   <li>{@code float}/{@code double}: any JSON number, or the strings (or bare tokens) {@code
 *       "NaN"}, {@code "Infinity"}, {@code "-Infinity"}; written with Java's shortest round-trip
 *       representation, so a double survives write and read bit for bit, and non-finite values are
 *       written as those strings.
 *   <li>{@code bytes}/{@code fixed}: a base64 string; {@code enum}: the symbol; {@code map}: an
 *       object.
 *   <li>a union such as {@code ["null", X]}: {@code null} or a plain X value (no Avro-JSON type
 *       wrapper).
 *   <li>reading ignores unknown fields, fills a missing field from its schema default, and rejects
 *       a missing field without a default, a {@code null} where the schema does not allow one and a
 *       value of the wrong type, with a {@link JsonRecordException} naming the field.
 *   <li>writing emits every field, nulls included, in schema order, on one line.
 * </ul>
 *
 * <p>Instances hold no mutable state and are thread-safe. Logical types with a Java conversion (for
 * example {@code timestamp-millis} as {@code Instant}) are not supported and are rejected when the
 * codec is created.
 */
public final class JsonRecordCodec<T extends SpecificRecord> {

    private static final ObjectMapper MAPPER =
            JsonMapper.builder()
                    .enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
                    .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
                    .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
                    .build();

    private static final JsonFactory FACTORY = MAPPER.getFactory();

    private static final Base64.Encoder BASE64_ENCODER = Base64.getEncoder();
    private static final Base64.Decoder BASE64_DECODER = Base64.getDecoder();

    /** Longest piece of an offending string value quoted in an error message. */
    private static final int MAX_QUOTED_CHARS = 60;

    private final Class<T> type;
    private final Schema schema;
    private final SpecificData model;

    private JsonRecordCodec(Class<T> type) {
        this.type = Objects.requireNonNull(type, "type");
        this.model = SpecificData.getForClass(type);
        this.schema = AvroCodec.recordSchema(model, type);
        if (schema == null || schema.getType() != Schema.Type.RECORD) {
            throw new IllegalArgumentException(
                    type.getName() + " is not a generated Avro record class (no record SCHEMA$)");
        }
        rejectConvertedLogicalTypes(
                schema, schema.getName(), Collections.newSetFromMap(new IdentityHashMap<>()));
    }

    /** A codec for the generated record class {@code type}. */
    public static <T extends SpecificRecord> JsonRecordCodec<T> of(Class<T> type) {
        return new JsonRecordCodec<>(type);
    }

    /** The generated class this codec reads and writes. */
    public Class<T> recordClass() {
        return type;
    }

    /** The schema that drives the mapping. */
    public Schema schema() {
        return schema;
    }

    // ------------------------------------------------------------------ reading

    /**
     * Reads one JSON object (one line, without its line terminator) into a record.
     *
     * @throws JsonRecordException if the line is not a JSON object or does not fit the schema
     */
    public T read(String line) {
        if (line == null) {
            throw new JsonRecordException(null, "cannot read " + schema.getName() + " from null");
        }
        JsonNode root;
        try {
            root = MAPPER.readTree(line);
        } catch (JsonProcessingException e) {
            throw new JsonRecordException(null, "malformed JSON: " + e.getOriginalMessage(), e);
        }
        if (root == null || root.isMissingNode()) {
            throw new JsonRecordException(
                    null, "empty line, expected a JSON object for " + schema.getName());
        }
        if (!root.isObject()) {
            throw new JsonRecordException(
                    null,
                    "expected a JSON object for " + schema.getName() + ", got " + describe(root));
        }
        try {
            return type.cast(readRecord(root, schema));
        } catch (FieldProblem problem) {
            throw problem.toException(null);
        }
    }

    private Object readRecord(JsonNode object, Schema recordSchema) {
        IndexedRecord record = (IndexedRecord) model.newRecord(null, recordSchema);
        for (Schema.Field field : recordSchema.getFields()) {
            JsonNode node = object.get(field.name());
            Object value;
            if (node == null) {
                if (!field.hasDefaultValue()) {
                    throw FieldProblem.missing().at(field.name());
                }
                // The model caches defaults; copy so records never share a mutable default.
                value = model.deepCopy(field.schema(), model.getDefaultValue(field));
            } else {
                try {
                    value = readValue(node, field.schema());
                } catch (FieldProblem problem) {
                    throw problem.at(field.name());
                }
            }
            record.put(field.pos(), value);
        }
        return record;
    }

    private Object readValue(JsonNode node, Schema valueSchema) {
        Schema.Type kind = valueSchema.getType();
        if (kind == Schema.Type.UNION) {
            return readUnion(node, valueSchema);
        }
        if (node.isNull()) {
            if (kind == Schema.Type.NULL) {
                return null;
            }
            throw FieldProblem.value("null is not allowed, expected " + expected(valueSchema));
        }
        switch (kind) {
            case BOOLEAN:
                if (node.isBoolean()) {
                    return node.booleanValue();
                }
                break;
            case INT:
                if (node.isIntegralNumber()) {
                    if (node.canConvertToInt()) {
                        return node.intValue();
                    }
                    throw FieldProblem.value(
                            "expected int, got number " + node.asText() + " (out of int range)");
                }
                break;
            case LONG:
                if (node.isIntegralNumber()) {
                    if (node.canConvertToLong()) {
                        return node.longValue();
                    }
                    throw FieldProblem.value(
                            "expected long, got number " + node.asText() + " (out of long range)");
                }
                break;
            case FLOAT:
                {
                    Double value = readDouble(node);
                    if (value != null) {
                        return value.floatValue();
                    }
                    break;
                }
            case DOUBLE:
                {
                    Double value = readDouble(node);
                    if (value != null) {
                        return value;
                    }
                    break;
                }
            case STRING:
                if (node.isTextual()) {
                    return node.textValue();
                }
                break;
            case BYTES:
                if (node.isTextual()) {
                    return ByteBuffer.wrap(readBase64(node, valueSchema));
                }
                break;
            case FIXED:
                if (node.isTextual()) {
                    byte[] bytes = readBase64(node, valueSchema);
                    if (bytes.length != valueSchema.getFixedSize()) {
                        throw FieldProblem.value(
                                "expected "
                                        + expected(valueSchema)
                                        + ", got "
                                        + bytes.length
                                        + " bytes");
                    }
                    return model.createFixed(null, bytes, valueSchema);
                }
                break;
            case ENUM:
                if (node.isTextual() && valueSchema.hasEnumSymbol(node.textValue())) {
                    return model.createEnum(node.textValue(), valueSchema);
                }
                break;
            case ARRAY:
                if (node.isArray()) {
                    List<Object> items = new ArrayList<>(node.size());
                    for (int i = 0; i < node.size(); i++) {
                        try {
                            items.add(readValue(node.get(i), valueSchema.getElementType()));
                        } catch (FieldProblem problem) {
                            throw problem.at("[" + i + "]");
                        }
                    }
                    return items;
                }
                break;
            case MAP:
                if (node.isObject()) {
                    Map<String, Object> entries = new LinkedHashMap<>();
                    for (Map.Entry<String, JsonNode> entry : node.properties()) {
                        try {
                            entries.put(
                                    entry.getKey(),
                                    readValue(entry.getValue(), valueSchema.getValueType()));
                        } catch (FieldProblem problem) {
                            throw problem.at("[" + TextNode.valueOf(entry.getKey()) + "]");
                        }
                    }
                    return entries;
                }
                break;
            case RECORD:
                if (node.isObject()) {
                    return readRecord(node, valueSchema);
                }
                break;
            default:
                break;
        }
        throw FieldProblem.value("expected " + expected(valueSchema) + ", got " + describe(node));
    }

    private Object readUnion(JsonNode node, Schema union) {
        if (node.isNull()) {
            if (union.getIndexNamed(Schema.Type.NULL.getName()) != null) {
                return null;
            }
            throw FieldProblem.value("null is not allowed, expected " + expected(union));
        }
        FieldProblem first = null;
        int candidates = 0;
        for (Schema branch : union.getTypes()) {
            if (branch.getType() == Schema.Type.NULL) {
                continue;
            }
            candidates++;
            try {
                return readValue(node, branch);
            } catch (FieldProblem problem) {
                if (first == null) {
                    first = problem;
                }
            }
        }
        if (candidates == 1) {
            throw first;
        }
        throw FieldProblem.value("expected " + expected(union) + ", got " + describe(node));
    }

    /** The double a node stands for, or null if it stands for none. */
    private static Double readDouble(JsonNode node) {
        if (node.isNumber()) {
            return node.doubleValue();
        }
        if (node.isTextual()) {
            switch (node.textValue()) {
                case "NaN":
                    return Double.NaN;
                case "Infinity":
                    return Double.POSITIVE_INFINITY;
                case "-Infinity":
                    return Double.NEGATIVE_INFINITY;
                default:
                    return null;
            }
        }
        return null;
    }

    private static byte[] readBase64(JsonNode node, Schema valueSchema) {
        try {
            return BASE64_DECODER.decode(node.textValue());
        } catch (IllegalArgumentException e) {
            throw FieldProblem.value(
                    "expected "
                            + expected(valueSchema)
                            + ", got "
                            + describe(node)
                            + " ("
                            + e.getMessage()
                            + ")");
        }
    }

    // ------------------------------------------------------------------ writing

    /**
     * Writes {@code record} as one JSON object on one line, without a line terminator.
     *
     * @throws JsonRecordException if the record does not fit its schema, for example a null in a
     *     non-nullable field
     */
    public String write(T record) {
        Objects.requireNonNull(record, "record");
        StringWriter out = new StringWriter(512);
        try (JsonGenerator generator = FACTORY.createGenerator(out)) {
            writeRecord(generator, record, schema);
        } catch (FieldProblem problem) {
            throw problem.toException("cannot write " + schema.getName());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString();
    }

    private void writeRecord(JsonGenerator generator, IndexedRecord record, Schema recordSchema)
            throws IOException {
        generator.writeStartObject();
        for (Schema.Field field : recordSchema.getFields()) {
            generator.writeFieldName(field.name());
            try {
                writeValue(generator, record.get(field.pos()), field.schema());
            } catch (FieldProblem problem) {
                throw problem.at(field.name());
            }
        }
        generator.writeEndObject();
    }

    private void writeValue(JsonGenerator generator, Object value, Schema valueSchema)
            throws IOException {
        Schema.Type kind = valueSchema.getType();
        if (kind == Schema.Type.UNION) {
            int branch;
            try {
                branch = model.resolveUnion(valueSchema, value);
            } catch (AvroRuntimeException e) {
                throw FieldProblem.value(
                        "expected " + expected(valueSchema) + ", got " + describeJava(value));
            }
            writeValue(generator, value, valueSchema.getTypes().get(branch));
            return;
        }
        if (value == null) {
            if (kind == Schema.Type.NULL) {
                generator.writeNull();
                return;
            }
            throw FieldProblem.value("null is not allowed, expected " + expected(valueSchema));
        }
        try {
            switch (kind) {
                case BOOLEAN:
                    generator.writeBoolean((Boolean) value);
                    return;
                case INT:
                    generator.writeNumber((Integer) value);
                    return;
                case LONG:
                    generator.writeNumber((Long) value);
                    return;
                case FLOAT:
                    {
                        float f = (Float) value;
                        if (Float.isFinite(f)) {
                            generator.writeNumber(f);
                        } else {
                            generator.writeString(Float.toString(f));
                        }
                        return;
                    }
                case DOUBLE:
                    {
                        double d = (Double) value;
                        if (Double.isFinite(d)) {
                            generator.writeNumber(d);
                        } else {
                            generator.writeString(Double.toString(d));
                        }
                        return;
                    }
                case STRING:
                    generator.writeString(((CharSequence) value).toString());
                    return;
                case BYTES:
                    {
                        ByteBuffer buffer = ((ByteBuffer) value).duplicate();
                        byte[] bytes = new byte[buffer.remaining()];
                        buffer.get(bytes);
                        generator.writeString(BASE64_ENCODER.encodeToString(bytes));
                        return;
                    }
                case FIXED:
                    generator.writeString(
                            BASE64_ENCODER.encodeToString(((GenericFixed) value).bytes()));
                    return;
                case ENUM:
                    generator.writeString(value.toString());
                    return;
                case ARRAY:
                    {
                        generator.writeStartArray();
                        int i = 0;
                        for (Object item : (Collection<?>) value) {
                            try {
                                writeValue(generator, item, valueSchema.getElementType());
                            } catch (FieldProblem problem) {
                                throw problem.at("[" + i + "]");
                            }
                            i++;
                        }
                        generator.writeEndArray();
                        return;
                    }
                case MAP:
                    generator.writeStartObject();
                    for (Map.Entry<?, ?> entry : ((Map<?, ?>) value).entrySet()) {
                        String key = String.valueOf(entry.getKey());
                        generator.writeFieldName(key);
                        try {
                            writeValue(generator, entry.getValue(), valueSchema.getValueType());
                        } catch (FieldProblem problem) {
                            throw problem.at("[" + TextNode.valueOf(key) + "]");
                        }
                    }
                    generator.writeEndObject();
                    return;
                case RECORD:
                    writeRecord(generator, (IndexedRecord) value, valueSchema);
                    return;
                case NULL:
                default:
                    throw FieldProblem.value(
                            "expected " + expected(valueSchema) + ", got " + describeJava(value));
            }
        } catch (ClassCastException e) {
            throw FieldProblem.value(
                    "expected " + expected(valueSchema) + ", got " + describeJava(value));
        }
    }

    // ------------------------------------------------------------------ messages

    private static String expected(Schema valueSchema) {
        switch (valueSchema.getType()) {
            case BYTES:
                return "base64 string";
            case FIXED:
                return "base64 string of " + valueSchema.getFixedSize() + " bytes";
            case ENUM:
                return "one of " + valueSchema.getEnumSymbols();
            case MAP:
                return "object";
            case RECORD:
                return valueSchema.getName() + " object";
            case UNION:
                return valueSchema.getTypes().stream()
                        .map(JsonRecordCodec::expected)
                        .collect(Collectors.joining(" or "));
            default:
                return valueSchema.getType().getName();
        }
    }

    private static String describe(JsonNode node) {
        if (node.isTextual()) {
            String text = node.textValue();
            if (text.length() > MAX_QUOTED_CHARS) {
                text = text.substring(0, MAX_QUOTED_CHARS) + "...";
            }
            return "string " + TextNode.valueOf(text);
        }
        if (node.isNumber()) {
            return "number " + node.asText();
        }
        if (node.isBoolean()) {
            return "boolean " + node;
        }
        if (node.isNull()) {
            return "null";
        }
        if (node.isArray()) {
            return "array";
        }
        if (node.isObject()) {
            return "object";
        }
        return node.getNodeType().name().toLowerCase();
    }

    private static String describeJava(Object value) {
        return value == null ? "null" : "a " + value.getClass().getName();
    }

    private void rejectConvertedLogicalTypes(Schema s, String path, Set<Schema> visited) {
        if (s.getLogicalType() != null && model.getConversionFor(s.getLogicalType()) != null) {
            throw new IllegalArgumentException(
                    "JsonRecordCodec does not support logical type "
                            + s.getLogicalType().getName()
                            + " at "
                            + path);
        }
        switch (s.getType()) {
            case RECORD:
                if (visited.add(s)) {
                    for (Schema.Field field : s.getFields()) {
                        rejectConvertedLogicalTypes(
                                field.schema(), path + "." + field.name(), visited);
                    }
                }
                break;
            case ARRAY:
                rejectConvertedLogicalTypes(s.getElementType(), path + "[]", visited);
                break;
            case MAP:
                rejectConvertedLogicalTypes(s.getValueType(), path + "[]", visited);
                break;
            case UNION:
                for (Schema branch : s.getTypes()) {
                    rejectConvertedLogicalTypes(branch, path, visited);
                }
                break;
            default:
                break;
        }
    }

    /**
     * A field-level problem on its way up the value tree, gathering the path as it goes; cheap to
     * throw (no stack trace) and turned into a {@link JsonRecordException} at the top.
     */
    private static final class FieldProblem extends RuntimeException {
        private static final long serialVersionUID = 1L;

        private final boolean missing;
        private final String detail;
        private final ArrayDeque<String> path = new ArrayDeque<>();

        private FieldProblem(boolean missing, String detail) {
            super(detail, null, false, false);
            this.missing = missing;
            this.detail = detail;
        }

        static FieldProblem missing() {
            return new FieldProblem(true, null);
        }

        static FieldProblem value(String detail) {
            return new FieldProblem(false, detail);
        }

        FieldProblem at(String segment) {
            path.addFirst(segment);
            return this;
        }

        JsonRecordException toException(String context) {
            StringBuilder field = new StringBuilder();
            for (String segment : path) {
                if (field.length() > 0 && !segment.startsWith("[")) {
                    field.append('.');
                }
                field.append(segment);
            }
            String message =
                    missing
                            ? "missing required field '" + field + "'"
                            : "field '" + field + "': " + detail;
            return new JsonRecordException(
                    field.toString(), context == null ? message : context + ": " + message);
        }
    }
}
