package io.creditstream.it;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The {@code creditstream run} child processes one test starts ({@code @RegisterExtension}, not
 * static): each logs to its own file, and all that still live are killed after the test.
 */
final class RunProcesses implements AfterEachCallback {
    private final List<CliProcess> runs = new ArrayList<>();

    /** Starts {@code command} as the child process {@code name}, logging to dir/name.log. */
    CliProcess start(List<String> command, String name, Path dir) throws IOException {
        CliProcess run = CliProcess.start(name, dir.resolve(name + ".log"), command);
        runs.add(run);
        return run;
    }

    /** Prints what each run wrote, for a failed test's report. */
    void printOutputs() {
        for (CliProcess run : runs) {
            System.err.println("---- output of " + run + " ----");
            System.err.println(run.output());
        }
    }

    @Override
    public void afterEach(ExtensionContext context) throws InterruptedException {
        for (CliProcess run : runs) {
            run.close();
        }
    }
}
