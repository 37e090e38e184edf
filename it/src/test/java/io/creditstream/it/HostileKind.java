package io.creditstream.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * One kind of hostile input on agent.steps, as one file of the corpus under {@code
 * it/src/test/resources/hostile/} ({@link HostileCorpus} writes them; README.md there describes the
 * format for reviewers).
 *
 * <p>A file {@code <kind>.jsonl} is JSON lines, UTF-8. The first line is the header:
 *
 * <pre>{@code
 * {"kind": "...", "description": "...", "expect": {
 *     "dead_letters": {"<reason code>": n, "<code>|<code>": n},
 *     "counters": {"creditDuplicateSteps": n},
 *     "good_steps": n,
 *     "split_groups": ["<group id>"]}}
 * }</pre>
 *
 * <p>{@code dead_letters}: exactly how many dead letters of each reason the kind must cause (a key
 * {@code a|b} accepts either code, counted together); {@code counters}: how much the kind adds to
 * each job counter; {@code good_steps}: how many of its records must come out as advantages; {@code
 * split_groups}: good groups too large for one learner batch, which must arrive as complete split
 * parts. Every following line is one Kafka record, produced in file order:
 *
 * <pre>{@code
 * {"key_b64": "..." or null, "value_b64": "..." or null, "fate": "good", "note": "..."}
 * }</pre>
 *
 * <p>{@code value_b64} null is a tombstone. {@code fate} is what becomes of that record: {@code
 * good} (exactly one advantage), {@code dead-letter} (no advantage; covered by one of the header's
 * dead letters, its own or its episode's or group's) or {@code duplicate} (an identical copy of an
 * earlier good record: dropped and counted, no second advantage). {@code note} is for the reader
 * only: the value is the data.
 */
record HostileKind(String kind, String description, Expectation expect, List<Entry> records) {

    /** Where the corpus lives in the source tree, relative to the repository root. */
    static final String SOURCE_DIR = "it/src/test/resources/hostile";

    /** The corpus's directory on the test class path. */
    static final String RESOURCE_DIR = "hostile";

    static final String SUFFIX = ".jsonl";

    private static final ObjectMapper JSON = new ObjectMapper();

    /** What a record of the kind becomes. */
    enum Fate {
        GOOD("good"),
        DEAD_LETTER("dead-letter"),
        DUPLICATE("duplicate");

        final String code;

        Fate(String code) {
            this.code = code;
        }

        static Fate of(String code) {
            for (Fate fate : values()) {
                if (fate.code.equals(code)) {
                    return fate;
                }
            }
            throw new IllegalArgumentException("unknown fate '" + code + "'");
        }
    }

    /** The header's {@code expect}: what the job must do with the kind as a whole. */
    record Expectation(
            Map<String, Integer> deadLetters,
            Map<String, Long> counters,
            int goodSteps,
            List<String> splitGroups) {

        /** The reason codes a {@code dead_letters} key accepts. */
        static List<String> reasons(String key) {
            return List.of(key.split("\\|"));
        }

        int totalDeadLetters() {
            return deadLetters.values().stream().mapToInt(Integer::intValue).sum();
        }
    }

    /** One Kafka record of the kind; {@code key} and {@code value} may be null. */
    record Entry(byte[] key, byte[] value, Fate fate, String note) {}

    /** The records of one fate. */
    List<Entry> records(Fate fate) {
        return records.stream().filter(r -> r.fate() == fate).toList();
    }

