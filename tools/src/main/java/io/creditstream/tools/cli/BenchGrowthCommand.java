package io.creditstream.tools.cli;

import io.creditstream.operators.core.credit.AnchorMemoryParams;
import io.creditstream.operators.core.credit.CreditParams;
import io.creditstream.tools.bench.GrowthBenchmark;
import io.creditstream.tools.bench.GrowthBenchmark.Point;
import io.creditstream.tools.bench.GrowthBenchmark.Sweep;
import io.creditstream.tools.bench.GrowthPlot;
import io.creditstream.tools.bench.GrowthRow;
import io.creditstream.tools.bench.OpenEpisodeGenerator.Shape;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code creditstream bench growth}: how the job's cost per step, heap, RocksDB size and
 * checkpoints grow with the open state it holds.
 */
@Command(
        name = "growth",
        mixinStandardHelpOptions = true,
        description = {
            "Measure how cost grows with open state: for each point of a sweep, pre-produce steps"
                    + " that hold a target open state (N episodes open at once, round-robin) to an"
                    + " embedded broker, run the full job over them (MiniCluster, RocksDB,"
                    + " exactly-once) and report its steady rate and process CPU per step over"
                    + " the middle of the steps after the fill, then the heap after a full GC,"
                    + " RocksDB live data and SST size, and the latest checkpoint's full size and"
                    + " duration. Sweeps: open-episodes, trajectory-length, anchor-keys (GiGPO"
                    + " anchor memory), prm-actions (OPRL). Writes <out>/growth-<sweep>.csv and"
                    + " .png; the last stdout line is one JSON object.",
            "",
            "Examples: creditstream bench growth --quick",
            "          creditstream bench growth --sweeps open-episodes --open-episodes 1000000"
        })
public class BenchGrowthCommand implements Callable<Integer> {
    @Option(
            names = "--quick",
            description =
                    "A short run: 50,000 steps after each fill, open episodes 1,000 and 10,000,"
                            + " lengths 10 and 100, two points of each other sweep; options given"
                            + " explicitly still apply.")
    boolean quick;

    @Option(
            names = "--sweeps",
            split = ",",
            description =
                    "Which sweeps to run (default: all): open-episodes, trajectory-length,"
                            + " anchor-keys, prm-actions.")
    List<String> sweeps;

    @Option(
            names = "--open-episodes",
            split = ",",
            description =
                    "Open-episode points (default: 1000,10000,100000,1000000; --quick:"
                            + " 1000,10000).")
    List<Integer> openEpisodes;

    @Option(
            names = "--open-episode-length",
            defaultValue = "4",
            description =
                    "Steps per episode in the open-episodes sweep (default: ${DEFAULT-VALUE}):"
                            + " the fill sends about N * length / 2 steps, so short episodes keep"
                            + " a million open episodes within reach.")
    int openEpisodeLength;

    @Option(
            names = "--lengths",
            split = ",",
            description = "Trajectory-length points (default: 10,100,1000; --quick: 10,100).")
    List<Integer> lengths;

    @Option(
            names = "--anchor-keys",
            split = ",",
            description =
                    "State keys per task, GiGPO with anchor memory (default: 10,100,1000,10000;"
                            + " --quick: 10,1000).")
    List<Integer> anchorKeys;

    @Option(
            names = "--prm-actions",
            split = ",",
            description =
                    "Distinct actions, OPRL (its PRM's features grow with them) (default:"
                            + " 10,1000,100000; --quick: 10,10000).")
    List<Integer> prmActions;

    @Option(
            names = "--fixed-open-episodes",
            defaultValue = "1000",
            description =
                    "Open episodes in every sweep but open-episodes (default: ${DEFAULT-VALUE}).")
    int fixedOpenEpisodes;

    @Option(
            names = "--fixed-length",
            defaultValue = "20",
            description =
                    "Steps per episode in the anchor-keys and prm-actions sweeps (default:"
                            + " ${DEFAULT-VALUE}).")
    int fixedLength;

    @Option(
            names = "--steps-after-fill",
            description =
                    "Steps per point after the open state is filled; the window is their middle"
                            + " 20-80%% (default: 400000; --quick: 50000).")
    Long stepsAfterFill;

    @Option(
            names = "--group-size",
            defaultValue = "8",
            description = "Episodes per group (default: ${DEFAULT-VALUE}).")
    int groupSize;

    @Option(
            names = "--tasks",
            defaultValue = "16",
            description = "Tasks the groups are spread over (default: ${DEFAULT-VALUE}).")
    int tasks;

    @Option(
            names = "--parallelism",
            defaultValue = "2",
            description = "Job parallelism (default: ${DEFAULT-VALUE}).")
    int parallelism;

    @Option(
            names = "--out",
            defaultValue = "growth",
            description = "Directory for the CSV and PNG files (default: ${DEFAULT-VALUE}).")
    Path out;

    @Mixin ConfigMixin config;

    /** State keys and actions where a sweep does not vary them. */
    static final int BASE_STATE_KEYS = 16;

