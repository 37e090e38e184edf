package io.creditstream.policy.study;

import io.creditstream.fleet.curve.Curve;
import io.creditstream.fleet.curve.CurveCsv;
import io.creditstream.fleet.curve.CurvePlot;
import io.creditstream.fleet.curve.CurveSummary;
import io.creditstream.fleet.env.MazeSpec;
import io.creditstream.operators.core.credit.AnchorMemoryParams;
import io.creditstream.operators.core.credit.Estimator;
import io.creditstream.operators.core.credit.IgpoParams;
import io.creditstream.operators.core.credit.PureParams;
import io.creditstream.operators.core.prm.EpisodeEstimator;
import io.creditstream.operators.core.prm.FeatureFamily;
import io.creditstream.operators.core.prm.OprlParams;
import io.creditstream.operators.core.prm.PrmParams;
import io.creditstream.operators.core.prm.StepTermScope;
import io.creditstream.operators.core.prm.StepWeightScaling;
import io.creditstream.operators.core.prm.TrajectoryScore;
import io.creditstream.policy.model.NetworkSpec;
import io.creditstream.policy.training.UpdateOptions;
import io.creditstream.schemas.preflight.ExitCode;
import io.creditstream.schemas.preflight.FilePreflight;
import io.creditstream.schemas.preflight.PreflightException;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code study}: trains a policy on the key-and-door maze in a {@link InProcessStudy} with one
 * credit estimator and writes its learning curve; {@code study plot} draws and summarises several
 * curves.
 */
@Command(
        name = "study",
        mixinStandardHelpOptions = true,
        subcommands = StudyCommand.Plot.class,
        description = {
            "Train the DJL maze policy in-process (fleet -> credit estimator -> clipped policy"
                    + " gradient, repeated) until the episode budget is spent, and write the"
                    + " learning curve: success rate over the last --window episodes after every"
                    + " update.",
            "",
            "Example: study --estimator gigpo --episodes 10000 --seed 1 --csv gigpo-1.csv"
                    + " --png gigpo-1.png"
        })
public final class StudyCommand implements Callable<Integer> {

    /** The maze families a study can play. */
    enum Maze {
        standard,
        small,
        spread,
        graded;

        MazeSpec spec() {
            return switch (this) {
                case standard -> MazeSpec.standard();
                case small -> MazeSpec.small();
                case spread -> MazeSpec.spread();
                case graded -> MazeSpec.graded();
            };
        }
    }

    @Spec CommandSpec spec;

    @Option(
            names = "--estimator",
            defaultValue = "gigpo",
            description = "grpo, gigpo, oprl, tempo, pure or igpo (default: ${DEFAULT-VALUE}).")
    String estimator;

    @Option(
            names = "--episodes",
            defaultValue = "10000",
            description = "Episode budget, a multiple of --group-size (default: ${DEFAULT-VALUE}).")
    int episodes;

    @Option(
            names = "--seed",
            defaultValue = "1",
            description =
                    "Seed of the weights, action draws and shuffles (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(
            names = "--maze",
            defaultValue = "standard",
            description =
                    "standard (7x11), small (3x5), spread (7x11, tasks in five step-limit"
                            + " tiers) or graded (7x11, four looser tiers) (default:"
                            + " ${DEFAULT-VALUE}).")
    Maze maze;

    @Option(
            names = "--tasks",
            defaultValue = "" + StudySettings.DEFAULT_TASKS,
            description = "Maze layouts, played round-robin (default: ${DEFAULT-VALUE}).")
    int tasks;

    @Option(
            names = "--group-size",
            defaultValue = "" + StudySettings.DEFAULT_GROUP_SIZE,
            description = "Episodes per rollout group (default: ${DEFAULT-VALUE}).")
    int groupSize;

    @Option(
            names = "--groups-per-update",
            defaultValue = "" + StudySettings.DEFAULT_GROUPS_PER_UPDATE,
            description = "Groups played before each update (default: ${DEFAULT-VALUE}).")
    int groupsPerUpdate;

    @Option(
            names = "--learning-rate",
            description = "Adam step size (default: the study's tuned value).")
    Double learningRate;

    @Option(names = "--epochs", description = "Passes over each update's samples.")
    Integer epochs;

    @Option(names = "--minibatch-size", description = "Samples per optimizer step.")
    Integer minibatchSize;

