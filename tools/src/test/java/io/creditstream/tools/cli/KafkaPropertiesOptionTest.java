package io.creditstream.tools.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.creditstream.schemas.kafka.KafkaClientSecurity;
import io.creditstream.streams.kafka.KafkaIo;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.flink.configuration.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --kafka-properties} and {@code kafka.client.*} on the job's commands: the settings reach
 * the configuration, a misspelt key fails naming it, {@code options} shows them with the secrets
 * masked, and the commands with their own plaintext broker refuse them.
 */
class KafkaPropertiesOptionTest {
    private static final String PASSWORD = "never-printed-0815";

    @TempDir Path dir;

    @Test
    void theFileAndSingleKeysReachTheJobsConfiguration() throws Exception {
        ConfigMixin mixin = new ConfigMixin();
        mixin.kafkaProperties = file("security.protocol=SASL_PLAINTEXT\nsasl.mechanism=PLAIN\n");
        mixin.properties.put("kafka.client.sasl.jaas.config", jaas());

        Configuration config = mixin.configuration();
        KafkaClientSecurity security = KafkaIo.clientSecurity(config);
        assertThat(security.settings())
                .containsEntry("security.protocol", "SASL_PLAINTEXT")
                .containsEntry("sasl.mechanism", "PLAIN")
                .containsEntry("sasl.jaas.config", jaas());
        assertThat(security.describe()).doesNotContain(PASSWORD);
    }

    @Test
    void aMisspeltKafkaClientKeyFailsNamingIt() throws Exception {
        ConfigMixin mixin = new ConfigMixin();
        mixin.kafkaProperties = file("security.protocol=SSL\nssl.trustsore.location=/x\n");
        assertThatThrownBy(mixin::configuration)
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'ssl.trustsore.location'")
                .hasMessageContaining("did you mean 'ssl.truststore.location'?");
    }

    @Test
    void optionsListsTheGivenSettingsWithTheSecretsMasked() throws Exception {
        Path file =
                file(
                        "security.protocol=SASL_PLAINTEXT\nsasl.mechanism=SCRAM-SHA-512\n"
                                + "sasl.jaas.config="
                                + jaas()
                                + "\n");
        OptionsCommand options = new OptionsCommand();
        options.config = new ConfigMixin();
        options.config.kafkaProperties = file;
        java.io.ByteArrayOutputStream printed = new java.io.ByteArrayOutputStream();
        java.io.PrintStream original = System.out;
        System.setOut(new java.io.PrintStream(printed, true, "UTF-8"));
        try {
            assertThat(options.call()).isZero();
        } finally {
            System.setOut(original);
        }
        String text = printed.toString("UTF-8");
        assertThat(text)
                .contains("Kafka client settings given (secrets masked):")
                .contains("sasl.jaas.config=" + KafkaClientSecurity.MASK)
                .contains("sasl.mechanism=SCRAM-SHA-512")
                .doesNotContain(PASSWORD);
    }

    @Test
    void aCommandWithItsOwnPlaintextBrokerRefusesTheSettings() throws Exception {
        ConfigMixin mixin = new ConfigMixin();
        mixin.kafkaProperties = file("security.protocol=SSL\n");
        assertThatThrownBy(() -> mixin.configurationWithOwnBroker("demo"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("demo runs its own plaintext Kafka broker")
                .hasMessageContaining("--kafka-properties");
    }

    private Path file(String text) throws Exception {
        return Files.writeString(dir.resolve("client.properties"), text);
    }

    private static String jaas() {
        return "org.apache.kafka.common.security.plain.PlainLoginModule required"
                + " username=\"job\" password=\""
                + PASSWORD
                + "\";";
    }
}
