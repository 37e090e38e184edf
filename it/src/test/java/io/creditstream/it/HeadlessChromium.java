package io.creditstream.it;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Debian's {@code chromium} in headless mode, as a test drives it: the DOM of a page after its
 * scripts ran for a few seconds of virtual time, or a screenshot. Each call is a fresh browser with
 * its own profile directory under {@code dir}.
 */
final class HeadlessChromium {
    private static final long CALL_SECONDS = 90;

    private final Path dir;
    private int calls;

    HeadlessChromium(Path dir) {
        this.dir = dir;
    }

    /** The page's DOM, serialized, after {@code millis} of virtual time. */
    String dumpDom(String url, int millis) throws IOException, InterruptedException {
        Path out = dir.resolve("dom-" + calls + ".html");
        run(out, List.of("--virtual-time-budget=" + millis, "--dump-dom", url));
        return Files.readString(out, StandardCharsets.UTF_8);
    }

    /** Saves a PNG of the page at {@code width} x {@code height} after {@code millis}. */
    void screenshot(String url, Path png, int width, int height, int millis)
            throws IOException, InterruptedException {
        run(
                dir.resolve("screenshot-" + calls + ".log"),
                List.of(
                        "--virtual-time-budget=" + millis,
                        "--hide-scrollbars",
                        "--window-size=" + width + "," + height,
                        "--screenshot=" + png.toAbsolutePath(),
                        url));
    }

    private void run(Path output, List<String> args) throws IOException, InterruptedException {
        calls++;
        List<String> command = new ArrayList<>();
        command.add("chromium");
        command.add("--headless");
        // The test may run as root, where Chromium's sandbox refuses to start.
        command.add("--no-sandbox");
        command.add("--disable-gpu");
        command.add("--disable-dev-shm-usage");
        command.add("--no-first-run");
        command.add("--user-data-dir=" + dir.resolve("profile-" + calls).toAbsolutePath());
        command.addAll(args);
        Path log = dir.resolve("chromium-" + calls + ".log");
        ProcessBuilder builder = new ProcessBuilder(command).redirectError(log.toFile());
        builder.redirectOutput(output.toFile());
        Process process = builder.start();
        if (!process.waitFor(CALL_SECONDS, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
            throw new IllegalStateException(
                    "chromium still ran after " + CALL_SECONDS + " s: " + Files.readString(log));
        }
        if (process.exitValue() != 0) {
            throw new IllegalStateException(
                    "chromium exited with " + process.exitValue() + ": " + Files.readString(log));
        }
    }
}
