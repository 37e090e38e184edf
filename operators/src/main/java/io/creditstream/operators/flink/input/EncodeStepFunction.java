package io.creditstream.operators.flink.input;

import io.creditstream.operators.flink.assembly.EncodedStep;
import io.creditstream.schemas.StepEvent;
import io.creditstream.schemas.codec.AvroCodec;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichMapFunction;

/**
 * Puts already decoded steps (the offline {@code estimate} reads JSON) into the wire form the
 * assembly operators take.
 */
public class EncodeStepFunction extends RichMapFunction<StepEvent, EncodedStep> {
    private static final long serialVersionUID = 1L;

    private transient AvroCodec<StepEvent> codec;

    @Override
    public void open(OpenContext openContext) {
        codec = AvroCodec.of(StepEvent.class);
    }

    @Override
    public EncodedStep map(StepEvent step) {
        return EncodedStep.of(step, codec.encode(step));
    }
}
