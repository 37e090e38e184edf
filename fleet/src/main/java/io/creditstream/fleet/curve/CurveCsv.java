package io.creditstream.fleet.curve;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Writes and reads a {@link Curve} as CSV: a header row, then one row per point, the run's label
 * and seed repeated on every row so that a file alone says what it measured.
 */
public final class CurveCsv {

    /** The columns, in order. */
    public static final List<String> COLUMNS =
            List.of(
                    "label",
                    "seed",
                    "episodes",
                    "success_rate",
                    "mean_episode_length",
                    "mean_abs_advantage",
                    "updates",
                    "wall_seconds",
                    "entropy",
                    "approx_kl");

    private static final String HEADER = String.join(",", COLUMNS);

    private CurveCsv() {}

    /**
     * Writes {@code curve} to {@code file}, replacing it; parent folders are created.
     *
     * @throws IllegalArgumentException if the label holds a comma, quote or line break
     */
    public static void write(Path file, Curve curve) throws IOException {
        if (curve.label().matches(".*[,\"\\r\\n].*")) {
            throw new IllegalArgumentException(
                    "label \"" + curve.label() + "\" must not contain a comma, quote or newline");
        }
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        try (BufferedWriter out = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            out.write(HEADER);
            out.write('\n');
            for (CurvePoint p : curve.points()) {
                out.write(
                        String.format(
                                Locale.ROOT,
                                "%s,%d,%d,%.4f,%.3f,%.6f,%d,%.3f,%.5f,%.3e%n",
                                curve.label(),
                                curve.seed(),
                                p.episodes(),
                                p.successRate(),
                                p.meanEpisodeLength(),
                                p.meanAbsAdvantage(),
                                p.updates(),
                                p.wallSeconds(),
                                p.entropy(),
                                p.approxKl()));
            }
        }
    }

    /**
     * Reads a file written by {@link #write}.
     *
     * @throws IOException if it cannot be read
     * @throws IllegalArgumentException if its header or a row is not this format; the message says
     *     which line
     */
    public static Curve read(Path file) throws IOException {
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        if (lines.isEmpty() || !lines.get(0).equals(HEADER)) {
            throw new IllegalArgumentException(
                    file + ": expected the header \"" + HEADER + "\" on line 1");
        }
        String label = null;
        long seed = 0;
        List<CurvePoint> points = new ArrayList<>();
        for (int i = 1; i < lines.size(); i++) {
            String line = lines.get(i);
            if (line.isBlank()) {
                continue;
            }
            String[] cells = line.split(",", -1);
            if (cells.length != COLUMNS.size()) {
                throw new IllegalArgumentException(
                        file
                                + ": line "
                                + (i + 1)
                                + " has "
                                + cells.length
                                + " cells, expected "
                                + COLUMNS.size());
            }
            try {
                label = cells[0];
                seed = Long.parseLong(cells[1]);
                points.add(
                        new CurvePoint(
                                Long.parseLong(cells[2]),
                                Double.parseDouble(cells[3]),
                                Double.parseDouble(cells[4]),
                                Double.parseDouble(cells[5]),
                                Long.parseLong(cells[6]),
                                Double.parseDouble(cells[7]),
                                Double.parseDouble(cells[8]),
                                Double.parseDouble(cells[9])));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(
                        file + ": line " + (i + 1) + ": " + e.getMessage(), e);
            }
        }
        if (label == null) {
            throw new IllegalArgumentException(file + ": no rows after the header");
        }
        return new Curve(label, seed, points);
    }
}
