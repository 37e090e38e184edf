package io.creditstream.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.creditstream.operators.core.credit.CreditParams;
import io.creditstream.operators.core.credit.Estimator;
import io.creditstream.operators.core.credit.Normalization;
import io.creditstream.operators.core.prm.OprlParams;
import io.creditstream.operators.core.prm.PrmParams;
import io.creditstream.schemas.AdvantageRecord;
import io.creditstream.schemas.StepEvent;
import io.creditstream.schemas.codec.JsonRecordCodec;
import io.creditstream.streams.OfflineEstimate;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.flink.configuration.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code creditstream estimate} end to end: a JSON-lines file in, the kernel's numbers out. */
class EstimateITCase {
    @TempDir Path dir;

    @Test
    void writesOneRecordPerStepEqualToTheKernelAndReportsBadLines() throws Exception {
        List<StepEvent> steps = TestFleet.groups(new Random(7), "exp", 12, 6);
        JsonRecordCodec<StepEvent> codec = JsonRecordCodec.of(StepEvent.class);
        List<String> lines = new ArrayList<>();
        List<StepEvent> shuffled = new ArrayList<>(steps);
        Collections.shuffle(shuffled, new Random(3));
        for (StepEvent step : shuffled) {
            lines.add(codec.write(step));
        }
        lines.add(4, "{not json");
        lines.add(9, "{\"experiment_id\":\"exp\",\"task_id\":\"t\"}");
        Path input = dir.resolve("steps.jsonl");
        Files.write(input, lines, StandardCharsets.UTF_8);
        Path output = dir.resolve("out/advantages.jsonl");

        Configuration config = new Configuration();
        config.setString("credit.estimator", "grpo");
        config.setString("credit.normalization", "mean");
        ByteArrayOutputStream errors = new ByteArrayOutputStream();
        OfflineEstimate.Summary summary =
                OfflineEstimate.run(
                        input,
                        output,
                        config,
                        new PrintStream(errors, true, StandardCharsets.UTF_8));

        String report = errors.toString(StandardCharsets.UTF_8);
        assertThat(report).contains("steps.jsonl:5:").contains("steps.jsonl:10:");
        assertThat(report).contains("group_id");
        assertThat(summary.badLines()).isEqualTo(2);

        CreditParams params =
                CreditParams.defaults()
                        .withEstimator(Estimator.GRPO)
                        .withNormalization(Normalization.MEAN);
        Map<String, AdvantageRecord> expected = ExpectedCredit.of(steps, params);
        JsonRecordCodec<AdvantageRecord> records = JsonRecordCodec.of(AdvantageRecord.class);
        List<AdvantageRecord> actual = new ArrayList<>();
        for (String line : Files.readAllLines(output, StandardCharsets.UTF_8)) {
            actual.add(records.read(line));
        }
        assertThat(actual).hasSize(expected.size());
        for (AdvantageRecord record : actual) {
            AdvantageRecord want = expected.get(ExpectedCredit.key(record));
            assertThat(want).as("record for %s", ExpectedCredit.key(record)).isNotNull();
            assertThat(record.getAdvantage()).isCloseTo(want.getAdvantage(), within(1e-12));
            assertThat(record.getEpisodeAdvantage())
                    .isCloseTo(want.getEpisodeAdvantage(), within(1e-12));
            assertThat(record.getStepReturn()).isCloseTo(want.getStepReturn(), within(1e-12));
            assertThat(record.getAnchorGroupSize()).isEqualTo(want.getAnchorGroupSize());
            assertThat(record.getEstimator()).isEqualTo("grpo");
        }
    }

    @Test
    void aGroupCutShortByTheEndOfInputIsStillEstimated() throws Exception {
        List<StepEvent> steps = TestFleet.groups(new Random(11), "exp", 1, 4);
        // Drop the last episode of the group: 3 of the 4 declared trajectories remain.
        String lastEpisode = steps.get(steps.size() - 1).getEpisodeId();
        steps.removeIf(s -> s.getEpisodeId().equals(lastEpisode));
        JsonRecordCodec<StepEvent> codec = JsonRecordCodec.of(StepEvent.class);
        Path input = dir.resolve("short.jsonl");
        Files.write(input, steps.stream().map(codec::write).toList(), StandardCharsets.UTF_8);
        Path output = dir.resolve("short-out.jsonl");

        OfflineEstimate.run(
                input, output, new Configuration(), new PrintStream(new ByteArrayOutputStream()));

        List<String> lines = Files.readAllLines(output, StandardCharsets.UTF_8);
        assertThat(lines).hasSize(steps.size());
        Map<String, AdvantageRecord> expected = ExpectedCredit.of(steps, CreditParams.defaults());
        JsonRecordCodec<AdvantageRecord> records = JsonRecordCodec.of(AdvantageRecord.class);
        for (String line : lines) {
            AdvantageRecord record = records.read(line);
            assertThat(record.getAdvantage())
                    .isCloseTo(
                            expected.get(ExpectedCredit.key(record)).getAdvantage(), within(1e-12));
            assertThat(record.getPartialGroup()).isTrue();
        }
    }