    @Option(names = "--clip-epsilon", description = "PPO clip range.")
    Double clipEpsilon;

    @Option(names = "--entropy", description = "Entropy bonus coefficient.")
    Double entropy;

    @Option(
            names = "--max-grad-norm",
            description =
                    "Clip the global gradient norm to this; 0 = no clipping (default: "
                            + UpdateOptions.DEFAULT_MAX_GRAD_NORM
                            + ").")
    Double maxGradNorm;

    @Option(
            names = "--target-kl",
            description =
                    "Stop an update's epochs early once a minibatch's KL from the update's"
                            + " starting policy exceeds 1.5x this.")
    Double targetKl;

    @Option(
            names = "--invalid-action-penalty",
            defaultValue = "0",
            description =
                    "c subtracted from grpo/gigpo scores of invalid steps (default:"
                            + " ${DEFAULT-VALUE}).")
    double invalidActionPenalty;

    @Option(
            names = "--hidden-size",
            defaultValue = "" + NetworkSpec.DEFAULT_HIDDEN_SIZE,
            description = "Units per hidden layer (default: ${DEFAULT-VALUE}).")
    int hiddenSize;

    @Option(
            names = "--window",
            defaultValue = "" + StudySettings.DEFAULT_WINDOW,
            description = "Episodes the success rate is taken over (default: ${DEFAULT-VALUE}).")
    int window;

    @Option(names = "--csv", description = "Write the curve here as CSV.")
    Path csv;

    @Option(names = "--png", description = "Plot the curve here as PNG.")
    Path png;

    @Option(
            names = "--updates-csv",
            paramLabel = "FILE",
            description =
                    "Write one row per learner update here as it happens: the batch's mean and"
                            + " largest |advantage|, the gradient norm before clipping, the clip"
                            + " fraction, approx KL, entropy and loss; what to read when a curve"
                            + " dips.")
    Path updatesCsv;

    @Option(
            names = "--log-every",
            defaultValue = "20",
            description = "Print every n-th curve point; 0 for none (default: ${DEFAULT-VALUE}).")
    int logEvery;

    @Option(
            names = "--random-baseline",
            defaultValue = "0",
            description =
                    "Before training, measure a uniformly random policy's success rate over this"
                            + " many episodes (default: ${DEFAULT-VALUE}, none).")
    int randomBaseline;

    /** The study's settings from the options. */
    StudySettings settings() {
        UpdateOptions update = StudySettings.DEFAULT_UPDATE;
        if (learningRate != null) {
            update = update.withLearningRate(learningRate);
        }
        if (epochs != null) {
            update = update.withEpochs(epochs);
        }
        if (minibatchSize != null) {
            update = update.withMinibatchSize(minibatchSize);
        }
        if (clipEpsilon != null) {
            update = update.withClipEpsilon(clipEpsilon);
        }
        if (entropy != null) {
            update = update.withEntropyCoefficient(entropy);
        }
        if (maxGradNorm != null) {
            update = update.withMaxGradNorm(maxGradNorm);
        }
        if (targetKl != null) {
            update = update.withTargetKl(targetKl);
        }
        return StudySettings.builder()
                .estimator(Estimator.fromConfig(estimator))
                .episodes(episodes)
                .seed(seed)
                .maze(maze.spec())
                .tasks(tasks)
                .groupSize(groupSize)
                .groupsPerUpdate(groupsPerUpdate)
                .update(update)
                .invalidActionPenalty(invalidActionPenalty)
                .hiddenSize(hiddenSize)
                .window(window)
                .oprlParams(oprlParams())
                .prmParams(prmParams())
                .pureParams(pureParams())
                .igpoParams(igpoParams())
                .anchorMemory(anchorMemory())
                .build();
    }

    /** PURE's settings from the credit.pure.* entries of -D (library defaults otherwise). */
    private PureParams pureParams() {
        PureParams p = PureParams.defaults();
        for (Map.Entry<String, String> e : overrides.entrySet()) {
            String v = e.getValue();
            switch (e.getKey()) {
                case PureParams.KEY_BASELINE ->
                        p = p.withBaseline(PureParams.Baseline.fromConfig(v));
                case PureParams.KEY_REWARD_MODE ->
                        p = p.withRewardMode(PureParams.RewardMode.fromConfig(v));
                case PureParams.KEY_TEMPERATURE -> p = p.withTemperature(Double.parseDouble(v));
                case PureParams.KEY_VERIFIABLE_REWARD_COEF ->
                        p = p.withVerifiableRewardCoef(Double.parseDouble(v));
                default -> {
                    if (e.getKey().startsWith("credit.pure.")) {
                        throw new IllegalArgumentException(
                                "-D" + e.getKey() + " is not a PURE option");
                    }
                }
            }
        }
        return p;
    }

