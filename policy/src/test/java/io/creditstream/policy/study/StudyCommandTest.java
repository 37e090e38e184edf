package io.creditstream.policy.study;

import static org.assertj.core.api.Assertions.assertThat;

import io.creditstream.fleet.curve.CurveCsv;
import java.awt.image.BufferedImage;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class StudyCommandTest {

    @TempDir Path dir;

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(String... args) {
        CommandLine command = new CommandLine(new StudyCommand());
        command.setOut(new PrintWriter(out));
        command.setErr(new PrintWriter(err));
        return command.execute(args);
    }

    @Test
    void runsAStudyAndPlotsTheCurves() throws Exception {
        Path csv = dir.resolve("grpo-1.csv");
        Path png = dir.resolve("grpo-1.png");

        int status =
                run(
                        "--estimator",
                        "grpo",
                        "--maze",
                        "small",
                        "--episodes",
                        "32",
                        "--hidden-size",
                        "16",
                        "--csv",
                        csv.toString(),
                        "--png",
                        png.toString());

        assertThat(status).as(err.toString()).isZero();
        assertThat(CurveCsv.read(csv).points()).hasSize(1);
        BufferedImage image = ImageIO.read(png.toFile());
        assertThat(image.getWidth()).isEqualTo(900);
        assertThat(out.toString()).contains("| grpo | 1 | 32 |");

        Path combined = dir.resolve("all.png");
        status =
                run(
                        "plot",
                        "--png",
                        combined.toString(),
                        "--width",
                        "500",
                        "--height",
                        "300",
                        csv.toString(),
                        csv.toString());

        assertThat(status).as(err.toString()).isZero();
        assertThat(ImageIO.read(combined.toFile()).getHeight()).isEqualTo(300);
        assertThat(out.toString()).contains("| grpo | 2 |");
    }

    @Test
    void rejectsABadSettingWithItsMessage() {
        int status = run("--estimator", "rloo", "--maze", "small", "--episodes", "32");

        assertThat(status).isEqualTo(2);
        assertThat(err.toString()).contains("grpo, gigpo, oprl, tempo, pure or igpo");
    }
}
