package io.creditstream.policy.study;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.creditstream.fleet.curve.CurveCsv;
import io.creditstream.fleet.curve.CurvePoint;
import java.awt.image.BufferedImage;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
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
    void writesOneRowPerUpdateWithTheCurvesEpisodesAndSuccess() throws Exception {
        Path csv = dir.resolve("curve.csv");
        Path updates = dir.resolve("sub/updates.csv");

        // 3 updates of 4 groups of 8 episodes.
        int status =
                run(
                        "--estimator",
                        "gigpo",
                        "--maze",
                        "small",
                        "--episodes",
                        "96",
                        "--hidden-size",
                        "16",
                        "--csv",
                        csv.toString(),
                        "--updates-csv",
                        updates.toString());

        assertThat(status).as(err.toString()).isZero();
        List<String> lines = Files.readAllLines(updates);
        assertThat(lines.get(0))
                .isEqualTo(
                        "update,episodes,success_rate,samples,optimizer_steps,mean_abs_advantage,"
                                + "max_abs_advantage,grad_norm,clip_fraction,approx_kl,entropy,loss");
        List<CurvePoint> points = CurveCsv.read(csv).points();
        assertThat(lines).hasSize(1 + points.size()).hasSize(4);
        for (int i = 0; i < points.size(); i++) {
            String[] row = lines.get(i + 1).split(",");
            CurvePoint point = points.get(i);
            assertThat(Long.parseLong(row[0])).isEqualTo(point.updates()).isEqualTo(i + 1);
            assertThat(Long.parseLong(row[1])).isEqualTo(point.episodes());
            assertThat(Double.parseDouble(row[2])).isCloseTo(point.successRate(), within(1e-4));
            assertThat(Integer.parseInt(row[3])).isPositive();
            assertThat(Integer.parseInt(row[4])).isPositive();
            double meanAbs = Double.parseDouble(row[5]);
            assertThat(meanAbs).isCloseTo(point.meanAbsAdvantage(), within(1e-6));
            assertThat(Double.parseDouble(row[6])).isGreaterThanOrEqualTo(meanAbs);
            assertThat(Double.parseDouble(row[10])).isCloseTo(point.entropy(), within(1e-5));
        }
    }

    @Test
    void rejectsABadSettingWithItsMessage() {
        int status = run("--estimator", "rloo", "--maze", "small", "--episodes", "32");

        assertThat(status).isEqualTo(2);
        assertThat(err.toString()).contains("grpo, gigpo, oprl, tempo, pure or igpo");
    }
}
