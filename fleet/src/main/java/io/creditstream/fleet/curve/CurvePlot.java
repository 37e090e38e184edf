package io.creditstream.fleet.curve;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.AffineTransform;
import java.awt.geom.Path2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import javax.imageio.ImageIO;

/**
 * Draws success rate against episodes for several {@link Curve}s as a PNG, with java.awt only (no
 * display needed): one colour per label (estimator), a thin line per run (seed) and a thick line
 * for the mean of a label's runs, axes with ticks, labels and a legend.
 */
public final class CurvePlot {

    /** Colours of the known estimators, so that a figure reads the same in every report. */
    private static final Map<String, Color> KNOWN =
            Map.of(
                    "grpo", new Color(0x1f, 0x77, 0xb4),
                    "gigpo", new Color(0xd6, 0x27, 0x28),
                    "oprl", new Color(0x2c, 0xa0, 0x2c));

    /** Colours for any other label, in order of first appearance. */
    private static final Color[] OTHERS = {
        new Color(0xff, 0x7f, 0x0e),
        new Color(0x94, 0x67, 0xbd),
        new Color(0x8c, 0x56, 0x4b),
        new Color(0xe3, 0x77, 0xc2),
        new Color(0x7f, 0x7f, 0x7f),
        new Color(0xbc, 0xbd, 0x22),
        new Color(0x17, 0xbe, 0xcf)
    };

    private static final int MEAN_SAMPLES = 400;

    private CurvePlot() {}

