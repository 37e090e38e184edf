package io.creditstream.it;

import io.creditstream.it.HostileKind.Entry;
import io.creditstream.it.HostileKind.Expectation;
import io.creditstream.it.HostileKind.Fate;
import io.creditstream.operators.core.assembly.Trajectories;
import io.creditstream.operators.core.assembly.TrajectoryGroups;
import io.creditstream.operators.core.credit.CreditParams;
import io.creditstream.operators.core.credit.GroupCreditAssigner;
import io.creditstream.operators.core.input.DeadLetterReason;
import io.creditstream.schemas.AdvantageBatch;
import io.creditstream.schemas.BudgetRequest;
import io.creditstream.schemas.DeadLetter;
import io.creditstream.schemas.PolicySnapshot;
import io.creditstream.schemas.StepEvent;
import io.creditstream.schemas.codec.AvroCodec;
import io.creditstream.schemas.codec.JsonRecordCodec;
import io.creditstream.schemas.internal.Trajectory;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Function;
import java.util.stream.Stream;
import org.apache.avro.SchemaNormalization;

/**
 * Writes the hostile corpus, {@code it/src/test/resources/hostile/<kind>.jsonl} (format: {@link
 * HostileKind}), from fixed seeds: run {@code main} after changing a kind and commit the files it
 * writes. {@code HostileCorpusTest} fails when the committed files differ from what this class
 * writes, so the data stay reviewable and reproducible. From the repository root:
 *
 * <pre>{@code
 * mvn -B -o -q -pl it -am -DskipTests package
 * java -cp tools/target/creditstream-tools-0.1.0-SNAPSHOT-all.jar:it/target/test-classes \
 *     io.creditstream.it.HostileCorpus
 * }</pre>
 *
 * <p>Every kind has its own experiment id ({@code hx-<kind>}) and therefore its own groups and
 * episodes, so a bad record never shares a group with another kind's good steps and every output of
 * the job can be attributed to one kind. The expectations follow the input rules of the job's
 * hardening contract ({@code DeadLetterReason}, the options' descriptions); the limits used here
 * are the job's defaults.
 */
final class HostileCorpus {
    private static final long SEED = 20261202L;

    /** input.max-record-bytes, default. */
    static final int MAX_RECORD_BYTES = 900 * 1024;

    /** input.max-id-length, default. */
    static final int MAX_ID_LENGTH = 256;

    /** assembly.max-steps-per-episode, default. */
    static final int MAX_STEPS_PER_EPISODE = 1000;

    /** assembly.max-group-size, default. */
    static final int MAX_GROUP_SIZE = 1024;

    /** The largest valid policy_version: doubles (JSON, Python learners) hold it exactly. */
    static final long MAX_POLICY_VERSION = 1L << 53;

    /** batch.max-bytes, default. */
    static final int BATCH_MAX_BYTES = 1_000_000;

    static final String DUPLICATE_STEPS = "creditDuplicateSteps";
    static final String DUPLICATE_TRAJECTORIES = "creditDuplicateTrajectories";

    private HostileCorpus() {}

    /**
     * Regenerates the corpus.
     *
     * @param args optionally the output directory; by default {@value HostileKind#SOURCE_DIR} under
     *     the working directory (the repository root)
     */
    public static void main(String[] args) throws IOException {
        Path dir = Path.of(args.length > 0 ? args[0] : HostileKind.SOURCE_DIR);
        Files.createDirectories(dir);
        Map<String, String> files = render();
        // A kind that was renamed or removed must not linger as a stale file.
        try (Stream<Path> existing = Files.list(dir)) {
            for (Path file : existing.toList()) {
                String name = file.getFileName().toString();
                if (name.endsWith(HostileKind.SUFFIX) && !files.containsKey(name)) {
                    Files.delete(file);
                }
            }
        }
        for (Map.Entry<String, String> file : files.entrySet()) {
            Files.writeString(dir.resolve(file.getKey()), file.getValue(), StandardCharsets.UTF_8);
        }
        System.out.println("wrote " + files.size() + " kinds to " + dir.toAbsolutePath());
    }

    /** Every file of the corpus by name, in the order of {@link #kinds()}. */
    static Map<String, String> render() {
        Map<String, String> files = new LinkedHashMap<>();
        for (HostileKind kind : kinds()) {
            files.put(kind.kind() + HostileKind.SUFFIX, kind.toJsonLines());
        }
        return files;
    }

    static List<HostileKind> kinds() {
        return List.of(
                // Bytes that are not a StepEvent at all.
                randomBytes(),
                emptyValue(),
                tombstoneValue(),
                unknownFingerprint(),
                truncatedBody(),
                garbageAfterHeader(),
                trailingBytes(),
                absurdStringLength(),
                badUnionIndex(),
                otherSchema(),
                textValues(),
                oversizePayload(),
                // Decodable steps that break an input rule.
                blankIds(),
                controlCharIds(),
                hugeIds(),
                negativeStepIndex(),
                stepIndexTooLarge(),
                groupSizeZero(),
                groupSizeNegative(),
                groupSizeHuge(),
                policyVersionExtremes(),
                nonFinite("reward"),
                nonFinite("episode_return"),
                nonFinite("behavior_logprob"),
                nonFinite("prm_logprob"),
                nonFinite("ref_logprob"),
                nonFinite("answer_prob"),
                // Episodes that break the assembly rules.
                stepAfterDoneOpen(),
                stepAfterDoneCompleted(),
                doneBelowHigherIndex(),
                doneTwiceDifferentReturns(),
                conflictingDuplicateOpen(),
                conflictingDuplicateCompleted(),
                duplicateStepOpen(),
                resentStepOfCompletedEpisode(),
                resentCompletedGroup(),
                longEpisode(),
                abandonedEpisode(),
                groupSizeChangesMidEpisode(),
                taskChangesMidEpisode(),
                groupChangesMidEpisode(),
                // Groups that break the assembly rules, or the estimator.
                groupSizeDisagreesInGroup(),
                taskDisagreesInGroup(),
                groupOverflow(),
                rewardSumOverflow(),
                // Odd but valid: every step must come out exactly once.
                nullKey(),
                garbageKeys(),
                maxLengthIds(),
                unicodeIds(),
                policyVersionBounds(),
                episodeOf1000Steps(),
                reusedIdsAcrossExperiments(),
                eventTimeExtremes(),
                invalidUtf8Text(),
                nullAnchor(),
                hugeObservation(),
                largeGroupBatch());
    }

    // ---------------------------------------------------------------------------------------
    // Bytes that are not a StepEvent at all.

    private static HostileKind randomBytes() {
        Kind k = new Kind("random-bytes", "Seeded random bytes of 1 to 300 bytes as values.");
        for (int length : new int[] {1, 2, 9, 10, 64, 300}) {
            byte[] value = new byte[length];
            k.random.nextBytes(value);
            k.malformed(value, length + " random bytes");
        }
        return k.expect(DeadLetterReason.MALFORMED_BYTES, 6).build();
    }

