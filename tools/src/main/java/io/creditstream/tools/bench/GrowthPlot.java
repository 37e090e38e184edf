package io.creditstream.tools.bench;

import io.creditstream.fleet.curve.LineChart;
import java.awt.Color;
import java.awt.Rectangle;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.ToDoubleFunction;

/**
 * One sweep's figure, over the swept value on a log scale: steady rate, CPU per step, sizes (heap
 * after GC, RocksDB live data and SST files, the latest checkpoint's full size) and that
 * checkpoint's duration. Every y axis starts at 0, so growth shows at its true size.
 */
public final class GrowthPlot {
    private static final Color BLUE = new Color(0x1f, 0x77, 0xb4);
    private static final Color ORANGE = new Color(0xff, 0x7f, 0x0e);
    private static final Color GREEN = new Color(0x2c, 0xa0, 0x2c);
    private static final Color RED = new Color(0xd6, 0x27, 0x28);
    private static final double MB = 1024.0 * 1024.0;

    private static final int WIDTH = 1000;
    private static final int PANEL_HEIGHT = 280;
    private static final int TITLE_HEIGHT = 36;

    private GrowthPlot() {}

    private record Line(String label, Color colour, ToDoubleFunction<GrowthRow> value) {}

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
        BufferedImage image = LineChart.blankImage(WIDTH, TITLE_HEIGHT + 4 * PANEL_HEIGHT);
        LineChart.drawTitle(image, new Rectangle(0, 0, WIDTH, PANEL_HEIGHT), title);
        panel(
                image,
                0,
                "Steady rate over the window",
                "steps/s",
                x,
                xs,
                rows,
                List.of(new Line("steps/s", BLUE, GrowthRow::stepsPerSecond)));
        panel(
                image,
                1,
                "Process CPU per step over the window (every thread: broker, job, GC)",
                "us",
                x,
                xs,
                rows,
                List.of(new Line("CPU us per step", BLUE, GrowthRow::cpuMicrosPerStep)));
        panel(
                image,
                2,
                "Sizes after the last step and the checkpoint that follows it",
                "MB",
                x,
                xs,
                rows,
                List.of(
                        new Line("heap after a full GC", BLUE, r -> r.heapBytes() / MB),
                        new Line("RocksDB live data", ORANGE, r -> r.rocksDbLiveBytes() / MB),
                        new Line("RocksDB SST files", GREEN, r -> r.rocksDbSstBytes() / MB),
                        new Line(
                                "latest checkpoint, full size",
                                RED,
                                r -> r.checkpointFullBytes() / MB)));
        panel(
                image,
                3,
                "That checkpoint's duration",
                "ms",
                x,
                xs,
                rows,
                List.of(new Line("checkpoint ms", BLUE, r -> (double) r.checkpointMillis())));
        return image;
    }

    /** As {@link #render}, written to {@code png} (parent folders created). */
    public static void write(Path png, List<GrowthRow> rows, String xLabel, String title)
            throws IOException {
        LineChart.writePng(png, render(rows, xLabel, title));
    }

    private static void panel(
            BufferedImage image,
            int index,
            String title,
            String unit,
            LineChart.Axis x,
            double[] xs,
            List<GrowthRow> rows,
            List<Line> lines) {
        List<LineChart.Series> series = new ArrayList<>();
        List<LineChart.LegendEntry> legend = new ArrayList<>();
        double max = 0;
        for (Line line : lines) {
            double[] values = rows.stream().mapToDouble(line.value()).toArray();
            for (double value : values) {
                if (Double.isFinite(value)) {
                    max = Math.max(max, value);
                }
            }
            series.add(new LineChart.Series(line.colour(), 2f, xs, values));
            legend.add(new LineChart.LegendEntry(line.label(), line.colour()));
        }
        LineChart.draw(
                image,
                new Rectangle(0, TITLE_HEIGHT + index * PANEL_HEIGHT, WIDTH, PANEL_HEIGHT),
                title,
                x,
                // A quarter of headroom keeps the lines off the frame's top edge.
                LineChart.Axis.fitting(unit, max * 1.25),
                series,
                legend);
    }
}
