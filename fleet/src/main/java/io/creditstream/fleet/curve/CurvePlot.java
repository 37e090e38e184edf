package io.creditstream.fleet.curve;

import java.awt.Color;
import java.awt.Rectangle;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Draws success rate against episodes for several {@link Curve}s as a PNG, as a {@link LineChart}:
 * one colour per label (estimator), a thin line per run (seed) and a thick line for the mean of a
 * label's runs.
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

    /** 0 to 100% in steps of 10, the 50% and 80% marks (the usual targets) darker. */
    private static final LineChart.Axis SUCCESS_RATE =
            new LineChart.Axis(
                    "success rate (recent episodes)",
                    1,
                    0.1,
                    rate -> Math.round(rate * 100) + "%",
                    rate -> Math.abs(rate - 0.5) < 1e-9 || Math.abs(rate - 0.8) < 1e-9);

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

        List<LineChart.Series> series = new ArrayList<>();
        List<LineChart.LegendEntry> legend = new ArrayList<>();
        for (Map.Entry<String, List<Curve>> entry : byLabel.entrySet()) {
            Color colour = colours.get(entry.getKey());
            int runs = entry.getValue().size();
            boolean single = runs == 1;
            for (Curve curve : entry.getValue()) {
                series.add(
                        new LineChart.Series(
                                single ? colour : translucent(colour, 110),
                                single ? 2.5f : 1f,
                                xs(curve),
                                ys(curve)));
            }
            if (!single) {
                double[][] mean = mean(entry.getValue());
                if (mean != null) {
                    series.add(new LineChart.Series(colour, 3f, mean[0], mean[1]));
                }
            }
            legend.add(
                    new LineChart.LegendEntry(
                            entry.getKey() + (single ? "" : " (" + runs + " seeds, bold = mean)"),
                            colour));
        }
        BufferedImage image = LineChart.blankImage(width, height);
        LineChart.draw(
                image,
                new Rectangle(0, 0, width, height),
                title,
                LineChart.Axis.fitting("episodes", maxEpisodes),
                SUCCESS_RATE,
                series,
                legend);
        return image;
    }

    /** As {@link #render}, written to {@code png} (parent folders created). */
    public static void write(Path png, List<Curve> curves, int width, int height, String title)
            throws IOException {
        LineChart.writePng(png, render(curves, width, height, title));
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

    private static Color translucent(Color colour, int alpha) {
        return new Color(colour.getRed(), colour.getGreen(), colour.getBlue(), alpha);
    }
}
