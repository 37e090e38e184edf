package io.creditstream.schemas.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.common.errors.GroupAuthorizationException;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KafkaClientSecurityTest {
    private static final String PASSWORD = "s3cr3t-pa55";
    private static final String JAAS =
            "org.apache.kafka.common.security.scram.ScramLoginModule required"
                    + " username=\"fleet\" password=\""
                    + PASSWORD
                    + "\";";

    @TempDir Path dir;

    @Test
    void loadsAPropertiesFileAndAppliesItOverAClientsOwnSettings() throws Exception {
        Path trust = Files.writeString(dir.resolve("truststore.p12"), "not read here");
        Path file =
                Files.writeString(
                        dir.resolve("client.properties"),
                        "security.protocol=sasl_ssl\n"
                                + "sasl.mechanism=SCRAM-SHA-512\n"
                                + "sasl.jaas.config="
                                + JAAS
                                + "\n"
                                + "ssl.truststore.location="
                                + trust
                                + "\n"
                                + "ssl.truststore.password="
                                + PASSWORD
                                + "\n");
        KafkaClientSecurity security = KafkaClientSecurity.load(file);

        assertThat(security.protocol()).isEqualTo("SASL_SSL");
        assertThat(security.principal()).contains("User:fleet");
        Map<String, Object> client = new HashMap<>();
        client.put("bootstrap.servers", "b:9093");
        client.put("security.protocol", "PLAINTEXT");
        security.applyTo(client);
        assertThat(client)
                .containsEntry("bootstrap.servers", "b:9093")
                .containsEntry("security.protocol", "SASL_SSL")
                .containsEntry("sasl.jaas.config", JAAS)
                .containsEntry("ssl.truststore.password", PASSWORD);
        assertThat(security.applyTo(new Properties()))
                .containsEntry("sasl.mechanism", "SCRAM-SHA-512");
    }

    @Test
    void secretsAreMaskedWhereverTheSettingsArePrinted() {
        KafkaClientSecurity security = secured(Map.of("ssl.keystore.password", PASSWORD));

        assertThat(security.toString()).doesNotContain(PASSWORD).contains(KafkaClientSecurity.MASK);
        assertThat(security.describe())
                .doesNotContain(PASSWORD)
                .contains("security.protocol=SASL_SSL")
                .contains("sasl.jaas.config=" + KafkaClientSecurity.MASK)
                .contains("ssl.keystore.password=" + KafkaClientSecurity.MASK);
        assertThat(security.masked().values()).doesNotContain(PASSWORD, JAAS);
        assertThat(KafkaClientSecurity.isSecret("ssl.key.password")).isTrue();
        assertThat(KafkaClientSecurity.isSecret("ssl.keystore.key")).isTrue();
        assertThat(KafkaClientSecurity.isSecret("ssl.truststore.location")).isFalse();
        // A record holding the settings prints them masked too.
        record Holder(KafkaClientSecurity security) {}
        assertThat(new Holder(security).toString()).doesNotContain(PASSWORD);
    }

    @Test
    void aMisspeltKeyFailsNamingItAndTheClosestOne() {
        Map<String, String> settings = new LinkedHashMap<>();
        settings.put("security.protocol", "SASL_SSL");
        settings.put("sasl.mechansim", "SCRAM-SHA-512");
        assertThatThrownBy(() -> KafkaClientSecurity.of(settings, "client.properties"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("unknown Kafka client setting 'sasl.mechansim'")
                .hasMessageContaining("in client.properties")
                .hasMessageContaining("did you mean 'sasl.mechanism'?");
        // Not a security setting: it belongs to the code that builds the client.
        assertThatThrownBy(
                        () ->
                                KafkaClientSecurity.of(
                                        Map.of("bootstrap.servers", "x:1"), "client.properties"))
                .hasMessageContaining("'bootstrap.servers'");
    }

    @Test
    void inconsistentSettingsFailNamingTheSettingAndTheFixButNeverTheSecret() {
        assertThatThrownBy(() -> KafkaClientSecurity.of(Map.of("security.protocol", "TLS"), "f"))
                .hasMessageContaining("security.protocol in f is 'TLS'")
                .hasMessageContaining("SASL_SSL");
        assertThatThrownBy(() -> KafkaClientSecurity.of(Map.of("sasl.jaas.config", JAAS), "f"))
                .hasMessageContaining(
                        "sasl.jaas.config is set in f but security.protocol is not set")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain(PASSWORD));
        assertThatThrownBy(
                        () -> KafkaClientSecurity.of(Map.of("security.protocol", "SASL_SSL"), "f"))
                .hasMessageContaining("needs sasl.jaas.config");
        assertThatThrownBy(
                        () ->
                                KafkaClientSecurity.of(
                                        Map.of(
                                                "security.protocol",
                                                "SSL",
                                                "ssl.truststore.location",
                                                dir.resolve("absent.p12").toString()),
                                        "f"))
                .hasMessageContaining("ssl.truststore.location in f names")
                .hasMessageContaining("does not exist");
    }

    @Test
    void theJobConfigurationTakesAFileAndSingleKeysOnTop() throws Exception {
        Path file =
                Files.writeString(
                        dir.resolve("job.properties"),
                        "security.protocol=SASL_PLAINTEXT\nsasl.mechanism=PLAIN\n",
                        StandardCharsets.UTF_8);
        Map<String, String> config = new HashMap<>();
        config.put("kafka.properties-file", file.toString());
        config.put("kafka.client.sasl.mechanism", "SCRAM-SHA-256");
        config.put("kafka.client.sasl.jaas.config", JAAS);
        config.put("kafka.group-id", "not a client setting");

        KafkaClientSecurity security =
                KafkaClientSecurity.fromConfig(config, "kafka.properties-file");
        assertThat(security.settings())
                .containsOnlyKeys("security.protocol", "sasl.mechanism", "sasl.jaas.config")
                .containsEntry("sasl.mechanism", "SCRAM-SHA-256");
        assertThat(KafkaClientSecurity.fromConfig(Map.of(), "kafka.properties-file").isEmpty())
                .isTrue();

        config.put("kafka.client.sasl.jaas.confg", "x");
        assertThatThrownBy(() -> KafkaClientSecurity.fromConfig(config, "kafka.properties-file"))
                .hasMessageContaining("'sasl.jaas.confg'")
                .hasMessageContaining("kafka.client.*");
    }

    @Test
    void survivesJavaSerializationAsFlinkShipsIt() throws Exception {
        KafkaClientSecurity security = secured(Map.of());
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(security);
        }
        try (ObjectInputStream in =
                new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
            assertThat(in.readObject()).isEqualTo(security);
        }
    }

    @Test
    void accessErrorsNameThePrincipalTheGrantAndHowToGiveIt() {
        KafkaClientSecurity security = secured(Map.of());
        assertThat(
                        KafkaAccessErrors.explain(
                                new TopicAuthorizationException(java.util.Set.of("agent.steps")),
                                security,
                                KafkaAccessErrors.Operation.WRITE,
                                "b:9093"))
                .hasValueSatisfying(
                        m ->
                                assertThat(m)
                                        .startsWith(
                                                "principal User:fleet lacks WRITE on topic"
                                                        + " agent.steps: grant it with kafka-acls.sh")
                                        .contains("--operation Write --topic agent.steps"));
        assertThat(
                        KafkaAccessErrors.explain(
                                new GroupAuthorizationException("denied", "creditstream"),
                                security,
                                KafkaAccessErrors.Operation.READ,
                                "b:9093"))
                .hasValueSatisfying(m -> assertThat(m).contains("READ on group creditstream"));
        assertThat(
                        KafkaAccessErrors.explain(
                                new SaslAuthenticationException("invalid credentials"),
                                security,
                                KafkaAccessErrors.Operation.READ,
                                "b:9093"))
                .hasValueSatisfying(
                        m ->
                                assertThat(m)
                                        .contains("refused the login of User:fleet")
                                        .contains("sasl.mechanism=SCRAM-SHA-512")
                                        .contains("sasl.jaas.config")
                                        .doesNotContain(PASSWORD));
        assertThat(
                        KafkaAccessErrors.explain(
                                new IllegalStateException("other"),
                                security,
                                KafkaAccessErrors.Operation.READ,
                                "b:9093"))
                .isEmpty();
    }

    private static KafkaClientSecurity secured(Map<String, String> extra) {
        Map<String, String> settings = new LinkedHashMap<>();
        settings.put("security.protocol", "SASL_SSL");
        settings.put("sasl.mechanism", "SCRAM-SHA-512");
        settings.put("sasl.jaas.config", JAAS);
        settings.putAll(extra);
        return KafkaClientSecurity.of(settings, "test settings");
    }
}
