package io.creditstream.streams;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.creditstream.streams.options.CreditstreamOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.flink.configuration.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The program arguments {@code flink run … creditstream-…-job.jar ARGS} hands to the job. */
class RunJobArgumentsTest {
    @TempDir Path dir;

    @Test
    void takesEachOptionAsDashDOrAsALongOption() {
        Configuration config =
                RunJob.configuration(
                        new String[] {
                            "-Dkafka.bootstrap-servers=a:9092",
                            "--topic.steps",
                            "steps-x",
                            "--topic.batches=batches-y"
                        });

        assertThat(config.get(CreditstreamOptions.BOOTSTRAP_SERVERS)).isEqualTo("a:9092");
        assertThat(config.get(CreditstreamOptions.TOPIC_STEPS)).isEqualTo("steps-x");
        assertThat(config.get(CreditstreamOptions.TOPIC_BATCHES)).isEqualTo("batches-y");
    }

    @Test
    void laterArgumentsWinOverTheConfigFile() throws Exception {
        Path yaml = dir.resolve("job.yaml");
        Files.writeString(yaml, "kafka:\n  bootstrap-servers: file:9092\ntopic.steps: from-file\n");

        Configuration config =
                RunJob.configuration(
                        new String[] {"--config", yaml.toString(), "--topic.steps", "from-args"});

        assertThat(config.get(CreditstreamOptions.BOOTSTRAP_SERVERS)).isEqualTo("file:9092");
        assertThat(config.get(CreditstreamOptions.TOPIC_STEPS)).isEqualTo("from-args");
    }

    @Test
    void aLongOptionWithoutValueOrAStrayWordIsRefusedByName() {
        assertThatThrownBy(() -> RunJob.configuration(new String[] {"--topic.steps"}))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("--topic.steps");
        assertThatThrownBy(() -> RunJob.configuration(new String[] {"kafka:9092"}))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'kafka:9092'");
    }
}
