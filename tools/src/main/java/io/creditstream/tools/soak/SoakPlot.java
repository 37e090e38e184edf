package io.creditstream.tools.soak;

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
 * The soak's figure: three panels over elapsed minutes, each from 0 so that a creep shows at its
 * true size: JVM heap after GC; RocksDB live data, SST files and the latest checkpoint's full size;
 * open episodes and open groups.
 */
public final class SoakPlot {
    private static final Color BLUE = new Color(0x1f, 0x77, 0xb4);
    private static final Color ORANGE = new Color(0xff, 0x7f, 0x0e);
    private static final Color GREEN = new Color(0x2c, 0xa0, 0x2c);
    private static final double MB = 1024.0 * 1024.0;

    private static final int WIDTH = 1000;
    private static final int PANEL_HEIGHT = 320;
    private static final int TITLE_HEIGHT = 36;

    private SoakPlot() {}

    /** One line of a panel. */
    private record Line(String label, Color colour, ToDoubleFunction<SoakSample> value) {}

    /**
     * Draws the panels.
     *
     * @throws IllegalArgumentException without a sample
     */
    public static BufferedImage render(List<SoakSample> samples, String title) {
        if (samples.isEmpty()) {
            throw new IllegalArgumentException("nothing to plot: no sample");
        }
        BufferedImage image = LineChart.blankImage(WIDTH, TITLE_HEIGHT + 3 * PANEL_HEIGHT);
        LineChart.drawTitle(image, new Rectangle(0, 0, WIDTH, PANEL_HEIGHT), title);
        double[] minutes = samples.stream().mapToDouble(s -> s.elapsedSeconds() / 60).toArray();
        LineChart.Axis x = LineChart.Axis.fitting("minutes", minutes[minutes.length - 1]);
        panel(
                image,
                0,
                "JVM heap after a full GC",
                "MB",
                x,
                minutes,
                samples,
                List.of(new Line("heap used", BLUE, s -> s.heapBytes() / MB)));
        panel(
                image,
                1,
                "Keyed state: RocksDB over every operator and column family, and the latest checkpoint",
                "MB",
                x,
                minutes,
                samples,
                List.of(
                        new Line("estimated live data", BLUE, s -> s.rocksDbLiveBytes() / MB),
                        new Line("SST files", ORANGE, s -> s.rocksDbSstBytes() / MB),
                        new Line(
                                "last checkpoint, full size",
                                GREEN,
                                s -> s.checkpointFullBytes() / MB)));
        panel(
                image,
                2,
                "Open state gauges",
                "count",
                x,
                minutes,
                samples,
                List.of(
                        new Line("open episodes", BLUE, SoakSample::openTrajectories),
                        new Line("open groups", ORANGE, SoakSample::openGroups)));
        return image;
    }

    /** As {@link #render}, written to {@code png} (parent folders created). */
    public static void write(Path png, List<SoakSample> samples, String title) throws IOException {
        LineChart.writePng(png, render(samples, title));
    }

    private static void panel(
            BufferedImage image,
            int index,
            String title,
            String unit,
            LineChart.Axis x,
            double[] minutes,
            List<SoakSample> samples,
            List<Line> lines) {
        List<LineChart.Series> series = new ArrayList<>();
        List<LineChart.LegendEntry> legend = new ArrayList<>();
        double max = 0;
        for (Line line : lines) {
            double[] values = samples.stream().mapToDouble(line.value()).toArray();
            for (double value : values) {
                max = Math.max(max, value);
            }
            series.add(new LineChart.Series(line.colour(), 2f, minutes, values));
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
