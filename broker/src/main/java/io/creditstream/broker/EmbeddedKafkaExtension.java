package io.creditstream.broker;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * One embedded Kafka broker for a test class ({@code @RegisterExtension static}); tests keep apart
 * by using fresh topic names.
 */
public final class EmbeddedKafkaExtension implements BeforeAllCallback, AfterAllCallback {
    private EmbeddedKafkaBroker broker;

    @Override
    public void beforeAll(ExtensionContext context) {
        broker = EmbeddedKafkaBroker.builder().build().start();
    }

    @Override
    public void afterAll(ExtensionContext context) {
        if (broker != null) {
            broker.close();
        }
    }

    public EmbeddedKafkaBroker broker() {
        return broker;
    }
}
