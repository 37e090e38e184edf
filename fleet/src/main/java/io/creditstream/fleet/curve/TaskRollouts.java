package io.creditstream.fleet.curve;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * How many episodes each task was given, and how many it solved, per span of the run: the
 * allocation over time that rollout budgets change. The run is cut into spans of {@code
 * spanEpisodes} finished episodes; each span keeps one row per task that finished an episode in it.
 * With uniform groups every task gets about the same share of each span; with knapsack budgets the
 * solved and the hopeless tasks shrink to the minimum and the half-solved grow.
 */
public final class TaskRollouts {

    /** The CSV header. */
    public static final String HEADER = "span_end_episodes,task_id,episodes,successes";

    /**
     * One task in one span.
     *
     * @param spanEndEpisodes the run's episode count at the end of the span (the last span may be
     *     shorter)
     */
    public record Row(long spanEndEpisodes, String taskId, long episodes, long successes) {}

    private final long spanEpisodes;
    private final List<Row> rows = new ArrayList<>();
    private final Map<String, long[]> current = new TreeMap<>();
    private long episodes;

    /**
     * @param spanEpisodes finished episodes per span, at least 1
     */
    public TaskRollouts(long spanEpisodes) {
        if (spanEpisodes < 1) {
            throw new IllegalArgumentException("spanEpisodes must be >= 1, got " + spanEpisodes);
        }
        this.spanEpisodes = spanEpisodes;
    }

    /** Counts one finished episode of {@code taskId}. */
    public void add(String taskId, boolean success) {
        long[] counts = current.computeIfAbsent(taskId, t -> new long[2]);
        counts[0]++;
        if (success) {
            counts[1]++;
        }
        episodes++;
        if (episodes % spanEpisodes == 0) {
            closeSpan();
        }
    }

    /** The closed spans' rows, and the open span's as it stands, in span then task order. */
    public List<Row> rows() {
        List<Row> all = new ArrayList<>(rows);
        current.forEach((task, c) -> all.add(new Row(episodes, task, c[0], c[1])));
        return all;
    }

    /** Writes {@link #rows()} as CSV to {@code file}, replacing it. */
    public void write(Path file) throws IOException {
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        try (BufferedWriter out = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            out.write(HEADER);
            out.newLine();
            for (Row row : rows()) {
                out.write(
                        row.spanEndEpisodes()
                                + ","
                                + field(row.taskId())
                                + ","
                                + row.episodes()
                                + ","
                                + row.successes());
                out.newLine();
            }
        }
    }

    /** A task id as one CSV field: quoted, quotes doubled, when it holds a comma or a quote. */
    static String field(String text) {
        if (text.indexOf(',') < 0 && text.indexOf('"') < 0 && text.indexOf('\n') < 0) {
            return text;
        }
        return '"' + text.replace("\"", "\"\"") + '"';
    }

    private void closeSpan() {
        current.forEach((task, c) -> rows.add(new Row(episodes, task, c[0], c[1])));
        current.clear();
    }
}
