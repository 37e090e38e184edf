package io.creditstream.tools.plot;

import static io.creditstream.tools.plot.Pixels.count;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.creditstream.fleet.curve.LineChart;
import io.creditstream.tools.plot.PanelFigure.Line;
import java.awt.image.BufferedImage;
import java.util.List;
import org.junit.jupiter.api.Test;

class PanelFigureTest {
    private static final LineChart.Axis X = LineChart.Axis.fitting("x", 3);
    private static final double[] XS = {1, 2, 3};
    private static final double[] XS_4 = {1, 2, 3, 4};

    @Test
    void stacksThePanelsUnderTheTitleEachWithItsOwnLines() {
        BufferedImage image =
                new PanelFigure<>("t", 2, 100, X, XS, List.of(1.0, 2.0, 3.0))
                        .panel("first", "u", List.of(new Line<>("a", PanelFigure.BLUE, v -> v)))
                        .panel(
                                "second",
                                "u",
                                List.of(new Line<>("b", PanelFigure.ORANGE, v -> 10 * v)))
                        .image();

        assertThat(image.getWidth()).isEqualTo(1000);
        assertThat(image.getHeight()).isEqualTo(36 + 2 * 100);
        assertThat(count(image, 0xff7f0e, 36, 136)).isZero();
        assertThat(count(image, 0x1f77b4, 36, 136)).isPositive();
        assertThat(count(image, 0xff7f0e, 136, 236)).isPositive();
    }

    @Test
    void aValueNotMeasuredIsLeftOutOfTheYAxisFit() {
        // Were NaN taken into the fit, the axis would fall back to 0..1 and clip the 3s at its
        // top. (The 3s are two points: a lone point after a gap draws no line.)
        int withGap = topmostRow(figureOf(List.of(1.0, Double.NaN, 3.0, 3.0)), 0x2ca02c);
        int measured = topmostRow(figureOf(List.of(1.0, 1.0, 3.0, 3.0)), 0x2ca02c);

        assertThat(withGap).isPositive().isEqualTo(measured);
    }

    private static BufferedImage figureOf(List<Double> rows) {
        return new PanelFigure<>("t", 1, 200, LineChart.Axis.fitting("x", 4), XS_4, rows)
                .panel("p", "u", List.of(new Line<>("a", PanelFigure.GREEN, v -> v)))
                .image();
    }

    private static int topmostRow(BufferedImage image, int rgb) {
        for (int y = 0; y < image.getHeight(); y++) {
            if (count(image, rgb, y, y + 1) > 0) {
                return y;
            }
        }
        return -1;
    }

    @Test
    void refusesAPanelBeyondTheRoomItWasGiven() {
        PanelFigure<Double> figure = new PanelFigure<>("t", 1, 100, X, XS, List.of(1.0, 2.0, 3.0));
        figure.panel("only", "u", List.of(new Line<>("a", PanelFigure.BLUE, v -> v)));

        assertThatThrownBy(() -> figure.panel("extra", "u", List.of()))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("room for 1 panels")
                .hasMessageContaining("'extra'");
    }

    @Test
    void refusesXPositionsThatDoNotMatchTheRows() {
        assertThatThrownBy(() -> new PanelFigure<>("t", 1, 100, X, XS, List.of(1.0, 2.0)))
                .hasMessageContaining("3 positions, 2 rows");
    }
}
