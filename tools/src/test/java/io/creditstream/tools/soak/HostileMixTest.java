package io.creditstream.tools.soak;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.creditstream.fleet.StepEventProducer;
import io.creditstream.operators.core.assembly.Trajectories;
import io.creditstream.operators.core.credit.GroupCreditAssigner;
import io.creditstream.operators.core.input.DeadLetterReason;
import io.creditstream.operators.core.input.StepValidator;
import io.creditstream.schemas.StepEvent;
import io.creditstream.schemas.codec.AvroCodec;
import io.creditstream.streams.options.CreditstreamOptions;
import io.creditstream.tools.RandomFleetDemo;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class HostileMixTest {
    private static final int MAX_RECORD_BYTES = CreditstreamOptions.MAX_RECORD_BYTES.defaultValue();
    private static final StepValidator VALIDATOR =
            new StepValidator(
                    CreditstreamOptions.MAX_ID_LENGTH.defaultValue(),
                    CreditstreamOptions.MAX_GROUP_SIZE.defaultValue());
    private static final AvroCodec<StepEvent> CODEC = AvroCodec.of(StepEvent.class);

    /** The done step of the first episode the demo's fleet plays. */
    private static final StepEvent DONE =
            RandomFleetDemo.randomFleet("soak", 4, 8, 1).nextGroup().stream()
                    .filter(StepEvent::getDone)
                    .findFirst()
                    .orElseThrow();

    @Test
    void cyclesThroughEveryKindInOrder() {
        HostileMix mix = new HostileMix(7, MAX_RECORD_BYTES);
        List<HostileKind> kinds = new ArrayList<>();
        for (int i = 0; i < 2 * HostileKind.values().length; i++) {
            HostileKind expected = mix.nextKind();
            List<HostileMix.HostileRecord> records = mix.next(DONE);
            assertThat(records).hasSize(expected.records());
            assertThat(records).extracting(HostileMix.HostileRecord::kind).containsOnly(expected);
            kinds.add(expected);
        }
        List<HostileKind> once = Arrays.asList(HostileKind.values());
        assertThat(kinds.subList(0, once.size())).isEqualTo(once);
        assertThat(kinds.subList(once.size(), kinds.size())).isEqualTo(once);
    }

    @Test
    void eachKindRejectedWhenDecodedFailsTheCheckItsReasonNames() {
        assertThat(decodeVerdict(only(HostileKind.RANDOM_BYTES)))
                .isEqualTo(DeadLetterReason.MALFORMED_BYTES);
        assertThat(only(HostileKind.EMPTY_VALUE).value()).isEmpty();
        assertThat(decodeVerdict(only(HostileKind.EMPTY_VALUE)))
                .isEqualTo(DeadLetterReason.MALFORMED_BYTES);
        assertThat(decodeVerdict(only(HostileKind.NAN_REWARD)))
                .isEqualTo(DeadLetterReason.NON_FINITE_NUMBER);
        assertThat(decodeVerdict(only(HostileKind.HUGE_ID))).isEqualTo(DeadLetterReason.INVALID_ID);
        assertThat(only(HostileKind.HUGE_ID).key()).hasSize(HostileMix.HUGE_ID_LENGTH);
        assertThat(decodeVerdict(only(HostileKind.ZERO_GROUP_SIZE)))
                .isEqualTo(DeadLetterReason.INVALID_GROUP_SIZE);
        assertThat(decodeVerdict(only(HostileKind.NEGATIVE_STEP_INDEX)))
                .isEqualTo(DeadLetterReason.NEGATIVE_STEP_INDEX);
        assertThat(decodeVerdict(only(HostileKind.OVERSIZE_VALUE)))
                .isEqualTo(DeadLetterReason.OVERSIZE_PAYLOAD);
    }

    @Test
    void theOversizeValueIsAValidStepOneByteAboveTheLimit() {
        for (int limit : new int[] {300, 1_000, 70_000, MAX_RECORD_BYTES}) {
            byte[] value =
                    new HostileMix(1, limit)
                            .forge(HostileKind.OVERSIZE_VALUE, DONE, "fresh")
                            .get(0)
                            .value();
            assertThat(value.length).as("limit %d", limit).isGreaterThan(limit);
            assertThat(value.length).as("limit %d", limit).isLessThanOrEqualTo(limit + 2);
            assertThat(VALIDATOR.validate(CODEC.decode(value)).valid()).isTrue();
        }
    }

    @Test
    void theStepsRejectedWhenDecodedTouchNoGoodEpisode() {
        for (HostileKind kind :
                List.of(
                        HostileKind.NAN_REWARD,
                        HostileKind.ZERO_GROUP_SIZE,
                        HostileKind.NEGATIVE_STEP_INDEX,
                        HostileKind.OVERSIZE_VALUE,
                        HostileKind.OVERFLOWING_GROUP)) {
            for (HostileMix.HostileRecord record : forge(kind)) {
                StepEvent step = CODEC.decode(record.value());
                assertThat(step.getEpisodeId()).as(kind.code()).isNotEqualTo(DONE.getEpisodeId());
                assertThat(step.getGroupId()).as(kind.code()).isNotEqualTo(DONE.getGroupId());
                assertThat(record.key()).as(kind.code()).isEqualTo(step.getEpisodeId());
            }
        }
    }

    @Test
    void theOverflowingGroupIsValidStepByStepButItsReturnOverflows() {
        List<StepEvent> steps =
                forge(HostileKind.OVERFLOWING_GROUP).stream()
                        .map(record -> CODEC.decode(record.value()))
                        .toList();

        assertThat(steps).allSatisfy(step -> assertThat(VALIDATOR.validate(step).valid()).isTrue());
        assertThat(steps).extracting(StepEvent::getStepIndex).containsExactly(0, 1);
        assertThat(steps).extracting(StepEvent::getDone).containsExactly(false, true);
        assertThat(steps).extracting(StepEvent::getGroupSize).containsOnly(1);
        // The estimator's input conversion refuses the infinite return: estimator-failure.
        assertThatThrownBy(() -> GroupCreditAssigner.toSample(Trajectories.of(steps)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("finite");
    }

    @Test
    void theForgedStepsOfTheLastEpisodeRelateToItsDoneStepAsTheirKindSays() {
        byte[] original = StepEventProducer.encode(DONE);

        HostileMix.HostileRecord after = only(HostileKind.STEP_AFTER_DONE);
        StepEvent afterStep = CODEC.decode(after.value());
        assertThat(after.key()).isEqualTo(DONE.getEpisodeId());
        assertThat(afterStep.getEpisodeId()).isEqualTo(DONE.getEpisodeId());
        assertThat(afterStep.getStepIndex()).isEqualTo(DONE.getStepIndex() + 1);
        assertThat(VALIDATOR.validate(afterStep).valid()).isTrue();

        HostileMix.HostileRecord conflicting = only(HostileKind.CONFLICTING_DUPLICATE);
        StepEvent conflictingStep = CODEC.decode(conflicting.value());
        assertThat(conflicting.key()).isEqualTo(DONE.getEpisodeId());
        assertThat(conflictingStep.getStepIndex()).isEqualTo(DONE.getStepIndex());
        assertThat(conflicting.value()).isNotEqualTo(original);
        assertThat(VALIDATOR.validate(conflictingStep).valid()).isTrue();

        HostileMix.HostileRecord resend = only(HostileKind.IDENTICAL_RESEND);
        assertThat(resend.key()).isEqualTo(DONE.getEpisodeId());
        assertThat(resend.value()).isEqualTo(original);
    }

    @Test
    void everyKindButTheIdenticalResendExpectsOneDeadLetter() {
        for (HostileKind kind : HostileKind.values()) {
            assertThat(kind.expectedReason() == null)
                    .as(kind.code())
                    .isEqualTo(kind == HostileKind.IDENTICAL_RESEND);
        }
    }

    private static List<HostileMix.HostileRecord> forge(HostileKind kind) {
        return new HostileMix(3, MAX_RECORD_BYTES).forge(kind, DONE, "soak-hostile-test");
    }

    private static HostileMix.HostileRecord only(HostileKind kind) {
        List<HostileMix.HostileRecord> records = forge(kind);
        assertThat(records).hasSize(1);
        return records.get(0);
    }

    /** The decode stage's verdict, in its order: size, then decoding, then the step rules. */
    private static DeadLetterReason decodeVerdict(HostileMix.HostileRecord record) {
        if (record.value().length > MAX_RECORD_BYTES) {
            return DeadLetterReason.OVERSIZE_PAYLOAD;
        }
        StepEvent step;
        try {
            step = CODEC.decode(record.value());
        } catch (RuntimeException e) {
            return DeadLetterReason.MALFORMED_BYTES;
        }
        return VALIDATOR.validate(step).reason();
    }
}
