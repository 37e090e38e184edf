package io.creditstream.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.creditstream.it.HostileKind.Entry;
import io.creditstream.it.HostileKind.Expectation;
import io.creditstream.it.HostileKind.Fate;
import io.creditstream.operators.core.input.DeadLetterReason;
import io.creditstream.schemas.StepEvent;
import io.creditstream.schemas.codec.AvroCodec;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The hostile corpus is well-formed data: every file parses, declares known reason codes or
 * counters, agrees with its own records, and is exactly what {@link HostileCorpus} writes.
 */
class HostileCorpusTest {
    private static final Set<String> COUNTERS =
            Set.of(HostileCorpus.DUPLICATE_STEPS, HostileCorpus.DUPLICATE_TRAJECTORIES);

    private static List<HostileKind> kinds;

    @BeforeAll
    static void load() {
        kinds = HostileKind.loadAll();
    }

    @Test
    void thereAreAtLeastThirtyKindsEachInAFileNamedAfterIt() throws IOException {
        assertThat(kinds).hasSizeGreaterThanOrEqualTo(30);
        try (Stream<Path> files = Files.list(HostileKind.resourceDir())) {
            List<String> stems =
                    files.map(f -> f.getFileName().toString())
                            .filter(n -> n.endsWith(HostileKind.SUFFIX))
                            .map(n -> n.substring(0, n.length() - HostileKind.SUFFIX.length()))
                            .sorted()
                            .toList();
            assertThat(kinds).extracting(HostileKind::kind).containsExactlyElementsOf(stems);
        }
        for (HostileKind kind : kinds) {
            assertThat(kind.description()).as(kind.kind()).isNotBlank();
            assertThat(kind.records()).as(kind.kind()).isNotEmpty();
            // Outputs are attributed by experiment id prefix: no kind may be another's prefix.
            for (HostileKind other : kinds) {
                if (other != kind) {
                    assertThat(other.kind()).as(kind.kind()).doesNotStartWith(kind.kind());
                }
            }
        }
    }

    @Test
    void theCommittedFilesAreExactlyWhatTheGeneratorWrites() throws IOException {
        Map<String, String> generated = HostileCorpus.render();
        Path dir = HostileKind.resourceDir();
        for (Map.Entry<String, String> file : generated.entrySet()) {
            Path path = dir.resolve(file.getKey());
            assertThat(path).as("run HostileCorpus.main: %s is missing", file.getKey()).exists();
            // Compared as strings, not with assertThat(..).isEqualTo: the files reach 2.5 MB.
            boolean same = Files.readString(path, StandardCharsets.UTF_8).equals(file.getValue());
            assertThat(same)
                    .as("%s differs from what HostileCorpus writes; regenerate it", file.getKey())
                    .isTrue();
        }
        assertThat(kinds).hasSameSizeAs(generated.keySet());
    }

    @Test
    void everyExpectationNamesAKnownReasonCodeOrCounterAndMatchesTheRecords() {
        Set<String> codes =
                Arrays.stream(DeadLetterReason.values())
                        .map(DeadLetterReason::code)
                        .collect(Collectors.toSet());
        for (HostileKind kind : kinds) {
            Expectation expect = kind.expect();
            String name = kind.kind();
            assertThat(expect.deadLetters().size() + expect.counters().size() + expect.goodSteps())
                    .as("%s expects nothing", name)
                    .isPositive();
            expect.deadLetters()
                    .forEach(
                            (key, count) -> {
                                assertThat(Expectation.reasons(key)).as(name).isSubsetOf(codes);
                                assertThat(count).as(name + " " + key).isPositive();
                            });
            expect.counters()
                    .forEach(
                            (counter, increment) -> {
                                assertThat(COUNTERS).as(name).contains(counter);
                                assertThat(increment).as(name + " " + counter).isPositive();
                            });
            assertThat(kind.records(Fate.GOOD)).as(name).hasSize(expect.goodSteps());
            assertThat(kind.records(Fate.DEAD_LETTER).isEmpty())
                    .as("%s: dead-letter records without dead letters, or the reverse", name)
                    .isEqualTo(expect.deadLetters().isEmpty());
            // Every identical copy is a duplicate step: the job drops it at the episode.
            assertThat(expect.counters().getOrDefault(HostileCorpus.DUPLICATE_STEPS, 0L))
                    .as(name)
                    .isEqualTo(kind.records(Fate.DUPLICATE).size());
        }
    }

