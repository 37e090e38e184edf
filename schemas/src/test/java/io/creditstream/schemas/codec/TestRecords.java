package io.creditstream.schemas.codec;

import static org.assertj.core.api.Assertions.assertThat;

import io.creditstream.schemas.AdvantageBatch;
import io.creditstream.schemas.AdvantageRecord;
import io.creditstream.schemas.BudgetAllocation;
import io.creditstream.schemas.BudgetRequest;
import io.creditstream.schemas.DeadLetter;
import io.creditstream.schemas.PolicySnapshot;
import io.creditstream.schemas.StepEvent;
import io.creditstream.schemas.internal.RawStep;
import io.creditstream.schemas.internal.Trajectory;
import io.creditstream.schemas.internal.TrajectoryGroup;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.TreeMap;
import java.util.function.Function;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.IndexedRecord;
import org.apache.avro.specific.SpecificRecord;

/**
 * Builds reproducible records of every schema type from a seeded {@link Random}, with the awkward
 * values a codec must survive: nulls in every nullable field, non-ASCII and control characters, and
 * doubles such as {@code -0.0}, subnormals and non-finite values.
 */
final class TestRecords {

    /** Doubles whose text form is easy to get wrong. */
    static final double[] AWKWARD_DOUBLES = {
        0.0,
        -0.0,
        0.1 + 0.2,
        1.0 / 3.0,
        1e-300,
        -1e300,
        Double.MIN_VALUE,
        Double.MIN_NORMAL,
        Double.MAX_VALUE,
        9007199254740993.0,
        123456789.123456789,
        Double.NaN,
        Double.POSITIVE_INFINITY,
        Double.NEGATIVE_INFINITY
    };

    private static final String[] AWKWARD_TEXT = {
        "",
        "plain",
        "line\nbreak\r\nand\ttab",
        "quote \" backslash \\ slash /",
        "unicode: naïve café — 日本語",
        "emoji: 🤖🧠",
        "control: \u0000\u0001\u001f",
        "separators: \u2028\u2029",
        "{\"looks\": \"like json\"}"
    };

    private static final String[] ESTIMATORS = {
        "grpo", "gigpo", "rloo", "dr-grpo", "oprl", "tempo", "pure", "igpo"
    };

    /** One record type and how to make a random instance of it. */
    static final class Kind<T extends SpecificRecord> {
        final Class<T> type;
        final Function<TestRecords, T> factory;

        Kind(Class<T> type, Function<TestRecords, T> factory) {
            this.type = type;
            this.factory = factory;
        }

        T make(TestRecords records) {
            return factory.apply(records);
        }

        @Override
        public String toString() {
            return type.getSimpleName();
        }
    }

    /** Every record type of the module, topic records and internal ones. */
    static List<Kind<?>> allKinds() {
        return List.of(
                new Kind<>(StepEvent.class, TestRecords::stepEvent),
                new Kind<>(AdvantageRecord.class, TestRecords::advantageRecord),
                new Kind<>(AdvantageBatch.class, r -> r.advantageBatch(r.random.nextInt(6))),
                new Kind<>(BudgetRequest.class, TestRecords::budgetRequest),
                new Kind<>(BudgetAllocation.class, TestRecords::budgetAllocation),
                new Kind<>(PolicySnapshot.class, TestRecords::policySnapshot),
                new Kind<>(DeadLetter.class, TestRecords::deadLetter),
                new Kind<>(Trajectory.class, r -> r.trajectory(r.random.nextInt(5))),
                new Kind<>(
                        TrajectoryGroup.class,
                        r -> r.trajectoryGroup(r.random.nextInt(4), r.random.nextInt(4))),
                new Kind<>(RawStep.class, TestRecords::rawStep));
    }