    /** IGPO's settings from the credit.igpo.* entries of -D (library defaults otherwise). */
    private IgpoParams igpoParams() {
        IgpoParams p = IgpoParams.defaults();
        for (Map.Entry<String, String> e : overrides.entrySet()) {
            String v = e.getValue();
            switch (e.getKey()) {
                case IgpoParams.KEY_GAIN -> p = p.withGain(IgpoParams.Gain.fromConfig(v));
                case IgpoParams.KEY_NORM_MODE ->
                        p = p.withNormMode(IgpoParams.NormMode.fromConfig(v));
                case IgpoParams.KEY_GAMMA -> p = p.withGamma(Double.parseDouble(v));
                default -> {
                    if (e.getKey().startsWith("credit.igpo.")) {
                        throw new IllegalArgumentException(
                                "-D" + e.getKey() + " is not an IGPO option");
                    }
                }
            }
        }
        return p;
    }

    /**
     * GiGPO's anchor memory from the credit.gigpo.anchor-memory.* entries of -D (off otherwise).
     */
    private AnchorMemoryParams anchorMemory() {
        AnchorMemoryParams p = AnchorMemoryParams.defaults();
        boolean enabled = p.enabled();
        int groups = p.groups();
        int maxAnchors = p.maxAnchors();
        double decay = p.decay();
        for (Map.Entry<String, String> e : overrides.entrySet()) {
            String v = e.getValue();
            switch (e.getKey()) {
                case AnchorMemoryParams.KEY_ENABLED -> enabled = Boolean.parseBoolean(v);
                case AnchorMemoryParams.KEY_GROUPS -> groups = Integer.parseInt(v);
                case AnchorMemoryParams.KEY_MAX_ANCHORS -> maxAnchors = Integer.parseInt(v);
                case AnchorMemoryParams.KEY_DECAY -> decay = Double.parseDouble(v);
                default -> {
                    if (e.getKey().startsWith("credit.gigpo.anchor-memory")) {
                        throw new IllegalArgumentException(
                                "-D" + e.getKey() + " is not an anchor-memory option");
                    }
                }
            }
        }
        return new AnchorMemoryParams(enabled, groups, maxAnchors, decay);
    }

    /** The OPRL rule from the credit.oprl.* entries of -D (library defaults otherwise). */
    private OprlParams oprlParams() {
        OprlParams p = OprlParams.defaults();
        for (Map.Entry<String, String> e : overrides.entrySet()) {
            String v = e.getValue();
            switch (e.getKey()) {
                case OprlParams.KEY_EPISODE_ESTIMATOR ->
                        p = p.withEpisodeEstimator(EpisodeEstimator.fromConfig(v));
                case OprlParams.KEY_STEP_WEIGHT -> p = p.withStepWeight(Double.parseDouble(v));
                case OprlParams.KEY_WARMUP_GROUPS -> p = p.withWarmupGroups(Integer.parseInt(v));
                case OprlParams.KEY_STEP_WEIGHT_SCALING ->
                        p = p.withStepWeightScaling(StepWeightScaling.fromConfig(v));
                case OprlParams.KEY_STEP_TERM -> p = p.withStepTerm(StepTermScope.fromConfig(v));
                default -> {
                    if (e.getKey().startsWith("credit.oprl.")) {
                        throw new IllegalArgumentException(
                                "-D" + e.getKey() + " is not an OPRL option");
                    }
                }
            }
        }
        return p;
    }

