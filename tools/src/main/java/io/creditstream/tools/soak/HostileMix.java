package io.creditstream.tools.soak;

import io.creditstream.fleet.StepEventProducer;
import io.creditstream.schemas.StepEvent;
import java.util.List;
import java.util.Random;

/**
 * Forges the soak's hostile records, one {@link HostileKind} after the other in a fixed cycle, from
 * the done step of the episode the fleet completed most recently. Records that are steps keep that
 * step's experiment and task (a misbehaving producer of the same fleet); those that must not touch
 * a good episode get fresh ids, so each is rejected on its own and opens no state. Deterministic
 * for a seed; not thread-safe.
 */
public final class HostileMix {
    /** The length of {@link HostileKind#HUGE_ID}'s episode id: 100 KB. */
    static final int HUGE_ID_LENGTH = 100_000;

    /** The reward of both steps of {@link HostileKind#OVERFLOWING_GROUP}: their sum is infinite. */
    static final double OVERFLOWING_REWARD = 1e308;

    /** One record to produce: its key and its value, as they go to agent.steps. */
    public record HostileRecord(HostileKind kind, String key, byte[] value) {}

    private static final HostileKind[] CYCLE = HostileKind.values();

    private final Random random;
    private final int maxRecordBytes;
    private long forged;

    /**
     * @param maxRecordBytes the job's {@code input.max-record-bytes}, which the oversize value
     *     exceeds by one byte
     */
    public HostileMix(long seed, int maxRecordBytes) {
        if (maxRecordBytes < 1) {
            throw new IllegalArgumentException(
                    "maxRecordBytes must be positive, got " + maxRecordBytes);
        }
        this.random = new Random(seed);
        this.maxRecordBytes = maxRecordBytes;
    }

    /** The kind {@link #next} forges next. */
    public HostileKind nextKind() {
        return CYCLE[(int) (forged % CYCLE.length)];
    }

    /**
     * The records of the next kind in the cycle.
     *
     * @param lastDone the done step of the episode completed most recently, already sent
     */
    public List<HostileRecord> next(StepEvent lastDone) {
        HostileKind kind = nextKind();
        List<HostileRecord> records = forge(kind, lastDone, "soak-hostile-" + forged);
        forged++;
        return records;
    }

    /** The records of one kind; fresh ids start with {@code freshId}. */
    List<HostileRecord> forge(HostileKind kind, StepEvent lastDone, String freshId) {
        String doneEpisode = lastDone.getEpisodeId();
        return switch (kind) {
            case RANDOM_BYTES -> List.of(new HostileRecord(kind, freshId, randomBytes()));
            case EMPTY_VALUE -> List.of(new HostileRecord(kind, freshId, new byte[0]));
            case NAN_REWARD -> one(kind, fresh(lastDone, freshId).setReward(Double.NaN));
            case HUGE_ID -> one(kind, fresh(lastDone, freshId).setEpisodeId(hugeId()));
            case ZERO_GROUP_SIZE -> one(kind, fresh(lastDone, freshId).setGroupSize(0));
            case NEGATIVE_STEP_INDEX -> one(kind, fresh(lastDone, freshId).setStepIndex(-1));
            case OVERSIZE_VALUE -> one(kind, oversize(fresh(lastDone, freshId)));
            case OVERFLOWING_GROUP -> overflowingGroup(lastDone, freshId);
            case STEP_AFTER_DONE ->
                    List.of(
                            record(
                                    kind,
                                    StepEvent.newBuilder(lastDone)
                                            .setStepIndex(lastDone.getStepIndex() + 1)
                                            .setDone(false)
                                            .setEpisodeReturn(null)
                                            .build()));
            case CONFLICTING_DUPLICATE ->
                    List.of(
                            record(
                                    kind,
                                    StepEvent.newBuilder(lastDone)
                                            .setReward(lastDone.getReward() + 1)
                                            .build()));
            case IDENTICAL_RESEND ->
                    List.of(
                            new HostileRecord(
                                    kind, doneEpisode, StepEventProducer.encode(lastDone)));
        };
    }

    /**
     * Random bytes that never start with the single-object marker (0xC3), so they cannot be taken
     * for an encoded step, however unlikely that would be anyway.
     */
    private byte[] randomBytes() {
        byte[] bytes = new byte[64 + random.nextInt(449)];
        random.nextBytes(bytes);
        if (bytes[0] == (byte) 0xC3) {
            bytes[0] = 0;
        }
        return bytes;
    }

    private static String hugeId() {
        return "x".repeat(HUGE_ID_LENGTH);
    }

    /** The template step as the first step of a new episode of a new group of one. */
    private static StepEvent.Builder fresh(StepEvent template, String id) {
        return StepEvent.newBuilder(template)
                .setGroupId(id + "-g")
                .setEpisodeId(id)
                .setStepIndex(0)
                .setDone(false)
                .setEpisodeReturn(null)
                .setGroupSize(1);
    }

    /** The observation grown until the encoded step is one byte above the limit. */
    private StepEvent.Builder oversize(StepEvent.Builder step) {
        step.setObservation("");
        int length =
                Math.max(0, maxRecordBytes + 1 - StepEventProducer.encode(step.build()).length);
        step.setObservation("x".repeat(length));
        // The observation's length prefix is a varint, a byte or two longer than for "".
        while (length > 0 && StepEventProducer.encode(step.build()).length > maxRecordBytes + 1) {
            step.setObservation("x".repeat(--length));
        }
        if (StepEventProducer.encode(step.build()).length <= maxRecordBytes) {
            // The prefix shrank by two bytes at a varint boundary: one more character it is.
            step.setObservation("x".repeat(length + 1));
        }
        return step;
    }

    private static List<HostileRecord> overflowingGroup(StepEvent template, String id) {
        StepEvent first =
                fresh(template, id).setReward(OVERFLOWING_REWARD).setInvalidAction(false).build();
        StepEvent last =
                StepEvent.newBuilder(first)
                        .setStepIndex(1)
                        .setDone(true)
                        .setEpisodeReturn(null)
                        .build();
        return List.of(
                record(HostileKind.OVERFLOWING_GROUP, first),
                record(HostileKind.OVERFLOWING_GROUP, last));
    }

    private static List<HostileRecord> one(HostileKind kind, StepEvent.Builder step) {
        return List.of(record(kind, step.build()));
    }

    /**
     * A step keyed by its episode, as the fleet keys them, so it lands on its episode's partition.
     */
    private static HostileRecord record(HostileKind kind, StepEvent step) {
        return new HostileRecord(kind, step.getEpisodeId(), StepEventProducer.encode(step));
    }
}
