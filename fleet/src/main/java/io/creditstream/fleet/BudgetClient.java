package io.creditstream.fleet;

import io.creditstream.schemas.BudgetAllocation;
import io.creditstream.schemas.BudgetRequest;
import io.creditstream.schemas.codec.AvroCodec;
import io.creditstream.schemas.codec.RecordDecodeException;
import io.creditstream.schemas.kafka.KafkaClientSecurity;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The fleet scheduler's side of knapsack budgets: each round it asks the job for the rollouts of
 * the next tasks (in turn) on rollout.requests and waits for the answers on rollout.budget. A round
 * the job cannot answer in time, or answers with an error, falls back to {@code n} rollouts a task,
 * so the fleet never stalls on the allocator. Use from one thread.
 *
 * <p>Answers are input from a topic others may write, so none is trusted: an answer for another
 * experiment, for a task the round did not ask about, or with a number of rollouts below 0 or above
 * the round's whole budget ({@code roundSize × n}: the job's allocation sums to it) is ignored and
 * counted ({@link #refusedAnswers()}); the first answer for a task counts, and a round whose
 * answers do not sum to its budget falls back. So a forged answer can at worst cost a round its
 * knapsack sizes, never stop the fleet or make it play 10^6 rollouts.
 */
public final class BudgetClient implements RoundPlanner, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(BudgetClient.class);

    private final String experimentId;
    private final List<String> taskIds;
    private final String clientId;
    private final int roundSize;
    private final int n;
    private final Duration timeout;
    private final String requestsTopic;
    private final KafkaProducer<byte[], byte[]> producer;
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final AvroCodec<BudgetRequest> requestCodec = AvroCodec.of(BudgetRequest.class);
    private final AvroCodec<BudgetAllocation> answerCodec = AvroCodec.of(BudgetAllocation.class);
    private final AtomicLong rounds = new AtomicLong();
    private final AtomicLong fallbacks = new AtomicLong();
    private final AtomicLong refusedAnswers = new AtomicLong();
    private volatile int lastMin;
    private volatile int lastMax;
    private int nextTask;

    /**
     * @param clientId names this client's rounds {@code <clientId>-round-<n>}: unique per client
     *     and run (e.g. the fleet's run id and worker index), so that rounds of several workers or
     *     of a restarted fleet never share an id in the job's round state
     * @param roundSize tasks per round, taken in turn from {@code taskIds}
     * @param n rollouts a task gets when a round falls back to uniform; the round's budget is
     *     {@code roundSize × n}
     */
    public BudgetClient(
            String bootstrapServers,
            String requestsTopic,
            String budgetTopic,
            String experimentId,
            String clientId,
            List<String> taskIds,
            int roundSize,
            int n,
            Duration timeout) {
        this(
                bootstrapServers,
                KafkaClientSecurity.none(),
                requestsTopic,
                budgetTopic,
                experimentId,
                clientId,
                taskIds,
                roundSize,
                n,
                timeout);
    }

    /** As above, with {@code security} applied to its producer and consumer. */
    public BudgetClient(
            String bootstrapServers,
            KafkaClientSecurity security,
            String requestsTopic,
            String budgetTopic,
            String experimentId,
            String clientId,
            List<String> taskIds,
            int roundSize,
            int n,
            Duration timeout) {
        if (taskIds.isEmpty() || roundSize < 1 || n < 1) {
            throw new IllegalArgumentException(
                    "a budget client needs tasks, a round size ≥ 1 and n ≥ 1");
        }
        if (clientId == null || clientId.isBlank()) {
            throw new IllegalArgumentException(
                    "a budget client needs a clientId unique per client and run (it names rounds)");
        }
        this.experimentId = experimentId;
        this.clientId = clientId;
        this.taskIds = List.copyOf(taskIds);
        this.roundSize = Math.min(roundSize, taskIds.size());
        this.n = n;
        this.timeout = timeout;
        this.requestsTopic = requestsTopic;
        this.producer =
                new KafkaProducer<>(
                        security.with(
                                Map.of(
                                        ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                                        bootstrapServers,
                                        ProducerConfig.ACKS_CONFIG,
                                        "all")),
                        new ByteArraySerializer(),
                        new ByteArraySerializer());
        this.consumer =
                new KafkaConsumer<>(
                        security.with(
                                Map.of(
                                        ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                                        bootstrapServers,
                                        ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG,
                                        "false")),
                        new ByteArrayDeserializer(),
                        new ByteArrayDeserializer());
        // Assigned (not subscribed) and positioned at the end before the first request, so no
        // answer can slip past between asking and listening.
        List<TopicPartition> partitions = new ArrayList<>();
        consumer.partitionsFor(budgetTopic)
                .forEach(info -> partitions.add(new TopicPartition(budgetTopic, info.partition())));
        consumer.assign(partitions);
        consumer.seekToEnd(partitions);
        partitions.forEach(consumer::position);
    }

    @Override
    public List<Assignment> nextRound() {
        List<String> tasks = new ArrayList<>(roundSize);
        for (int i = 0; i < roundSize; i++) {
            tasks.add(taskIds.get(nextTask));
            nextTask = (nextTask + 1) % taskIds.size();
        }
        String roundId = clientId + "-round-" + rounds.incrementAndGet();
        Map<String, Integer> budgets;
        try {
            budgets = request(roundId, tasks);
        } catch (TimeoutException | IllegalStateException e) {
            fallbacks.incrementAndGet();
            LOG.warn("Round {} falls back to {} rollouts a task: {}", roundId, n, e.getMessage());
            budgets = new HashMap<>();
            for (String task : tasks) {
                budgets.put(task, n);
            }
        }
        List<Assignment> round = new ArrayList<>(tasks.size());
        int min = Integer.MAX_VALUE;
        int max = 0;
        for (String task : tasks) {
            int rollouts = budgets.getOrDefault(task, n);
            round.add(new Assignment(task, rollouts));
            min = Math.min(min, rollouts);
            max = Math.max(max, rollouts);
        }
        lastMin = min;
        lastMax = max;
        return round;
    }

    private Map<String, Integer> request(String roundId, List<String> tasks)
            throws TimeoutException {
        int total = tasks.size() * n;
        BudgetRequest request = new BudgetRequest(experimentId, roundId, tasks, total, n);
        try {
            producer.send(
                            new ProducerRecord<>(
                                    requestsTopic,
                                    roundId.getBytes(StandardCharsets.UTF_8),
                                    requestCodec.encode(request)))
                    .get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw new IllegalStateException("cannot send budget request " + roundId, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while sending " + roundId, e);
        }
        Map<String, Integer> budgets = new HashMap<>();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (budgets.size() < tasks.size()) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new TimeoutException(
                        budgets.size() + " of " + tasks.size() + " answers within " + timeout);
            }
            for (ConsumerRecord<byte[], byte[]> record :
                    consumer.poll(Duration.ofNanos(Math.min(left, 100_000_000L)))) {
                BudgetAllocation answer;
                try {
                    answer = answerCodec.decode(record.value());
                } catch (RecordDecodeException e) {
                    continue; // not an answer this client can read; other writers may share the
                    // topic
                }
                if (!answer.getRoundId().equals(roundId)) {
                    continue;
                }
                if (answer.getError() != null) {
                    throw new IllegalStateException("the job answered: " + answer.getError());
                }
                String problem = answerProblem(answer, tasks, total);
                if (problem != null) {
                    refuse(roundId, problem);
                    continue;
                }
                budgets.putIfAbsent(answer.getTaskId(), answer.getRollouts());
            }
        }
        long sum = 0;
        for (int rollouts : budgets.values()) {
            sum += rollouts;
        }
        if (sum != total) {
            refusedAnswers.incrementAndGet();
            throw new IllegalStateException(
                    "the answers sum to " + sum + " rollouts, not the round's budget " + total);
        }
        return budgets;
    }

    /** Why an answer of this round cannot be played, or null when it can. */
    private String answerProblem(BudgetAllocation answer, List<String> tasks, int total) {
        if (!experimentId.equals(answer.getExperimentId())) {
            return "an answer names experiment '" + answer.getExperimentId() + "'";
        }
        if (!tasks.contains(answer.getTaskId())) {
            return "an answer names task '" + answer.getTaskId() + "', which the round did not ask";
        }
        int rollouts = answer.getRollouts();
        if (rollouts < 0 || rollouts > total) {
            return "an answer gives task '"
                    + answer.getTaskId()
                    + "' "
                    + rollouts
                    + " rollouts, outside 0.."
                    + total
                    + " (the round's budget)";
        }
        return null;
    }

    private void refuse(String roundId, String problem) {
        long refused = refusedAnswers.incrementAndGet();
        // A flood of forged answers must not flood the log: the first few, then every 1000th.
        if (refused <= 5 || refused % 1000 == 0) {
            LOG.warn(
                    "Ignored a budget answer of round {} ({} so far): {}",
                    roundId,
                    refused,
                    problem);
        }
    }

    /** Rounds asked for. */
    public long rounds() {
        return rounds.get();
    }

    /** Rounds that fell back to uniform budgets. */
    public long fallbacks() {
        return fallbacks.get();
    }

    /** Budget answers ignored: another experiment's, an unknown task, or rollouts out of bounds. */
    public long refusedAnswers() {
        return refusedAnswers.get();
    }

    /** Fewest rollouts a task got in the last round. */
    public int lastMin() {
        return lastMin;
    }

    /** Most rollouts a task got in the last round. */
    public int lastMax() {
        return lastMax;
    }

    @Override
    public void close() {
        producer.close(Duration.ofSeconds(5));
        consumer.close(Duration.ofSeconds(5));
    }
}
