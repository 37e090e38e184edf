import io.creditstream.broker.EmbeddedKafkaBroker;
import io.creditstream.broker.SelfSignedKeyStore;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.resource.ResourceType;

/**
 * The secured broker of the Python client's SCRAM test, run by pytest as a single-file source
 * program on the launcher's jar: the embedded broker with a SASL_SSL listener (SCRAM-SHA-512, a
 * self-signed key store made with keytool) and KRaft's StandardAuthorizer, as SecuredKafkaITCase
 * runs it. Creates the user {@code py}, the topic {@code py.secured} and py's grants on it and on
 * the group prefix {@code py-secured}; checks that a Java client logs in as py; writes {@code
 * py.properties} (Kafka's names, the CA as PEM for librdkafka) and a variant with a wrong password
 * into the directory given as the first argument, with an unrelated certificate in {@code
 * other-ca/broker.pem}, prints {@code READY <bootstrap servers>}, and stops when its standard input ends.
 */
public final class SecuredBroker {
    static final String USER = "py";
    static final String TOPIC = "py.secured";
    static final String GROUP_PREFIX = "py-secured";

    public static void main(String[] args) throws Exception {
        Path dir = Files.createDirectories(Path.of(args[0]));
        SelfSignedKeyStore tls =
                SelfSignedKeyStore.create(Files.createDirectories(dir.resolve("tls")), "store-pass");
        // A certificate the broker does not use: a trust store holding only it must fail TLS.
        SelfSignedKeyStore.create(Files.createDirectories(dir.resolve("other-ca")), "store-pass");
        String password = "py-secret-" + Long.toHexString(System.nanoTime());
        try (EmbeddedKafkaBroker kafka =
                EmbeddedKafkaBroker.builder()
                        .saslScram("admin", "admin-secret")
                        .tls(tls.keyStore(), tls.trustStore(), tls.password())
                        .build()
                        .start()) {
            kafka.createScramUser(USER, password);
            kafka.createTopics(1, TOPIC);
            String principal = "User:" + USER;
            kafka.allow(principal, AclOperation.READ, ResourceType.TOPIC, TOPIC, false);
            kafka.allow(principal, AclOperation.WRITE, ResourceType.TOPIC, TOPIC, false);
            kafka.allow(principal, AclOperation.READ, ResourceType.GROUP, GROUP_PREFIX, true);

            // The same user and password work for Kafka's own client: what Python sees is its own.
            Map<String, Object> javaClient = new HashMap<>(kafka.clientProperties(USER, password));
            javaClient.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
            try (Admin admin = Admin.create(javaClient)) {
                admin.describeTopics(List.of(TOPIC)).allTopicNames().get();
            }

            Map<String, String> python = new LinkedHashMap<>();
            python.putAll(kafka.clientProperties(USER, password));
            python.remove("ssl.truststore.password");
            python.put("ssl.truststore.type", "PEM");
            python.put("ssl.truststore.location", tls.certificatePem().toString());
            python.put("ssl.endpoint.identification.algorithm", "https");
            StringBuilder file = new StringBuilder("# Written by SecuredBroker.java\n");
            python.forEach((k, v) -> file.append(k).append('=').append(v).append('\n'));
            Files.writeString(dir.resolve("py.properties"), file, StandardCharsets.UTF_8);
            Files.writeString(
                    dir.resolve("wrong-password.properties"),
                    file.toString().replace(password, "not-" + password),
                    StandardCharsets.UTF_8);

            System.out.println("READY " + kafka.bootstrapServers());
            System.out.flush();
            while (System.in.read() >= 0) {
                // Until pytest closes the pipe (or dies).
            }
        }
    }
}
