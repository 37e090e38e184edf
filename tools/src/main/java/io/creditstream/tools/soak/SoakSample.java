package io.creditstream.tools.soak;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.ToDoubleFunction;

/**
 * One row of {@code soak.csv}: the soak's figures at one moment. Counts are totals since the start;
 * the job's come from its Prometheus endpoint, summed over operators and subtasks.
 *
 * @param elapsedSeconds since the fleet started
 * @param stepsSent good steps sent
 * @param hostileSent hostile records sent (the overflowing group is two records)
 * @param eventsIn records the job has read from agent.steps ({@code creditEventsIn})
 * @param recordsOut advantage records read back from learner.batches, committed only
 * @param deadLetters {@code creditDeadLettered}, every reason
 * @param duplicateSteps {@code creditDuplicateSteps}
 * @param heapBytes JVM heap in use right after a full GC, requested for this sample
 * @param rocksDbLiveBytes RocksDB's estimate of its live data, every column family
 * @param rocksDbSstBytes RocksDB's SST files, every version (what the disk holds)
 * @param checkpointFullBytes the full size of the latest checkpoint ({@code
 *     lastCheckpointFullSize}): keyed state as checkpointed plus operator state, a cross-check
 * @param openTrajectories {@code creditOpenTrajectories}: episodes begun, not complete
 * @param openGroups {@code creditOpenGroups}: groups begun, not complete
 * @param restarts the job's {@code numRestarts}
 */
public record SoakSample(
        double elapsedSeconds,
        long stepsSent,
        long hostileSent,
        long eventsIn,
        long recordsOut,
        long deadLetters,
        long duplicateSteps,
        long heapBytes,
        long rocksDbLiveBytes,
        long rocksDbSstBytes,
        long checkpointFullBytes,
        long openTrajectories,
        long openGroups,
        long restarts) {

    public static final String CSV_HEADER =
            "elapsed_s,steps_sent,hostile_sent,events_in,records_out,dead_letters,duplicate_steps,"
                    + "heap_after_gc_bytes,rocksdb_live_bytes,rocksdb_sst_bytes,checkpoint_full_bytes,"
                    + "open_trajectories,open_groups,restarts";

    private static final double MB = 1024.0 * 1024.0;

    /** A figure whose trend the soak reports: it must stay flat. */
    public record Gauge(String label, ToDoubleFunction<SoakSample> value) {}

    /** The figures that must stay flat, in the order the summary lists them. */
    public static final List<Gauge> GAUGES =
            List.of(
                    new Gauge("heap after GC (MB)", s -> s.heapBytes() / MB),
                    new Gauge("RocksDB live data (MB)", s -> s.rocksDbLiveBytes() / MB),
                    new Gauge("RocksDB SST files (MB)", s -> s.rocksDbSstBytes() / MB),
                    new Gauge("last checkpoint (MB)", s -> s.checkpointFullBytes() / MB),
                    new Gauge("open episodes", SoakSample::openTrajectories),
                    new Gauge("open groups", SoakSample::openGroups));

    public String csvRow() {
        return String.format(
                Locale.ROOT,
                "%.1f,%d,%d,%d,%d,%d,%d,%d,%d,%d,%d,%d,%d,%d",
                elapsedSeconds,
                stepsSent,
                hostileSent,
                eventsIn,
                recordsOut,
                deadLetters,
                duplicateSteps,
                heapBytes,
                rocksDbLiveBytes,
                rocksDbSstBytes,
                checkpointFullBytes,
                openTrajectories,
                openGroups,
                restarts);
    }

    /** Writes the samples as CSV with a header line (parent folders created). */
    public static void writeCsv(Path csv, List<SoakSample> samples) throws IOException {
        Path parent = csv.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        List<String> lines = new ArrayList<>(samples.size() + 1);
        lines.add(CSV_HEADER);
        samples.forEach(sample -> lines.add(sample.csvRow()));
        Files.write(csv, lines, StandardCharsets.UTF_8);
    }
}
