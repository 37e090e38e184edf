package io.creditstream.tools.plot;

import io.creditstream.fleet.curve.LineChart;
import java.awt.Color;
import java.awt.Rectangle;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.ToDoubleFunction;

/**
 * A figure of line-chart panels stacked under one title, 1000 pixels wide, every panel over the
 * same x axis and rows. Each panel's y axis starts at 0 and fits its largest value with a quarter
 * of headroom, so growth or creep shows at its true size. The soak's and the growth benchmark's
 * figures are drawn with it, so they look alike.
 *
 * @param <R> one row of data: a sample, a sweep point
 */
public final class PanelFigure<R> {
    /** The first colours of matplotlib's default cycle, which readers know from other plots. */
    public static final Color BLUE = new Color(0x1f, 0x77, 0xb4);

    public static final Color ORANGE = new Color(0xff, 0x7f, 0x0e);
    public static final Color GREEN = new Color(0x2c, 0xa0, 0x2c);
    public static final Color RED = new Color(0xd6, 0x27, 0x28);

    /** Bytes in a MB, for panels in MB. */
    public static final double MB = 1024.0 * 1024.0;

    private static final int WIDTH = 1000;
    private static final int TITLE_HEIGHT = 36;

    /** One line of a panel: its legend text, its colour and its value in a row. */
    public record Line<R>(String label, Color colour, ToDoubleFunction<R> value) {}

    private final BufferedImage image;
    private final int panels;
    private final int panelHeight;
    private final LineChart.Axis x;
    private final double[] xs;
    private final List<R> rows;
    private int panelsDrawn;

    /**
     * A white figure with room for {@code panels} panels and {@code title} drawn on top.
     *
     * @param xs each row's position on {@code x}, in the rows' order
     */
    public PanelFigure(
            String title,
            int panels,
            int panelHeight,
            LineChart.Axis x,
            double[] xs,
            List<R> rows) {
        if (xs.length != rows.size()) {
            throw new IllegalArgumentException(
                    "one x position per row: "
                            + xs.length
                            + " positions, "
                            + rows.size()
                            + " rows");
        }
        this.panels = panels;
        this.panelHeight = panelHeight;
        this.x = Objects.requireNonNull(x, "x");
        this.xs = xs;
        this.rows = List.copyOf(rows);
        this.image = LineChart.blankImage(WIDTH, TITLE_HEIGHT + panels * panelHeight);
        // Laid out as a panel's area, so the title takes the panels' font size.
        LineChart.drawTitle(image, new Rectangle(0, 0, WIDTH, panelHeight), title);
    }

    /**
     * Draws the next panel below the ones drawn so far. Values that are not finite (NaN where a
     * figure was not measured) are left out of the y axis's fit.
     */
    public PanelFigure<R> panel(String title, String unit, List<Line<R>> lines) {
        if (panelsDrawn == panels) {
            throw new IllegalStateException(
                    "the figure has room for "
                            + panels
                            + " panels, all drawn; '"
                            + title
                            + "' is one too many");
        }
        List<LineChart.Series> series = new ArrayList<>();
        List<LineChart.LegendEntry> legend = new ArrayList<>();
        double max = 0;
        for (Line<R> line : lines) {
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
                new Rectangle(0, TITLE_HEIGHT + panelsDrawn * panelHeight, WIDTH, panelHeight),
                title,
                x,
                // A quarter of headroom keeps the lines off the frame's top edge.
                LineChart.Axis.fitting(unit, max * 1.25),
                series,
                legend);
        panelsDrawn++;
        return this;
    }

    /** The figure as drawn so far. */
    public BufferedImage image() {
        return image;
    }
}
