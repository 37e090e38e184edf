package io.creditstream.schemas.preflight;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class ExitCodeTest {

    @Test
    void statusesRunFromZeroWithoutGapsAndKeepTheOnesAlreadyDocumented() {
        assertThat(Arrays.stream(ExitCode.values()).mapToInt(ExitCode::code))
                .containsExactly(0, 1, 2, 3, 4, 5, 6);
        // picocli's usage errors and `run`'s held checkpoint directory predate the enum.
        assertThat(ExitCode.USAGE.code()).isEqualTo(2);
        assertThat(ExitCode.IN_USE.code()).isEqualTo(3);
    }

    @Test
    void theTableHasARowPerStatus() {
        String table = ExitCode.markdownTable();
        assertThat(table.lines()).hasSize(2 + ExitCode.values().length);
        for (ExitCode exit : ExitCode.values()) {
            assertThat(table).contains("| " + exit.code() + " | " + exit.meaning() + " |");
        }
    }
}
