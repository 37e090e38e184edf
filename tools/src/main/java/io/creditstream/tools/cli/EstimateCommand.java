package io.creditstream.tools.cli;

import io.creditstream.schemas.preflight.FilePreflight;
import io.creditstream.streams.OfflineEstimate;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.apache.flink.configuration.Configuration;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code creditstream estimate}: advantages for a bounded JSON-lines file of steps. */
@Command(
        name = "estimate",
        mixinStandardHelpOptions = true,
        description = {
            "Run the job's assembly and estimator over a JSON-lines file of StepEvents (Flink"
                    + " batch mode) and write one AdvantageRecord JSON object per line.",
            "At the end of the input every group present is complete. A line that cannot be"
                    + " used is reported with its number and skipped.",
            "An input without steps (empty, or blank lines only) gives an empty output and exit"
                    + " status 0; an input whose every line is skipped exits with status 6 and"
                    + " writes nothing. An --output that cannot be written is refused before"
                    + " anything runs (status 5).",
            "",
            "Example: creditstream estimate --input steps.jsonl --output adv.jsonl"
                    + " -Dcredit.estimator=grpo -Dcredit.normalization=mean"
        })
public class EstimateCommand implements Callable<Integer> {
    @Option(
            names = "--input",
            required = true,
            paramLabel = "FILE",
            description = "StepEvents, one JSON object per line (snake_case fields).")
    Path input;

    @Option(
            names = "--output",
            required = true,
            paramLabel = "FILE",
            description =
                    "Where to write the AdvantageRecords (replaced if present; its directory is"
                            + " created).")
    Path output;

    @Mixin ConfigMixin config;

    @Override
    public Integer call() throws Exception {
        Configuration configuration = config.configuration();
        FilePreflight.readableFile(input, "--input");
        boolean replacing = FilePreflight.writableFile(output, "--output");
        long start = System.nanoTime();
        OfflineEstimate.Summary summary =
                OfflineEstimate.run(input, output, configuration, System.err);
        System.err.printf(
                "estimate: %d lines, %d skipped, %d steps -> %d advantage records in %s%s (%d"
                        + " episodes left out) in %.1f s%n",
                summary.lines(),
                summary.badLines(),
                summary.steps(),
                summary.records(),
                output,
                replacing ? " (replaced)" : "",
                summary.deadLetters(),
                (System.nanoTime() - start) / 1e9);
        return 0;
    }
}