    private static HostileKind emptyValue() {
        Kind k = new Kind("empty-value", "Zero-byte values, with and without a key.");
        k.malformed(new byte[0], "empty value");
        k.raw(null, new byte[0], Fate.DEAD_LETTER, "empty value, null key");
        return k.expect(DeadLetterReason.MALFORMED_BYTES, 2).build();
    }

    private static HostileKind tombstoneValue() {
        Kind k =
                new Kind(
                        "tombstone-value",
                        "Null values (Kafka tombstones), with and without a key: nothing to"
                                + " decode.");
        k.raw(k.rawKey(), null, Fate.DEAD_LETTER, "tombstone");
        k.raw(null, null, Fate.DEAD_LETTER, "tombstone, null key");
        return k.expect(DeadLetterReason.MALFORMED_BYTES, 2).build();
    }

    private static HostileKind unknownFingerprint() {
        Kind k =
                new Kind(
                        "unknown-fingerprint",
                        "A valid StepEvent body behind a single-object header whose schema"
                                + " fingerprint is unknown: random, zero, and AdvantageBatch's.");
        byte[] body = k.body(k.step(0, 0, 0, 1).setDone(true).build());
        k.malformed(concat(header(k.random.nextLong()), body), "random fingerprint");
        k.malformed(concat(header(0L), body), "fingerprint 0");
        long batchFingerprint =
                SchemaNormalization.parsingFingerprint64(AdvantageBatch.getClassSchema());
        k.malformed(concat(header(batchFingerprint), body), "AdvantageBatch's fingerprint");
        return k.expect(DeadLetterReason.MALFORMED_BYTES, 3).build();
    }

    private static HostileKind truncatedBody() {
        Kind k =
                new Kind(
                        "truncated-body",
                        "A valid step cut short: inside the marker, inside the header, header"
                                + " only, half the body, all but the last byte.");
        byte[] whole = k.encode(k.step(0, 0, 0, 1).setDone(true).build());
        int half = AvroCodec.HEADER_LENGTH + (whole.length - AvroCodec.HEADER_LENGTH) / 2;
        for (int length : new int[] {1, 9, AvroCodec.HEADER_LENGTH, half, whole.length - 1}) {
            k.malformed(
                    Arrays.copyOf(whole, length), "first " + length + " of " + whole.length + " B");
        }
        return k.expect(DeadLetterReason.MALFORMED_BYTES, 5).build();
    }

    private static HostileKind garbageAfterHeader() {
        Kind k =
                new Kind(
                        "garbage-after-header",
                        "The current StepEvent header followed by random bytes.");
        long fingerprint = AvroCodec.of(StepEvent.class).fingerprint();
        for (int length : new int[] {1, 17, 200}) {
            byte[] garbage = new byte[length];
            k.random.nextBytes(garbage);
            k.malformed(concat(header(fingerprint), garbage), length + " random body bytes");
        }
        return k.expect(DeadLetterReason.MALFORMED_BYTES, 3).build();
    }

    private static HostileKind trailingBytes() {
        Kind k =
                new Kind(
                        "trailing-bytes",
                        "A valid step followed by extra bytes: one zero byte, then text.");
        byte[] whole = k.encode(k.step(0, 0, 0, 1).setDone(true).build());
        k.malformed(concat(whole, new byte[] {0}), "valid step + 0x00");
        k.malformed(concat(whole, bytes("trailing garbage")), "valid step + text");
        return k.expect(DeadLetterReason.MALFORMED_BYTES, 2).build();
    }

    private static HostileKind absurdStringLength() {
        Kind k =
                new Kind(
                        "absurd-string-length",
                        "String lengths the body cannot hold: experiment_id claiming 2^31-1"
                                + " bytes, 2^63-1 bytes and -5 bytes, and an observation claiming"
                                + " 2^31-1 bytes after valid ids. A decoder that trusts them"
                                + " allocates gigabytes.");
        byte[] head = header(AvroCodec.of(StepEvent.class).fingerprint());
        byte[] tail = bytes("abcdefghijklmnop");
        k.malformed(concat(head, varint(Integer.MAX_VALUE), tail), "length 2^31-1");
        k.malformed(concat(head, varint(Long.MAX_VALUE), tail), "length 2^63-1");
        k.malformed(concat(head, varint(-5), tail), "length -5");
        StepEvent step = k.step(0, 0, 0, 1).setDone(true).setObservation("OBS!").build();
        byte[] whole = k.encode(step);
        int at = indexOf(whole, bytes("OBS!"));
        // The byte before the text is its length (4, zigzag 8); claim 2^31-1 there instead.
        byte[] patched =
                concat(
                        Arrays.copyOf(whole, at - 1),
                        varint(Integer.MAX_VALUE),
                        Arrays.copyOfRange(whole, at + 4, whole.length));
        k.malformed(patched, "observation length 2^31-1");
        return k.expect(DeadLetterReason.MALFORMED_BYTES, 4).build();
    }

    private static HostileKind badUnionIndex() {
        Kind k =
                new Kind(
                        "bad-union-index",
                        "A valid step whose state_key union branch index is patched to 5 and to"
                                + " -1 (the union has two branches).");
        StepEvent step = k.step(0, 0, 0, 1).setDone(true).setStateKey("KEY!").build();
        byte[] whole = k.encode(step);
        // The union index (1, zigzag 2) precedes the string length (4, zigzag 8) and the text.
        int at = indexOf(whole, bytes("KEY!")) - 2;
        if (whole[at] != 2) {
            throw new IllegalStateException("state_key's union index is not where expected");
        }
        for (long index : new long[] {5, -1}) {
            byte[] patched =
                    concat(
                            Arrays.copyOf(whole, at),
                            varint(index),
                            Arrays.copyOfRange(whole, at + 1, whole.length));
            k.malformed(patched, "state_key union index " + index);
        }
        return k.expect(DeadLetterReason.MALFORMED_BYTES, 2).build();
    }

