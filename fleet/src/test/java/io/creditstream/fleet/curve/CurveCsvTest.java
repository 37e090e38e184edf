package io.creditstream.fleet.curve;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CurveCsvTest {

    @TempDir Path dir;

    static Curve curve(String label, long seed, double... rates) {
        List<CurvePoint> points = new java.util.ArrayList<>();
        for (int i = 0; i < rates.length; i++) {
            points.add(
                    new CurvePoint(
                            32L * (i + 1),
                            rates[i],
                            100 - 10 * i,
                            0.25,
                            i + 1,
                            1.5 * i,
                            1.7,
                            1e-4));
        }
        return new Curve(label, seed, points);
    }

    @Test
    void writesAHeaderAndOneRowPerPoint() throws Exception {
        Path file = dir.resolve("nested/gigpo-1.csv");

        CurveCsv.write(file, curve("gigpo", 1, 0.0, 0.5, 0.875));

        List<String> lines = Files.readAllLines(file);
        assertThat(lines.get(0))
                .isEqualTo(
                        "label,seed,episodes,success_rate,mean_episode_length,mean_abs_advantage,"
                                + "updates,wall_seconds,entropy,approx_kl");
        assertThat(lines).hasSize(4);
        assertThat(lines.get(3)).startsWith("gigpo,1,96,0.8750,80.000,0.250000,3,3.000,");
    }

    @Test
    void readsBackWhatItWrote() throws Exception {
        Path file = dir.resolve("grpo-2.csv");
        Curve written = curve("grpo penalty 0.1", 2, 0.1, 0.2);

        CurveCsv.write(file, written);
        Curve read = CurveCsv.read(file);

        assertThat(read.label()).isEqualTo("grpo penalty 0.1");
        assertThat(read.seed()).isEqualTo(2);
        assertThat(read.points()).hasSize(2);
        assertThat(read.points().get(1).successRate()).isEqualTo(0.2);
        assertThat(read.points().get(1).episodes()).isEqualTo(64);
    }

    @Test
    void rejectsAForeignFileAndALabelThatWouldBreakTheColumns() throws Exception {
        Path file = dir.resolve("other.csv");
        Files.writeString(file, "a,b\n1,2\n");

        assertThatThrownBy(() -> CurveCsv.read(file))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("expected the header");
        assertThatThrownBy(() -> CurveCsv.write(dir.resolve("x.csv"), curve("a,b", 1, 0.1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("comma");
    }

    @Test
    void episodesToReachIsTheFirstCrossing() {
        Curve curve = curve("gigpo", 1, 0.2, 0.55, 0.45, 0.81);

        assertThat(curve.episodesToReach(0.5)).hasValue(64);
        assertThat(curve.episodesToReach(0.8)).hasValue(128);
        assertThat(curve.episodesToReach(0.9)).isEmpty();
    }
}