    @Test
    void goodRecordsPassEveryInputRuleAndBelongToTheirKind() {
        AvroCodec<StepEvent> codec = AvroCodec.of(StepEvent.class);
        Map<String, String> kindOfExperiment = new HashMap<>();
        for (HostileKind kind : kinds) {
            List<byte[]> goodValues = new ArrayList<>();
            for (Entry entry : kind.records()) {
                if (entry.fate() == Fate.DEAD_LETTER) {
                    continue;
                }
                String where = kind.kind() + ": " + entry.note();
                assertThat(entry.value().length)
                        .as(where)
                        .isLessThanOrEqualTo(HostileCorpus.MAX_RECORD_BYTES);
                StepEvent step = codec.decode(entry.value());
                assertValid(step, where);
                assertThat(step.getExperimentId()).as(where).startsWith("hx-" + kind.kind());
                String owner = kindOfExperiment.putIfAbsent(step.getExperimentId(), kind.kind());
                assertThat(owner).as(where).isIn(null, kind.kind());
                if (entry.fate() == Fate.GOOD) {
                    goodValues.add(entry.value());
                } else {
                    assertThat(goodValues)
                            .as("%s: a duplicate must copy an earlier good record", where)
                            .anySatisfy(v -> assertThat(v).isEqualTo(entry.value()));
                }
            }
            for (String group : kind.expect().splitGroups()) {
                assertThat(goodValues)
                        .as(kind.kind() + ": split group " + group + " has no good step")
                        .anySatisfy(v -> assertThat(codec.decode(v).getGroupId()).isEqualTo(group));
            }
        }
    }

    @Test
    void recordsOfMalformedKindsDoNotDecode() {
        AvroCodec<StepEvent> codec = AvroCodec.of(StepEvent.class);
        for (HostileKind kind : kinds) {
            if (!kind.expect()
                    .deadLetters()
                    .keySet()
                    .equals(Set.of(DeadLetterReason.MALFORMED_BYTES.code()))) {
                continue;
            }
            for (Entry entry : kind.records()) {
                assertThat(entry.fate()).as(kind.kind()).isEqualTo(Fate.DEAD_LETTER);
                if (entry.value() != null) {
                    assertThatThrownBy(() -> codec.decode(entry.value()))
                            .as(kind.kind() + ": " + entry.note())
                            .isInstanceOf(RuntimeException.class);
                }
            }
        }
    }

    /** The input rules of the job's hardening contract, with the default limits. */
    private static void assertValid(StepEvent step, String where) {
        for (String id :
                List.of(
                        step.getExperimentId(),
                        step.getTaskId(),
                        step.getGroupId(),
                        step.getEpisodeId())) {
            assertThat(id).as(where).isNotBlank();
            assertThat(id.length()).as(where).isLessThanOrEqualTo(HostileCorpus.MAX_ID_LENGTH);
            assertThat(id.chars().noneMatch(Character::isISOControl)).as(where).isTrue();
        }
        assertThat(step.getStepIndex())
                .as(where)
                .isBetween(0, HostileCorpus.MAX_STEPS_PER_EPISODE - 1);
        assertThat(step.getGroupSize()).as(where).isBetween(1, HostileCorpus.MAX_GROUP_SIZE);
        assertThat(step.getPolicyVersion())
                .as(where)
                .isBetween(0L, HostileCorpus.MAX_POLICY_VERSION);
        List<Double> doubles =
                Arrays.asList(
                        step.getReward(),
                        step.getEpisodeReturn(),
                        step.getBehaviorLogprob(),
                        step.getPrmLogprob(),
                        step.getRefLogprob(),
                        step.getAnswerProb());
        for (Double value : doubles) {
            assertThat(value == null || Double.isFinite(value)).as(where).isTrue();
        }
    }
}