    private static HostileKind otherSchema() {
        Kind k =
                new Kind(
                        "other-schema",
                        "Records of other creditstream schemas on the steps topic: the job's own"
                                + " AdvantageBatch and DeadLetter looped back, a BudgetRequest, a"
                                + " PolicySnapshot and an internal Trajectory.");
        List<StepEvent> steps = new ArrayList<>(k.episode(0, 0, 2, 2));
        steps.addAll(k.episode(0, 1, 1, 2));
        AdvantageBatch batch =
                new GroupCreditAssigner(CreditParams.defaults())
                        .assign(TrajectoryGroups.of(steps).get(0));
        k.malformed(AvroCodec.of(AdvantageBatch.class).encode(batch), "AdvantageBatch");
        DeadLetter letter =
                DeadLetter.newBuilder()
                        .setPayload(ByteBuffer.wrap(k.encode(steps.get(0))))
                        .setTopic("agent.steps")
                        .setPartition(0)
                        .setOffset(0L)
                        .setReason(DeadLetterReason.CONFLICTING_DUPLICATE.code())
                        .setDetail("looped back")
                        .setEpisodeId(steps.get(0).getEpisodeId())
                        .build();
        k.malformed(AvroCodec.of(DeadLetter.class).encode(letter), "DeadLetter");
        BudgetRequest request =
                BudgetRequest.newBuilder()
                        .setExperimentId(k.experiment)
                        .setRoundId(k.experiment + "-round-0")
                        .setTaskIds(List.of("task-0", "task-1"))
                        .build();
        k.malformed(AvroCodec.of(BudgetRequest.class).encode(request), "BudgetRequest");
        PolicySnapshot snapshot =
                PolicySnapshot.newBuilder()
                        .setExperimentId(k.experiment)
                        .setVersion(3)
                        .setCreatedTimeMs(1_000L)
                        .setArtifactUri("file:///nowhere/policy-v3.params")
                        .setSha256("0".repeat(64))
                        .setMetrics(Map.of())
                        .build();
        k.malformed(AvroCodec.of(PolicySnapshot.class).encode(snapshot), "PolicySnapshot");
        Trajectory trajectory = Trajectories.of(steps.subList(0, 2));
        k.malformed(AvroCodec.of(Trajectory.class).encode(trajectory), "Trajectory");
        return k.expect(DeadLetterReason.MALFORMED_BYTES, 5).build();
    }

    private static HostileKind textValues() {
        Kind k =
                new Kind(
                        "text-values",
                        "Text where Avro is expected: a step as JSON (the offline tools' form)"
                                + " and a line of prose.");
        StepEvent step = k.step(0, 0, 0, 1).setDone(true).build();
        k.malformed(bytes(JsonRecordCodec.of(StepEvent.class).write(step)), "step as JSON");
        k.malformed(bytes("step 0 of episode e0: go north\n"), "prose");
        return k.expect(DeadLetterReason.MALFORMED_BYTES, 2).build();
    }

    private static HostileKind oversizePayload() {
        Kind k =
                new Kind(
                        "oversize-payload",
                        "Valid steps larger than input.max-record-bytes (900 KiB): one byte over"
                                + " the limit, and 960,000 bytes.");
        for (int size : new int[] {MAX_RECORD_BYTES + 1, 960_000}) {
            StepEvent step = k.sized(k.step(0, k.records.size(), 0, 1).setDone(true), size);
            k.dead(step, "value of " + size + " B");
        }
        return k.expect(DeadLetterReason.OVERSIZE_PAYLOAD, 2).build();
    }

    // ---------------------------------------------------------------------------------------
    // Decodable steps that break an input rule.

    private static HostileKind blankIds() {
        Kind k =
                new Kind(
                        "blank-ids",
                        "Each of experiment_id, task_id, group_id and episode_id empty, then"
                                + " three spaces.");
        int n = 0;
        for (String field : new String[] {"experiment_id", "task_id", "group_id", "episode_id"}) {
            for (String blank : new String[] {"", "   "}) {
                StepEvent.Builder step = k.step(n, 0, 0, 1).setDone(true);
                setId(step, field, blank);
                k.dead(step.build(), field + " = '" + blank + "'");
                n++;
            }
        }
        return k.expect(DeadLetterReason.MISSING_ID, 8).build();
    }

    private static HostileKind controlCharIds() {
        Kind k =
                new Kind(
                        "control-char-ids",
                        "Ids holding ISO control characters: NUL, newline, an ANSI escape, DEL,"
                                + " the C1 control NEL, and an id of two NULs (not blank).");
        String[][] cases = {
            {"experiment_id", k.experiment + "\u0000"},
            {"task_id", "task\n0"},
            {"group_id", k.group(2) + "\u001b[31m"},
            {"episode_id", k.episode(3, 0) + "\u007f"},
            {"episode_id", k.episode(4, 0) + "\u0085"},
            {"group_id", "\u0000\u0000"},
        };
        int n = 0;
        for (String[] c : cases) {
            StepEvent.Builder step = k.step(n++, 0, 0, 1).setDone(true);
            setId(step, c[0], c[1]);
            k.dead(step.build(), c[0] + " = '" + printable(c[1]) + "'");
        }
        return k.expect(DeadLetterReason.INVALID_ID, 6).build();
    }

    private static HostileKind hugeIds() {
        Kind k =
                new Kind(
                        "huge-ids",
                        "Ids of 100 KiB (102,400 characters), one field at a time, and an"
                                + " episode_id of 257 characters, one over input.max-id-length.");
        int n = 0;
        for (String field : new String[] {"experiment_id", "task_id", "group_id", "episode_id"}) {
            StepEvent.Builder step = k.step(n, 0, 0, 1).setDone(true);
            String base = field.equals("episode_id") ? k.episode(n, 0) : k.experiment;
            setId(step, field, pad(base + "-" + field, 100 * 1024));
            k.dead(step.build(), field + " of 102400 chars");
            n++;
        }
        StepEvent.Builder step = k.step(n, 0, 0, 1).setDone(true);
        step.setEpisodeId(pad(k.episode(n, 0), MAX_ID_LENGTH + 1));
        k.dead(step.build(), "episode_id of 257 chars");
        return k.expect(DeadLetterReason.INVALID_ID, 5).build();
    }

    private static HostileKind negativeStepIndex() {
        Kind k = new Kind("negative-step-index", "step_index -1 and Integer.MIN_VALUE.");
        for (int index : new int[] {-1, Integer.MIN_VALUE}) {
            k.dead(k.step(k.records.size(), 0, index, 1).build(), "step_index " + index);
        }
        return k.expect(DeadLetterReason.NEGATIVE_STEP_INDEX, 2).build();
    }

    private static HostileKind stepIndexTooLarge() {
        Kind k =
                new Kind(
                        "step-index-too-large",
                        "step_index 1000 (the first index over assembly.max-steps-per-episode)"
                                + " and Integer.MAX_VALUE, each the only step of its episode: each"
                                + " is dead-lettered on its own and opens no episode.");
        for (int index : new int[] {MAX_STEPS_PER_EPISODE, Integer.MAX_VALUE}) {
            StepEvent step = k.step(k.records.size(), 0, index, 1).setDone(true).build();
            k.dead(step, "step_index " + index);
        }
        return k.expect(DeadLetterReason.EPISODE_TOO_LONG, 2).build();
    }