    /**
     * Draws {@code curves} on a {@code width} × {@code height} image.
     *
     * @param title drawn above the plot; null or blank for none
     * @throws IllegalArgumentException if there is no curve with a point, or the size is too small
     *     to hold the axes (under 200 × 150)
     */
    public static BufferedImage render(List<Curve> curves, int width, int height, String title) {
        Objects.requireNonNull(curves, "curves");
        if (width < 200 || height < 150) {
            throw new IllegalArgumentException(
                    "image must be at least 200 x 150 pixels, got " + width + " x " + height);
        }
        long maxEpisodes = 0;
        for (Curve curve : curves) {
            for (CurvePoint point : curve.points()) {
                maxEpisodes = Math.max(maxEpisodes, point.episodes());
            }
        }
        if (maxEpisodes == 0) {
            throw new IllegalArgumentException("nothing to plot: no curve has a point");
        }
        Map<String, List<Curve>> byLabel = new LinkedHashMap<>();
        for (Curve curve : curves) {
            byLabel.computeIfAbsent(curve.label(), k -> new ArrayList<>()).add(curve);
        }
        Map<String, Color> colours = colours(byLabel.keySet());

        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
            g.setRenderingHint(
                    RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, width, height);
            int fontSize = Math.max(10, Math.min(width, height) / 45);
            g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, fontSize));
            FontMetrics metrics = g.getFontMetrics();

            boolean hasTitle = title != null && !title.isBlank();
            int left = metrics.stringWidth("100%") + 2 * fontSize + 10;
            int top = hasTitle ? 2 * metrics.getHeight() : metrics.getHeight();
            int right = width - fontSize;
            int bottom = height - 2 * metrics.getHeight() - 10;
            Frame frame = new Frame(left, top, right, bottom, niceMax(maxEpisodes));

            if (hasTitle) {
                g.setColor(Color.BLACK);
                g.setFont(g.getFont().deriveFont(Font.BOLD));
                int titleWidth = g.getFontMetrics().stringWidth(title);
                g.drawString(title, (width - titleWidth) / 2, metrics.getHeight() + 2);
                g.setFont(g.getFont().deriveFont(Font.PLAIN));
            }
            drawAxes(g, frame, metrics);

            for (Map.Entry<String, List<Curve>> entry : byLabel.entrySet()) {
                Color colour = colours.get(entry.getKey());
                boolean single = entry.getValue().size() == 1;
                g.setStroke(
                        new BasicStroke(
                                single ? 2.5f : 1f, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND));
                g.setColor(single ? colour : translucent(colour, 110));
                for (Curve curve : entry.getValue()) {
                    g.draw(path(frame, xs(curve), ys(curve)));
                }
                if (!single) {
                    double[][] mean = mean(entry.getValue());
                    if (mean != null) {
                        g.setColor(colour);
                        g.setStroke(
                                new BasicStroke(3f, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND));
                        g.draw(path(frame, mean[0], mean[1]));
                    }
                }
            }
            g.setStroke(new BasicStroke(1f));
            drawLegend(g, frame, metrics, byLabel, colours);
        } finally {
            g.dispose();
        }
        return image;
    }

    /** As {@link #render}, written to {@code png} (parent folders created). */
    public static void write(Path png, List<Curve> curves, int width, int height, String title)
            throws IOException {
        BufferedImage image = render(curves, width, height, title);
        Path parent = png.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        if (!ImageIO.write(image, "png", png.toFile())) {
            throw new IOException("no PNG writer available in this JRE");
        }
    }

    /** The plotting area in pixels and the x range in episodes; y is always 0 to 1. */
    private record Frame(int left, int top, int right, int bottom, double xMax) {
        double x(double episodes) {
            return left + (right - left) * episodes / xMax;
        }

        double y(double rate) {
            return bottom - (bottom - top) * rate;
        }
    }

    private static void drawAxes(Graphics2D g, Frame f, FontMetrics metrics) {
        g.setStroke(new BasicStroke(1f));
        for (int i = 0; i <= 10; i++) {
            double rate = i / 10.0;
            int y = (int) Math.round(f.y(rate));
            g.setColor(
                    i == 5 || i == 8 ? new Color(0xbb, 0xbb, 0xbb) : new Color(0xe6, 0xe6, 0xe6));
            g.drawLine(f.left(), y, f.right(), y);
            g.setColor(Color.BLACK);
            g.drawLine(f.left() - 5, y, f.left(), y);
            String label = (i * 10) + "%";
            g.drawString(
                    label,
                    f.left() - 8 - metrics.stringWidth(label),
                    y + metrics.getAscent() / 2 - 1);
        }
        double step = tickStep(f.xMax());
        for (double x = 0; x <= f.xMax() + 1e-9; x += step) {
            int px = (int) Math.round(f.x(x));
            g.setColor(new Color(0xe6, 0xe6, 0xe6));
            g.drawLine(px, f.top(), px, f.bottom());
            g.setColor(Color.BLACK);
            g.drawLine(px, f.bottom(), px, f.bottom() + 5);
            String label = String.format(Locale.ROOT, "%,d", Math.round(x));
            g.drawString(
                    label,
                    px - metrics.stringWidth(label) / 2,
                    f.bottom() + 7 + metrics.getAscent());
        }
        g.setColor(Color.BLACK);
        g.drawRect(f.left(), f.top(), f.right() - f.left(), f.bottom() - f.top());

        String xLabel = "episodes";
        g.drawString(
                xLabel,
                (f.left() + f.right() - metrics.stringWidth(xLabel)) / 2,
                f.bottom() + 10 + metrics.getAscent() + metrics.getHeight());
        String yLabel = "success rate (recent episodes)";
        AffineTransform saved = g.getTransform();
        g.rotate(-Math.PI / 2);
        g.drawString(
                yLabel,
                -(f.top() + f.bottom() + metrics.stringWidth(yLabel)) / 2,
                metrics.getAscent() + 2);
        g.setTransform(saved);
    }

    private static void drawLegend(
            Graphics2D g,
            Frame f,
            FontMetrics metrics,
            Map<String, List<Curve>> byLabel,
            Map<String, Color> colours) {
        List<String> lines = new ArrayList<>();
        for (Map.Entry<String, List<Curve>> entry : byLabel.entrySet()) {
            int runs = entry.getValue().size();
            lines.add(entry.getKey() + (runs == 1 ? "" : " (" + runs + " seeds, bold = mean)"));
        }
        int swatch = 24;
        int lineHeight = metrics.getHeight();
        int textWidth = 0;
        for (String line : lines) {
            textWidth = Math.max(textWidth, metrics.stringWidth(line));
        }
        int boxWidth = swatch + 18 + textWidth;
        int boxHeight = lines.size() * lineHeight + 8;
        // Bottom right: learning curves start low and rise to the right, so that corner is
        // usually empty until the end and the end is what a reader checks last.
        int x = f.right() - boxWidth - 8;
        int y = f.bottom() - boxHeight - 8;
        g.setColor(new Color(255, 255, 255, 230));
        g.fillRect(x, y, boxWidth, boxHeight);
        g.setColor(Color.GRAY);
        g.drawRect(x, y, boxWidth, boxHeight);
        int i = 0;
        for (String label : byLabel.keySet()) {
            int baseline = y + 4 + i * lineHeight + metrics.getAscent();
            int mid = baseline - metrics.getAscent() / 2 + 1;
            g.setColor(colours.get(label));
            g.setStroke(new BasicStroke(3f));
            g.drawLine(x + 6, mid, x + 6 + swatch, mid);
            g.setStroke(new BasicStroke(1f));
            g.setColor(Color.BLACK);
            g.drawString(lines.get(i), x + 12 + swatch, baseline);
            i++;
        }
    }

    private static Map<String, Color> colours(Iterable<String> labels) {
        Map<String, Color> colours = new LinkedHashMap<>();
        int other = 0;
        for (String label : labels) {
            Color known = KNOWN.get(label);
            colours.put(label, known != null ? known : OTHERS[other++ % OTHERS.length]);
        }
        return colours;
    }

    private static Path2D path(Frame f, double[] xs, double[] ys) {
        Path2D.Double path = new Path2D.Double();
        for (int i = 0; i < xs.length; i++) {
            double x = f.x(xs[i]);
            double y = f.y(Math.max(0, Math.min(1, ys[i])));
            if (i == 0) {
                path.moveTo(x, y);
            } else {
                path.lineTo(x, y);
            }
        }
        return path;
    }

    private static double[] xs(Curve curve) {
        return curve.points().stream().mapToDouble(CurvePoint::episodes).toArray();
    }

    private static double[] ys(Curve curve) {
        return curve.points().stream().mapToDouble(CurvePoint::successRate).toArray();
    }

    /**
     * The pointwise mean of several curves, linearly interpolated on a common grid over the
     * episodes that every curve covers; null if they share no range.
     */
    private static double[][] mean(List<Curve> curves) {
        double from = Double.NEGATIVE_INFINITY;
        double to = Double.POSITIVE_INFINITY;
        for (Curve curve : curves) {
            if (curve.points().isEmpty()) {
                return null;
            }
            from = Math.max(from, curve.points().get(0).episodes());
            to = Math.min(to, curve.last().episodes());
        }
        if (!(to > from)) {
            return null;
        }
        double[] xs = new double[MEAN_SAMPLES];
        double[] ys = new double[MEAN_SAMPLES];
        for (int i = 0; i < MEAN_SAMPLES; i++) {
            double x = from + (to - from) * i / (MEAN_SAMPLES - 1);
            double sum = 0;
            for (Curve curve : curves) {
                sum += interpolate(xs(curve), ys(curve), x);
            }
            xs[i] = x;
            ys[i] = sum / curves.size();
        }
        return new double[][] {xs, ys};
    }

    private static double interpolate(double[] xs, double[] ys, double x) {
        if (x <= xs[0]) {
            return ys[0];
        }
        for (int i = 1; i < xs.length; i++) {
            if (x <= xs[i]) {
                double t = (x - xs[i - 1]) / (xs[i] - xs[i - 1]);
                return ys[i - 1] + t * (ys[i] - ys[i - 1]);
            }
        }
        return ys[ys.length - 1];
    }

    /** The axis end: the smallest multiple of the tick step at or above {@code max}. */
    private static double niceMax(long max) {
        double step = tickStep(max);
        return Math.ceil(max / step) * step;
    }

    /** A tick step of 1, 2 or 5 times a power of ten giving 4 to 10 ticks over {@code range}. */
    private static double tickStep(double range) {
        double raw = range / 6;
        double power = Math.pow(10, Math.floor(Math.log10(raw)));
        double fraction = raw / power;
        double nice = fraction < 1.5 ? 1 : fraction < 3.5 ? 2 : fraction < 7.5 ? 5 : 10;
        return nice * power;
    }

    private static Color translucent(Color colour, int alpha) {
        return new Color(colour.getRed(), colour.getGreen(), colour.getBlue(), alpha);
    }
}