    /**
     * Asserts that two records hold the same data, comparing doubles bit for bit (so {@code NaN}
     * equals {@code NaN} and {@code -0.0} differs from {@code 0.0}, unlike Avro's {@code equals})
     * and maps regardless of their iteration order.
     */
    static void assertSameRecord(SpecificRecord actual, SpecificRecord expected) {
        assertThat(actual).isNotNull();
        assertThat(actual.getClass()).isEqualTo(expected.getClass());
        assertThat(
                        difference(
                                expected.getSchema(),
                                expected,
                                actual,
                                expected.getSchema().getName()))
                .as("first difference between %s and expected %s", actual, expected)
                .isNull();
    }

    /** Where two data of one schema first differ, or null when they do not. */
    private static String difference(Schema schema, Object expected, Object actual, String path) {
        switch (schema.getType()) {
            case UNION:
                {
                    int expectedBranch = GenericData.get().resolveUnion(schema, expected);
                    int actualBranch = GenericData.get().resolveUnion(schema, actual);
                    if (expectedBranch != actualBranch) {
                        return path + ": expected " + expected + " but was " + actual;
                    }
                    return difference(
                            schema.getTypes().get(expectedBranch), expected, actual, path);
                }
            case RECORD:
                for (Schema.Field field : schema.getFields()) {
                    String found =
                            difference(
                                    field.schema(),
                                    ((IndexedRecord) expected).get(field.pos()),
                                    ((IndexedRecord) actual).get(field.pos()),
                                    path + "." + field.name());
                    if (found != null) {
                        return found;
                    }
                }
                return null;
            case ARRAY:
                {
                    List<?> expectedItems = new ArrayList<>((Collection<?>) expected);
                    List<?> actualItems = new ArrayList<>((Collection<?>) actual);
                    if (expectedItems.size() != actualItems.size()) {
                        return path
                                + ": expected "
                                + expectedItems.size()
                                + " items but was "
                                + actualItems.size();
                    }
                    for (int i = 0; i < expectedItems.size(); i++) {
                        String found =
                                difference(
                                        schema.getElementType(),
                                        expectedItems.get(i),
                                        actualItems.get(i),
                                        path + "[" + i + "]");
                        if (found != null) {
                            return found;
                        }
                    }
                    return null;
                }
            case MAP:
                {
                    Map<String, Object> expectedEntries = byStringKey((Map<?, ?>) expected);
                    Map<String, Object> actualEntries = byStringKey((Map<?, ?>) actual);
                    if (!expectedEntries.keySet().equals(actualEntries.keySet())) {
                        return path
                                + ": expected keys "
                                + expectedEntries.keySet()
                                + " but was "
                                + actualEntries.keySet();
                    }
                    for (Map.Entry<String, Object> entry : expectedEntries.entrySet()) {
                        String found =
                                difference(
                                        schema.getValueType(),
                                        entry.getValue(),
                                        actualEntries.get(entry.getKey()),
                                        path + "[\"" + entry.getKey() + "\"]");
                        if (found != null) {
                            return found;
                        }
                    }
                    return null;
                }
            case DOUBLE:
                return Double.doubleToLongBits((Double) expected)
                                == Double.doubleToLongBits((Double) actual)
                        ? null
                        : path + ": expected " + expected + " but was " + actual;
            case FLOAT:
                return Float.floatToIntBits((Float) expected)
                                == Float.floatToIntBits((Float) actual)
                        ? null
                        : path + ": expected " + expected + " but was " + actual;
            case STRING:
                return Objects.equals(String.valueOf(expected), String.valueOf(actual))
                        ? null
                        : path + ": expected " + expected + " but was " + actual;
            default:
                return Objects.equals(expected, actual)
                        ? null
                        : path + ": expected " + expected + " but was " + actual;
        }
    }

    private static Map<String, Object> byStringKey(Map<?, ?> map) {
        Map<String, Object> result = new TreeMap<>();
        map.forEach((key, value) -> result.put(String.valueOf(key), value));
        return result;
    }

    private final Random random;

    TestRecords(long seed) {
        this.random = new Random(seed);
    }

    Random random() {
        return random;
    }

    /** A step in the middle or at the end of an episode, with random optional fields. */
    StepEvent stepEvent() {
        return stepEvent(id("ep"), random.nextInt(50), random.nextBoolean());
    }

