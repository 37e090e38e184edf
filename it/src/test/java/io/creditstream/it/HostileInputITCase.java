package io.creditstream.it;

import static org.assertj.core.api.Assertions.fail;

import io.creditstream.broker.EmbeddedKafkaBroker;
import io.creditstream.broker.EmbeddedKafkaExtension;
import io.creditstream.cluster.metrics.LoopbackPrometheusReporterFactory;
import io.creditstream.it.HostileKind.Entry;
import io.creditstream.it.HostileKind.Expectation;
import io.creditstream.it.HostileKind.Fate;
import io.creditstream.operators.core.assembly.StepPayloads;
import io.creditstream.operators.core.credit.CreditParams;
import io.creditstream.operators.core.input.DeadLetterReason;
import io.creditstream.schemas.AdvantageBatch;
import io.creditstream.schemas.AdvantageRecord;
import io.creditstream.schemas.DeadLetter;
import io.creditstream.schemas.StepEvent;
import io.creditstream.schemas.codec.AvroCodec;
import io.creditstream.schemas.internal.Trajectory;
import io.creditstream.schemas.internal.TrajectoryGroup;
import io.creditstream.streams.JobEnvironment;
import io.creditstream.streams.RunJob;
import io.creditstream.streams.kafka.KafkaIo;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.avro.specific.SpecificRecord;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Replays the hostile corpus ({@link HostileKind}, {@code it/src/test/resources/hostile/})
 * interleaved with good groups against the job on a MiniCluster that may not restart, and checks
 * every kind against its documented expectation: the dead letters by reason and count, exactly one
 * advantage (the kernel's) per good step and none for any other, split groups as complete parts,
 * the duplicate counters read from the job's own Prometheus endpoint, and a job still RUNNING with
 * no restart at the end.
 *
 * <p>One partition and parallelism 1: "the first step of an episode" and "the first trajectory of a
 * group", which decide what is inconsistent, are defined by arrival order, and only a single
 * channel from the topic to the group assembler makes that order the corpus's file order.
 *
 * <p>The outputs are final once a fence has come out: one open episode produced after everything
 * else, whose episode-timeout letter leaves after every other timer. Groups time out 5 s before
 * episodes, so a group opened before the fence was emitted or dropped at least 5 s before it; an
 * episode opened before it timed out before it, on the same (single) timer service.
 *
 * <p>{@code -Dhostile.kinds=a,b} replays only those kinds and {@code -Dhostile.skip=a,b} all but
 * those: with a job that dies on one kind, the others can still be examined.
 */
class HostileInputITCase {
    private static final Duration EPISODE_TIMEOUT = Duration.ofSeconds(20);
    private static final Duration GROUP_TIMEOUT = Duration.ofSeconds(15);

    /** How long after the fence anything committed in the same checkpoint may take to show. */
    private static final Duration GRACE = Duration.ofSeconds(5);

    private static final String FLEET = "fleet";
    private static final String FENCE = "fence";
    private static final String UNATTRIBUTED = "(unattributed)";

    /** The duplicate counters are per job: their totals are checked on a row of their own. */
    private static final String COUNTERS = "(job counters)";

    private static final double TOLERANCE = 1e-12;
    private static final int EXAMPLES = 3;

    @RegisterExtension static final EmbeddedKafkaExtension KAFKA = new EmbeddedKafkaExtension();

    @TempDir Path dir;

    @Test
    void everyHostileKindIsHandledAsDocumentedAndTheJobNeverFails() throws Exception {
        List<HostileKind> kinds = new ArrayList<>(selected(HostileKind.loadAll()));
        kinds.add(fleet());
        HostileKind fence = fence();
        List<Planned> plan = interleave(kinds, new Random(2026));
        kinds.add(fence);
        plan.add(new Planned(FENCE, fence.records().get(0)));

        int metricsPort = freePort();
        Configuration config = jobConfig(metricsPort);
        String stepsTopic = config.getString("topic.steps", null);
        KafkaIo.createAbsentTopics(config);
        Attribution attribution = new Attribution(kinds);
        Map<String, Expected> expected = new LinkedHashMap<>();
        for (HostileKind kind : kinds) {
            expected.put(kind.kind(), new Expected(kind));
        }

        long started = System.nanoTime();
        JobClient job = RunJob.environment(config).executeAsync("hostile-input-itcase");
        Observed observed;
        try (Committed<DeadLetter> letters =
                        new Committed<>(
                                KAFKA.broker(),
                                config.getString("topic.dlq", null),
                                DeadLetter.class);
                Committed<AdvantageBatch> batches =
                        new Committed<>(
                                KAFKA.broker(),
                                config.getString("topic.batches", null),
                                AdvantageBatch.class)) {
            send(plan, stepsTopic, attribution);
            observed = await(job, letters, batches, attribution, expected);
            observed.metrics = scrape(metricsPort);
            observed.seconds = (System.nanoTime() - started) / 1e9;
        } finally {
            if (!status(job).isGloballyTerminalState()) {
                job.cancel().get();
            }
        }

        Map<String, List<String>> byKind = check(expected, observed, attribution);
        report(expected, observed, attribution, byKind);
        List<String> problems = new ArrayList<>(observed.jobProblems);
        byKind.forEach(
                (kind, list) -> list.forEach(problem -> problems.add(kind + ": " + problem)));
        if (!problems.isEmpty()) {
            long failing = expected.keySet().stream().filter(k -> !byKind.get(k).isEmpty()).count();
            fail(
                    failing
                            + " of "
                            + expected.size()
                            + " kinds (fleet and fence included) not handled as documented:\n  "
                            + String.join("\n  ", problems));
        }
    }

    // ---------------------------------------------------------------------------------------
    // What is sent.

    /** One record to produce, with the kind it belongs to. */
    private record Planned(String kind, Entry entry) {}

    /** The corpus minus what -Dhostile.kinds / -Dhostile.skip leave out. */
    private static List<HostileKind> selected(List<HostileKind> all) {
        Set<String> names = new LinkedHashSet<>();
        all.forEach(k -> names.add(k.kind()));
        Set<String> only = names(System.getProperty("hostile.kinds", ""), names);
        Set<String> skip = names(System.getProperty("hostile.skip", ""), names);
        return all.stream()
                .filter(k -> only.isEmpty() || only.contains(k.kind()))
                .filter(k -> !skip.contains(k.kind()))
                .toList();
    }

    private static Set<String> names(String list, Set<String> known) {
        Set<String> names = new LinkedHashSet<>();
        for (String name : list.split(",")) {
            if (!name.isBlank()) {
                if (!known.contains(name.trim())) {
                    throw new IllegalArgumentException("no hostile kind named '" + name + "'");
                }
                names.add(name.trim());
            }
        }
        return names;
    }

    /** Good groups from the test fleet, each group's steps in a shuffled order. */
    private static HostileKind fleet() {
        List<StepEvent> steps = TestFleet.groups(new Random(17), "hx-" + FLEET, 24, 4);
        AvroCodec<StepEvent> codec = AvroCodec.of(StepEvent.class);
        List<Entry> entries = new ArrayList<>();
        Random random = new Random(18);
        for (int from = 0; from < steps.size(); ) {
            String group = steps.get(from).getGroupId();
            int to = from;
            while (to < steps.size() && steps.get(to).getGroupId().equals(group)) {
                to++;
            }
            List<StepEvent> groupSteps = new ArrayList<>(steps.subList(from, to));
            Collections.shuffle(groupSteps, random);
            for (StepEvent step : groupSteps) {
                entries.add(
                        new Entry(
                                step.getEpisodeId().getBytes(StandardCharsets.UTF_8),
                                codec.encode(step),
                                Fate.GOOD,
                                step.getGroupId()));
            }
            from = to;
        }
        return new HostileKind(
                FLEET,
                "Good groups of the test fleet, sent among the hostile kinds.",
                new Expectation(Map.of(), Map.of(), entries.size(), List.of()),
                entries);
    }

    /** The last record sent: an episode that stays open, so its timeout letter comes last. */
    private static HostileKind fence() {
        StepEvent step =
                StepEvent.newBuilder()
                        .setExperimentId("hx-" + FENCE)
                        .setTaskId("task-0")
                        .setGroupId("hx-fence-g0")
                        .setEpisodeId("hx-fence-g0-e0")
                        .setStepIndex(0)
                        .setGroupSize(1)
                        .build();
        Entry entry =
                new Entry(
                        step.getEpisodeId().getBytes(StandardCharsets.UTF_8),
                        AvroCodec.of(StepEvent.class).encode(step),
                        Fate.DEAD_LETTER,
                        "open episode");
        return new HostileKind(
                FENCE,
                "Produced last; its timeout letter marks the end of the outputs.",
                new Expectation(
                        Map.of(DeadLetterReason.EPISODE_TIMEOUT.code(), 1), Map.of(), 0, List.of()),
                List.of(entry));
    }

    /**
     * Every kind's records in their file order, interleaved with the other kinds': four kinds are
     * open at a time and the next record comes from a random one of them, so each kind's records
     * stay close together (its groups complete well within the group timeout) but never alone.
     */
    private static List<Planned> interleave(List<HostileKind> kinds, Random random) {
        List<Deque<Planned>> queues = new ArrayList<>();
        for (HostileKind kind : kinds) {
            if (kind.kind().equals(FLEET)) {
                // One queue per fleet group, so good groups are spread among the kinds.
                Deque<Planned> group = null;
                String groupId = null;
                for (Entry entry : kind.records()) {
                    if (!entry.note().equals(groupId)) {
                        group = new ArrayDeque<>();
                        queues.add(group);
                        groupId = entry.note();
                    }
                    group.add(new Planned(FLEET, entry));
                }
            } else {
                Deque<Planned> queue = new ArrayDeque<>();
                kind.records().forEach(entry -> queue.add(new Planned(kind.kind(), entry)));
                queues.add(queue);
            }
        }
        Collections.shuffle(queues, random);
        Deque<Deque<Planned>> waiting = new ArrayDeque<>(queues);
        List<Deque<Planned>> open = new ArrayList<>();
        List<Planned> plan = new ArrayList<>();
        while (!waiting.isEmpty() || !open.isEmpty()) {
            while (open.size() < 4 && !waiting.isEmpty()) {
                open.add(waiting.poll());
            }
            Deque<Planned> from = open.get(random.nextInt(open.size()));
            plan.add(from.poll());
            if (from.isEmpty()) {
                open.remove(from);
            }
        }
        return plan;
    }

    /** Produces the plan in order to partition 0 and notes each record's offset. */
    private static void send(List<Planned> plan, String topic, Attribution attribution)
            throws Exception {
        List<Future<RecordMetadata>> acks = new ArrayList<>(plan.size());
        try (KafkaProducer<byte[], byte[]> producer = KafkaTestSupport.producer(KAFKA.broker())) {
            for (Planned planned : plan) {
                acks.add(
                        producer.send(
                                new ProducerRecord<>(
                                        topic, 0, planned.entry().key(), planned.entry().value())));
            }
            producer.flush();
        }
        for (int i = 0; i < plan.size(); i++) {
            attribution.byOffset.put(acks.get(i).get().offset(), plan.get(i).kind());
        }
    }

    // ---------------------------------------------------------------------------------------
    // What comes out.

    /** Everything the test saw of the job. */
    private static final class Observed {
        final List<String> jobProblems = new ArrayList<>();
        List<DeadLetter> letters = List.of();
        List<AdvantageBatch> batches = List.of();
        List<Integer> batchBytes = List.of();
        String jobStatus = "?";
        boolean fenceSeen;
        Map<String, OptionalDouble> metrics = Map.of();
        double seconds;
    }

    /**
     * Reads both output topics until the fence has come out and every expected output with it (or
     * the grace after the fence has passed, or the job has failed, or the deadline), then reads
     * them to their last stable offsets: everything the job committed is in.
     */
    private static Observed await(
            JobClient job,
            Committed<DeadLetter> letters,
            Committed<AdvantageBatch> batches,
            Attribution attribution,
            Map<String, Expected> expected)
            throws Exception {
        Observed observed = new Observed();
        long deadline = System.nanoTime() + HangGuard.EVENT.toNanos();
        long fenceAt = 0;
        Map<String, Integer> lettersByKind = new HashMap<>();
        Set<String> stepsOut = new HashSet<>();
        int lettersScanned = 0;
        int batchesScanned = 0;
        JobStatus status;
        while (System.nanoTime() < deadline) {
            letters.poll();
            batches.poll();
            for (; lettersScanned < letters.values.size(); lettersScanned++) {
                String kind = attribution.of(letters.values.get(lettersScanned));
                lettersByKind.merge(kind, 1, Integer::sum);
                if (kind.equals(FENCE) && fenceAt == 0) {
                    fenceAt = System.nanoTime();
                }
            }
            for (; batchesScanned < batches.values.size(); batchesScanned++) {
                batches.values
                        .get(batchesScanned)
                        .getRecords()
                        .forEach(r -> stepsOut.add(stepKey(r)));
            }
            status = status(job);
            if (status == JobStatus.FAILING || status.isGloballyTerminalState()) {
                break;
            }
            if (fenceAt != 0
                    && (System.nanoTime() - fenceAt > GRACE.toNanos()
                            || allArrived(expected, lettersByKind, stepsOut))) {
                break;
            }
        }
        letters.readToEnd();
        batches.readToEnd();
        observed.letters = letters.values;
        observed.batches = batches.values;
        observed.batchBytes = batches.sizes;
        observed.fenceSeen = fenceAt != 0;
        status = status(job);
        observed.jobStatus = status.name();
        if (status != JobStatus.RUNNING) {
            observed.jobProblems.add("job: " + status + " instead of RUNNING" + failure(job));
        }
        if (!observed.fenceSeen && status == JobStatus.RUNNING) {
            observed.jobProblems.add(
                    "job: the fence's episode-timeout letter never came within "
                            + HangGuard.EVENT
                            + "; the outputs below may be incomplete");
        }
        return observed;
    }

    /**
     * The job's status. The MiniCluster of a job started from a local environment shuts down when
     * the job ends, and then cannot be asked: the job's result tells how it ended.
     */
    private static JobStatus status(JobClient job) throws Exception {
        try {
            return job.getJobStatus().get();
        } catch (IllegalStateException | ExecutionException e) {
            return job.getJobExecutionResult()
                    .handle(
                            (result, error) ->
                                    error == null ? JobStatus.FINISHED : JobStatus.FAILED)
                    .get(10, TimeUnit.SECONDS);
        }
    }

    private static String failure(JobClient job) {
        try {
            job.getJobExecutionResult().get(10, TimeUnit.SECONDS);
            return "";
        } catch (Exception e) {
            Throwable root = e;
            while (root.getCause() != null && root.getCause() != root) {
                root = root.getCause();
            }
            return ": " + root;
        }
    }

    /** Whether every kind has all its dead letters and all its good steps' advantages. */
    private static boolean allArrived(
            Map<String, Expected> expected, Map<String, Integer> lettersByKind, Set<String> seen) {
        for (Expected kind : expected.values()) {
            if (lettersByKind.getOrDefault(kind.name, 0) < kind.kind.expect().totalDeadLetters()
                    || !seen.containsAll(kind.good.keySet())) {
                return false;
            }
        }
        return true;
    }

    /** The job's metrics from its Prometheus reporter, by metric name suffix. */
    private static Map<String, OptionalDouble> scrape(int port) {
        Map<String, OptionalDouble> metrics = new LinkedHashMap<>();
        String text;
        try {
            text =
                    HttpClient.newHttpClient()
                            .send(
                                    HttpRequest.newBuilder(
                                                    URI.create("http://127.0.0.1:" + port + "/"))
                                            .timeout(Duration.ofSeconds(10))
                                            .build(),
                                    HttpResponse.BodyHandlers.ofString())
                            .body();
        } catch (IOException | InterruptedException e) {
            text = "";
        }
        for (String name :
                List.of(
                        HostileCorpus.DUPLICATE_STEPS,
                        HostileCorpus.DUPLICATE_TRAJECTORIES,
                        "jobmanager_job_numRestarts")) {
            metrics.put(name, sum(text, "_" + name));
        }
        return metrics;
    }

    /** The sum of every sample of a metric (all subtasks and label sets); empty if none. */
    private static OptionalDouble sum(String exposition, String suffix) {
        double total = 0;
        boolean any = false;
        for (String line : exposition.split("\n")) {
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            int labels = line.indexOf('{');
            int value = line.lastIndexOf(' ');
            String name = line.substring(0, labels >= 0 ? labels : Math.max(value, 0));
            if (name.endsWith(suffix) && value > 0) {
                total += Double.parseDouble(line.substring(value + 1));
                any = true;
            }
        }
        return any ? OptionalDouble.of(total) : OptionalDouble.empty();
    }

    // ---------------------------------------------------------------------------------------
    // Checking.

    /** What one kind must produce: its expectation and its good steps' kernel advantages. */
    private static final class Expected {
        final String name;
        final HostileKind kind;
        final Map<String, AdvantageRecord> good = new LinkedHashMap<>();

        Expected(HostileKind kind) {
            this.name = kind.kind();
            this.kind = kind;
            AvroCodec<StepEvent> codec = AvroCodec.of(StepEvent.class);
            // Per experiment: the kernel groups by group id alone, and experiments may share ids.
            Map<String, List<StepEvent>> byExperiment = new LinkedHashMap<>();
            for (Entry entry : kind.records(Fate.GOOD)) {
                StepEvent step = codec.decode(entry.value());
                byExperiment
                        .computeIfAbsent(step.getExperimentId(), e -> new ArrayList<>())
                        .add(step);
            }
            for (List<StepEvent> steps : byExperiment.values()) {
                for (AdvantageRecord record :
                        ExpectedCredit.of(steps, CreditParams.defaults()).values()) {
                    good.put(stepKey(record), record);
                }
            }
        }
    }

    private static String stepKey(AdvantageRecord record) {
        return record.getExperimentId()
                + "/"
                + ExpectedCredit.key(record.getEpisodeId(), record.getStepIndex());
    }

    private static Map<String, List<String>> check(
            Map<String, Expected> expected, Observed observed, Attribution attribution) {
        Map<String, List<String>> problems = new LinkedHashMap<>();
        expected.keySet().forEach(k -> problems.put(k, new ArrayList<>()));
        problems.put(COUNTERS, new ArrayList<>());
        problems.put(UNATTRIBUTED, new ArrayList<>());

        Map<String, List<DeadLetter>> letters = new HashMap<>();
        for (DeadLetter letter : observed.letters) {
            letters.computeIfAbsent(attribution.of(letter), k -> new ArrayList<>()).add(letter);
        }
        Map<String, List<AdvantageRecord>> records = new HashMap<>();
        for (AdvantageBatch batch : observed.batches) {
            for (AdvantageRecord record : batch.getRecords()) {
                records.computeIfAbsent(attribution.of(record), k -> new ArrayList<>()).add(record);
            }
        }
        for (Expected kind : expected.values()) {
            List<String> list = problems.get(kind.name);
            checkDeadLetters(kind, letters.getOrDefault(kind.name, List.of()), list);
            checkAdvantages(kind, records.getOrDefault(kind.name, List.of()), list);
            checkSplits(kind, observed, list);
        }
        checkBatchSizes(observed, attribution, problems);
        checkCounters(expected, observed, problems);
        List<DeadLetter> stray = letters.getOrDefault(UNATTRIBUTED, List.of());
        if (!stray.isEmpty()) {
            problems.get(UNATTRIBUTED)
                    .add(stray.size() + " dead letters of no kind, e.g. " + describe(stray.get(0)));
        }
        List<AdvantageRecord> strayRecords = records.getOrDefault(UNATTRIBUTED, List.of());
        if (!strayRecords.isEmpty()) {
            problems.get(UNATTRIBUTED)
                    .add(
                            strayRecords.size()
                                    + " advantages of no kind, e.g. "
                                    + stepKey(strayRecords.get(0)));
        }
        return problems;
    }

    private static void checkDeadLetters(
            Expected kind, List<DeadLetter> letters, List<String> problems) {
        Map<String, List<DeadLetter>> byReason = new TreeMap<>();
        for (DeadLetter letter : letters) {
            byReason.computeIfAbsent(letter.getReason(), r -> new ArrayList<>()).add(letter);
        }
        Set<String> explained = new LinkedHashSet<>();
        kind.kind
                .expect()
                .deadLetters()
                .forEach(
                        (key, count) -> {
                            List<String> reasons = Expectation.reasons(key);
                            explained.addAll(reasons);
                            int seen =
                                    reasons.stream()
                                            .mapToInt(
                                                    r -> byReason.getOrDefault(r, List.of()).size())
                                            .sum();
                            if (seen != count) {
                                problems.add(
                                        "expected "
                                                + count
                                                + " dead letters '"
                                                + key
                                                + "', got "
                                                + seen);
                            }
                        });
        byReason.forEach(
                (reason, list) -> {
                    if (!explained.contains(reason)) {
                        problems.add(
                                "unexpected "
                                        + list.size()
                                        + " dead letters '"
                                        + reason
                                        + "', e.g. "
                                        + describe(list.get(0)));
                    }
                });
    }

    private static void checkAdvantages(
            Expected kind, List<AdvantageRecord> records, List<String> problems) {
        Map<String, Integer> seen = new HashMap<>();
        List<String> wrong = new ArrayList<>();
        List<String> unexpected = new ArrayList<>();
        for (AdvantageRecord record : records) {
            String key = stepKey(record);
            seen.merge(key, 1, Integer::sum);
            AdvantageRecord want = kind.good.get(key);
            if (want == null) {
                unexpected.add(key);
            } else if (!close(record.getAdvantage(), want.getAdvantage())
                    || !close(record.getStepAdvantage(), want.getStepAdvantage())
                    || record.getAnchorGroupSize() != want.getAnchorGroupSize()
                    || record.getPartialGroup()) {
                wrong.add(
                        key
                                + " advantage "
                                + record.getAdvantage()
                                + " (kernel "
                                + want.getAdvantage()
                                + ")"
                                + (record.getPartialGroup() ? " partial" : ""));
            }
        }
        List<String> missing =
                kind.good.keySet().stream().filter(k -> !seen.containsKey(k)).toList();
        List<String> repeated =
                seen.entrySet().stream()
                        .filter(e -> e.getValue() > 1 && kind.good.containsKey(e.getKey()))
                        .map(e -> e.getKey() + " x" + e.getValue())
                        .toList();
        if (!missing.isEmpty()) {
            problems.add(
                    missing.size()
                            + " of "
                            + kind.good.size()
                            + " good steps never came out as advantages, e.g. "
                            + examples(missing));
        }
        if (!repeated.isEmpty()) {
            problems.add(
                    repeated.size() + " good steps came out twice, e.g. " + examples(repeated));
        }
        if (!unexpected.isEmpty()) {
            problems.add(
                    unexpected.size()
                            + " advantages for steps that must produce none, e.g. "
                            + examples(unexpected));
        }
        if (!wrong.isEmpty()) {
            problems.add(
                    wrong.size() + " advantages differ from the kernel, e.g. " + examples(wrong));
        }
    }

    /**
     * A group declared split must arrive as batches of that group alone, with split_group_id,
     * split_part 0..n-1 in order and split_parts n >= 2, one after the other; no other group of the
     * kind may be split.
     */
    private static void checkSplits(Expected kind, Observed observed, List<String> problems) {
        Set<String> groups = new LinkedHashSet<>();
        kind.good.values().forEach(r -> groups.add(r.getExperimentId() + "/" + r.getGroupId()));
        for (String group : groups) {
            String groupId = group.substring(group.indexOf('/') + 1);
            boolean declared = kind.kind.expect().splitGroups().contains(groupId);
            List<Integer> parts = new ArrayList<>();
            for (int i = 0; i < observed.batches.size(); i++) {
                AdvantageBatch batch = observed.batches.get(i);
                if (batch.getRecords().stream()
                        .anyMatch(r -> group.equals(r.getExperimentId() + "/" + r.getGroupId()))) {
                    parts.add(i);
                }
            }
            if (parts.isEmpty()) {
                continue;
            }
            List<AdvantageBatch> batches = parts.stream().map(observed.batches::get).toList();
            boolean split = batches.stream().anyMatch(b -> b.getSplitGroupId() != null);
            if (!declared) {
                if (split || parts.size() > 1) {
                    problems.add(
                            "group "
                                    + groupId
                                    + " was split into "
                                    + parts.size()
                                    + " batches though it fits one");
                }
                continue;
            }
            String shape = splitShape(groupId, batches, parts);
            if (shape != null) {
                problems.add("split group " + groupId + ": " + shape);
            }
        }
    }

    /** What is wrong with the parts of a split group, or null. */
    private static String splitShape(
            String groupId, List<AdvantageBatch> batches, List<Integer> positions) {
        int n = batches.size();
        if (n < 2) {
            return "arrived in one batch of "
                    + batches.get(0).getRecords().size()
                    + " records; it exceeds batch.max-bytes";
        }
        for (int part = 0; part < n; part++) {
            AdvantageBatch batch = batches.get(part);
            if (!groupId.equals(batch.getSplitGroupId())
                    || batch.getSplitPart() == null
                    || batch.getSplitPart() != part
                    || batch.getSplitParts() == null
                    || batch.getSplitParts() != n) {
                return "batch "
                        + (part + 1)
                        + " of "
                        + n
                        + " has split_group_id="
                        + batch.getSplitGroupId()
                        + " split_part="
                        + batch.getSplitPart()
                        + " split_parts="
                        + batch.getSplitParts();
            }
            if (batch.getRecords().stream().anyMatch(r -> !groupId.equals(r.getGroupId()))) {
                return "part " + part + " holds records of other groups";
            }
        }
        if (positions.get(n - 1) - positions.get(0) != n - 1) {
            return "its parts are not consecutive on the topic (positions " + positions + ")";
        }
        return null;
    }

    private static void checkBatchSizes(
            Observed observed, Attribution attribution, Map<String, List<String>> problems) {
        for (int i = 0; i < observed.batches.size(); i++) {
            int bytes = observed.batchBytes.get(i);
            if (bytes > HostileCorpus.BATCH_MAX_BYTES) {
                Set<String> kinds = new LinkedHashSet<>();
                observed.batches.get(i).getRecords().forEach(r -> kinds.add(attribution.of(r)));
                for (String kind : kinds) {
                    problems.get(kind)
                            .add("a batch of " + bytes + " bytes exceeds batch.max-bytes");
                }
            }
        }
    }

    /**
     * The duplicate counters are per job, not per kind, so their totals are checked against the sum
     * of the kinds' increments (each kind's own effect, no second advantage and no dead letter, is
     * checked on its row). A counter the job does not register counts as 0.
     */
    private static void checkCounters(
            Map<String, Expected> expected, Observed observed, Map<String, List<String>> problems) {
        for (String counter :
                List.of(HostileCorpus.DUPLICATE_STEPS, HostileCorpus.DUPLICATE_TRAJECTORIES)) {
            long want = counterTotal(expected, counter);
            OptionalDouble seen = observed.metrics.getOrDefault(counter, OptionalDouble.empty());
            if (seen.orElse(0) != want) {
                List<String> declaring = new ArrayList<>();
                for (Expected kind : expected.values()) {
                    Long increment = kind.kind.expect().counters().get(counter);
                    if (increment != null) {
                        declaring.add(kind.name + " +" + increment);
                    }
                }
                problems.get(COUNTERS)
                        .add(
                                counter
                                        + (seen.isPresent()
                                                ? " is " + (long) seen.getAsDouble()
                                                : " is not on the job's metrics endpoint")
                                        + ", expected "
                                        + want
                                        + " "
                                        + declaring);
            }
        }
        OptionalDouble restarts =
                observed.metrics.getOrDefault("jobmanager_job_numRestarts", OptionalDouble.empty());
        if (restarts.isPresent() && restarts.getAsDouble() != 0) {
            observed.jobProblems.add("job: numRestarts is " + (long) restarts.getAsDouble());
        }
    }

    private static long counterTotal(Map<String, Expected> expected, String counter) {
        return expected.values().stream()
                .mapToLong(k -> k.kind.expect().counters().getOrDefault(counter, 0L))
                .sum();
    }

    private static boolean close(double actual, double expected) {
        return Math.abs(actual - expected) <= TOLERANCE;
    }

    /** The first few items, each made printable, for a failure message. */
    private static String examples(List<String> items) {
        List<String> shown = new ArrayList<>();
        for (String item : items.subList(0, Math.min(EXAMPLES, items.size()))) {
            // A step key is experiment/episode#index: shorten the two ids apart.
            int slash = item.indexOf('/');
            shown.add(
                    slash < 0
                            ? HostileCorpus.printable(item)
                            : HostileCorpus.printable(item.substring(0, slash))
                                    + "/"
                                    + HostileCorpus.printable(item.substring(slash + 1)));
        }
        return String.join(", ", shown) + (items.size() > EXAMPLES ? ", ..." : "");
    }

    private static String describe(DeadLetter letter) {
        String detail = letter.getDetail() == null ? "" : letter.getDetail();
        return "["
                + letter.getReason()
                + " offset="
                + letter.getOffset()
                + " episode="
                + HostileCorpus.printable(String.valueOf(letter.getEpisodeId()))
                + " detail="
                + HostileCorpus.printable(detail.length() > 160 ? detail.substring(0, 160) : detail)
                + "]";
    }

    /** One line per kind: what it expects, what came out, and whether that is right. */
    private static void report(
            Map<String, Expected> expected,
            Observed observed,
            Attribution attribution,
            Map<String, List<String>> problems) {
        Map<String, Map<String, Integer>> letters = new HashMap<>();
        for (DeadLetter letter : observed.letters) {
            letters.computeIfAbsent(attribution.of(letter), k -> new TreeMap<>())
                    .merge(letter.getReason(), 1, Integer::sum);
        }
        Map<String, Integer> advantages = new HashMap<>();
        for (AdvantageBatch batch : observed.batches) {
            batch.getRecords().forEach(r -> advantages.merge(attribution.of(r), 1, Integer::sum));
        }
        StringBuilder out = new StringBuilder();
        out.append(
                String.format(
                        "%nHostileInputITCase: job %s after %.0f s, fence %s, %d dead letters,"
                                + " %d batches, metrics %s%n",
                        observed.jobStatus,
                        observed.seconds,
                        observed.fenceSeen ? "seen" : "NOT seen",
                        observed.letters.size(),
                        observed.batches.size(),
                        observed.metrics));
        observed.jobProblems.forEach(p -> out.append("  ").append(p).append('\n'));
        out.append(
                String.format(
                        "%-34s %-6s %-44s %-44s %s%n",
                        "kind", "result", "expected", "seen", "problems"));
        for (Expected kind : expected.values()) {
            Expectation expect = kind.kind.expect();
            List<String> wanted = new ArrayList<>();
            expect.deadLetters().forEach((r, n) -> wanted.add(r + " x" + n));
            expect.counters().forEach((c, n) -> wanted.add(c + " +" + n));
            if (expect.goodSteps() > 0) {
                wanted.add("good " + expect.goodSteps());
            }
            if (!expect.splitGroups().isEmpty()) {
                wanted.add("split");
            }
            List<String> seen = new ArrayList<>();
            letters.getOrDefault(kind.name, Map.of()).forEach((r, n) -> seen.add(r + " x" + n));
            seen.add("advantages " + advantages.getOrDefault(kind.name, 0));
            out.append(
                    String.format(
                            "%-34s %-6s %-44s %-44s %s%n",
                            kind.name,
                            problems.get(kind.name).isEmpty() ? "ok" : "FAIL",
                            String.join(", ", wanted),
                            String.join(", ", seen),
                            String.join("; ", problems.get(kind.name))));
        }
        List<String> totals = new ArrayList<>();
        List<String> values = new ArrayList<>();
        for (String counter :
                List.of(HostileCorpus.DUPLICATE_STEPS, HostileCorpus.DUPLICATE_TRAJECTORIES)) {
            totals.add(counter + " +" + counterTotal(expected, counter));
            OptionalDouble value = observed.metrics.getOrDefault(counter, OptionalDouble.empty());
            values.add(counter + " " + (value.isPresent() ? (long) value.getAsDouble() : "-"));
        }
        for (String row : List.of(COUNTERS, UNATTRIBUTED)) {
            if (row.equals(COUNTERS) || !problems.get(row).isEmpty()) {
                out.append(
                        String.format(
                                "%-34s %-6s %-44s %-44s %s%n",
                                row,
                                problems.get(row).isEmpty() ? "ok" : "FAIL",
                                row.equals(COUNTERS) ? String.join(", ", totals) : "",
                                row.equals(COUNTERS) ? String.join(", ", values) : "",
                                String.join("; ", problems.get(row))));
            }
        }
        System.out.println(out);
    }

    // ---------------------------------------------------------------------------------------
    // Plumbing.

    /**
     * Tells which kind an output belongs to: a dead letter by the offset it names, else by its
     * payload (the raw value), else by its episode id, else by the experiment inside its payload;
     * an advantage by its experiment.
     */
    private static final class Attribution {
        private static final String AMBIGUOUS = "(ambiguous)";

        final Map<Long, String> byOffset = new HashMap<>();
        final Map<ByteBuffer, String> byValue = new HashMap<>();
        final Map<String, String> byEpisode = new HashMap<>();
        final Map<String, String> byExperiment = new HashMap<>();
        final AvroCodec<StepEvent> steps = AvroCodec.of(StepEvent.class);
        final AvroCodec<Trajectory> trajectories = AvroCodec.of(Trajectory.class);
        final AvroCodec<TrajectoryGroup> groups = AvroCodec.of(TrajectoryGroup.class);

        Attribution(List<HostileKind> kinds) {
            for (HostileKind kind : kinds) {
                for (Entry entry : kind.records()) {
                    if (entry.value() == null) {
                        continue;
                    }
                    note(byValue, ByteBuffer.wrap(entry.value()), kind.kind());
                    StepEvent step = decodeOrNull(steps, entry.value());
                    if (step != null) {
                        note(byEpisode, step.getEpisodeId(), kind.kind());
                        note(byExperiment, step.getExperimentId(), kind.kind());
                    }
                }
            }
        }

        private static <K> void note(Map<K, String> map, K key, String kind) {
            String before = map.putIfAbsent(key, kind);
            if (before != null && !before.equals(kind)) {
                map.put(key, AMBIGUOUS);
            }
        }

        String of(DeadLetter letter) {
            String kind = null;
            if (letter.getOffset() != null && letter.getPartition() != null) {
                kind = byOffset.get(letter.getOffset());
            }
            if (known(kind)) {
                return kind;
            }
            byte[] payload = new byte[letter.getPayload().remaining()];
            letter.getPayload().duplicate().get(payload);
            kind = byValue.get(ByteBuffer.wrap(payload));
            if (!known(kind) && letter.getEpisodeId() != null) {
                kind = byEpisode.get(letter.getEpisodeId());
            }
            if (!known(kind)) {
                String experiment = experimentIn(payload);
                kind = experiment == null ? null : byExperiment.get(experiment);
            }
            return known(kind) ? kind : UNATTRIBUTED;
        }

        /**
         * The experiment of a later stage's payload: a step, a trajectory or a group as Avro, or
         * the steps of a trajectory packed as the assemblers hold them.
         */
        private String experimentIn(byte[] payload) {
            StepEvent step = decodeOrNull(steps, payload);
            if (step != null) {
                return step.getExperimentId();
            }
            Trajectory trajectory = decodeOrNull(trajectories, payload);
            if (trajectory != null) {
                return trajectory.getExperimentId();
            }
            TrajectoryGroup group = decodeOrNull(groups, payload);
            if (group != null) {
                return group.getExperimentId();
            }
            try {
                List<byte[]> packed = StepPayloads.unpack(payload);
                step = packed.isEmpty() ? null : decodeOrNull(steps, packed.get(0));
                return step == null ? null : step.getExperimentId();
            } catch (IllegalArgumentException e) {
                return null;
            }
        }

        String of(AdvantageRecord record) {
            String kind = byExperiment.get(record.getExperimentId());
            return known(kind) ? kind : UNATTRIBUTED;
        }

        private static boolean known(String kind) {
            return kind != null && !kind.equals(AMBIGUOUS);
        }

        private static <T extends SpecificRecord> T decodeOrNull(AvroCodec<T> codec, byte[] b) {
            try {
                return codec.decode(b);
            } catch (RuntimeException e) {
                return null;
            }
        }
    }

    /**
     * A topic read with {@code read_committed} from its beginning for as long as the test runs:
     * every value decoded, with its size on the wire, in partition order.
     */
    private static final class Committed<T extends SpecificRecord> implements AutoCloseable {
        private static final Duration POLL = Duration.ofMillis(100);

        final List<T> values = new ArrayList<>();
        final List<Integer> sizes = new ArrayList<>();
        private final KafkaConsumer<byte[], byte[]> consumer;
        private final AvroCodec<T> codec;

        Committed(EmbeddedKafkaBroker broker, String topic, Class<T> type) {
            codec = AvroCodec.of(type);
            consumer = KafkaTestSupport.committedFromStart(broker, topic);
        }

        void poll() {
            for (ConsumerRecord<byte[], byte[]> record : consumer.poll(POLL)) {
                values.add(codec.decode(record.value()));
                sizes.add(record.value().length);
            }
        }

        /**
         * Polls until every partition is read to its last stable offset (or the hang guard passes).
         */
        void readToEnd() {
            Map<TopicPartition, Long> end = consumer.endOffsets(consumer.assignment());
            long deadline = System.nanoTime() + HangGuard.EVENT.toNanos();
            while (System.nanoTime() < deadline
                    && end.entrySet().stream()
                            .anyMatch(e -> consumer.position(e.getKey()) < e.getValue())) {
                poll();
            }
        }

        @Override
        public void close() {
            consumer.close();
        }
    }

    private Configuration jobConfig(int metricsPort) {
        Configuration user =
                Configuration.fromMap(KafkaTestSupport.isolatedJobOptions(KAFKA.broker()));
        user.setString("pipeline.generic-types", "false");
        user.setString("parallelism.default", "1");
        user.setString("kafka.topic-partitions", "1");
        // Any exception fails the job, and so the test: nothing may be papered over by a restart.
        user.setString("restart-strategy.type", "none");
        user.setString("assembly.episode-timeout", EPISODE_TIMEOUT.toSeconds() + " s");
        user.setString("assembly.group-timeout", GROUP_TIMEOUT.toSeconds() + " s");
        user.setString(
                "metrics.reporter.prom.factory.class",
                LoopbackPrometheusReporterFactory.class.getName());
        user.setString("metrics.reporter.prom.port", String.valueOf(metricsPort));
        return JobEnvironment.withDefaults(user, dir.resolve("checkpoints"));
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
