package io.creditstream.tools.soak;

import static io.creditstream.tools.plot.Pixels.count;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SoakPlotTest {
    @TempDir Path dir;

    @Test
    void drawsThreePanelsWithBothLinesWhereTwoAreDue() throws Exception {
        List<SoakSample> samples = new ArrayList<>();
        for (int i = 1; i <= 30; i++) {
            samples.add(
                    new SoakSample(
                            10.0 * i,
                            2_000L * i,
                            2L * i,
                            2_002L * i,
                            1_990L * i,
                            2L * i,
                            0,
                            200L << 20,
                            (3L << 20) + i,
                            4L << 20,
                            5L << 20,
                            40 + i % 3,
                            16,
                            0));
        }
        Path png = dir.resolve("out/soak.png");

        SoakPlot.write(png, samples, "test");

        BufferedImage image = javax.imageio.ImageIO.read(png.toFile());
        assertThat(Files.size(png)).isPositive();
        int third = (image.getHeight() - 36) / 3;
        // Blue in every panel; orange (a second line) only in the state and open panels.
        assertThat(count(image, 0x1f77b4, 36, 36 + third)).isPositive();
        assertThat(count(image, 0xff7f0e, 36, 36 + third)).isZero();
        assertThat(count(image, 0xff7f0e, 36 + third, 36 + 2 * third)).isPositive();
        assertThat(count(image, 0xff7f0e, 36 + 2 * third, image.getHeight())).isPositive();
    }

    @Test
    void refusesToPlotNothing() {
        assertThatThrownBy(() -> SoakPlot.render(List.of(), "t"))
                .hasMessageContaining("nothing to plot");
    }
}
