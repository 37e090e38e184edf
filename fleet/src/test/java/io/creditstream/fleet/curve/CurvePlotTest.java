package io.creditstream.fleet.curve;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CurvePlotTest {

    @TempDir Path dir;

    private static final List<Curve> CURVES =
            List.of(
                    CurveCsvTest.curve("grpo", 1, 0.0, 0.1, 0.3, 0.5),
                    CurveCsvTest.curve("grpo", 2, 0.0, 0.2, 0.4, 0.6),
                    CurveCsvTest.curve("gigpo", 1, 0.1, 0.5, 0.8, 0.9));

    @Test
    void writesAPngOfTheRequestedSize() throws Exception {
        Path png = dir.resolve("plots/curves.png");

        CurvePlot.write(png, CURVES, 640, 400, "test");

        byte[] bytes = Files.readAllBytes(png);
        assertThat(bytes).startsWith(0x89, 'P', 'N', 'G');
        BufferedImage image = ImageIO.read(png.toFile());
        assertThat(image).isNotNull();
        assertThat(image.getWidth()).isEqualTo(640);
        assertThat(image.getHeight()).isEqualTo(400);
    }

    @Test
    void drawsEachEstimatorInItsOwnColour() {
        BufferedImage image = CurvePlot.render(CURVES, 800, 500, null);

        assertThat(countPixels(image, 0x1f77b4)).as("grpo blue").isPositive();
        assertThat(countPixels(image, 0xd62728)).as("gigpo red").isPositive();
        assertThat(countPixels(image, 0x2ca02c)).as("oprl green, absent").isZero();
    }

    @Test
    void rejectsNothingToPlotAndATinyImage() {
        assertThatThrownBy(() -> CurvePlot.render(List.of(), 640, 400, null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("nothing to plot");
        assertThatThrownBy(() -> CurvePlot.render(CURVES, 100, 400, null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("at least 200 x 150");
    }

    private static int countPixels(BufferedImage image, int rgb) {
        int count = 0;
        for (int y = 0; y < image.getHeight(); y++) {
            for (int x = 0; x < image.getWidth(); x++) {
                if ((image.getRGB(x, y) & 0xffffff) == rgb) {
                    count++;
                }
            }
        }
        return count;
    }
}
