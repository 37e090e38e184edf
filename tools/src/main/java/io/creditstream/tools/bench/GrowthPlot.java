package io.creditstream.tools.bench;

import static io.creditstream.tools.plot.PanelFigure.BLUE;
import static io.creditstream.tools.plot.PanelFigure.GREEN;
import static io.creditstream.tools.plot.PanelFigure.MB;
import static io.creditstream.tools.plot.PanelFigure.ORANGE;
import static io.creditstream.tools.plot.PanelFigure.RED;

import io.creditstream.fleet.curve.LineChart;
import io.creditstream.tools.plot.PanelFigure;
import io.creditstream.tools.plot.PanelFigure.Line;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * One sweep's figure, over the swept value on a log scale: steady rate, CPU per step, sizes (heap
 * after GC, RocksDB live data and SST files, the latest checkpoint's full size) and that
 * checkpoint's duration. Every y axis starts at 0, so growth shows at its true size.
 */
public final class GrowthPlot {
    private static final int PANEL_HEIGHT = 280;

    private GrowthPlot() {}

    /**
     * Draws the panels for the rows of one sweep.
     *
     * @throws IllegalArgumentException without a row, or with a value below 1 (no logarithm)
     */
    public static BufferedImage render(List<GrowthRow> rows, String xLabel, String title) {
        if (rows.isEmpty()) {
            throw new IllegalArgumentException("nothing to plot: no row");
        }
        double[] xs = new double[rows.size()];
        double maxX = 0;
        for (int i = 0; i < xs.length; i++) {
            long value = rows.get(i).value();
            if (value < 1) {
                throw new IllegalArgumentException(
                        "a growth plot's x axis is logarithmic: values must be at least 1, got "
                                + value);
            }
            xs[i] = Math.log10(value);
            maxX = Math.max(maxX, xs[i]);
        }
        LineChart.Axis x =
                new LineChart.Axis(
                        xLabel + " (log scale)",
                        // Half a decade of room past the last point, no empty decade.
                        maxX + 0.5,
                        1,
                        decade -> String.format("%,.0f", Math.pow(10, decade)),
                        decade -> false);
        return new PanelFigure<>(title, 4, PANEL_HEIGHT, x, xs, rows)
                .panel(
                        "Steady rate over the window",
                        "steps/s",
                        List.of(new Line<>("steps/s", BLUE, GrowthRow::stepsPerSecond)))
                .panel(
                        "Process CPU per step over the window (every thread: broker, job, GC)",
                        "us",
                        List.of(new Line<>("CPU us per step", BLUE, GrowthRow::cpuMicrosPerStep)))
                .panel(
                        "Sizes after the last step and the checkpoint that follows it",
                        "MB",
                        List.of(
                                new Line<>("heap after a full GC", BLUE, r -> r.heapBytes() / MB),
                                new Line<>(
                                        "RocksDB live data",
                                        ORANGE,
                                        r -> r.rocksDbLiveBytes() / MB),
                                new Line<>(
                                        "RocksDB SST files", GREEN, r -> r.rocksDbSstBytes() / MB),
                                new Line<>(
                                        "latest checkpoint, full size",
                                        RED,
                                        r -> r.checkpointFullBytes() / MB)))
                .panel(
                        "That checkpoint's duration",
                        "ms",
                        List.of(
                                new Line<>(
                                        "checkpoint ms", BLUE, r -> (double) r.checkpointMillis())))
                .image();
    }

    /** As {@link #render}, written to {@code png} (parent folders created). */
    public static void write(Path png, List<GrowthRow> rows, String xLabel, String title)
            throws IOException {
        LineChart.writePng(png, render(rows, xLabel, title));
    }
}
