package io.creditstream.tools.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.creditstream.schemas.preflight.ExitCode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The commands that read or write files, as a new user meets their mistakes: each case's exit
 * status and the first line of stderr, from a real {@code creditstream} process on real files. An
 * unwritable place is a path below a regular file, which holds for root too.
 */
class FileCommandsExitStatusTest {
    @TempDir Path dir;

    // ---- estimate ----------------------------------------------------------------------------

    @Test
    void estimateOnAnEmptyInputWritesAnEmptyOutputAndSucceeds() throws Exception {
        Path input = Files.writeString(dir.resolve("empty.jsonl"), "");
        Path output = dir.resolve("out.jsonl");

        CliProcess.Result result = estimate(input, output);

        assertThat(result.status()).as("%s", result).isEqualTo(ExitCode.OK.code());
        assertThat(result.firstError())
                .startsWith("estimate: 0 lines, 0 skipped, 0 steps -> 0 advantage records in ");
        assertThat(output).isEmptyFile();
    }

    @Test
    void estimateOnBlankLinesAloneIsAnEmptyInputToo() throws Exception {
        Path input = Files.writeString(dir.resolve("blank.jsonl"), "\n  \n");
        Path output = dir.resolve("out.jsonl");

        CliProcess.Result result = estimate(input, output);

        assertThat(result.status()).as("%s", result).isEqualTo(ExitCode.OK.code());
        assertThat(result.firstError()).startsWith("estimate: 2 lines, 0 skipped, 0 steps -> 0");
        assertThat(output).isEmptyFile();
    }

    @Test
    void estimateWhoseEveryLineIsRejectedSaysSoAndWritesNothing() throws Exception {
        Path input =
                Files.writeString(
                        dir.resolve("bad.jsonl"), "{\"reward\": \"oops\"}\nnot json at all\n");
        Path output = dir.resolve("out.jsonl");

        CliProcess.Result result = estimate(input, output);

        assertThat(result.status()).as("%s", result).isEqualTo(ExitCode.NO_INPUT.code());
        assertThat(result.firstError()).startsWith("bad.jsonl:1: skipped: ");
        assertThat(result.stderr().get(1)).startsWith("bad.jsonl:2: skipped: ");
        assertThat(result.stderr().get(2))
                .isEqualTo(
                        "error: no valid step in bad.jsonl: all 2 of its lines were skipped (see"
                                + " above); "
                                + output
                                + " was not written");
        assertThat(result.stderr()).hasSize(3);
        assertThat(output).doesNotExist();
    }

    @Test
    void estimateReplacesAnExistingOutputAndSaysSo() throws Exception {
        Path input = Files.writeString(dir.resolve("empty.jsonl"), "");
        Path output = Files.writeString(dir.resolve("out.jsonl"), "{\"old\": 1}\n");

        CliProcess.Result result = estimate(input, output);

        assertThat(result.status()).as("%s", result).isEqualTo(ExitCode.OK.code());
        assertThat(result.firstError()).contains(" in " + output + " (replaced) (");
        assertThat(output).isEmptyFile();
    }

    @Test
    void estimateRefusesAnOutputItCannotWriteBeforeReadingAnything() throws Exception {
        Path input = Files.writeString(dir.resolve("bad.jsonl"), "{\"reward\": \"oops\"}\n");
        Path file = Files.writeString(dir.resolve("results"), "a file\n");

        CliProcess.Result belowAFile = estimate(input, file.resolve("out.jsonl"));

        assertThat(belowAFile.status()).as("%s", belowAFile).isEqualTo(ExitCode.FILES.code());
        assertThat(belowAFile.firstError())
                .isEqualTo(
                        "error: cannot write --output "
                                + file.resolve("out.jsonl")
                                + ": "
                                + file
                                + " is a file, not a directory");
        assertThat(belowAFile.stderr()).hasSize(1);

        CliProcess.Result aDirectory = estimate(input, dir);

        assertThat(aDirectory.status()).as("%s", aDirectory).isEqualTo(ExitCode.FILES.code());
        assertThat(aDirectory.firstError())
                .isEqualTo(
                        "error: cannot write --output " + dir + ": it is a directory; name a file");
    }

