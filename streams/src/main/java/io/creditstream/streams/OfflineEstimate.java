package io.creditstream.streams;

import io.creditstream.operators.core.credit.Estimator;
import io.creditstream.operators.core.input.StepValidator;
import io.creditstream.operators.core.prm.ImplicitPrm;
import io.creditstream.operators.core.prm.OprlCreditAssigner;
import io.creditstream.operators.core.prm.PrmProgress;
import io.creditstream.schemas.AdvantageRecord;
import io.creditstream.schemas.DeadLetter;
import io.creditstream.schemas.StepEvent;
import io.creditstream.schemas.codec.JsonRecordCodec;
import io.creditstream.schemas.internal.TrajectoryGroup;
import io.creditstream.schemas.preflight.ExitCode;
import io.creditstream.schemas.preflight.PreflightException;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.flink.api.common.RuntimeExecutionMode;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.java.typeutils.EitherTypeInfo;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.ExecutionOptions;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.types.Either;
import org.apache.flink.util.CloseableIterator;

/**
 * {@code creditstream estimate}: the streaming job's assembly and estimator over a bounded
 * JSON-lines file of StepEvents, in Flink batch mode, writing one AdvantageRecord JSON object per
 * line. A line that cannot be used is reported with its number and skipped.
 *
 * <p>An input without steps (empty, or blank lines only) gives an empty output without starting a
 * job; an input whose every line was skipped fails with {@link ExitCode#NO_INPUT} and writes
 * nothing.
 */
public final class OfflineEstimate {

    /** What one run read and wrote. */
    public record Summary(long lines, long badLines, long steps, long records, long deadLetters) {}

    private OfflineEstimate() {}

    public static Summary run(Path input, Path output, Configuration config, PrintStream errors)
            throws Exception {
        CreditJob.Settings settings = CreditJob.Settings.from(config);
        JsonRecordCodec<StepEvent> stepCodec = JsonRecordCodec.of(StepEvent.class);
        List<StepEvent> steps = new ArrayList<>();
        // The line of each group's last step: the order in which the groups complete in the file.
        Map<String, Long> groupLastLine = new HashMap<>();
        long lines = 0;
        long badLines = 0;
        try (BufferedReader reader = Files.newBufferedReader(input, StandardCharsets.UTF_8)) {
            String line;
            while ((line = reader.readLine()) != null) {
                lines++;
                if (line.isBlank()) {
                    continue;
                }
                try {
                    StepEvent step = stepCodec.read(line);
                    StepValidator.Verdict verdict = settings.validator().validate(step);
                    if (!verdict.valid()) {
                        throw new IllegalArgumentException(
                                verdict.reason().code() + ": " + verdict.detail());
                    }
                    steps.add(step);
                    groupLastLine.put(groupKey(step.getExperimentId(), step.getGroupId()), lines);
                } catch (RuntimeException e) {
                    badLines++;
                    errors.printf("%s:%d: skipped: %s%n", input, lines, e.getMessage());
                }
            }
        }

        if (steps.isEmpty()) {
            if (badLines > 0) {
                throw new PreflightException(
                        ExitCode.NO_INPUT,
                        "no valid step in "
                                + input
                                + ": "
                                + (badLines == 1
                                        ? "its one line was skipped"
                                        : "all " + badLines + " of its lines were skipped")
                                + " (see above); "
                                + output
                                + " was not written");
            }
            // Nothing to assemble: an empty output, without starting a job over no elements.
            write(output, List.of());
            return new Summary(lines, 0, 0, 0, 0);
        }

        Estimates estimates = estimate(steps, groupLastLine, config, settings, errors);
        write(output, estimates.records());
        return new Summary(
                lines, badLines, steps.size(), estimates.records().size(), estimates.deadLetters());
    }

    /** The advantage records of a bounded set of steps, sorted, and the dead letters counted. */
    public record Estimates(List<AdvantageRecord> records, long deadLetters) {}

