package io.creditstream.tools.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GrowthRowTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir Path dir;

    private static GrowthRow row(long value, double cpu) {
        return new GrowthRow(
                "open-episodes",
                value,
                (int) value,
                4,
                16,
                16,
                "gigpo",
                250_000,
                120_000,
                12.5,
                9_600.0,
                cpu,
                300L << 20,
                40L << 20,
                42L << 20,
                45L << 20,
                850,
                6,
                value,
                value / 8,
                0,
                7.25);
    }

    @Test
    void theCsvHasOneColumnPerFieldInTheHeadersOrder() throws Exception {
        Path csv = dir.resolve("sub/growth.csv");

        GrowthRow.writeCsv(csv, List.of(row(1_000, 80.5), row(10_000, 82.25)));

        List<String> lines = Files.readAllLines(csv);
        assertThat(lines).hasSize(3);
        String[] header = lines.get(0).split(",");
        assertThat(header)
                .startsWith("sweep", "value", "open_episodes")
                .contains("cpu_us_per_step", "rocksdb_live_bytes", "checkpoint_ms")
                .hasSize(GrowthRow.class.getRecordComponents().length);
        String[] first = lines.get(1).split(",");
        assertThat(first).hasSameSizeAs(header);
        assertThat(first[0]).isEqualTo("open-episodes");
        assertThat(first[1]).isEqualTo("1000");
        assertThat(first[List.of(header).indexOf("cpu_us_per_step")]).isEqualTo("80.50");
    }

    @Test
    void theJsonHasTheCsvColumnsAsKeysWithNumbersBareAndNaNAsNull() throws Exception {
        GrowthRow noRate =
                new GrowthRow(
                        "prm-actions",
                        10,
                        1000,
                        20,
                        16,
                        10,
                        "oprl",
                        1,
                        0,
                        1.0,
                        0.0,
                        Double.NaN,
                        0,
                        0,
                        0,
                        0,
                        0,
                        0,
                        0,
                        0,
                        12,
                        1.0);

        JsonNode json = JSON.readTree(row(1_000, 80.5).json());
        JsonNode nan = JSON.readTree(noRate.json());

        assertThat(json.size()).isEqualTo(GrowthRow.csvHeader().split(",").length);
        assertThat(json.get("sweep").asText()).isEqualTo("open-episodes");
        assertThat(json.get("estimator").asText()).isEqualTo("gigpo");
        assertThat(json.get("steps_per_s").isNumber()).isTrue();
        assertThat(json.get("cpu_us_per_step").asDouble()).isEqualTo(80.5);
        assertThat(json.get("heap_after_gc_bytes").asLong()).isEqualTo(300L << 20);
        assertThat(nan.get("cpu_us_per_step").isNull()).isTrue();
        assertThat(nan.get("prm_live_features").asLong()).isEqualTo(12);
    }

    @Test
    void theTableHasAHeaderAndALinePerRow() {
        String table = GrowthRow.table(List.of(row(1_000, 80.5), row(1_000_000, 95.0)));

        assertThat(table.lines()).hasSize(3);
        assertThat(table.lines().skip(2).findFirst().orElseThrow())
                .contains("1,000,000")
                .contains("95.0");
    }

    @Test
    void thePlotDrawsFourPanelsOverALogScale() throws Exception {
        Path png = dir.resolve("growth.png");

        GrowthPlot.write(
                png, List.of(row(1_000, 80), row(10_000, 81), row(100_000, 90)), "open", "t");

        BufferedImage image = javax.imageio.ImageIO.read(png.toFile());
        assertThat(image.getHeight()).isGreaterThan(4 * 250);
    }
}
