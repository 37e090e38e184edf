package io.creditstream.tools.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.creditstream.schemas.preflight.ExitCode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The README's exit-status table is {@link ExitCode#markdownTable()}; this keeps them in step. */
class ReadmeExitCodesTableTest {
    private static final String START = "<!-- exit-codes:start -->\n";
    private static final String END = "<!-- exit-codes:end -->";

    @Test
    void readmeTableMatchesTheExitCodes() throws Exception {
        String readme = Files.readString(Path.of("..", "README.md"), StandardCharsets.UTF_8);
        int start = readme.indexOf(START);
        int end = readme.indexOf(END);
        assertThat(start).as("README.md has the exit-codes markers").isNotNegative();
        assertThat(readme.substring(start + START.length(), end))
                .as("README.md exit-status table; copy it from ExitCode.markdownTable()")
                .isEqualTo(ExitCode.markdownTable());
    }
}
