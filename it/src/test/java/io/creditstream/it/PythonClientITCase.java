package io.creditstream.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Runs the Python client's pytest suite ({@code python/tests}) as part of {@code mvn verify}, once
 * the launcher's jar exists: the encoding cross-check against the Java codec, and the client
 * against the broker and the job, which the suite starts from that jar as processes of their own.
 *
 * <p>The interpreter is Debian's {@code /usr/bin/python3} (the packages the suite needs, listed in
 * {@code scripts/test-packages.txt}, are installed for it; another {@code python3} may come first
 * on the PATH), or {@code -Dpython.executable=...}. pytest's output is echoed line by line.
 */
class PythonClientITCase {
    /** A hang guard far above the suite's few minutes on a busy 2-core machine. */
    private static final long TIMEOUT_MINUTES = 25;

    @Test
    void thePythonClientSuitePasses() throws Exception {
        Path root = Path.of(System.getProperty("user.dir")).toAbsolutePath().getParent();
        assertThat(root.resolve("python/tests")).as("the Python client's tests").isDirectory();
        String python = System.getProperty("python.executable", "/usr/bin/python3");
        assertThat(Files.isExecutable(Path.of(python)))
                .as(
                        "%s (run scripts/install-test-deps: it installs Debian's python3 packages)",
                        python)
                .isTrue();
        Process process =
                new ProcessBuilder(
                                List.of(
                                        python,
                                        "-m",
                                        "pytest",
                                        "-p",
                                        "no:cacheprovider",
                                        "-q",
                                        // Skips listed too: a package missing here skips
                                        // its tests (install-test-deps installs them all).
                                        "-rfEs",
                                        "--durations=5",
                                        "tests"))
                        .directory(root.resolve("python").toFile())
                        .redirectErrorStream(true)
                        .redirectInput(ProcessBuilder.Redirect.PIPE)
                        .start();
        process.getOutputStream().close();
        Thread echo =
                new Thread(
                        () -> {
                            try (BufferedReader lines =
                                    new BufferedReader(
                                            new InputStreamReader(
                                                    process.getInputStream(),
                                                    StandardCharsets.UTF_8))) {
                                for (String line = lines.readLine();
                                        line != null;
                                        line = lines.readLine()) {
                                    System.out.println("[pytest] " + line);
                                }
                            } catch (java.io.IOException e) {
                                System.out.println("[pytest] output ended: " + e.getMessage());
                            }
                        },
                        "pytest-output");
        echo.start();
        boolean exited = process.waitFor(TIMEOUT_MINUTES, TimeUnit.MINUTES);
        if (!exited) {
            // pytest's own teardown stops the broker and the job it started; give it a moment.
            process.destroy();
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
            }
        }
        echo.join(TimeUnit.SECONDS.toMillis(30));
        assertThat(exited).as("pytest still ran after %d minutes", TIMEOUT_MINUTES).isTrue();
        assertThat(process.exitValue()).as("pytest's exit status (its output is above)").isZero();
    }
}
