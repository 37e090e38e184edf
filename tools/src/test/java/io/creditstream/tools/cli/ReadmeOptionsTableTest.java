package io.creditstream.tools.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The README's option table is generated from the options class; this keeps them in step. */
class ReadmeOptionsTableTest {
    private static final String START = "<!-- options-table:start -->\n";
    private static final String END = "<!-- options-table:end -->";

    @Test
    void readmeTableMatchesTheOptionsClass() throws Exception {
        String readme = Files.readString(Path.of("..", "README.md"), StandardCharsets.UTF_8);
        int start = readme.indexOf(START);
        int end = readme.indexOf(END);
        assertThat(start).as("README.md has the options-table markers").isNotNegative();
        assertThat(readme.substring(start + START.length(), end))
                .as("README.md option table; regenerate it with ./creditstream options --markdown")
                .isEqualTo(OptionsCommand.markdownTable());
    }
}