    private static HostileKind groupSizeZero() {
        Kind k = new Kind("group-size-zero", "group_size 0, on a first step and on a done step.");
        k.dead(k.step(0, 0, 0, 0).build(), "group_size 0");
        k.dead(k.step(1, 0, 0, 0).setDone(true).build(), "group_size 0, done");
        return k.expect(DeadLetterReason.INVALID_GROUP_SIZE, 2).build();
    }

    private static HostileKind groupSizeNegative() {
        Kind k = new Kind("group-size-negative", "group_size -1 and Integer.MIN_VALUE.");
        for (int size : new int[] {-1, Integer.MIN_VALUE}) {
            k.dead(k.step(k.records.size(), 0, 0, size).setDone(true).build(), "size " + size);
        }
        return k.expect(DeadLetterReason.INVALID_GROUP_SIZE, 2).build();
    }

    private static HostileKind groupSizeHuge() {
        Kind k =
                new Kind(
                        "group-size-huge",
                        "group_size 1025 (one over assembly.max-group-size), 10^9 and"
                                + " Integer.MAX_VALUE: a group that could never complete.");
        for (int size : new int[] {MAX_GROUP_SIZE + 1, 1_000_000_000, Integer.MAX_VALUE}) {
            k.dead(k.step(k.records.size(), 0, 0, size).setDone(true).build(), "size " + size);
        }
        return k.expect(DeadLetterReason.INVALID_GROUP_SIZE, 3).build();
    }

    private static HostileKind policyVersionExtremes() {
        Kind k =
                new Kind(
                        "policy-version-extremes",
                        "policy_version Long.MAX_VALUE, Long.MIN_VALUE, -1, 2^62 and 2^53+1:"
                                + " outside 0..2^53.");
        long[] versions = {Long.MAX_VALUE, Long.MIN_VALUE, -1L, 1L << 62, MAX_POLICY_VERSION + 1};
        for (long version : versions) {
            StepEvent step =
                    k.step(k.records.size(), 0, 0, 1)
                            .setDone(true)
                            .setPolicyVersion(version)
                            .build();
            k.dead(step, "policy_version " + version);
        }
        return k.expect(DeadLetterReason.INVALID_POLICY_VERSION, 5).build();
    }

    /** NaN, +inf and -inf in one double field; the reward also gets two NaNs with payloads. */
    private static HostileKind nonFinite(String field) {
        String name = "non-finite-" + field.replace('_', '-');
        Kind k =
                new Kind(
                        name,
                        "NaN, +Infinity and -Infinity in "
                                + field
                                + (field.equals("reward")
                                        ? ", and two NaNs with other bit patterns (signalling,"
                                                + " negative)"
                                        : "")
                                + ", each on the done step of its own single-step episode.");
        List<Double> values =
                new ArrayList<>(
                        List.of(Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY));
        if (field.equals("reward")) {
            values.add(Double.longBitsToDouble(0x7ff0000000000001L));
            values.add(Double.longBitsToDouble(0xfff8000000000001L));
        }
        for (double value : values) {
            StepEvent.Builder step = k.step(k.records.size(), 0, 0, 1).setDone(true);
            switch (field) {
                case "reward" -> step.setReward(value);
                case "episode_return" -> step.setEpisodeReturn(value);
                case "behavior_logprob" -> step.setBehaviorLogprob(value);
                case "prm_logprob" -> step.setPrmLogprob(value);
                case "ref_logprob" -> step.setRefLogprob(value);
                case "answer_prob" -> step.setAnswerProb(value);
                default -> throw new IllegalArgumentException(field);
            }
            k.dead(
                    step.build(),
                    field + " = " + value + " (bits " + Long.toHexString(rawBits(value)) + ")");
        }
        return k.expect(DeadLetterReason.NON_FINITE_NUMBER, values.size()).build();
    }

    // ---------------------------------------------------------------------------------------
    // Episodes that break the assembly rules. Each is part of a group that still completes, so
    // the good steps around a bad one must come out.

    private static HostileKind stepAfterDoneOpen() {
        Kind k =
                new Kind(
                        "step-after-done-open",
                        "A step beyond the done step while the episode is still open (0, done"
                                + " 2, then 3, then 1): 3 is dead-lettered, the episode completes"
                                + " with 0..2.");
        List<StepEvent> e0 = k.episode(0, 0, 3, 2);
        k.good(e0.get(0));
        k.good(e0.get(2));
        k.dead(k.step(0, 0, 3, 2).build(), "after done at 2");
        k.good(e0.get(1));
        k.good(k.episode(0, 1, 2, 2));
        return k.expect(DeadLetterReason.STEP_AFTER_DONE, 1).build();
    }

    private static HostileKind stepAfterDoneCompleted() {
        Kind k =
                new Kind(
                        "step-after-done-completed",
                        "Steps beyond the done step of episodes already completed (their group"
                                + " too): the job remembers completed episodes, so they are"
                                + " dead-lettered rather than opening new episodes.");
        List<StepEvent> e0 = k.episode(0, 0, 2, 2);
        List<StepEvent> e1 = k.episode(0, 1, 3, 2);
        k.good(e0);
        k.good(e1);
        k.dead(k.step(0, 0, 2, 2).build(), "after done at 1, episode completed");
        k.dead(k.step(0, 1, 3, 2).setDone(true).build(), "done after done at 2, completed");
        return k.expect(DeadLetterReason.STEP_AFTER_DONE, 2).build();
    }

    private static HostileKind doneBelowHigherIndex() {
        Kind k =
                new Kind(
                        "done-below-higher-index",
                        "A done step below an index already received (0, 2, then done 1): it is"
                                + " dead-lettered; then 1 (not done) and done 3 complete the"
                                + " episode.");
        List<StepEvent> e0 = k.episode(0, 0, 4, 2);
        k.good(e0.get(0));
        k.good(e0.get(2));
        k.dead(k.step(0, 0, 1, 2).setDone(true).build(), "done at 1 below step 2");
        k.good(e0.get(1));
        k.good(e0.get(3));
        k.good(k.episode(0, 1, 2, 2));
        return k.expect(DeadLetterReason.STEP_AFTER_DONE, 1).build();
    }

    private static HostileKind doneTwiceDifferentReturns() {
        Kind k =
                new Kind(
                        "done-twice-different-returns",
                        "Done twice with different episode returns, while the episode is open:"
                                + " at the same index (conflicting-duplicate) and at a higher"
                                + " index (step-after-done). The first done step stands.");
        for (int e = 0; e < 2; e++) {
            StepEvent done =
                    k.step(0, e, 1, 2).setDone(true).setReward(1.0).setEpisodeReturn(1.0).build();
            k.good(done);
            int index = e == 0 ? 1 : 2;
            StepEvent again =
                    StepEvent.newBuilder(done)
                            .setStepIndex(index)
                            .setReward(0.0)
                            .setEpisodeReturn(0.0)
                            .build();
            k.dead(again, "done again at " + index + " with return 0");
            k.good(k.step(0, e, 0, 2).build());
        }
        return k.expect(DeadLetterReason.CONFLICTING_DUPLICATE, 1)
                .expect(DeadLetterReason.STEP_AFTER_DONE, 1)
                .build();
    }

