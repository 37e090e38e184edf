package io.creditstream.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.creditstream.broker.EmbeddedKafkaExtension;
import io.creditstream.operators.core.budget.KnapsackSolver;
import io.creditstream.operators.core.budget.TaskState;
import io.creditstream.operators.core.credit.GroupCreditAssigner;
import io.creditstream.schemas.AdvantageBatch;
import io.creditstream.schemas.BudgetAllocation;
import io.creditstream.schemas.BudgetRequest;
import io.creditstream.schemas.StepEvent;
import io.creditstream.schemas.codec.AvroCodec;
import io.creditstream.streams.JobEnvironment;
import io.creditstream.streams.RunJob;
import io.creditstream.streams.kafka.KafkaIo;
import io.creditstream.streams.options.CreditstreamOptions;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A fleet's rollout round answered through Kafka: groups of steps build each task's success
 * statistics in the job, then a BudgetRequest on rollout.requests is answered on rollout.budget
 * with the knapsack allocation the kernel computes from the same statistics.
 */
class BudgetRoundITCase {

    @RegisterExtension static final EmbeddedKafkaExtension KAFKA = new EmbeddedKafkaExtension();

    @TempDir Path dir;

    @Test
    void aRoundIsAnsweredWithTheKnapsackAllocationOfTheTasksStatistics() throws Exception {
        Configuration config =
                JobEnvironment.withDefaults(
                        Configuration.fromMap(KafkaTestSupport.isolatedJobOptions(KAFKA.broker())),
                        dir.resolve("checkpoints"));
        KafkaIo.createAbsentTopics(config);
        // Two groups of 8 for each of 5 tasks: 16 rollouts a task, so every task is valid.
        List<StepEvent> steps = TestFleet.groups(new Random(21), "exp-k", 10, 8);
        List<ProducerRecord<byte[], byte[]>> records =
                KafkaTestSupport.stepRecords(config.getString("topic.steps", null), steps);
        KafkaTestSupport.produce(KAFKA.broker(), config.getString("topic.steps", null), records);

        JobClient job = RunJob.environment(config).executeAsync("budget-round-itcase");
        List<BudgetAllocation> answers;
        try {
            // Committed batches imply their groups passed the task statistics before the same
            // checkpoint: from here on a round sees all of them.
            KafkaTestSupport.readCommitted(
                    KAFKA.broker(),
                    config.getString("topic.batches", null),
                    AdvantageBatch.class,
                    KafkaTestSupport.totalAtLeast(steps.size(), b -> b.getRecords().size()),
                    HangGuard.EVENT);
            List<String> tasks =
                    List.of("task-3", "task-0", "task-4", "task-1", "task-2", "task-new");
            BudgetRequest round =
                    new BudgetRequest("exp-k", "round-1", tasks, tasks.size() * 8, null);
            BudgetRequest empty = new BudgetRequest("exp-k", "round-2", List.of(), null, null);
            AvroCodec<BudgetRequest> requestCodec = AvroCodec.of(BudgetRequest.class);
            String requestsTopic = config.getString("topic.requests", null);
            KafkaTestSupport.produce(
                    KAFKA.broker(),
                    requestsTopic,
                    List.of(
                            new ProducerRecord<>(requestsTopic, requestCodec.encode(round)),
                            new ProducerRecord<>(requestsTopic, requestCodec.encode(empty))));
            answers =
                    KafkaTestSupport.readCommitted(
                            KAFKA.broker(),
                            config.getString("topic.budget", null),
                            BudgetAllocation.class,
                            list -> list.size() >= tasks.size() + 1,
                            HangGuard.EVENT);

            List<TaskState> states = new ArrayList<>();
            Map<String, int[]> outcomes = outcomesByTask(steps);
            for (String task : tasks) {
                int[] successesAndCount = outcomes.get(task);
                states.add(
                        successesAndCount == null
                                ? new TaskState(false, 0.0, 0)
                                : new TaskState(
                                        true,
                                        (double) successesAndCount[0] / successesAndCount[1],
                                        successesAndCount[1]));
            }
            // The job's own knapsack settings, read from its configuration as the job reads them.
            int[] expected =
                    new KnapsackSolver()
                            .allocate(
                                    states,
                                    CreditstreamOptions.knapsackParams(config)
                                            .withTotalBudget(tasks.size() * 8));

            List<BudgetAllocation> roundOne =
                    answers.stream().filter(a -> a.getRoundId().equals("round-1")).toList();
            assertThat(roundOne)
                    .extracting(BudgetAllocation::getTaskId)
                    .containsExactlyElementsOf(tasks);
            assertThat(roundOne).allSatisfy(a -> assertThat(a.getError()).isNull());
            assertThat(roundOne.stream().mapToInt(BudgetAllocation::getRollouts).toArray())
                    .containsExactly(expected);
            assertThat(roundOne.stream().mapToInt(BudgetAllocation::getRollouts).sum())
                    .isEqualTo(tasks.size() * 8);

            List<BudgetAllocation> roundTwo =
                    answers.stream().filter(a -> a.getRoundId().equals("round-2")).toList();
            assertThat(roundTwo).hasSize(1);
            assertThat(roundTwo.get(0).getError()).contains("task_ids");
        } finally {
            job.cancel().get();
        }
    }

    /** Per task: {successes, rollouts}, a success being an episode return above 0. */
    private static Map<String, int[]> outcomesByTask(List<StepEvent> steps) {
        Map<String, List<StepEvent>> episodes = new TreeMap<>();
        Map<String, String> taskOf = new TreeMap<>();
        for (StepEvent step : steps) {
            episodes.computeIfAbsent(step.getEpisodeId(), e -> new ArrayList<>()).add(step);
            taskOf.put(step.getEpisodeId(), step.getTaskId());
        }
        Map<String, int[]> outcomes = new TreeMap<>();
        for (var episode : episodes.entrySet()) {
            double outcome = GroupCreditAssigner.episodeReturn(episode.getValue());
            int[] counts = outcomes.computeIfAbsent(taskOf.get(episode.getKey()), t -> new int[2]);
            counts[0] += outcome > 0 ? 1 : 0;
            counts[1]++;
        }
        return outcomes;
    }
}
