package io.creditstream.tools.cli;

import io.creditstream.schemas.preflight.FilePreflight;
import io.creditstream.tools.soak.Soak;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import org.apache.flink.configuration.Configuration;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code creditstream soak}: minutes at a steady rate with hostile input; nothing may grow. */
@Command(
        name = "soak",
        mixinStandardHelpOptions = true,
        description = {
            "Run the demo's job (in-process Kafka, local MiniCluster, RocksDB, exactly-once"
                    + " checkpoints, Prometheus) for --minutes at a steady --rate from the demo's"
                    + " random fleet, with a hostile record after every --hostile-every good steps,"
                    + " cycling through: random bytes, an empty value, a NaN reward, a 100 KB id,"
                    + " group_size 0, step_index -1, a value above input.max-record-bytes, a group"
                    + " whose rewards (2 x 1e308) overflow, and, of the episode completed last, a"
                    + " step after its done step, a conflicting duplicate and an identical re-send.",
            "Every --sample-every it records steps and hostile records sent, records in and out"
                    + " (learner.batches, read_committed), dead letters, the heap right after a"
                    + " full GC, RocksDB's live data and SST size, the open-episode and open-group"
                    + " gauges and the job's restarts, and prints a line. At the end it waits for"
                    + " the job to drain, writes soak.csv and soak.png to --out, and prints each"
                    + " figure's mean over the first and second half after --warm-up with its"
                    + " least-squares slope, whether every good step came out once, and dead"
                    + " letters by reason against what each hostile kind must cause (one letter"
                    + " each; the identical re-send one duplicate count instead).",
            "Restarts are off (restart-strategy.type: none) and completed episodes are"
                    + " remembered for 1 min (assembly.completed-retention) unless set with -D, so"
                    + " that their memory is steady after the warm-up.",
            "Exit code: 0 when the job ran throughout and every record had its fate; 1 when the"
                    + " job failed or restarted; 3 when it ran but records went missing or the dead"
                    + " letters differ from the expected. Flatness is for the reader to judge.",
            "",
            "Examples:",
            "  creditstream soak --minutes 1 --out /tmp/soak",
            "  creditstream soak --minutes 10 --rate 2000 --out docs/soak"
        })
public class SoakCommand implements Callable<Integer> {
    @Option(
            names = "--minutes",
            defaultValue = "10",
            paramLabel = "MINUTES",
            description = "How long to produce, e.g. 10 or 0.5 (default: ${DEFAULT-VALUE}).")
    double minutes;

    @Option(
            names = "--rate",
            defaultValue = "2000",
            paramLabel = "STEPS_PER_S",
            description =
                    "Good steps per second, each sent when the clock says it is due (default:"
                            + " ${DEFAULT-VALUE}).")
    double rate;

    @Option(
            names = "--hostile-every",
            defaultValue = "1000",
            paramLabel = "N",
            description =
                    "Send the next hostile record after every N good steps (default:"
                            + " ${DEFAULT-VALUE}).")
    long hostileEvery;

    @Option(
            names = "--sample-every",
            defaultValue = "10s",
            paramLabel = "DURATION",
            converter = DurationConverter.class,
            description =
                    "How often to record a row; each runs a full GC, so not under 1s (default:"
                            + " ${DEFAULT-VALUE}).")
    Duration sampleEvery;

    @Option(
            names = "--warm-up",
            defaultValue = "0.2",
            paramLabel = "FRACTION",
            description =
                    "The leading fraction of the run left out of the trends (default:"
                            + " ${DEFAULT-VALUE}).")
    double warmUp;

    @Option(
            names = "--seed",
            defaultValue = "1",
            paramLabel = "SEED",
            description = "Seed of the fleet and the hostile records (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(
            names = "--out",
            defaultValue = "soak",
            paramLabel = "DIR",
            description = "Where soak.csv and soak.png go (default: ${DEFAULT-VALUE}).")
    Path out;

    @Mixin ConfigMixin config;

    @Override
    public Integer call() throws Exception {
        Soak.Settings settings =
                new Soak.Settings(minutes, rate, hostileEvery, sampleEvery, warmUp, seed, out);
        Configuration configuration = config.configurationWithOwnBroker("soak");
        FilePreflight.writableDirectory(out, "--out");
        try (ShutdownSignal stop = ShutdownSignal.install("soak-shutdown")) {
            return new Soak(settings, configuration, System.out).run(stop::requested).exitCode();
        }
    }
}