    private static HostileKind conflictingDuplicateOpen() {
        Kind k =
                new Kind(
                        "conflicting-duplicate-open",
                        "The same index twice with different content in an open episode: another"
                                + " action for step 0, another reward for step 1. The first copy"
                                + " stands.");
        List<StepEvent> e0 = k.episode(0, 0, 3, 2);
        k.good(e0.get(0));
        k.good(e0.get(1));
        k.dead(StepEvent.newBuilder(e0.get(0)).setAction("jump").build(), "other action");
        k.dead(StepEvent.newBuilder(e0.get(1)).setReward(0.5).build(), "other reward");
        k.good(e0.get(2));
        k.good(k.episode(0, 1, 2, 2));
        return k.expect(DeadLetterReason.CONFLICTING_DUPLICATE, 2).build();
    }

    private static HostileKind conflictingDuplicateCompleted() {
        Kind k =
                new Kind(
                        "conflicting-duplicate-completed",
                        "Steps of completed episodes (and group) sent again with different"
                                + " content: another observation for step 0, another return for"
                                + " the done step.");
        List<StepEvent> e0 = k.episode(0, 0, 2, 2);
        List<StepEvent> e1 = k.episode(0, 1, 2, 2);
        k.good(e0);
        k.good(e1);
        k.dead(
                StepEvent.newBuilder(e0.get(0)).setObservation("somewhere else").build(),
                "other observation, completed");
        k.dead(
                StepEvent.newBuilder(e1.get(1)).setEpisodeReturn(-1.0).build(),
                "other return, completed");
        return k.expect(DeadLetterReason.CONFLICTING_DUPLICATE, 2).build();
    }

    private static HostileKind duplicateStepOpen() {
        Kind k =
                new Kind(
                        "duplicate-step-open",
                        "Identical copies of steps of open episodes (at-least-once producers"
                                + " retrying): dropped and counted.");
        List<StepEvent> e0 = k.episode(0, 0, 3, 2);
        List<StepEvent> e1 = k.episode(0, 1, 2, 2);
        k.good(e0.get(0));
        k.good(e0.get(1));
        k.duplicate(e0.get(0));
        k.duplicate(e0.get(1));
        k.good(e0.get(2));
        k.good(e1.get(0));
        k.duplicate(e1.get(0));
        k.good(e1.get(1));
        return k.count(DUPLICATE_STEPS, 3).build();
    }

    private static HostileKind resentStepOfCompletedEpisode() {
        Kind k =
                new Kind(
                        "resent-step-of-completed-episode",
                        "A middle step and the done step of a completed multi-step episode sent"
                                + " again, identical, after its group completed: dropped and"
                                + " counted, no second advantage, no new episode.");
        List<StepEvent> e0 = k.episode(0, 0, 3, 2);
        k.good(e0);
        k.good(k.episode(0, 1, 2, 2));
        k.duplicate(e0.get(1));
        k.duplicate(e0.get(2));
        return k.count(DUPLICATE_STEPS, 2).build();
    }

    private static HostileKind resentCompletedGroup() {
        Kind k =
                new Kind(
                        "resent-completed-group",
                        "A whole completed group (3 episodes, 9 steps) sent again, identical:"
                                + " every step dropped and counted, no second advantage.");
        List<StepEvent> steps = new ArrayList<>();
        int[] lengths = {3, 2, 4};
        for (int e = 0; e < lengths.length; e++) {
            steps.addAll(k.episode(0, e, lengths[e], lengths.length));
        }
        k.good(steps);
        steps.forEach(k::duplicate);
        return k.count(DUPLICATE_STEPS, steps.size()).build();
    }

    private static HostileKind longEpisode() {
        Kind k =
                new Kind(
                        "long-episode-5000",
                        "An episode of 5,000 steps: steps 1000..4999 are dead-lettered one by one"
                                + " (episode-too-long, the done step among them); the first 1000"
                                + " never complete and time out as one episode-timeout.");
        for (int i = 0; i < 5000; i++) {
            StepEvent step =
                    k.step(0, 0, i, 1).setObservation("corridor " + i).setDone(i == 4999).build();
            k.dead(step, i < MAX_STEPS_PER_EPISODE ? "times out" : "too long");
        }
        return k.expect(DeadLetterReason.EPISODE_TOO_LONG, 4000)
                .expect(DeadLetterReason.EPISODE_TIMEOUT, 1)
                .build();
    }

    private static HostileKind abandonedEpisode() {
        Kind k =
                new Kind(
                        "abandoned-episode",
                        "Episodes that never complete: one without a done step, one whose step 1"
                                + " never comes. Each times out as one episode-timeout.");
        for (int i = 0; i < 3; i++) {
            k.dead(k.step(0, 0, i, 2).build(), "no done step");
        }
        k.dead(k.step(0, 1, 0, 2).build(), "step 1 missing");
        k.dead(k.step(0, 1, 2, 2).setDone(true).build(), "step 1 missing");
        return k.expect(DeadLetterReason.EPISODE_TIMEOUT, 2).build();
    }

    private static HostileKind groupSizeChangesMidEpisode() {
        Kind k =
                new Kind(
                        "group-size-changes-mid-episode",
                        "Step 1 of an episode declares group_size 3 where step 0 said 2: it is"
                                + " dead-lettered; a consistent step 1 completes the episode.");
        List<StepEvent> e0 = k.episode(0, 0, 2, 2);
        k.good(e0.get(0));
        k.dead(StepEvent.newBuilder(e0.get(1)).setGroupSize(3).build(), "group_size 3");
        k.good(e0.get(1));
        k.good(k.episode(0, 1, 3, 2));
        return k.expect(DeadLetterReason.INCONSISTENT_EPISODE, 1).build();
    }

    private static HostileKind taskChangesMidEpisode() {
        Kind k =
                new Kind(
                        "task-changes-mid-episode",
                        "Step 1 of an episode names another task_id: dead-lettered; a consistent"
                                + " step 1 completes the episode.");
        List<StepEvent> e0 = k.episode(0, 0, 2, 2);
        k.good(e0.get(0));
        k.dead(StepEvent.newBuilder(e0.get(1)).setTaskId("task-1").build(), "task-1");
        k.good(e0.get(1));
        k.good(k.episode(0, 1, 3, 2));
        return k.expect(DeadLetterReason.INCONSISTENT_EPISODE, 1).build();
    }

