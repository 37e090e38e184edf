package io.creditstream.streams.kafka;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.Logger;
import org.apache.logging.log4j.core.appender.AbstractAppender;
import org.apache.logging.log4j.core.config.Configurator;
import org.apache.logging.log4j.core.config.Property;

/**
 * What one class logs while a test runs, through Log4j 2 (the backend of the module's tests): the
 * tests check the words an operator will read, not only the counters. The class's logger is opened
 * to every level meanwhile, since flink-test-utils' log4j2-test.properties turns logging off.
 */
final class CapturedLog extends AbstractAppender implements AutoCloseable {
    private final Logger logger;
    private final Level previous;
    private final List<LogEvent> events = new CopyOnWriteArrayList<>();

    CapturedLog(Class<?> source) {
        super("captured-" + source.getName(), null, null, true, Property.EMPTY_ARRAY);
        this.logger = (Logger) LogManager.getLogger(source);
        this.previous = logger.getLevel();
        start();
        logger.addAppender(this);
        Configurator.setLevel(logger.getName(), Level.ALL);
    }

    @Override
    public void append(LogEvent event) {
        events.add(event.toImmutable());
    }

    /** The formatted messages logged at {@code level}. */
    List<String> messages(Level level) {
        return events.stream()
                .filter(e -> e.getLevel().equals(level))
                .map(e -> e.getMessage().getFormattedMessage())
                .toList();
    }

    @Override
    public void close() {
        logger.removeAppender(this);
        Configurator.setLevel(logger.getName(), previous);
        stop();
    }
}
