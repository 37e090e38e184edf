package io.creditstream.schemas.preflight;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real files. An unwritable place is a path below a regular file: unlike permission bits, that
 * holds for root too (tests often run as root).
 */
class FilePreflightTest {
    @TempDir Path dir;

    @Test
    void anAbsentDirectoryIsCreatedAndLeftWithoutTheProbe() throws Exception {
        Path wanted = dir.resolve("a/b/checkpoints");

        assertThat(FilePreflight.writableDirectory(wanted, "--checkpoint-dir"))
                .isEqualTo(wanted.toAbsolutePath());

        assertThat(wanted).isEmptyDirectory();
    }

    @Test
    void aDirectoryBelowAFileIsRefusedNamingTheFile() throws Exception {
        Path file = Files.writeString(dir.resolve("notes.txt"), "x");

        assertThatThrownBy(
                        () ->
                                FilePreflight.writableDirectory(
                                        file.resolve("checkpoints"), "--checkpoint-dir"))
                .isInstanceOfSatisfying(
                        PreflightException.class,
                        e -> {
                            assertThat(e.exitCode()).isEqualTo(ExitCode.FILES);
                            assertThat(e.getMessage())
                                    .isEqualTo(
                                            "cannot write to --checkpoint-dir "
                                                    + file.resolve("checkpoints")
                                                    + ": "
                                                    + file
                                                    + " is a file, not a directory");
                        });
        assertThatThrownBy(() -> FilePreflight.writableDirectory(file, "--out"))
                .hasMessageEndingWith(file + " is a file, not a directory");
    }

    @Test
    void anOutputFileMustNotBeADirectoryNorLieBelowAFile() throws Exception {
        Path file = Files.writeString(dir.resolve("notes.txt"), "x");

        assertThatThrownBy(() -> FilePreflight.writableFile(dir, "--output"))
                .isInstanceOfSatisfying(
                        PreflightException.class,
                        e -> assertThat(e.exitCode()).isEqualTo(ExitCode.FILES))
                .hasMessage("cannot write --output " + dir + ": it is a directory; name a file");
        assertThatThrownBy(() -> FilePreflight.writableFile(file.resolve("out.jsonl"), "--output"))
                .isInstanceOfSatisfying(
                        PreflightException.class,
                        e -> assertThat(e.exitCode()).isEqualTo(ExitCode.FILES))
                .hasMessage(
                        "cannot write --output "
                                + file.resolve("out.jsonl")
                                + ": "
                                + file
                                + " is a file, not a directory");
    }

    @Test
    void anOutputFileSaysWhetherItWillBeReplacedAndGetsItsDirectory() {
        assertThat(FilePreflight.writableFile(dir.resolve("new/out.jsonl"), "--output")).isFalse();
        assertThat(dir.resolve("new")).isDirectory();
    }

    @Test
    void anExistingOutputFileWillBeReplaced() throws Exception {
        Path existing = Files.writeString(dir.resolve("out.jsonl"), "old\n");

        assertThat(FilePreflight.writableFile(existing, "--output")).isTrue();
        assertThat(existing).hasContent("old");
    }

    @Test
    void aMissingInputIsAUsageErrorNamingTheFlag() {
        Path missing = dir.resolve("steps.jsonl");

        assertThatThrownBy(() -> FilePreflight.readableFile(missing, "--input"))
                .isInstanceOfSatisfying(
                        PreflightException.class,
                        e -> assertThat(e.exitCode()).isEqualTo(ExitCode.USAGE))
                .hasMessage("--input " + missing + " does not exist or is not a file");
        assertThatThrownBy(() -> FilePreflight.readableFile(dir, "--input"))
                .hasMessage("--input " + dir + " does not exist or is not a file");
    }
}