    StepEvent stepEvent(String episodeId, int stepIndex, boolean done) {
        return StepEvent.newBuilder()
                .setExperimentId(id("exp"))
                .setTaskId(id("task"))
                .setGroupId(id("group"))
                .setEpisodeId(episodeId)
                .setStepIndex(stepIndex)
                .setPolicyVersion(random.nextInt(1000))
                .setStateKey(maybe(text()))
                .setObservation(maybe(text()))
                .setAction(maybe(text()))
                .setReward(awkwardDouble())
                .setInvalidAction(random.nextInt(10) == 0)
                .setDone(done)
                .setEpisodeReturn(done ? maybe(awkwardDouble()) : null)
                .setGroupSize(1 + random.nextInt(16))
                .setBehaviorLogprob(maybe(-random.nextDouble() * 5))
                .setPrmLogprob(maybe(-random.nextDouble() * 5))
                .setRefLogprob(maybe(-random.nextDouble() * 5))
                .setAnswerProb(maybe(random.nextDouble()))
                .setEventTimeMs(1_700_000_000_000L + random.nextInt(1_000_000_000))
                .setProcessScore(maybe(2 * random.nextDouble() - 1))
                .setTokenCount(maybe(random.nextInt(4096)))
                .build();
    }

    AdvantageRecord advantageRecord() {
        return AdvantageRecord.newBuilder()
                .setExperimentId(id("exp"))
                .setTaskId(id("task"))
                .setGroupId(id("group"))
                .setEpisodeId(id("ep"))
                .setStepIndex(random.nextInt(50))
                .setPolicyVersion(random.nextInt(1000))
                .setAdvantage(awkwardDouble())
                .setEpisodeAdvantage(random.nextGaussian())
                .setStepAdvantage(random.nextGaussian())
                .setProcessReward(maybe(random.nextGaussian()))
                .setStepReturn(random.nextGaussian())
                .setAnchorGroupSize(1 + random.nextInt(8))
                .setEstimator(ESTIMATORS[random.nextInt(ESTIMATORS.length)])
                .setObservation(maybe(text()))
                .setAction(maybe(text()))
                .setBehaviorLogprob(maybe(-random.nextDouble()))
                .setPartialGroup(random.nextBoolean())
                .build();
    }

    AdvantageBatch advantageBatch(int size) {
        List<AdvantageRecord> records = new ArrayList<>();
        for (int i = 0; i < size; i++) {
            records.add(advantageRecord());
        }
        long minVersion = random.nextInt(100);
        return AdvantageBatch.newBuilder()
                .setBatchId(id("batch"))
                .setExperimentId(id("exp"))
                .setMinPolicyVersion(minVersion)
                .setMaxPolicyVersion(minVersion + random.nextInt(3))
                .setCreatedTimeMs(1_700_000_000_000L + random.nextInt(1_000_000))
                .setRecords(records)
                .setSplitGroupId(maybe(id("group")))
                .setSplitPart(maybe(random.nextInt(4)))
                .setSplitParts(maybe(4 + random.nextInt(4)))
                .build();
    }

    BudgetRequest budgetRequest() {
        List<String> taskIds = new ArrayList<>();
        int tasks = random.nextInt(5);
        for (int i = 0; i < tasks; i++) {
            taskIds.add(id("task"));
        }
        return BudgetRequest.newBuilder()
                .setExperimentId(id("exp"))
                .setRoundId(id("round"))
                .setTaskIds(taskIds)
                .setTotalBudget(maybe(random.nextInt(10_000)))
                .setDefaultN(maybe(1 + random.nextInt(16)))
                .build();
    }

    BudgetAllocation budgetAllocation() {
        return BudgetAllocation.newBuilder()
                .setExperimentId(id("exp"))
                .setRoundId(id("round"))
                .setTaskId(id("task"))
                .setRollouts(random.nextInt(64))
                .setSuccessRate(random.nextDouble())
                .setValue(awkwardDouble())
                .setError(maybe(text()))
                .build();
    }