    private static HostileKind groupChangesMidEpisode() {
        Kind k =
                new Kind(
                        "group-changes-mid-episode",
                        "Step 1 of an episode names another group_id: dead-lettered; a"
                                + " consistent step 1 completes the episode.");
        List<StepEvent> e0 = k.episode(0, 0, 2, 2);
        k.good(e0.get(0));
        k.dead(StepEvent.newBuilder(e0.get(1)).setGroupId(k.group(1)).build(), "group g1");
        k.good(e0.get(1));
        k.good(k.episode(0, 1, 3, 2));
        return k.expect(DeadLetterReason.INCONSISTENT_EPISODE, 1).build();
    }

    // ---------------------------------------------------------------------------------------
    // Groups that break the assembly rules, or the estimator.

    private static HostileKind groupSizeDisagreesInGroup() {
        Kind k =
                new Kind(
                        "group-size-disagrees-in-group",
                        "A trajectory declaring group_size 2 in a group whose first trajectory"
                                + " said 3: one inconsistent-group letter for it; two more"
                                + " trajectories of size 3 complete the group.");
        k.good(k.episode(0, 0, 3, 3));
        List<StepEvent> odd = k.episode(0, 1, 2, 2);
        for (StepEvent step : odd) {
            k.dead(step, "group_size 2 in a group of 3");
        }
        k.good(k.episode(0, 2, 2, 3));
        k.good(k.episode(0, 3, 4, 3));
        return k.expect(DeadLetterReason.INCONSISTENT_GROUP, 1).build();
    }

    private static HostileKind taskDisagreesInGroup() {
        Kind k =
                new Kind(
                        "task-disagrees-in-group",
                        "A trajectory of another task in a group: one inconsistent-group letter;"
                                + " a trajectory of the group's task completes it.");
        k.good(k.episode(0, 0, 2, 2));
        for (StepEvent step : k.episode(0, 1, 3, 2)) {
            k.dead(StepEvent.newBuilder(step).setTaskId("task-1").build(), "task-1");
        }
        k.good(k.episode(0, 2, 2, 2));
        return k.expect(DeadLetterReason.INCONSISTENT_GROUP, 1).build();
    }

    private static HostileKind groupOverflow() {
        Kind k =
                new Kind(
                        "group-overflow",
                        "A third trajectory for a group of 2 that already completed:"
                                + " group-overflow, and no second set of advantages.");
        k.good(k.episode(0, 0, 2, 2));
        k.good(k.episode(0, 1, 3, 2));
        for (StepEvent step : k.episode(0, 2, 3, 2)) {
            k.dead(step, "third trajectory of a group of 2");
        }
        return k.expect(DeadLetterReason.GROUP_OVERFLOW, 1).build();
    }

    private static HostileKind rewardSumOverflow() {
        Kind k =
                new Kind(
                        "reward-sum-overflow",
                        "Finite rewards whose sum overflows: an episode of two steps with reward"
                                + " 1e308 each (no episode_return, so the return is their sum,"
                                + " +inf) in a group whose other two trajectories are fine. The"
                                + " whole group is dead-lettered, one letter per trajectory.");
        for (int i = 0; i < 2; i++) {
            StepEvent step = k.step(0, 0, i, 3).setReward(1e308).setDone(i == 1).build();
            k.dead(step, "reward 1e308");
        }
        for (int e = 1; e < 3; e++) {
            for (StepEvent step : k.episode(0, e, 2, 3)) {
                k.dead(step, "fine, but in the overflowing group");
            }
        }
        return k.expectEither(
                        3,
                        DeadLetterReason.ESTIMATOR_FAILURE,
                        DeadLetterReason.NON_FINITE_ADVANTAGE)
                .build();
    }

    // ---------------------------------------------------------------------------------------
    // Odd but valid.

    private static HostileKind nullKey() {
        Kind k = new Kind("null-key", "Valid steps with null Kafka keys: keys are not used.");
        k.keys = step -> null;
        for (int e = 0; e < 3; e++) {
            k.good(k.episode(0, e, 2 + e, 3));
        }
        return k.build();
    }

    private static HostileKind garbageKeys() {
        Kind k =
                new Kind(
                        "garbage-keys",
                        "Valid steps with random binary keys of 0 to 1024 bytes: keys are not"
                                + " used.");
        k.keys =
                step -> {
                    byte[] key = new byte[k.random.nextInt(1025)];
                    k.random.nextBytes(key);
                    return key;
                };
        for (int e = 0; e < 3; e++) {
            k.good(k.episode(0, e, 3, 3));
        }
        return k.build();
    }

    private static HostileKind maxLengthIds() {
        Kind k =
                new Kind(
                        "max-length-ids",
                        "Every id exactly input.max-id-length (256) characters long: valid.");
        for (int e = 0; e < 2; e++) {
            for (StepEvent step : k.episode(0, e, 2 + e, 2)) {
                k.good(
                        StepEvent.newBuilder(step)
                                .setExperimentId(pad(k.experiment, MAX_ID_LENGTH))
                                .setTaskId(pad("task-0", MAX_ID_LENGTH))
                                .setGroupId(pad(k.group(0), MAX_ID_LENGTH))
                                .setEpisodeId(pad(k.episode(0, e), MAX_ID_LENGTH))
                                .build());
            }
        }
        return k.build();
    }

    private static HostileKind unicodeIds() {
        Kind k =
                new Kind(
                        "unicode-ids",
                        "Ids with CJK, emoji, a combining accent, a zero-width space and a"
                                + " right-to-left override: not control characters, so valid.");
        k.experiment = k.experiment + "-实验-🧪";
        String group = k.experiment + "-グループ-\u202e0";
        for (int e = 0; e < 3; e++) {
            String episode = group + "-e\u0301" + e + "-\u200b🤖";
            for (StepEvent step : k.episode(0, e, 2 + e, 3)) {
                k.good(
                        StepEvent.newBuilder(step)
                                .setTaskId("tâche-ü")
                                .setGroupId(group)
                                .setEpisodeId(episode)
                                .build());
            }
        }
        return k.build();
    }

    private static HostileKind policyVersionBounds() {
        Kind k =
                new Kind(
                        "policy-version-bounds",
                        "policy_version 0 and 2^53, the bounds of the valid range, in one group.");
        long[] versions = {0L, MAX_POLICY_VERSION};
        for (int e = 0; e < 2; e++) {
            for (StepEvent step : k.episode(0, e, 3, 2)) {
                k.good(StepEvent.newBuilder(step).setPolicyVersion(versions[e]).build());
            }
        }
        return k.build();
    }

    private static HostileKind episodeOf1000Steps() {
        Kind k =
                new Kind(
                        "episode-1000-steps",
                        "An episode of exactly assembly.max-steps-per-episode (1000) steps,"
                                + " indices 0..999, in a group of 2: valid.");
        for (int i = 0; i < MAX_STEPS_PER_EPISODE; i++) {
            k.good(
                    k.step(0, 0, i, 2)
                            .setDone(i == MAX_STEPS_PER_EPISODE - 1)
                            .setReward(i == MAX_STEPS_PER_EPISODE - 1 ? 1.0 : 0.0)
                            .build());
        }
        k.good(k.episode(0, 1, 3, 2));
        return k.build();
    }

