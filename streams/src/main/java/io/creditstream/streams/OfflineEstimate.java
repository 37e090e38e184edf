package io.creditstream.streams;

import io.creditstream.operators.core.assembly.StepValidator;
import io.creditstream.schemas.AdvantageBatch;
import io.creditstream.schemas.AdvantageRecord;
import io.creditstream.schemas.DeadLetter;
import io.creditstream.schemas.StepEvent;
import io.creditstream.schemas.codec.JsonRecordCodec;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.apache.flink.api.common.RuntimeExecutionMode;
import org.apache.flink.api.common.typeinfo.TypeHint;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.ExecutionOptions;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.types.Either;
import org.apache.flink.util.CloseableIterator;
import org.apache.flink.util.Collector;

/**
 * {@code creditstream estimate}: the streaming job's assembly and estimator over a bounded
 * JSON-lines file of StepEvents, in Flink batch mode, writing one AdvantageRecord JSON object per
 * line. A line that cannot be used is reported with its number and skipped.
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
                    StepValidator.Verdict verdict = StepValidator.validate(step);
                    if (!verdict.valid()) {
                        throw new IllegalArgumentException(
                                verdict.reason().code() + ": " + verdict.detail());
                    }
                    steps.add(step);
                } catch (RuntimeException e) {
                    badLines++;
                    errors.printf("%s:%d: skipped: %s%n", input, lines, e.getMessage());
                }
            }
        }

        Configuration batchConfig = new Configuration(config);
        batchConfig.set(ExecutionOptions.RUNTIME_MODE, RuntimeExecutionMode.BATCH);
        StreamExecutionEnvironment env =
                StreamExecutionEnvironment.getExecutionEnvironment(batchConfig);
        CreditJob.Outputs outputs =
                CreditJob.fromSteps(
                        env.fromData(steps, new AvroTypeInfo<>(StepEvent.class)), settings, true);
        TypeInformation<Either<AdvantageRecord, DeadLetter>> resultType =
                TypeInformation.of(new TypeHint<>() {});
        DataStream<Either<AdvantageRecord, DeadLetter>> records =
                outputs.batches()
                        .flatMap(
                                (AdvantageBatch batch,
                                        Collector<Either<AdvantageRecord, DeadLetter>> out) -> {
                                    for (AdvantageRecord record : batch.getRecords()) {
                                        out.collect(Either.Left(record));
                                    }
                                })
                        .returns(resultType);
        DataStream<Either<AdvantageRecord, DeadLetter>> letters =
                outputs.deadLetters()
                        .map(letter -> Either.<AdvantageRecord, DeadLetter>Right(letter))
                        .returns(resultType);

        List<AdvantageRecord> results = new ArrayList<>();
        long deadLetters = 0;
        try (CloseableIterator<Either<AdvantageRecord, DeadLetter>> it =
                records.union(letters).executeAndCollect("creditstream estimate")) {
            while (it.hasNext()) {
                Either<AdvantageRecord, DeadLetter> next = it.next();
                if (next.isLeft()) {
                    results.add(next.left());
                } else {
                    deadLetters++;
                    DeadLetter letter = next.right();
                    errors.printf(
                            "episode %s left out: %s: %s%n",
                            letter.getEpisodeId(), letter.getReason(), letter.getDetail());
                }
            }
        }
        results.sort(
                Comparator.comparing(AdvantageRecord::getGroupId)
                        .thenComparing(AdvantageRecord::getEpisodeId)
                        .thenComparingInt(AdvantageRecord::getStepIndex));
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
        return new Summary(lines, badLines, steps.size(), results.size(), deadLetters);
    }
}