    @Test
    void oprlTrainsThePrmInFileOrderAndGivesTheSameFileEveryTime() throws Exception {
        List<StepEvent> steps = TestFleet.groups(new Random(5), "exp", 40, 6);
        // Groups follow each other in the file; inside a group the steps are shuffled.
        JsonRecordCodec<StepEvent> codec = JsonRecordCodec.of(StepEvent.class);
        List<String> lines = new ArrayList<>();
        for (int from = 0; from < steps.size(); ) {
            int to = from;
            while (to < steps.size()
                    && steps.get(to).getGroupId().equals(steps.get(from).getGroupId())) {
                to++;
            }
            List<StepEvent> group = new ArrayList<>(steps.subList(from, to));
            Collections.shuffle(group, new Random(from));
            group.forEach(step -> lines.add(codec.write(step)));
            from = to;
        }
        Path input = dir.resolve("oprl.jsonl");
        Files.write(input, lines, StandardCharsets.UTF_8);

        Configuration config = new Configuration();
        config.setString("credit.estimator", "oprl");
        config.setString("prm.learning-rate", "2.0");
        Path first = dir.resolve("oprl-1.jsonl");
        Path second = dir.resolve("oprl-2.jsonl");
        OfflineEstimate.run(input, first, config, new PrintStream(new ByteArrayOutputStream()));
        Configuration serial = new Configuration(config);
        serial.setString("parallelism.default", "1");
        OfflineEstimate.run(input, second, serial, new PrintStream(new ByteArrayOutputStream()));

        assertThat(Files.readAllBytes(second)).isEqualTo(Files.readAllBytes(first));
        Map<String, AdvantageRecord> expected =
                ExpectedCredit.oprl(
                        steps, OprlParams.defaults(), PrmParams.defaults().withLearningRate(2.0));
        JsonRecordCodec<AdvantageRecord> records = JsonRecordCodec.of(AdvantageRecord.class);
        List<String> written = Files.readAllLines(first, StandardCharsets.UTF_8);
        assertThat(written).hasSize(expected.size());
        long trained = 0;
        for (String line : written) {
            AdvantageRecord record = records.read(line);
            AdvantageRecord want = expected.get(ExpectedCredit.key(record));
            assertThat(record.getEstimator()).isEqualTo("oprl");
            assertThat(record.getProcessReward()).isEqualTo(want.getProcessReward());
            assertThat(record.getAdvantage()).isEqualTo(want.getAdvantage());
            if (record.getProcessReward() != 0) {
                trained++;
            }
        }
        // The PRM learned: most steps get a non-zero reward from it.
        assertThat(trained).isGreaterThan(written.size() / 2);
    }

    /**
     * GiGPO's anchor memory through the job: groups keyed by task into the keyed estimator, one
     * record per step, and step advantages that plain GiGPO does not give. Which of a task's groups
     * counts as older depends on the order batch mode hands them over (it differs with the
     * parallelism), so the values are held to the kernel by the operator's harness test instead.
     */
    @Test
    void gigpoAnchorMemoryRunsKeyedByTaskAndChangesStepAdvantages() throws Exception {
        List<StepEvent> steps = TestFleet.groups(new Random(13), "exp", 30, 6);
        JsonRecordCodec<StepEvent> codec = JsonRecordCodec.of(StepEvent.class);
        Path input = dir.resolve("memory.jsonl");
        Files.write(input, steps.stream().map(codec::write).toList(), StandardCharsets.UTF_8);

        Configuration config = new Configuration();
        config.setString("credit.gigpo.anchor-memory.enabled", "true");
        config.setString("credit.gigpo.anchor-memory.groups", "3");
        Path output = dir.resolve("memory-out.jsonl");
        OfflineEstimate.run(input, output, config, new PrintStream(new ByteArrayOutputStream()));

        Map<String, AdvantageRecord> plain = ExpectedCredit.of(steps, CreditParams.defaults());
        JsonRecordCodec<AdvantageRecord> records = JsonRecordCodec.of(AdvantageRecord.class);
        List<String> written = Files.readAllLines(output, StandardCharsets.UTF_8);
        assertThat(written).hasSize(steps.size());
        long pooled = 0;
        for (String line : written) {
            AdvantageRecord record = records.read(line);
            AdvantageRecord want = plain.get(ExpectedCredit.key(record));
            assertThat(record.getEstimator()).isEqualTo("gigpo");
            // The episode level and the reported anchor-group size are plain GiGPO's.
            assertThat(record.getEpisodeAdvantage())
                    .isCloseTo(want.getEpisodeAdvantage(), within(1e-12));
            assertThat(record.getAnchorGroupSize()).isEqualTo(want.getAnchorGroupSize());
            if (Math.abs(record.getStepAdvantage() - want.getStepAdvantage()) > 1e-9) {
                pooled++;
            }
        }
        // 30 groups over 5 tasks: most groups have earlier groups of their task to pool with.
        assertThat(pooled).isGreaterThan(written.size() / 10);
    }