    private static HostileKind reusedIdsAcrossExperiments() {
        Kind k =
                new Kind(
                        "reused-ids-across-experiments",
                        "Two experiments using the same group and episode ids, interleaved, with"
                                + " different content: episodes and groups are keyed by"
                                + " experiment too, so both are processed separately.");
        String sharedGroup = "hx-reused-g0";
        List<List<StepEvent>> byExperiment = new ArrayList<>();
        for (String suffix : new String[] {"-a", "-b"}) {
            List<StepEvent> steps = new ArrayList<>();
            for (int e = 0; e < 3; e++) {
                for (StepEvent step : k.episode(0, e, 2 + e, 3)) {
                    steps.add(
                            StepEvent.newBuilder(step)
                                    .setExperimentId(k.experiment + suffix)
                                    .setGroupId(sharedGroup)
                                    .setEpisodeId(sharedGroup + "-e" + e)
                                    .setReward(suffix.equals("-a") ? step.getReward() : 0.25)
                                    .build());
                }
            }
            byExperiment.add(steps);
        }
        // One step of each experiment in turn: both episodes of an id are open at once.
        for (int i = 0; i < byExperiment.get(0).size(); i++) {
            k.good(byExperiment.get(0).get(i));
            k.good(byExperiment.get(1).get(i));
        }
        return k.build();
    }

    private static HostileKind eventTimeExtremes() {
        Kind k =
                new Kind(
                        "event-time-extremes",
                        "event_time_ms Long.MIN_VALUE, -1, 0 and Long.MAX_VALUE: unchecked, so"
                                + " valid (and latency metrics must not break on them).");
        long[] times = {Long.MIN_VALUE, -1L, 0L, Long.MAX_VALUE};
        int t = 0;
        for (int e = 0; e < 2; e++) {
            for (StepEvent step : k.episode(0, e, 2, 2)) {
                k.good(StepEvent.newBuilder(step).setEventTimeMs(times[t++]).build());
            }
        }
        return k.build();
    }

    private static HostileKind invalidUtf8Text() {
        Kind k =
                new Kind(
                        "invalid-utf8-text",
                        "Observations and actions holding invalid UTF-8 (a broken two-byte"
                                + " sequence, a lone surrogate, 0xFF), as truncated LLM output"
                                + " may: they decode leniently, so the steps are valid.");
        byte[] badObservation = {(byte) 0xC3, 0x28, (byte) 0xA0, (byte) 0xA1};
        byte[] badAction = {(byte) 0xED, (byte) 0xA0, (byte) 0x80, (byte) 0xFF};
        for (int e = 0; e < 2; e++) {
            for (StepEvent step : k.episode(0, e, 2, 2)) {
                byte[] value =
                        k.encode(
                                StepEvent.newBuilder(step)
                                        .setObservation("@@@@")
                                        .setAction("$$$$")
                                        .build());
                replace(value, bytes("@@@@"), badObservation);
                replace(value, bytes("$$$$"), badAction);
                k.raw(k.keys.apply(step), value, Fate.GOOD, k.label(step) + " invalid UTF-8");
            }
        }
        return k.build();
    }

    private static HostileKind nullAnchor() {
        Kind k =
                new Kind(
                        "null-anchor",
                        "Steps with no state_key, observation or action: the anchor identity is"
                                + " null for all of them; valid.");
        for (int e = 0; e < 2; e++) {
            for (StepEvent step : k.episode(0, e, 3, 2)) {
                k.good(
                        StepEvent.newBuilder(step)
                                .setStateKey(null)
                                .setObservation(null)
                                .setAction(null)
                                .build());
            }
        }
        return k.build();
    }

    private static HostileKind hugeObservation() {
        Kind k =
                new Kind(
                        "huge-observation",
                        "Two single-step episodes of one group whose values are exactly the 900"
                                + " KiB input limit and about 890 KB: valid, but their two"
                                + " advantage records exceed batch.max-bytes together, so the"
                                + " group arrives split across two batches.");
        for (int e = 0; e < 2; e++) {
            StepEvent.Builder step =
                    k.step(0, e, 0, 2).setDone(true).setReward(e).setStateKey("room-0");
            k.good(k.sized(step, e == 0 ? MAX_RECORD_BYTES : 890_000));
        }
        return k.split(k.group(0)).build();
    }

    private static HostileKind largeGroupBatch() {
        Kind k =
                new Kind(
                        "large-group-batch",
                        "A group of 8 trajectories of 20 steps with 8 KiB observations: about"
                                + " 1.3 MB of advantage records, over batch.max-bytes, so the"
                                + " group arrives split into consecutive parts.");
        for (int e = 0; e < 8; e++) {
            for (StepEvent step : k.episode(0, e, 20, 8)) {
                String room = step.getObservation() + " ";
                String observation = room + ".".repeat(8192 - room.length());
                k.good(StepEvent.newBuilder(step).setObservation(observation).build());
            }
        }
        return k.split(k.group(0)).build();
    }

    // ---------------------------------------------------------------------------------------

    /** Builds one kind: its ids, its seeded randomness, its records and its expectations. */
    private static final class Kind {
        final String name;
        final String description;
        final Random random;
        final List<Entry> records = new ArrayList<>();
        final Map<String, Integer> deadLetters = new LinkedHashMap<>();
        final Map<String, Long> counters = new LinkedHashMap<>();
        final List<String> splitGroups = new ArrayList<>();
        final AvroCodec<StepEvent> codec = AvroCodec.of(StepEvent.class);
        String experiment;

        /** The Kafka key of a step's record; like the fleet's, the episode id by default. */
        Function<StepEvent, byte[]> keys = step -> bytes(step.getEpisodeId());

        Kind(String name, String description) {
            this.name = name;
            this.description = description;
            this.experiment = "hx-" + name;
            // String.hashCode is specified, so every kind's data are the same on every run.
            this.random = new Random(SEED ^ name.hashCode());
        }

        String group(int g) {
            return experiment + "-g" + g;
        }

        String episode(int g, int e) {
            return group(g) + "-e" + e;
        }

        /** A valid, not-done step of episode e of group g, in room 0..3. */
        StepEvent.Builder step(int g, int e, int index, int groupSize) {
            int room = random.nextInt(4);
            return StepEvent.newBuilder()
                    .setExperimentId(experiment)
                    .setTaskId("task-0")
                    .setGroupId(group(g))
                    .setEpisodeId(episode(g, e))
                    .setStepIndex(index)
                    .setPolicyVersion(1)
                    .setStateKey("room-" + room)
                    .setObservation("you are in room " + room)
                    .setAction("go " + random.nextInt(4))
                    .setReward(0.0)
                    .setInvalidAction(random.nextInt(8) == 0)
                    .setDone(false)
                    .setGroupSize(groupSize)
                    .setBehaviorLogprob(-Math.log(4))
                    .setEventTimeMs(1_000L * index);
        }