    @Test
    void estimateWithoutItsInputIsAUsageError() throws Exception {
        CliProcess.Result result = estimate(dir.resolve("missing.jsonl"), dir.resolve("out.jsonl"));

        assertThat(result.status()).as("%s", result).isEqualTo(ExitCode.USAGE.code());
        assertThat(result.firstError())
                .isEqualTo("error: --input missing.jsonl does not exist or is not a file");
    }

    // ---- budget ------------------------------------------------------------------------------

    @Test
    void budgetOnAnEmptyInputHasNoRoundToAllocate() throws Exception {
        Files.writeString(dir.resolve("round.json"), " \n");

        CliProcess.Result result = CliProcess.run(dir, "budget", "--input", "round.json");

        assertThat(result.status()).as("%s", result).isEqualTo(ExitCode.NO_INPUT.code());
        assertThat(result.firstError())
                .startsWith("error: --input round.json is empty: there is no round to allocate");
        assertThat(result.stdout()).isEmpty();
    }

    @Test
    void budgetOnSomethingElseThanARoundKeepsItsUsageError() throws Exception {
        Files.writeString(dir.resolve("round.json"), "[1, 2]");

        CliProcess.Result result = CliProcess.run(dir, "budget", "--input", "round.json");

        assertThat(result.status()).as("%s", result).isEqualTo(ExitCode.USAGE.code());
        assertThat(result.firstError()).startsWith("error: ");
    }

    // ---- demo, soak, bench: their own broker, their own files ----------------------------------

    @Test
    void demoRefusesAnOutputDirectoryItCannotWrite() throws Exception {
        Path file = Files.writeString(dir.resolve("curves"), "a file\n");

        CliProcess.Result result =
                CliProcess.run(dir, "demo", "--output-dir", file.resolve("demo").toString());

        assertThat(result.status()).as("%s", result).isEqualTo(ExitCode.FILES.code());
        assertThat(result.firstError())
                .isEqualTo(
                        "error: cannot write to --output-dir "
                                + file.resolve("demo")
                                + ": "
                                + file
                                + " is a file, not a directory");
    }

    @Test
    void demoRefusesASummaryFileItCannotWrite() throws Exception {
        CliProcess.Result result =
                CliProcess.run(
                        dir, "demo", "--output-dir", dir.toString(), "--summary", dir.toString());

        assertThat(result.status()).as("%s", result).isEqualTo(ExitCode.FILES.code());
        assertThat(result.firstError())
                .isEqualTo(
                        "error: cannot write --summary "
                                + dir
                                + ": it is a directory; name a file");
    }

    @Test
    void soakRefusesAnOutputDirectoryItCannotWrite() throws Exception {
        Path file = Files.writeString(dir.resolve("soak"), "a file\n");

        CliProcess.Result result = CliProcess.run(dir, "soak", "--out", file.toString());

        assertThat(result.status()).as("%s", result).isEqualTo(ExitCode.FILES.code());
        assertThat(result.firstError())
                .isEqualTo(
                        "error: cannot write to --out "
                                + file
                                + ": "
                                + file
                                + " is a file, not a directory");
    }

    @Test
    void demoAndBenchSayThatTheyIgnoreABrokerAddress() throws Exception {
        for (List<String> command :
                List.of(
                        List.of("demo", "--random-fleet", "--duration", "1s"),
                        List.of("bench", "--steps", "1000"))) {
            List<String> args = new java.util.ArrayList<>(command);
            args.add("-Dkafka.bootstrap-servers=broker.example:9092");
            try (CliProcess cli = CliProcess.start(dir, args.toArray(String[]::new))) {
                List<String> stderr = cli.awaitStderr(line -> line.startsWith("note: "));
                assertThat(stderr.get(0))
                        .as("%s", command)
                        .isEqualTo(
                                "note: "
                                        + command.get(0)
                                        + " runs its own Kafka broker in this process, so"
                                        + " kafka.bootstrap-servers=broker.example:9092 is"
                                        + " ignored; `run` is the command for an external broker");
            }
        }
    }

    /** The input by a name relative to the working directory, as typed; the output absolute. */
    private CliProcess.Result estimate(Path input, Path output) throws Exception {
        return CliProcess.run(
                dir,
                "estimate",
                "--input",
                dir.relativize(input.toAbsolutePath()).toString(),
                "--output",
                output.toString());
    }
}