    static final int BASE_ACTIONS = 16;

    static final long SEED = 7;

    @Override
    public Integer call() throws Exception {
        List<Point> points = points();
        List<GrowthRow> rows =
                GrowthBenchmark.run(
                        points,
                        parallelism,
                        config.configurationWithOwnBroker("bench growth"),
                        System.out);
        System.out.println();
        System.out.print(GrowthRow.table(rows));
        for (Sweep sweep : Sweep.values()) {
            List<GrowthRow> ofSweep =
                    rows.stream().filter(r -> r.sweep().equals(sweep.id())).toList();
            if (ofSweep.isEmpty()) {
                continue;
            }
            Path csv = out.resolve("growth-" + sweep.id() + ".csv");
            Path png = out.resolve("growth-" + sweep.id() + ".png");
            GrowthRow.writeCsv(csv, ofSweep);
            GrowthPlot.write(
                    png, ofSweep, sweep.meaning(), "creditstream growth: " + sweep.meaning());
            System.out.printf("wrote %s and %s%n", csv, png);
        }
        System.out.println(
                "{\"growth\":["
                        + String.join(",", rows.stream().map(GrowthRow::json).toList())
                        + "]}");
        return 0;
    }

    /** The points of the chosen sweeps, in order; a bad sweep name or value names the flag. */
    List<Point> points() {
        long afterFill = stepsAfterFill != null ? stepsAfterFill : quick ? 50_000 : 400_000;
        if (afterFill < 1_000) {
            throw new IllegalArgumentException(
                    "--steps-after-fill must be at least 1000, got " + afterFill);
        }
        List<Sweep> chosen = new ArrayList<>();
        for (String name : sweeps != null ? sweeps : List.<String>of()) {
            chosen.add(
                    Arrays.stream(Sweep.values())
                            .filter(s -> s.id().equals(name.trim()))
                            .findFirst()
                            .orElseThrow(
                                    () ->
                                            new IllegalArgumentException(
                                                    "--sweeps: unknown sweep '"
                                                            + name
                                                            + "'; choose from open-episodes,"
                                                            + " trajectory-length, anchor-keys,"
                                                            + " prm-actions")));
        }
        if (chosen.isEmpty()) {
            chosen.addAll(Arrays.asList(Sweep.values()));
        }
        List<Point> points = new ArrayList<>();
        for (Sweep sweep : chosen) {
            switch (sweep) {
                case OPEN_EPISODES -> {
                    for (int n :
                            orDefault(
                                    openEpisodes,
                                    quick
                                            ? List.of(1_000, 10_000)
                                            : List.of(1_000, 10_000, 100_000, 1_000_000))) {
                        points.add(
                                point(
                                        sweep,
                                        n,
                                        shape(n, openEpisodeLength, BASE_STATE_KEYS, BASE_ACTIONS),
                                        afterFill,
                                        Map.of()));
                    }
                }
                case TRAJECTORY_LENGTH -> {
                    for (int length :
                            orDefault(
                                    lengths, quick ? List.of(10, 100) : List.of(10, 100, 1_000))) {
                        points.add(
                                point(
                                        sweep,
                                        length,
                                        shape(
                                                fixedOpenEpisodes,
                                                length,
                                                BASE_STATE_KEYS,
                                                BASE_ACTIONS),
                                        afterFill,
                                        Map.of()));
                    }
                }
                case ANCHOR_KEYS -> {
                    for (int keys :
                            orDefault(
                                    anchorKeys,
                                    quick ? List.of(10, 1_000) : List.of(10, 100, 1_000, 10_000))) {
                        points.add(
                                point(
                                        sweep,
                                        keys,
                                        shape(fixedOpenEpisodes, fixedLength, keys, BASE_ACTIONS),
                                        afterFill,
                                        Map.of(
                                                CreditParams.KEY_ESTIMATOR,
                                                "gigpo",
                                                AnchorMemoryParams.KEY_ENABLED,
                                                "true")));
                    }
                }
                case PRM_ACTIONS -> {
                    for (int actions :
                            orDefault(
                                    prmActions,
                                    quick ? List.of(10, 10_000) : List.of(10, 1_000, 100_000))) {
                        points.add(
                                point(
                                        sweep,
                                        actions,
                                        shape(
                                                fixedOpenEpisodes,
                                                fixedLength,
                                                BASE_STATE_KEYS,
                                                actions),
                                        afterFill,
                                        Map.of(CreditParams.KEY_ESTIMATOR, "oprl")));
                    }
                }
            }
        }
        return points;
    }

    private Shape shape(int open, int length, int stateKeys, int actions) {
        return new Shape(open, length, groupSize, tasks, stateKeys, actions, SEED);
    }

    private static Point point(
            Sweep sweep, long value, Shape shape, long afterFill, Map<String, String> options) {
        return new Point(sweep, value, shape, afterFill, options);
    }

    private static List<Integer> orDefault(List<Integer> given, List<Integer> fallback) {
        return given != null && !given.isEmpty() ? given : fallback;
    }
}