        /** A complete episode; it succeeds (reward 1 on the done step) half of the time. */
        List<StepEvent> episode(int g, int e, int length, int groupSize) {
            boolean success = random.nextBoolean();
            List<StepEvent> steps = new ArrayList<>(length);
            for (int i = 0; i < length; i++) {
                boolean done = i == length - 1;
                steps.add(
                        step(g, e, i, groupSize)
                                .setDone(done)
                                .setReward(done && success ? 1.0 : 0.0)
                                .build());
            }
            return steps;
        }

        /** The step with an observation that makes its encoding exactly {@code bytes} long. */
        StepEvent sized(StepEvent.Builder builder, int bytes) {
            int length = bytes - encode(builder.setObservation("").build()).length;
            for (int attempt = 0; attempt < 3; attempt++) {
                int size = encode(builder.setObservation("x".repeat(length)).build()).length;
                if (size == bytes) {
                    return builder.build();
                }
                length += bytes - size;
            }
            throw new IllegalStateException("cannot size a step to " + bytes + " bytes");
        }

        byte[] encode(StepEvent step) {
            return codec.encode(step);
        }

        byte[] body(StepEvent step) {
            byte[] whole = encode(step);
            return Arrays.copyOfRange(whole, AvroCodec.HEADER_LENGTH, whole.length);
        }

        byte[] rawKey() {
            return bytes(name);
        }

        void good(StepEvent step) {
            raw(keys.apply(step), encode(step), Fate.GOOD, label(step));
        }

        void good(List<StepEvent> steps) {
            steps.forEach(this::good);
        }

        void dead(StepEvent step, String why) {
            raw(keys.apply(step), encode(step), Fate.DEAD_LETTER, label(step) + ": " + why);
        }

        void duplicate(StepEvent step) {
            raw(keys.apply(step), encode(step), Fate.DUPLICATE, label(step) + ": identical copy");
        }

        /** A value that is not a decodable StepEvent; checked here so the data cannot lie. */
        void malformed(byte[] value, String note) {
            try {
                codec.decode(value);
            } catch (RuntimeException expected) {
                raw(rawKey(), value, Fate.DEAD_LETTER, note);
                return;
            }
            throw new IllegalStateException(name + ": '" + note + "' decodes as a StepEvent");
        }

        void raw(byte[] key, byte[] value, Fate fate, String note) {
            records.add(new Entry(key, value, fate, note));
        }

        /** A short description of a step for the notes: episode (within the kind) and index. */
        String label(StepEvent step) {
            String episode = step.getEpisodeId();
            String prefix = experiment + "-";
            String shortName =
                    episode.startsWith(prefix) ? episode.substring(prefix.length()) : episode;
            String done = step.getDone() ? " done" : "";
            return printable(shortName) + "#" + step.getStepIndex() + done;
        }

        Kind expect(DeadLetterReason reason, int count) {
            deadLetters.merge(reason.code(), count, Integer::sum);
            return this;
        }

        /** {@code count} dead letters under any of the reasons, counted together. */
        Kind expectEither(int count, DeadLetterReason... reasons) {
            String key =
                    String.join("|", Arrays.stream(reasons).map(DeadLetterReason::code).toList());
            deadLetters.put(key, count);
            return this;
        }

        Kind count(String counter, long increment) {
            counters.merge(counter, increment, Long::sum);
            return this;
        }

        Kind split(String group) {
            splitGroups.add(group);
            return this;
        }

        HostileKind build() {
            int goodSteps = (int) records.stream().filter(r -> r.fate() == Fate.GOOD).count();
            return new HostileKind(
                    name,
                    description,
                    new Expectation(deadLetters, counters, goodSteps, splitGroups),
                    List.copyOf(records));
        }
    }

    private static void setId(StepEvent.Builder step, String field, String value) {
        switch (field) {
            case "experiment_id" -> step.setExperimentId(value);
            case "task_id" -> step.setTaskId(value);
            case "group_id" -> step.setGroupId(value);
            case "episode_id" -> step.setEpisodeId(value);
            default -> throw new IllegalArgumentException(field);
        }
    }

    /** {@code base} followed by dots up to {@code length} characters. */
    private static String pad(String base, int length) {
        return base + ".".repeat(length - base.length());
    }

    /**
     * An id (or any text) fit for a note or a failure message: longer than 48 characters, its head
     * and tail around its length; control and invisible format characters (a right-to-left override
     * would reorder the line on a reviewer's screen) spelled out as {@code \\uXXXX}.
     */
    static String printable(String text) {
        String shown =
                text.length() > 48
                        ? text.substring(0, 24)
                                + "...("
                                + text.length()
                                + " chars)..."
                                + text.substring(text.length() - 12)
                        : text;
        StringBuilder out = new StringBuilder();
        shown.codePoints()
                .forEach(
                        c -> {
                            if (Character.isISOControl(c)
                                    || Character.getType(c) == Character.FORMAT) {
                                out.append(String.format("\\u%04X", c));
                            } else {
                                out.appendCodePoint(c);
                            }
                        });
        return out.toString();
    }

    private static long rawBits(double value) {
        return Double.doubleToRawLongBits(value);
    }

    /** The single-object header: marker C3 01, then the fingerprint little-endian. */
    private static byte[] header(long fingerprint) {
        byte[] header = new byte[AvroCodec.HEADER_LENGTH];
        header[0] = (byte) 0xC3;
        header[1] = 0x01;
        for (int i = 0; i < 8; i++) {
            header[2 + i] = (byte) (fingerprint >>> (8 * i));
        }
        return header;
    }

    /** Avro's zigzag varint encoding of a long (also of lengths, counts and union indices). */
    private static byte[] varint(long value) {
        long zigzag = (value << 1) ^ (value >> 63);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        while ((zigzag & ~0x7FL) != 0) {
            out.write((int) ((zigzag & 0x7F) | 0x80));
            zigzag >>>= 7;
        }
        out.write((int) zigzag);
        return out.toByteArray();
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            out.writeBytes(part);
        }
        return out.toByteArray();
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            if (Arrays.equals(haystack, i, i + needle.length, needle, 0, needle.length)) {
                return i;
            }
        }
        throw new IllegalStateException("pattern not found");
    }

    /** Overwrites the one occurrence of {@code pattern} with {@code replacement}, same length. */
    private static void replace(byte[] value, byte[] pattern, byte[] replacement) {
        System.arraycopy(replacement, 0, value, indexOf(value, pattern), pattern.length);
    }
}
