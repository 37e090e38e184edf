package io.creditstream.fleet.curve;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.Rectangle;
import java.awt.RenderingHints;
import java.awt.geom.AffineTransform;
import java.awt.geom.Path2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.function.DoubleFunction;
import java.util.function.DoublePredicate;
import javax.imageio.ImageIO;

/**
 * One line chart drawn with java.awt into a region of an image (no display needed): both axes start
 * at 0, with ticks, grid, labels and a legend in the bottom-right corner. {@link CurvePlot} draws
 * learning curves with it, the soak command its heap, state and open-count panels, so every figure
 * in the reports looks alike.
 */
public final class LineChart {

    /**
     * One axis, from 0 to {@code max} with a tick every {@code step}.
     *
     * @param label the axis title
     * @param tickLabel the text of the tick at a value
     * @param emphasis ticks whose grid line is drawn darker (e.g. a target rate)
     */
    public record Axis(
            String label,
            double max,
            double step,
            DoubleFunction<String> tickLabel,
            DoublePredicate emphasis) {

        public Axis {
            Objects.requireNonNull(label, "label");
            Objects.requireNonNull(tickLabel, "tickLabel");
            Objects.requireNonNull(emphasis, "emphasis");
            if (!(max > 0) || !(step > 0) || Double.isInfinite(max)) {
                throw new IllegalArgumentException(
                        "an axis needs a positive, finite max and step, got " + max + ", " + step);
            }
        }

        /**
         * An axis that holds {@code dataMax}: it ends at the next multiple of a 1-2-5 tick step,
         * and ticks show as many decimals as the step needs. An empty or all-zero range gets 0 to
         * 1.
         */
        public static Axis fitting(String label, double dataMax) {
            double range = dataMax > 0 && Double.isFinite(dataMax) ? dataMax : 1;
            double step = tickStep(range);
            int decimals = step >= 1 ? 0 : (int) Math.ceil(-Math.log10(step) - 1e-9);
            return new Axis(
                    label,
                    Math.ceil(range / step - 1e-9) * step,
                    step,
                    value -> String.format(Locale.ROOT, "%,." + decimals + "f", value),
                    value -> false);
        }
    }

    /**
     * One line: points joined in order, broken where a value is NaN (a missing sample); values
     * above the axis are drawn at its top, below 0 at 0.
     */
    public record Series(Color colour, float width, double[] xs, double[] ys) {
        public Series {
            Objects.requireNonNull(colour, "colour");
            if (xs.length != ys.length) {
                throw new IllegalArgumentException(
                        "a series needs as many x as y values, got "
                                + xs.length
                                + " and "
                                + ys.length);
            }
        }
    }

    /** One line of the legend: a swatch of the colour, then the text. */
    public record LegendEntry(String text, Color colour) {}

    private LineChart() {}