    /**
     * Runs the job's assembly and estimator over {@code steps} in Flink batch mode.
     *
     * @param groupOrder for every group ({@link #groupKey}), the position of its last step in the
     *     input: the order OPRL's PRM learns the groups in
     * @return the records sorted by group, episode and step: the same for the same steps
     */
    public static Estimates estimate(
            List<StepEvent> steps,
            Map<String, Long> groupOrder,
            Configuration config,
            CreditJob.Settings settings,
            PrintStream errors)
            throws Exception {
        Configuration batchConfig = new Configuration(config);
        batchConfig.set(ExecutionOptions.RUNTIME_MODE, RuntimeExecutionMode.BATCH);
        StreamExecutionEnvironment env =
                StreamExecutionEnvironment.getExecutionEnvironment(batchConfig);
        CreditJob.Outputs outputs =
                CreditJob.fromSteps(
                        env.fromData(steps, new AvroTypeInfo<>(StepEvent.class)), settings, true);

        List<AdvantageRecord> results = new ArrayList<>();
        long deadLetters;
        if (settings.credit().estimator() == Estimator.OPRL) {
            List<TrajectoryGroup> groups = new ArrayList<>();
            deadLetters = collect(outputs.groups(), outputs.deadLetters(), groups::add, errors);
            results.addAll(trainInFileOrder(groups, groupOrder, settings));
        } else {
            deadLetters =
                    collect(
                            outputs.batches(),
                            outputs.deadLetters(),
                            batch -> results.addAll(batch.getRecords()),
                            errors);
        }
        results.sort(
                Comparator.comparing(AdvantageRecord::getGroupId)
                        .thenComparing(AdvantageRecord::getEpisodeId)
                        .thenComparingInt(AdvantageRecord::getStepIndex));
        return new Estimates(results, deadLetters);
    }

    /** Writes one AdvantageRecord JSON object per line, replacing {@code output}. */
    public static void write(Path output, List<AdvantageRecord> results) throws IOException {
        JsonRecordCodec<AdvantageRecord> recordCodec = JsonRecordCodec.of(AdvantageRecord.class);
        Path parent = output.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        try (BufferedWriter writer = Files.newBufferedWriter(output, StandardCharsets.UTF_8)) {
            for (AdvantageRecord record : results) {
                writer.write(recordCodec.write(record));
                writer.newLine();
            }
        } catch (IOException e) {
            throw new IOException("cannot write --output " + output + ": " + e.getMessage(), e);
        }
    }

    /**
     * OPRL's PRM learns from group to group, so its output depends on their order: the groups run
     * through the same kernel as the job's operator, one PRM per shard, in the order their last
     * step appears in the file (a group left incomplete at the end counts from its last line too).
     * The Flink batch run cannot promise an order across its parallel assemblers; this can.
     */
    private static List<AdvantageRecord> trainInFileOrder(
            List<TrajectoryGroup> groups,
            Map<String, Long> groupLastLine,
            CreditJob.Settings settings) {
        groups.sort(
                Comparator.comparingLong(
                                (TrajectoryGroup g) ->
                                        groupLastLine.get(
                                                groupKey(g.getExperimentId(), g.getGroupId())))
                        .thenComparing(TrajectoryGroup::getGroupId));
        OprlCreditAssigner assigner = new OprlCreditAssigner(settings.oprl(), settings.prm());
        Map<String, ImplicitPrm> models = new HashMap<>();
        Map<String, PrmProgress> progress = new HashMap<>();
        List<AdvantageRecord> records = new ArrayList<>();
        for (TrajectoryGroup group : groups) {
            String shard = assigner.shardKey(group);
            ImplicitPrm model = models.computeIfAbsent(shard, k -> new ImplicitPrm(settings.prm()));
            PrmProgress shardProgress = progress.computeIfAbsent(shard, k -> new PrmProgress());
            records.addAll(assigner.assign(group, model, shardProgress).batch().getRecords());
        }
        return records;
    }

    /** Runs the job, handing each main output to {@code sink}; returns the dead-letter count. */
    private static <T> long collect(
            DataStream<T> main,
            DataStream<DeadLetter> deadLetters,
            Consumer<T> sink,
            PrintStream errors)
            throws Exception {
        TypeInformation<Either<T, DeadLetter>> type =
                new EitherTypeInfo<>(main.getType(), new AvroTypeInfo<>(DeadLetter.class));
        DataStream<Either<T, DeadLetter>> left =
                main.map(value -> Either.<T, DeadLetter>Left(value)).returns(type);
        DataStream<Either<T, DeadLetter>> right =
                deadLetters.map(letter -> Either.<T, DeadLetter>Right(letter)).returns(type);
        long count = 0;
        try (CloseableIterator<Either<T, DeadLetter>> it =
                left.union(right).executeAndCollect("creditstream estimate")) {
            while (it.hasNext()) {
                Either<T, DeadLetter> next = it.next();
                if (next.isLeft()) {
                    sink.accept(next.left());
                } else {
                    count++;
                    DeadLetter letter = next.right();
                    errors.printf(
                            "episode %s left out: %s: %s%n",
                            letter.getEpisodeId(), letter.getReason(), letter.getDetail());
                }
            }
        }
        return count;
    }

    /** The key of a group in {@code groupOrder}. */
    public static String groupKey(String experimentId, String groupId) {
        return experimentId + '\u001f' + groupId;
    }
}
