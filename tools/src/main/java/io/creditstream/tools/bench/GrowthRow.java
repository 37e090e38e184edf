package io.creditstream.tools.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;

/**
 * One point of a growth sweep: the shape of the open state it held and what the job cost there.
 *
 * @param sweep which sweep the point belongs to ({@code open-episodes}, {@code trajectory-length},
 *     {@code anchor-keys}, {@code prm-actions})
 * @param value the swept setting's value at this point
 * @param estimator the job's {@code credit.estimator}
 * @param steps steps the job read in all
 * @param windowSteps steps read in the measured window
 * @param windowSeconds the window's length
 * @param stepsPerSecond the steady rate over the window
 * @param cpuMicrosPerStep process CPU time in the window per step read in it
 * @param heapBytes heap in use right after a full GC, taken after the last step and the checkpoint
 *     that follows it (RocksDB figures and checkpoint alike)
 * @param rocksDbLiveBytes RocksDB's estimated live data, summed over operators, subtasks and column
 *     families
 * @param rocksDbSstBytes RocksDB's SST files, summed alike
 * @param checkpointFullBytes the latest completed checkpoint's full size (every increment it
 *     references)
 * @param checkpointMillis the latest completed checkpoint's duration
 * @param checkpoints checkpoints completed when the figures were taken
 * @param openEpisodesSeen the job's open-episode gauge at the window's end
 * @param openGroupsSeen the job's open-group gauge at the window's end
 * @param prmLiveFeatures the OPRL PRM's non-zero weights then (0 for other estimators)
 * @param loadAverage the machine's 1-minute load average when the point ended
 */
public record GrowthRow(
        String sweep,
        long value,
        int openEpisodes,
        int trajectoryLength,
        int stateKeys,
        int actionTokens,
        String estimator,
        long steps,
        long windowSteps,
        double windowSeconds,
        double stepsPerSecond,
        double cpuMicrosPerStep,
        long heapBytes,
        long rocksDbLiveBytes,
        long rocksDbSstBytes,
        long checkpointFullBytes,
        long checkpointMillis,
        long checkpoints,
        long openEpisodesSeen,
        long openGroupsSeen,
        long prmLiveFeatures,
        double loadAverage) {

    private record Column(String name, Function<GrowthRow, String> value) {}

    private static final double MB = 1024.0 * 1024.0;

    private static final List<Column> COLUMNS =
            List.of(
                    new Column("sweep", GrowthRow::sweep),
                    new Column("value", r -> Long.toString(r.value())),
                    new Column("open_episodes", r -> Integer.toString(r.openEpisodes())),
                    new Column("trajectory_length", r -> Integer.toString(r.trajectoryLength())),
                    new Column("state_keys", r -> Integer.toString(r.stateKeys())),
                    new Column("action_tokens", r -> Integer.toString(r.actionTokens())),
                    new Column("estimator", GrowthRow::estimator),
                    new Column("steps", r -> Long.toString(r.steps())),
                    new Column("window_steps", r -> Long.toString(r.windowSteps())),
                    new Column("window_s", r -> number(r.windowSeconds(), 2)),
                    new Column("steps_per_s", r -> number(r.stepsPerSecond(), 1)),
                    new Column("cpu_us_per_step", r -> number(r.cpuMicrosPerStep(), 2)),
                    new Column("heap_after_gc_bytes", r -> Long.toString(r.heapBytes())),
                    new Column("rocksdb_live_bytes", r -> Long.toString(r.rocksDbLiveBytes())),
                    new Column("rocksdb_sst_bytes", r -> Long.toString(r.rocksDbSstBytes())),
                    new Column(
                            "checkpoint_full_bytes", r -> Long.toString(r.checkpointFullBytes())),
                    new Column("checkpoint_ms", r -> Long.toString(r.checkpointMillis())),
                    new Column("checkpoints", r -> Long.toString(r.checkpoints())),
                    new Column("open_episodes_seen", r -> Long.toString(r.openEpisodesSeen())),
                    new Column("open_groups_seen", r -> Long.toString(r.openGroupsSeen())),
                    new Column("prm_live_features", r -> Long.toString(r.prmLiveFeatures())),
                    new Column("load_average", r -> number(r.loadAverage(), 2)));

    /** The CSV header line, without a line break. */
    public static String csvHeader() {
        return String.join(",", COLUMNS.stream().map(Column::name).toList());
    }

    /** This row as a CSV line, in {@link #csvHeader()}'s order, without a line break. */
    public String csvLine() {
        return String.join(",", COLUMNS.stream().map(c -> c.value().apply(this)).toList());
    }

    /**
     * This row as one JSON object with the CSV's column names as keys; numbers bare (NaN as null),
     * the two names quoted.
     */
    public String json() {
        List<String> fields = new ArrayList<>();
        for (Column column : COLUMNS) {
            String text = column.value().apply(this);
            boolean quoted = column.name().equals("sweep") || column.name().equals("estimator");
            String value = quoted ? "\"" + text + "\"" : text.equals("NaN") ? "null" : text;
            fields.add("\"" + column.name() + "\":" + value);
        }
        return "{" + String.join(",", fields) + "}";
    }

    /** Writes a header and the rows. */
    public static void writeCsv(Path csv, List<GrowthRow> rows) throws IOException {
        List<String> lines = new ArrayList<>();
        lines.add(csvHeader());
        rows.forEach(row -> lines.add(row.csvLine()));
        Path parent = csv.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        Files.write(csv, lines);
    }

    /** The table a person reads: one line per row, sizes in MB. */
    public static String table(List<GrowthRow> rows) {
        StringBuilder out = new StringBuilder();
        out.append(
                String.format(
                        Locale.ROOT,
                        "%-18s %9s %9s %10s %9s %9s %9s %9s %9s %8s %10s %9s %6s%n",
                        "sweep",
                        "value",
                        "steps/s",
                        "CPU us/st",
                        "heap MB",
                        "RDB live",
                        "RDB SST",
                        "ckpt MB",
                        "ckpt ms",
                        "open ep",
                        "open grp",
                        "PRM feat",
                        "load"));
        for (GrowthRow r : rows) {
            out.append(
                    String.format(
                            Locale.ROOT,
                            "%-18s %,9d %,9.0f %10.1f %9.1f %9.1f %9.1f %9.1f %,9d %,8d %,10d %,9d"
                                    + " %6.1f%n",
                            r.sweep(),
                            r.value(),
                            r.stepsPerSecond(),
                            r.cpuMicrosPerStep(),
                            r.heapBytes() / MB,
                            r.rocksDbLiveBytes() / MB,
                            r.rocksDbSstBytes() / MB,
                            r.checkpointFullBytes() / MB,
                            r.checkpointMillis(),
                            r.openEpisodesSeen(),
                            r.openGroupsSeen(),
                            r.prmLiveFeatures(),
                            r.loadAverage()));
        }
        return out.toString();
    }

    private static String number(double value, int decimals) {
        if (Double.isNaN(value)) {
            return "NaN";
        }
        return String.format(Locale.ROOT, "%." + decimals + "f", value);
    }
}