    /** The in-stream PRM from the prm.* entries of -D (library defaults otherwise). */
    private PrmParams prmParams() {
        PrmParams p = PrmParams.defaults();
        for (Map.Entry<String, String> e : overrides.entrySet()) {
            String v = e.getValue();
            switch (e.getKey()) {
                case PrmParams.KEY_BETA -> p = p.withBeta(Double.parseDouble(v));
                case PrmParams.KEY_LEARNING_RATE -> p = p.withLearningRate(Double.parseDouble(v));
                case PrmParams.KEY_TRAJECTORY_SCORE ->
                        p = p.withTrajectoryScore(TrajectoryScore.fromConfig(v));
                case PrmParams.KEY_FEATURES -> p = p.withFeatures(FeatureFamily.parseList(v));
                case PrmParams.KEY_L2 -> p = p.withL2(Double.parseDouble(v));
                default -> {
                    if (e.getKey().startsWith("prm.")) {
                        throw new IllegalArgumentException(
                                "-D"
                                        + e.getKey()
                                        + " is not supported by study; use beta,"
                                        + " learning-rate, trajectory-score, features or l2");
                    }
                }
            }
        }
        return p;
    }

    @Option(
            names = "-D",
            paramLabel = "KEY=VALUE",
            description =
                    "OPRL settings for --estimator oprl: credit.oprl.step-weight, warmup-groups,"
                            + " step-weight-scaling, step-term, episode-estimator; prm.beta,"
                            + " learning-rate, trajectory-score, features, l2. For --estimator"
                            + " pure: credit.pure.baseline, reward-mode, temperature,"
                            + " verifiable-reward-coef; for igpo: credit.igpo.gain, norm-mode,"
                            + " gamma; for gigpo: credit.gigpo.anchor-memory.enabled, groups,"
                            + " max-anchors, decay.")
    Map<String, String> overrides = new LinkedHashMap<>();