    PolicySnapshot policySnapshot() {
        Map<String, Double> metrics = new LinkedHashMap<>();
        int count = random.nextInt(4);
        for (int i = 0; i < count; i++) {
            metrics.put(id("metric"), awkwardDouble());
        }
        return PolicySnapshot.newBuilder()
                .setExperimentId(id("exp"))
                .setVersion(random.nextInt(1000))
                .setCreatedTimeMs(1_700_000_000_000L + random.nextInt(1_000_000))
                .setArtifactUri("file:///snapshots/" + id("v"))
                .setSha256(hex(32))
                .setMetrics(metrics)
                .build();
    }

    DeadLetter deadLetter() {
        return DeadLetter.newBuilder()
                .setPayload(ByteBuffer.wrap(bytes(random.nextInt(40))))
                .setTopic(maybe("agent.steps"))
                .setPartition(maybe(random.nextInt(12)))
                .setOffset(maybe(random.nextLong() & Long.MAX_VALUE))
                .setReason(random.nextBoolean() ? "bad-marker" : "missing-field")
                .setDetail(maybe(text()))
                .setEpisodeId(maybe(id("ep")))
                .setTimeMs(1_700_000_000_000L + random.nextInt(1_000_000))
                .setPayloadBytes(maybe((long) random.nextInt(1 << 30)))
                .build();
    }

    RawStep rawStep() {
        return RawStep.newBuilder()
                .setPayload(ByteBuffer.wrap(bytes(random.nextInt(40))))
                .setTopic(maybe("agent.steps"))
                .setPartition(maybe(random.nextInt(12)))
                .setOffset(maybe(random.nextLong() & Long.MAX_VALUE))
                .build();
    }

    /** A complete episode of {@code steps} steps, the last one done. */
    Trajectory trajectory(int steps) {
        String episodeId = id("ep");
        List<StepEvent> events = new ArrayList<>();
        for (int i = 0; i < steps; i++) {
            events.add(stepEvent(episodeId, i, i == steps - 1));
        }
        return Trajectory.newBuilder()
                .setExperimentId(id("exp"))
                .setTaskId(id("task"))
                .setGroupId(id("group"))
                .setEpisodeId(episodeId)
                .setGroupSize(1 + random.nextInt(8))
                .setPolicyVersion(random.nextInt(1000))
                .setFirstEventTimeMs(1_700_000_000_000L + random.nextInt(1_000_000))
                .setSteps(events)
                .build();
    }

    TrajectoryGroup trajectoryGroup(int trajectories, int stepsEach) {
        List<Trajectory> members = new ArrayList<>();
        for (int i = 0; i < trajectories; i++) {
            members.add(trajectory(stepsEach));
        }
        return TrajectoryGroup.newBuilder()
                .setExperimentId(id("exp"))
                .setTaskId(id("task"))
                .setGroupId(id("group"))
                .setExpectedSize(trajectories + random.nextInt(2))
                .setPartial(random.nextBoolean())
                .setTrajectories(members)
                .build();
    }

    /** An awkward double a third of the time, otherwise an ordinary Gaussian one. */
    double awkwardDouble() {
        if (random.nextInt(3) == 0) {
            return AWKWARD_DOUBLES[random.nextInt(AWKWARD_DOUBLES.length)];
        }
        return random.nextGaussian() * Math.pow(10, random.nextInt(9) - 4);
    }

    private String text() {
        return AWKWARD_TEXT[random.nextInt(AWKWARD_TEXT.length)] + " #" + random.nextInt(100);
    }

    private String id(String prefix) {
        return prefix + "-" + Integer.toHexString(random.nextInt());
    }

    private <V> V maybe(V value) {
        return random.nextInt(3) == 0 ? null : value;
    }

    private byte[] bytes(int length) {
        byte[] bytes = new byte[length];
        random.nextBytes(bytes);
        return bytes;
    }

    private String hex(int byteCount) {
        StringBuilder sb = new StringBuilder();
        for (byte b : bytes(byteCount)) {
            sb.append(String.format("%02x", b));
        }
        return sb.toString();
    }
}
