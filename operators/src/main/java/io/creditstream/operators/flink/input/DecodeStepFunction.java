package io.creditstream.operators.flink.input;

import io.creditstream.operators.core.input.DeadLetterReason;
import io.creditstream.operators.core.input.StepValidator;
import io.creditstream.operators.flink.CreditMetrics;
import io.creditstream.operators.flink.DeadLetters;
import io.creditstream.operators.flink.assembly.EncodedStep;
import io.creditstream.schemas.StepEvent;
import io.creditstream.schemas.codec.AvroCodec;
import io.creditstream.schemas.codec.StepEventCodecs;
import io.creditstream.schemas.internal.RawStep;
import java.nio.ByteBuffer;
import java.util.Map;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Decodes raw agent.steps values into {@link StepEvent}s and validates them, passing each valid
 * step on in its original bytes as an {@link EncodedStep}; anything unusable (oversize, malformed,
 * or failing a {@link StepValidator} rule) goes to the dead-letter side output with its Kafka
 * coordinates, so bad input never fails the job.
 */
public class DecodeStepFunction extends ProcessFunction<RawStep, EncodedStep> {
    private static final long serialVersionUID = 1L;

    private final int maxRecordBytes;
    private final StepValidator validator;

    private transient AvroCodec<StepEvent> codec;
    private transient Counter eventsIn;
    private transient Map<DeadLetterReason, Counter> deadLettered;

    /**
     * @param maxRecordBytes values larger than this are dead-lettered unread
     * @param validator the rules a decoded step must pass
     */
    public DecodeStepFunction(int maxRecordBytes, StepValidator validator) {
        if (maxRecordBytes < 1) {
            throw new IllegalArgumentException(
                    "input.max-record-bytes must be positive, got " + maxRecordBytes);
        }
        this.maxRecordBytes = maxRecordBytes;
        this.validator = validator;
    }

    @Override
    public void open(OpenContext openContext) {
        codec = StepEventCodecs.create();
        eventsIn = getRuntimeContext().getMetricGroup().counter(CreditMetrics.EVENTS_IN);
        deadLettered = CreditMetrics.deadLetterCounters(getRuntimeContext().getMetricGroup());
    }

    @Override
    public void processElement(RawStep raw, Context ctx, Collector<EncodedStep> out) {
        eventsIn.inc();
        byte[] payload = toArray(raw.getPayload());
        if (payload.length > maxRecordBytes) {
            reject(
                    raw,
                    payload,
                    DeadLetterReason.OVERSIZE_PAYLOAD,
                    payload.length + " bytes exceeds input.max-record-bytes=" + maxRecordBytes,
                    null,
                    ctx);
            return;
        }
        StepEvent step;
        try {
            step = codec.decode(payload);
        } catch (Exception e) {
            reject(raw, payload, DeadLetterReason.MALFORMED_BYTES, e.getMessage(), null, ctx);
            return;
        }
        StepValidator.Verdict verdict = validator.validate(step);
        if (!verdict.valid()) {
            // The episode id only where it passed the id checks: a 100 KB id is not repeated.
            String episodeId =
                    verdict.reason() == DeadLetterReason.MISSING_ID
                                    || verdict.reason() == DeadLetterReason.INVALID_ID
                            ? null
                            : step.getEpisodeId();
            reject(raw, payload, verdict.reason(), verdict.detail(), episodeId, ctx);
            return;
        }
        out.collect(EncodedStep.of(step, payload));
    }

    private void reject(
            RawStep raw,
            byte[] payload,
            DeadLetterReason reason,
            String detail,
            String episodeId,
            Context ctx) {
        deadLettered.get(reason).inc();
        ctx.output(
                DeadLetters.TAG,
                DeadLetters.of(
                        payload,
                        raw.getTopic(),
                        raw.getPartition(),
                        raw.getOffset(),
                        reason,
                        detail,
                        episodeId,
                        ctx.timerService().currentProcessingTime()));
    }

    private static byte[] toArray(ByteBuffer buffer) {
        ByteBuffer view = buffer.duplicate();
        if (view.hasArray()
                && view.arrayOffset() == 0
                && view.position() == 0
                && view.remaining() == view.array().length) {
            return view.array();
        }
        byte[] bytes = new byte[view.remaining()];
        view.get(bytes);
        return bytes;
    }
}
