package io.creditstream.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.creditstream.broker.EmbeddedKafkaExtension;
import io.creditstream.schemas.contract.PolicyProcess;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A fleet started with {@code --exit-with-parent} stops when its launcher dies without stopping it:
 * a demo killed with {@code kill -9}, or a test JVM that crashed. Without it such a fleet went on
 * sending steps into a broker directory nobody deleted, until the disk was full.
 */
class ExitWithParentITCase {

    @RegisterExtension static final EmbeddedKafkaExtension KAFKA = new EmbeddedKafkaExtension();

    @TempDir Path dir;

    @Test
    void aFleetWhoseLauncherIsKilledStops() throws Exception {
        List<String> fleet = new ArrayList<>();
        fleet.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        fleet.addAll(PolicyProcess.JVM_OPTIONS);
        fleet.addAll(List.of("-cp", System.getProperty("java.class.path")));
        fleet.add(PolicyProcess.MAIN_CLASS);
        fleet.addAll(
                List.of(
                        PolicyProcess.FLEET,
                        PolicyProcess.BOOTSTRAP_SERVERS,
                        KAFKA.broker().bootstrapServers(),
                        PolicyProcess.EXPERIMENT,
                        "orphan",
                        PolicyProcess.STORE,
                        dir.resolve("store").toString(),
                        PolicyProcess.TOPIC_REPLICATION_FACTOR,
                        "1",
                        PolicyProcess.KAFKA_CONNECT_TIMEOUT,
                        "60s",
                        // Longer than the hang guard: only the launcher's end may stop it in time.
                        "--snapshot-wait",
                        "30min",
                        PolicyProcess.EXIT_WITH_PARENT));
        // The fleet writes into a named pipe that this test reads: its end of file comes when the
        // fleet ends, and each line as it is printed (the launcher's own output pipe is closed by
        // the JDK as soon as the launcher dies, though the fleet still holds it).
        Path fifo = dir.resolve("fleet.out");
        assertThat(new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor()).isZero();
        StringBuffer output = new StringBuffer();
        CompletableFuture<Void> waitingForSnapshot = new CompletableFuture<>();
        CompletableFuture<Void> outputEnded =
                CompletableFuture.runAsync(
                        () -> {
                            try (BufferedReader lines =
                                    Files.newBufferedReader(fifo, StandardCharsets.UTF_8)) {
                                for (String line; (line = lines.readLine()) != null; ) {
                                    output.append(line).append('\n');
                                    if (line.contains("waiting up to")) {
                                        waitingForSnapshot.complete(null);
                                    }
                                }
                            } catch (IOException e) {
                                throw new UncheckedIOException(e);
                            } finally {
                                // Ended without the line: the assertion below says what it printed.
                                waitingForSnapshot.complete(null);
                            }
                        });
        // The launcher: a shell that starts the fleet and waits for it, as the demo's JVM does.
        List<String> launcherCommand =
                new ArrayList<>(
                        List.of(
                                "bash",
                                "-c",
                                "\"$@\" > \"$FLEET_OUTPUT\" 2>&1 & wait",
                                "launcher"));
        launcherCommand.addAll(fleet);
        ProcessBuilder builder =
                new ProcessBuilder(launcherCommand)
                        .redirectErrorStream(true)
                        .redirectOutput(dir.resolve("launcher.log").toFile());
        builder.environment().put("FLEET_OUTPUT", fifo.toString());
        Process launcher = builder.start();
        ProcessHandle child = null;
        try {
            // Started and past its Kafka check: it now waits for a first snapshot.
            waitingForSnapshot.get(HangGuard.EVENT.toMillis(), TimeUnit.MILLISECONDS);
            assertThat(output.toString()).contains("waiting up to");
            // The shell's only child: the fleet's JVM.
            child = launcher.toHandle().children().findFirst().orElseThrow();

            launcher.destroyForcibly().waitFor();

            assertThat(
                            child.onExit()
                                    .get(HangGuard.EVENT.toMillis(), TimeUnit.MILLISECONDS)
                                    .isAlive())
                    .isFalse();
            outputEnded.get(HangGuard.EVENT.toMillis(), TimeUnit.MILLISECONDS);
            assertThat(output.toString())
                    .contains("the parent process " + launcher.pid() + " ended: stopping")
                    .contains(PolicyProcess.EXIT_WITH_PARENT);
        } finally {
            launcher.destroyForcibly();
            if (child != null) {
                child.destroyForcibly();
            }
        }
    }
}