    @Override
    public Integer call() throws IOException {
        StudySettings settings;
        try {
            settings = settings();
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage(), e);
        }
        if (csv != null) {
            FilePreflight.writableFile(csv, "--csv");
        }
        if (png != null) {
            FilePreflight.writableFile(png, "--png");
        }
        if (updatesCsv != null) {
            FilePreflight.writableFile(updatesCsv, "--updates-csv");
        }
        PrintWriter out = spec.commandLine().getOut();
        out.printf("%s%n", settings);
        if (randomBaseline > 0) {
            out.printf(
                    Locale.ROOT,
                    "random policy: success rate %.4f over %,d episodes%n",
                    InProcessStudy.randomPolicySuccessRate(settings, randomBaseline),
                    randomBaseline);
        }
        out.println("episodes,success_rate,mean_episode_length,mean_abs_advantage,updates,wall_s");
        out.flush();
        InProcessStudy study = new InProcessStudy(settings);
        Curve curve;
        try (UpdateRows rows = UpdateRows.open(updatesCsv)) {
            curve =
                    study.run(
                            point -> {
                                if (logEvery > 0 && point.updates() % logEvery == 0) {
                                    out.printf(
                                            Locale.ROOT,
                                            "%d,%.3f,%.1f,%.4f,%d,%.1f%n",
                                            point.episodes(),
                                            point.successRate(),
                                            point.meanEpisodeLength(),
                                            point.meanAbsAdvantage(),
                                            point.updates(),
                                            point.wallSeconds());
                                    out.flush();
                                }
                            },
                            rows::write);
        }
        if (csv != null) {
            CurveCsv.write(csv, curve);
        }
        if (png != null) {
            CurvePlot.write(png, List.of(curve), 900, 560, title(List.of(curve)));
        }
        out.println(CurveSummary.of(List.of(curve), settings.window()));
        if (settings.estimator() == Estimator.GIGPO) {
            long[] singletons = study.anchorSingletons();
            out.printf(
                    Locale.ROOT,
                    "anchor singletons: %.4f of %,d steps alone in their group's step group%s%n",
                    singletons[1] / (double) Math.max(1, singletons[0]),
                    singletons[0],
                    settings.anchorMemory().enabled()
                            ? String.format(
                                    Locale.ROOT,
                                    ", %.4f after pooling the task's earlier groups",
                                    singletons[2] / (double) Math.max(1, singletons[0]))
                            : "");
        }
        out.flush();
        return 0;
    }

    /** {@code study plot}: one PNG of several CSV curves, and a table of their milestones. */
    @Command(
            name = "plot",
            mixinStandardHelpOptions = true,
            description = {
                "Plot curves written by study --csv in one PNG (one colour per label, a thin line"
                        + " per seed, a thick line for their mean) and print, per label, the"
                        + " episodes to reach each success rate and the final rate."
            })
    static final class Plot implements Callable<Integer> {
        @Spec CommandSpec spec;

        @Parameters(arity = "1..*", paramLabel = "CSV", description = "Curve files.")
        List<Path> files;

        @Option(names = "--png", description = "Write the plot here.")
        Path png;

        @Option(names = "--title", description = "Title above the plot.")
        String title;

        @Option(
                names = "--width",
                defaultValue = "1000",
                description = "Pixels (default: ${DEFAULT-VALUE}).")
        int width;

        @Option(
                names = "--height",
                defaultValue = "620",
                description = "Pixels (default: ${DEFAULT-VALUE}).")
        int height;

        @Option(
                names = "--window",
                defaultValue = "" + StudySettings.DEFAULT_WINDOW,
                description =
                        "The window the curves were written with, named in the table (default:"
                                + " ${DEFAULT-VALUE}).")
        int window;

        @Override
        public Integer call() throws IOException {
            if (png != null) {
                FilePreflight.writableFile(png, "--png");
            }
            List<Curve> curves = new java.util.ArrayList<>();
            for (Path file : files) {
                requirePoints(file);
                curves.add(CurveCsv.read(file));
            }
            if (png != null) {
                CurvePlot.write(png, curves, width, height, title != null ? title : title(curves));
            }
            spec.commandLine().getOut().println(CurveSummary.of(curves, window));
            spec.commandLine().getOut().flush();
            return 0;
        }
    }

    /**
     * The --updates-csv file, written and flushed row by row so that a run stopped by hand still
     * leaves every update it made; does nothing without a file.
     */
    private static final class UpdateRows implements AutoCloseable {
        private final BufferedWriter writer;

        private UpdateRows(BufferedWriter writer) {
            this.writer = writer;
        }

        static UpdateRows open(Path file) throws IOException {
            if (file == null) {
                return new UpdateRows(null);
            }
            Path parent = file.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            BufferedWriter writer = Files.newBufferedWriter(file, StandardCharsets.UTF_8);
            writer.write(String.join(",", UpdateDiagnostics.COLUMNS));
            writer.newLine();
            return new UpdateRows(writer);
        }

        void write(UpdateDiagnostics row) {
            if (writer == null) {
                return;
            }
            try {
                writer.write(row.csvRow());
                writer.newLine();
                writer.flush();
            } catch (IOException e) {
                throw new UncheckedIOException(
                        "could not write --updates-csv: " + e.getMessage(), e);
            }
        }

        @Override
        public void close() throws IOException {
            if (writer != null) {
                writer.close();
            }
        }
    }

    /**
     * A curve file without points (empty, or study --csv's header alone, as a study stopped before
     * its first point leaves it) is no input, not a malformed one.
     */
    private static void requirePoints(Path file) throws IOException {
        FilePreflight.readableFile(file, "CSV");
        List<String> lines =
                Files.readAllLines(file, StandardCharsets.UTF_8).stream()
                        .filter(line -> !line.isBlank())
                        .toList();
        if (lines.isEmpty() || (lines.size() == 1 && lines.get(0).startsWith("label,"))) {
            throw new PreflightException(
                    ExitCode.NO_INPUT,
                    file
                            + " holds no curve points (empty, or a header alone): nothing to plot;"
                            + " write curves with study --csv");
        }
    }

    private static String title(List<Curve> curves) {
        long budget = 0;
        for (Curve curve : curves) {
            budget = Math.max(budget, curve.last().episodes());
        }
        return String.format(Locale.ROOT, "Key-and-door maze, %,d episodes", budget);
    }

    /**
     * Runs the command line and exits with its status. libtorch gets one thread unless told
     * otherwise: the study's matrices are tiny, and a fixed thread count keeps its float sums, and
     * so a seed's curve, reproducible.
     */
    public static void main(String[] args) {
        System.setProperty(
                "ai.djl.pytorch.num_threads",
                System.getProperty("ai.djl.pytorch.num_threads", "1"));
        System.setProperty(
                "ai.djl.pytorch.num_interop_threads",
                System.getProperty("ai.djl.pytorch.num_interop_threads", "1"));
        System.setProperty("ai.djl.offline", System.getProperty("ai.djl.offline", "true"));
        System.exit(new CommandLine(new StudyCommand()).execute(args));
    }
}