    /** The file's content: the header, then one line per record, each ending in a newline. */
    String toJsonLines() {
        StringBuilder out = new StringBuilder();
        ObjectNode header = JSON.createObjectNode();
        header.put("kind", kind);
        header.put("description", description);
        ObjectNode expectNode = header.putObject("expect");
        ObjectNode letters = expectNode.putObject("dead_letters");
        expect.deadLetters().forEach(letters::put);
        ObjectNode counters = expectNode.putObject("counters");
        expect.counters().forEach(counters::put);
        expectNode.put("good_steps", expect.goodSteps());
        expect.splitGroups().forEach(expectNode.putArray("split_groups")::add);
        line(out, header);
        Base64.Encoder base64 = Base64.getEncoder();
        for (Entry entry : records) {
            ObjectNode node = JSON.createObjectNode();
            node.put("key_b64", entry.key() == null ? null : base64.encodeToString(entry.key()));
            node.put(
                    "value_b64",
                    entry.value() == null ? null : base64.encodeToString(entry.value()));
            node.put("fate", entry.fate().code);
            node.put("note", entry.note());
            line(out, node);
        }
        return out.toString();
    }

    private static void line(StringBuilder out, JsonNode node) {
        try {
            out.append(JSON.writeValueAsString(node)).append('\n');
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Reads one corpus file.
     *
     * @throws IllegalArgumentException naming the file and line of anything malformed
     */
    static HostileKind parse(String fileName, String content) {
        String[] lines = content.split("\n");
        try {
            JsonNode header = JSON.readTree(lines[0]);
            JsonNode expectNode = required(header, "expect");
            Map<String, Integer> letters = new LinkedHashMap<>();
            fields(required(expectNode, "dead_letters"))
                    .forEachRemaining(e -> letters.put(e.getKey(), e.getValue().intValue()));
            Map<String, Long> counters = new LinkedHashMap<>();
            fields(required(expectNode, "counters"))
                    .forEachRemaining(e -> counters.put(e.getKey(), e.getValue().longValue()));
            List<String> splitGroups = new ArrayList<>();
            required(expectNode, "split_groups").forEach(g -> splitGroups.add(g.asText()));
            Expectation expect =
                    new Expectation(
                            letters,
                            counters,
                            required(expectNode, "good_steps").intValue(),
                            splitGroups);
            List<Entry> records = new ArrayList<>(lines.length - 1);
            Base64.Decoder base64 = Base64.getDecoder();
            for (int i = 1; i < lines.length; i++) {
                JsonNode node = JSON.readTree(lines[i]);
                JsonNode key = required(node, "key_b64");
                JsonNode value = required(node, "value_b64");
                records.add(
                        new Entry(
                                key.isNull() ? null : base64.decode(key.asText()),
                                value.isNull() ? null : base64.decode(value.asText()),
                                Fate.of(required(node, "fate").asText()),
                                node.path("note").asText("")));
            }
            return new HostileKind(
                    required(header, "kind").asText(),
                    required(header, "description").asText(),
                    expect,
                    records);
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException(
                    fileName + ": not a hostile-corpus file: " + e.getMessage(), e);
        }
    }

    private static JsonNode required(JsonNode node, String field) {
        JsonNode value = node.get(field);
        if (value == null) {
            throw new IllegalArgumentException("missing field '" + field + "'");
        }
        return value;
    }

    private static Iterator<Map.Entry<String, JsonNode>> fields(JsonNode node) {
        return node.properties().iterator();
    }

    /** Every kind of the corpus on the test class path, in file-name order. */
    static List<HostileKind> loadAll() {
        return load(resourceDir());
    }

    /** Every {@code .jsonl} file of a directory, in file-name order. */
    static List<HostileKind> load(Path dir) {
        try (Stream<Path> files = Files.list(dir)) {
            List<HostileKind> kinds = new ArrayList<>();
            for (Path file : files.filter(f -> f.toString().endsWith(SUFFIX)).sorted().toList()) {
                kinds.add(
                        parse(
                                file.getFileName().toString(),
                                Files.readString(file, StandardCharsets.UTF_8)));
            }
            return kinds;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the hostile corpus in " + dir, e);
        }
    }

    /** The corpus directory as Maven copied it to the test classes. */
    static Path resourceDir() {
        URL url = HostileKind.class.getClassLoader().getResource(RESOURCE_DIR);
        if (url == null) {
            throw new IllegalStateException(
                    RESOURCE_DIR + "/ is not on the test class path; run HostileCorpus first");
        }
        try {
            return Path.of(url.toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }
}
