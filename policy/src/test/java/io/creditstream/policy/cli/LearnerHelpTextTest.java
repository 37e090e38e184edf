package io.creditstream.policy.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Deque;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * learner, fleet, study and their subcommands render --help without picocli's format warning (a
 * bare '%' in a description; the streams CLI has the same check with a self-test).
 */
class LearnerHelpTextTest {

    @Test
    void everyCommandsHelpRendersWithoutWarnings() {
        Deque<CommandLine> pending = new ArrayDeque<>();
        pending.add(new CommandLine(new PolicyCli()));
        int rendered = 0;
        PrintStream original = System.err;
        try {
            while (!pending.isEmpty()) {
                CommandLine command = pending.poll();
                pending.addAll(command.getSubcommands().values());
                ByteArrayOutputStream captured = new ByteArrayOutputStream();
                System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
                command.getUsageMessage();
                System.setErr(original);
                assertThat(captured.toString(StandardCharsets.UTF_8))
                        .as(command.getCommandName())
                        .isEmpty();
                rendered++;
            }
        } finally {
            System.setErr(original);
        }
        assertThat(rendered).isGreaterThanOrEqualTo(4);
    }
}
