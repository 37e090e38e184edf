package io.creditstream.tools.cli;

import io.creditstream.broker.EmbeddedKafkaBroker;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code creditstream kafka}: a single-node KRaft broker for local development. */
@Command(
        name = "kafka",
        mixinStandardHelpOptions = true,
        description = {
            "Run a single-node Kafka broker (KRaft, in this process) until Ctrl-C, for local"
                    + " development with `run`. Not for production.",
            "",
            "Example: creditstream kafka --port 9092 --dir /tmp/creditstream-kafka"
        })
public class KafkaCommand implements Callable<Integer> {
    @Option(
            names = "--port",
            defaultValue = "9092",
            description =
                    "Client listener port on 127.0.0.1; 0 picks a free one (default: ${DEFAULT-VALUE}).")
    int port;

    @Option(
            names = "--dir",
            paramLabel = "DIR",
            description =
                    "Data directory, kept across restarts (default: a temporary directory deleted"
                            + " on exit).")
    Path dir;

    @Override
    public Integer call() throws Exception {
        EmbeddedKafkaBroker.Builder builder = EmbeddedKafkaBroker.builder().port(port);
        if (dir != null) {
            builder.dataDir(dir);
        }
        EmbeddedKafkaBroker broker = builder.build().start();
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime()
                .addShutdownHook(
                        new Thread(
                                () -> {
                                    broker.close();
                                    stopped.countDown();
                                },
                                "kafka-shutdown"));
        System.out.println(
                "Kafka broker ready: -Dkafka.bootstrap-servers="
                        + broker.bootstrapServers()
                        + " (data in "
                        + broker.dataDir()
                        + "; Ctrl-C stops)");
        stopped.await();
        return 0;
    }
}
