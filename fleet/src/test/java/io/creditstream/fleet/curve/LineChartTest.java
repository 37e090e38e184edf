package io.creditstream.fleet.curve;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.awt.Color;
import java.awt.Rectangle;
import java.awt.image.BufferedImage;
import java.util.List;
import org.junit.jupiter.api.Test;

class LineChartTest {

    @Test
    void aFittingAxisEndsOnANiceTickAboveTheData() {
        LineChart.Axis heap = LineChart.Axis.fitting("MB", 187);
        assertThat(heap.step()).isEqualTo(20);
        assertThat(heap.max()).isEqualTo(200);
        assertThat(heap.tickLabel().apply(140)).isEqualTo("140");

        LineChart.Axis minutes = LineChart.Axis.fitting("minutes", 1);
        assertThat(minutes.step()).isEqualTo(0.2, within(1e-12));
        assertThat(minutes.max()).isEqualTo(1.0, within(1e-12));
        assertThat(minutes.tickLabel().apply(0.4)).isEqualTo("0.4");

        assertThat(LineChart.Axis.fitting("flat zero", 0).max()).isEqualTo(1);
        assertThat(LineChart.Axis.fitting("thousands", 12_345).tickLabel().apply(12_000))
                .isEqualTo("12,000");
    }

    @Test
    void drawsEachChartInsideItsOwnArea() {
        BufferedImage image = LineChart.blankImage(600, 600);
        Color red = new Color(0xd6, 0x27, 0x28);
        Color blue = new Color(0x1f, 0x77, 0xb4);
        double[] xs = {0, 1, 2, Double.NaN, 4};
        double[] ys = {1, 2, 3, 3, 2};
        LineChart.Axis x = LineChart.Axis.fitting("x", 4);
        LineChart.Axis y = LineChart.Axis.fitting("y", 3);

        LineChart.draw(
                image,
                new Rectangle(0, 0, 600, 300),
                "top",
                x,
                y,
                List.of(new LineChart.Series(red, 2.5f, xs, ys)),
                List.of(new LineChart.LegendEntry("red", red)));
        LineChart.draw(
                image,
                new Rectangle(0, 300, 600, 300),
                null,
                x,
                y,
                List.of(new LineChart.Series(blue, 2.5f, xs, ys)),
                List.of());

        assertThat(countPixels(image, red.getRGB(), 0, 300)).isPositive();
        assertThat(countPixels(image, red.getRGB(), 300, 600)).isZero();
        assertThat(countPixels(image, blue.getRGB(), 300, 600)).isPositive();
        assertThat(countPixels(image, blue.getRGB(), 0, 300)).isZero();
    }

    @Test
    void rejectsAnAxisWithoutARange() {
        assertThatThrownBy(() -> new LineChart.Axis("y", 0, 1, v -> "", v -> false))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(
                        () -> new LineChart.Series(Color.BLACK, 1f, new double[2], new double[3]))
                .hasMessageContaining("as many x as y");
    }

    private static int countPixels(BufferedImage image, int argb, int fromY, int toY) {
        int count = 0;
        for (int y = fromY; y < toY; y++) {
            for (int x = 0; x < image.getWidth(); x++) {
                if ((image.getRGB(x, y) & 0xffffff) == (argb & 0xffffff)) {
                    count++;
                }
            }
        }
        return count;
    }
}
