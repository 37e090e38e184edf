package io.creditstream.policy.fleet;

import static io.creditstream.policy.service.ServiceTestSupport.PATIENCE;
import static io.creditstream.policy.service.ServiceTestSupport.freshTopic;
import static org.assertj.core.api.Assertions.assertThat;

import io.creditstream.broker.EmbeddedKafkaExtension;
import io.creditstream.fleet.BudgetClient;
import io.creditstream.fleet.RoundPlanner.Assignment;
import io.creditstream.schemas.BudgetAllocation;
import io.creditstream.schemas.BudgetRequest;
import io.creditstream.schemas.codec.AvroCodec;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The fleet's budget client against a real broker and forged answers on rollout.budget: an unknown
 * task (once a NullPointerException that stopped the fleet), 10^6 rollouts (once played), another
 * experiment's, a negative count, and a split that does not add up to the round's budget.
 */
class BudgetAnswersITCase {

    @RegisterExtension static final EmbeddedKafkaExtension KAFKA = new EmbeddedKafkaExtension();

    private static final List<String> TASKS = List.of("task-a", "task-b");

    /** Rollouts a task gets on fallback; the round's budget is 2 tasks x 4. */
    private static final int N = 4;

    @Test
    void forgedAnswersAreIgnoredAndCountedAndNeverStopTheFleet() throws Exception {
        String requests = freshTopic(KAFKA.broker(), "requests");
        String budget = freshTopic(KAFKA.broker(), "budget");
        AtomicBoolean running = new AtomicBoolean(true);
        Thread responder =
                new Thread(
                        () ->
                                respond(
                                        requests,
                                        budget,
                                        running,
                                        request ->
                                                switch (request.getRoundId()) {
                                                    // Forgeries first, then the job's answers.
                                                    case "a-round-1" ->
                                                            List.of(
                                                                    answer(request, "task-x", 3),
                                                                    answer(
                                                                            request, "task-a",
                                                                            1_000_000),
                                                                    answer(request, "task-a", -1),
                                                                    forOtherExperiment(request),
                                                                    answer(request, "task-a", 3),
                                                                    answer(request, "task-b", 5));
                                                    // Plausible numbers that do not add up.
                                                    case "a-round-2" ->
                                                            List.of(
                                                                    answer(request, "task-a", 1),
                                                                    answer(request, "task-b", 1));
                                                    default ->
                                                            List.of(
                                                                    answer(request, "task-x", 3),
                                                                    answer(
                                                                            request, "task-b",
                                                                            1_000_000));
                                                }));
        responder.start();
        try (BudgetClient client = client(requests, budget, "a", PATIENCE)) {
            assertThat(client.nextRound())
                    .containsExactly(new Assignment("task-a", 3), new Assignment("task-b", 5));
            assertThat(client.refusedAnswers()).isEqualTo(4);
            assertThat(client.fallbacks()).isZero();

            assertThat(client.nextRound())
                    .containsExactly(new Assignment("task-a", N), new Assignment("task-b", N));
            assertThat(client.fallbacks()).isEqualTo(1);
            assertThat(client.refusedAnswers()).isEqualTo(5);
        }
        // No valid answer ever comes: the round falls back once its (short) wait is over, whatever
        // the forgeries that arrived meanwhile.
        try (BudgetClient client = client(requests, budget, "b", Duration.ofMillis(500))) {
            assertThat(client.nextRound())
                    .containsExactly(new Assignment("task-a", N), new Assignment("task-b", N));
            assertThat(client.fallbacks()).isEqualTo(1);
        } finally {
            running.set(false);
            responder.join();
        }
    }

    private static BudgetClient client(
            String requests, String budget, String clientId, Duration timeout) {
        return new BudgetClient(
                KAFKA.broker().bootstrapServers(),
                requests,
                budget,
                "exp",
                clientId,
                TASKS,
                TASKS.size(),
                N,
                timeout);
    }

    private static BudgetAllocation answer(BudgetRequest request, String task, int rollouts) {
        return new BudgetAllocation(
                request.getExperimentId(), request.getRoundId(), task, rollouts, 0.5, 1.0, null);
    }

    private static BudgetAllocation forOtherExperiment(BudgetRequest request) {
        return new BudgetAllocation("other", request.getRoundId(), "task-b", 2, 0.5, 1.0, null);
    }

    /** Answers every request on {@code requests} with what {@code answers} makes of it. */
    private static void respond(
            String requests,
            String budget,
            AtomicBoolean running,
            Function<BudgetRequest, List<BudgetAllocation>> answers) {
        AvroCodec<BudgetRequest> requestCodec = AvroCodec.of(BudgetRequest.class);
        AvroCodec<BudgetAllocation> answerCodec = AvroCodec.of(BudgetAllocation.class);
        String servers = KAFKA.broker().bootstrapServers();
        try (KafkaConsumer<byte[], byte[]> consumer =
                        new KafkaConsumer<>(
                                Map.of(
                                        ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                                        servers,
                                        ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG,
                                        false),
                                new ByteArrayDeserializer(),
                                new ByteArrayDeserializer());
                KafkaProducer<byte[], byte[]> producer =
                        new KafkaProducer<>(
                                Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, servers),
                                new ByteArraySerializer(),
                                new ByteArraySerializer())) {
            TopicPartition partition = new TopicPartition(requests, 0);
            consumer.assign(List.of(partition));
            consumer.seekToBeginning(List.of(partition));
            while (running.get()) {
                for (ConsumerRecord<byte[], byte[]> record :
                        consumer.poll(Duration.ofMillis(100))) {
                    BudgetRequest request = requestCodec.decode(record.value());
                    List<BudgetAllocation> replies = new ArrayList<>(answers.apply(request));
                    for (BudgetAllocation reply : replies) {
                        producer.send(
                                new ProducerRecord<>(
                                        budget,
                                        request.getRoundId().getBytes(StandardCharsets.UTF_8),
                                        answerCodec.encode(reply)));
                    }
                    // One flush per request: the forgeries reach the topic before the real answers.
                    producer.flush();
                }
            }
        }
    }
}
