package io.creditstream.tools.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * Every command's --help renders cleanly. picocli treats descriptions as format strings: a bare '%'
 * (e.g. "80% success") makes it print a warning on stderr and show the raw text.
 */
class HelpTextTest {

    @Command(name = "bad", description = "Stops at 80% success.")
    static final class BadDescription {}

    @Test
    void aBarePercentSignIsCaught() {
        assertThat(warningsWhileRendering(new CommandLine(new BadDescription()))).contains("WARN");
    }

    @Test
    void everyCommandsHelpRendersWithoutWarnings() {
        CommandLine root = new CommandLine(new CreditstreamCli());
        List<CommandLine> all = new ArrayList<>();
        collect(root, all);

        assertThat(all).hasSizeGreaterThan(5);
        for (CommandLine command : all) {
            assertThat(warningsWhileRendering(command)).as(command.getCommandName()).isEmpty();
        }
    }

    @Test
    void theDemoDocumentsHowAStalledLoopEnds() {
        String help = new CommandLine(new DemoCommand()).getUsageMessage();

        assertThat(help)
                .contains("--stall-warning=DURATION")
                .contains("--stall-timeout=DURATION")
                .contains("default: 3min")
                .contains("exit status " + DemoCommand.STALLED_EXIT_CODE);
    }

    private static void collect(CommandLine command, List<CommandLine> into) {
        into.add(command);
        command.getSubcommands().values().forEach(sub -> collect(sub, into));
    }

    /** What picocli writes to stderr while rendering the command's usage help. */
    static String warningsWhileRendering(CommandLine command) {
        PrintStream original = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            command.getUsageMessage();
        } finally {
            System.setErr(original);
        }
        return captured.toString(StandardCharsets.UTF_8);
    }
}