    /** A white image of the given size, to draw one or more charts on. */
    public static BufferedImage blankImage(int width, int height) {
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        try {
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, width, height);
        } finally {
            g.dispose();
        }
        return image;
    }

    /** The font size a chart of this area uses, so that titles around it can match. */
    public static int fontSize(Rectangle area) {
        return Math.max(10, Math.min(area.width, area.height) / 45);
    }

    /**
     * Draws a chart filling {@code area} of {@code image}.
     *
     * @param title drawn above the plot, bold; null or blank for none
     * @param legend entries of the legend; empty for none
     */
    public static void draw(
            BufferedImage image,
            Rectangle area,
            String title,
            Axis x,
            Axis y,
            List<Series> series,
            List<LegendEntry> legend) {
        Graphics2D g = image.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
            g.setRenderingHint(
                    RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            int fontSize = fontSize(area);
            g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, fontSize));
            FontMetrics metrics = g.getFontMetrics();

            boolean hasTitle = title != null && !title.isBlank();
            int widestTick = 0;
            for (double value : ticks(y)) {
                widestTick = Math.max(widestTick, metrics.stringWidth(y.tickLabel().apply(value)));
            }
            Frame frame =
                    new Frame(
                            area.x + widestTick + 2 * fontSize + 10,
                            area.y + (hasTitle ? 2 : 1) * metrics.getHeight(),
                            area.x + area.width - fontSize,
                            area.y + area.height - 2 * metrics.getHeight() - 10,
                            x.max(),
                            y.max());

            if (hasTitle) {
                drawTitle(g, area, title);
            }
            drawAxes(g, area, frame, x, y, metrics);
            for (Series line : series) {
                g.setStroke(
                        new BasicStroke(
                                line.width(), BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND));
                g.setColor(line.colour());
                g.draw(path(frame, line.xs(), line.ys()));
            }
            g.setStroke(new BasicStroke(1f));
            if (!legend.isEmpty()) {
                drawLegend(g, frame, metrics, legend);
            }
        } finally {
            g.dispose();
        }
    }

    /**
     * Draws {@code title} bold and centred on the first line of {@code area}, in the font size of a
     * chart of that area: the line a chart's own title takes.
     */
    public static void drawTitle(BufferedImage image, Rectangle area, String title) {
        Graphics2D g = image.createGraphics();
        try {
            g.setRenderingHint(
                    RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, fontSize(area)));
            drawTitle(g, area, title);
        } finally {
            g.dispose();
        }
    }

    private static void drawTitle(Graphics2D g, Rectangle area, String title) {
        int lineHeight = g.getFontMetrics().getHeight();
        Font plain = g.getFont();
        g.setColor(Color.BLACK);
        g.setFont(plain.deriveFont(Font.BOLD));
        int titleWidth = g.getFontMetrics().stringWidth(title);
        g.drawString(title, area.x + (area.width - titleWidth) / 2, area.y + lineHeight + 2);
        g.setFont(plain);
    }

    /** Writes {@code image} as a PNG (parent folders created). */
    public static void writePng(Path png, BufferedImage image) throws IOException {
        Path parent = png.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        if (!ImageIO.write(image, "png", png.toFile())) {
            throw new IOException("no PNG writer available in this JRE");
        }
    }

    /** A tick step of 1, 2 or 5 times a power of ten giving 4 to 10 ticks over {@code range}. */
    static double tickStep(double range) {
        double raw = range / 6;
        double power = Math.pow(10, Math.floor(Math.log10(raw)));
        double fraction = raw / power;
        double nice = fraction < 1.5 ? 1 : fraction < 3.5 ? 2 : fraction < 7.5 ? 5 : 10;
        return nice * power;
    }

    /** The tick values of an axis: 0, step, 2 step, ... up to its end. */
    private static double[] ticks(Axis axis) {
        int count = (int) Math.round(axis.max() / axis.step());
        double[] ticks = new double[count + 1];
        for (int i = 0; i <= count; i++) {
            ticks[i] = i * axis.step();
        }
        return ticks;
    }

    /** The plotting area in pixels and the axes' ends in data units. */
    private record Frame(int left, int top, int right, int bottom, double xMax, double yMax) {
        double x(double value) {
            return left + (right - left) * value / xMax;
        }

        double y(double value) {
            return bottom - (bottom - top) * Math.max(0, Math.min(yMax, value)) / yMax;
        }
    }

    private static void drawAxes(
            Graphics2D g, Rectangle area, Frame f, Axis x, Axis y, FontMetrics metrics) {
        g.setStroke(new BasicStroke(1f));
        for (double value : ticks(y)) {
            int py = (int) Math.round(f.y(value));
            g.setColor(
                    y.emphasis().test(value)
                            ? new Color(0xbb, 0xbb, 0xbb)
                            : new Color(0xe6, 0xe6, 0xe6));
            g.drawLine(f.left(), py, f.right(), py);
            g.setColor(Color.BLACK);
            g.drawLine(f.left() - 5, py, f.left(), py);
            String label = y.tickLabel().apply(value);
            g.drawString(
                    label,
                    f.left() - 8 - metrics.stringWidth(label),
                    py + metrics.getAscent() / 2 - 1);
        }
        for (double value : ticks(x)) {
            int px = (int) Math.round(f.x(value));
            g.setColor(
                    x.emphasis().test(value)
                            ? new Color(0xbb, 0xbb, 0xbb)
                            : new Color(0xe6, 0xe6, 0xe6));
            g.drawLine(px, f.top(), px, f.bottom());
            g.setColor(Color.BLACK);
            g.drawLine(px, f.bottom(), px, f.bottom() + 5);
            String label = x.tickLabel().apply(value);
            g.drawString(
                    label,
                    px - metrics.stringWidth(label) / 2,
                    f.bottom() + 7 + metrics.getAscent());
        }
        g.setColor(Color.BLACK);
        g.drawRect(f.left(), f.top(), f.right() - f.left(), f.bottom() - f.top());

        g.drawString(
                x.label(),
                (f.left() + f.right() - metrics.stringWidth(x.label())) / 2,
                f.bottom() + 10 + metrics.getAscent() + metrics.getHeight());
        AffineTransform saved = g.getTransform();
        g.rotate(-Math.PI / 2);
        g.drawString(
                y.label(),
                -(f.top() + f.bottom() + metrics.stringWidth(y.label())) / 2,
                area.x + metrics.getAscent() + 2);
        g.setTransform(saved);
    }

    private static void drawLegend(
            Graphics2D g, Frame f, FontMetrics metrics, List<LegendEntry> legend) {
        int swatch = 24;
        int lineHeight = metrics.getHeight();
        int textWidth = 0;
        for (LegendEntry entry : legend) {
            textWidth = Math.max(textWidth, metrics.stringWidth(entry.text()));
        }
        int boxWidth = swatch + 18 + textWidth;
        int boxHeight = legend.size() * lineHeight + 8;
        // Bottom right: learning curves start low and rise to the right, and the soak's panels
        // start at 0 with their values held level above it, so that corner is usually empty.
        int x = f.right() - boxWidth - 8;
        int y = f.bottom() - boxHeight - 8;
        g.setColor(new Color(255, 255, 255, 230));
        g.fillRect(x, y, boxWidth, boxHeight);
        g.setColor(Color.GRAY);
        g.drawRect(x, y, boxWidth, boxHeight);
        for (int i = 0; i < legend.size(); i++) {
            int baseline = y + 4 + i * lineHeight + metrics.getAscent();
            int mid = baseline - metrics.getAscent() / 2 + 1;
            g.setColor(legend.get(i).colour());
            g.setStroke(new BasicStroke(3f));
            g.drawLine(x + 6, mid, x + 6 + swatch, mid);
            g.setStroke(new BasicStroke(1f));
            g.setColor(Color.BLACK);
            g.drawString(legend.get(i).text(), x + 12 + swatch, baseline);
        }
    }

    private static Path2D path(Frame f, double[] xs, double[] ys) {
        Path2D.Double path = new Path2D.Double();
        boolean penDown = false;
        for (int i = 0; i < xs.length; i++) {
            if (Double.isNaN(xs[i]) || Double.isNaN(ys[i])) {
                penDown = false;
                continue;
            }
            double x = f.x(xs[i]);
            double y = f.y(ys[i]);
            if (penDown) {
                path.lineTo(x, y);
            } else {
                path.moveTo(x, y);
                penDown = true;
            }
        }
        return path;
    }
}
