package io.creditstream.fleet;

import io.creditstream.schemas.StepEvent;

/** Where a {@link FleetRunner} sends its step events: Kafka in production, a list in tests. */
public interface StepEventSink {

    void send(StepEvent event);

    /** Blocks until everything sent so far is durable; a no-op for sinks that do not buffer. */
    default void flush() {}
}