    @Test
    void tempoPureAndIgpoReadTheirFieldsFromTheFileAndMatchHandComputedValues() throws Exception {
        // One group of two episodes; each line carries what all three estimators read.
        List<String> lines =
                List.of(
                        stepLine("e0", 0, false, "\"x\"", 0.5, 3, 0.2, null),
                        stepLine("e0", 1, true, "\"y\"", -0.5, 5, 0.5, 1.0),
                        stepLine("e1", 0, true, "\"x\"", 0.2, 4, 0.3, 0.0));
        Path input = dir.resolve("three.jsonl");
        Files.write(input, lines, StandardCharsets.UTF_8);

        // TEMPO: mu = 0.5, sigma = sqrt(0.5); V(x) = 0.5, V(x y) = 1.
        double d = Math.sqrt(0.5) + 1e-6;
        assertThat(estimateWith(input, "tempo", Map.of()))
                .containsExactly(new double[] {0.5 / d, 1.0 / d, -0.5 / d}, within(1e-9));

        // PURE (step baseline): e0 r = 0.5 w0, -0.5 w1 with w = softmax(-5, 5); e1 r = 0.2.
        double w0 = 1 / (1 + Math.exp(10));
        double w1 = Math.exp(10) / (1 + Math.exp(10));
        double r0 = 0.5 * w0;
        double r1 = -0.5 * w1;
        assertThat(estimateWith(input, "pure", Map.of()))
                .containsExactly(
                        new double[] {
                            (r0 - 0.2) + (r1 - 0.2) + 1, (r1 - 0.2) + 1, 0.2 - (r0 + r1) / 2 - 1
                        },
                        within(1e-9));
        // PURE (token baseline): L = (10, 5).
        assertThat(estimateWith(input, "pure", Map.of("credit.pure.baseline", "token")))
                .containsExactly(
                        new double[] {
                            (r0 - 0.04 * 3) + (r1 - 0.04 * 5) + 1,
                            (r1 - 0.04 * 5) + 1,
                            0.2 - (r0 + r1) / 10 * 4 - 1
                        },
                        within(1e-9));

        // IGPO: e0's gain 0.5 - 0.2, pool {0.3, 1, 0} normalised with sqrt(var + 1e-8).
        double gain = 0.5 - 0.2;
        double mean = (gain + 1 + 0) / 3;
        double var = (sq(gain - mean) + sq(1 - mean) + sq(0 - mean)) / 3;
        double std = Math.sqrt(var + 1e-8) + 1e-6;
        assertThat(estimateWith(input, "igpo", Map.of()))
                .containsExactly(
                        new double[] {
                            (gain - mean) / std + (1 - mean) / std, (1 - mean) / std, -mean / std
                        },
                        within(1e-9));
    }

    private double[] estimateWith(Path input, String estimator, Map<String, String> options)
            throws Exception {
        Configuration config = new Configuration();
        config.setString("credit.estimator", estimator);
        options.forEach(config::setString);
        Path output = dir.resolve(estimator + "-" + options.size() + ".jsonl");
        OfflineEstimate.run(input, output, config, new PrintStream(new ByteArrayOutputStream()));
        JsonRecordCodec<AdvantageRecord> records = JsonRecordCodec.of(AdvantageRecord.class);
        List<Double> advantages = new ArrayList<>();
        for (String line : Files.readAllLines(output, StandardCharsets.UTF_8)) {
            AdvantageRecord record = records.read(line);
            assertThat(record.getEstimator()).isEqualTo(estimator);
            advantages.add(record.getAdvantage());
        }
        return advantages.stream().mapToDouble(Double::doubleValue).toArray();
    }

    private static String stepLine(
            String episode,
            int index,
            boolean done,
            String action,
            double processScore,
            int tokens,
            double answerProb,
            Double episodeReturn) {
        return "{\"experiment_id\":\"exp\",\"task_id\":\"t\",\"group_id\":\"g\","
                + "\"episode_id\":\""
                + episode
                + "\",\"step_index\":"
                + index
                + ",\"group_size\":2,\"done\":"
                + done
                + ",\"action\":"
                + action
                + ",\"process_score\":"
                + processScore
                + ",\"token_count\":"
                + tokens
                + ",\"answer_prob\":"
                + answerProb
                + (episodeReturn == null ? "" : ",\"episode_return\":" + episodeReturn)
                + "}";
    }

    private static double sq(double x) {
        return x * x;
    }
}
