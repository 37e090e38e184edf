package io.creditstream.tools.soak;

import static io.creditstream.tools.plot.PanelFigure.BLUE;
import static io.creditstream.tools.plot.PanelFigure.GREEN;
import static io.creditstream.tools.plot.PanelFigure.MB;
import static io.creditstream.tools.plot.PanelFigure.ORANGE;

import io.creditstream.fleet.curve.LineChart;
import io.creditstream.tools.plot.PanelFigure;
import io.creditstream.tools.plot.PanelFigure.Line;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * The soak's figure: three panels over elapsed minutes, each from 0 so that a creep shows at its
 * true size: JVM heap after GC; RocksDB live data, SST files and the latest checkpoint's full size;
 * open episodes and open groups.
 */
public final class SoakPlot {
    private static final int PANEL_HEIGHT = 320;

    private SoakPlot() {}

    /**
     * Draws the panels.
     *
     * @throws IllegalArgumentException without a sample
     */
    public static BufferedImage render(List<SoakSample> samples, String title) {
        if (samples.isEmpty()) {
            throw new IllegalArgumentException("nothing to plot: no sample");
        }
        double[] minutes = samples.stream().mapToDouble(s -> s.elapsedSeconds() / 60).toArray();
        LineChart.Axis x = LineChart.Axis.fitting("minutes", minutes[minutes.length - 1]);
        return new PanelFigure<>(title, 3, PANEL_HEIGHT, x, minutes, samples)
                .panel(
                        "JVM heap after a full GC",
                        "MB",
                        List.of(new Line<>("heap used", BLUE, s -> s.heapBytes() / MB)))
                .panel(
                        "Keyed state: RocksDB over every operator and column family, and the latest"
                                + " checkpoint",
                        "MB",
                        List.of(
                                new Line<>(
                                        "estimated live data",
                                        BLUE,
                                        s -> s.rocksDbLiveBytes() / MB),
                                new Line<>("SST files", ORANGE, s -> s.rocksDbSstBytes() / MB),
                                new Line<>(
                                        "last checkpoint, full size",
                                        GREEN,
                                        s -> s.checkpointFullBytes() / MB)))
                .panel(
                        "Open state gauges",
                        "count",
                        List.of(
                                new Line<>("open episodes", BLUE, SoakSample::openTrajectories),
                                new Line<>("open groups", ORANGE, SoakSample::openGroups)))
                .image();
    }

    /** As {@link #render}, written to {@code png} (parent folders created). */
    public static void write(Path png, List<SoakSample> samples, String title) throws IOException {
        LineChart.writePng(png, render(samples, title));
    }
}
