package io.creditstream.policy.study;

import static org.assertj.core.api.Assertions.assertThat;

import io.creditstream.policy.training.UpdateStats;
import org.junit.jupiter.api.Test;

class UpdateDiagnosticsTest {

    @Test
    void eachValueLandsInItsNamedColumn() {
        UpdateStats stats =
                new UpdateStats(-0.125, 1.01, 0.25, 9.214e-1, 0.23004, 812, 16, 3.5, 0, 0);
        UpdateDiagnostics row = new UpdateDiagnostics(909, 29_088, 0.91, 0.93954, 2.6458, stats);

        String[] cells = row.csvRow().split(",");

        assertThat(cells).hasSize(UpdateDiagnostics.COLUMNS.size());
        assertThat(cell(cells, "update")).isEqualTo("909");
        assertThat(cell(cells, "episodes")).isEqualTo("29088");
        assertThat(cell(cells, "success_rate")).isEqualTo("0.9100");
        assertThat(cell(cells, "samples")).isEqualTo("812");
        assertThat(cell(cells, "optimizer_steps")).isEqualTo("16");
        assertThat(cell(cells, "mean_abs_advantage")).isEqualTo("0.939540");
        assertThat(cell(cells, "max_abs_advantage")).isEqualTo("2.645800");
        assertThat(cell(cells, "grad_norm")).isEqualTo("3.500000");
        assertThat(cell(cells, "clip_fraction")).isEqualTo("0.2500");
        assertThat(cell(cells, "approx_kl")).isEqualTo("9.2140e-01");
        assertThat(cell(cells, "entropy")).isEqualTo("0.23004");
        assertThat(cell(cells, "loss")).isEqualTo("-0.125000");
    }

    private static String cell(String[] cells, String column) {
        return cells[UpdateDiagnostics.COLUMNS.indexOf(column)];
    }
}
