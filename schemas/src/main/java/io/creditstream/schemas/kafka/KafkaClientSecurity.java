package io.creditstream.schemas.kafka;

import io.creditstream.schemas.preflight.DidYouMean;
import java.io.IOException;
import java.io.Reader;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The security settings every Kafka client of creditstream connects with (the job's source, sinks
 * and admin calls, the learner, the fleet, the budget client and the snapshot reader), in Kafka's
 * own property names: {@code security.protocol}, {@code sasl.*} and {@code ssl.*}.
 *
 * <p>They come from one place, a Java properties file ({@code --kafka-properties FILE} on the
 * commands, {@code kafka.properties-file} in the job's configuration) or {@code
 * kafka.client.<name>} keys, and are applied on top of every client's own settings with {@link
 * #applyTo(Map)}. Only an allow-listed set of keys is accepted, so a misspelt key fails at start
 * with its name instead of silently connecting without it, and settings that are not about security
 * (bootstrap servers, timeouts, isolation) stay with the code that owns them.
 *
 * <p>Secret values (passwords, JAAS configurations, inline keys) never leave this class in readable
 * form: {@link #toString()}, {@link #describe()} and every error message show them as {@value
 * #MASK}. Immutable and serializable (Flink ships it to the task managers inside the sources and
 * sinks).
 */
public final class KafkaClientSecurity implements Serializable {
    private static final long serialVersionUID = 1L;

    /** How a secret value is shown. */
    public static final String MASK = "******";

    /** The prefix of the job configuration keys that carry one setting each. */
    public static final String CONFIG_PREFIX = "kafka.client.";

    /** The values {@code security.protocol} accepts. */
    public static final List<String> PROTOCOLS =
            List.of("PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL");

    public static final String SECURITY_PROTOCOL = "security.protocol";
    public static final String SASL_MECHANISM = "sasl.mechanism";
    public static final String SASL_JAAS_CONFIG = "sasl.jaas.config";

    /**
     * The keys accepted: Kafka's client security settings. Anything else is refused by name, so a
     * typo cannot leave a client quietly unauthenticated.
     */
    public static final Set<String> ALLOWED_KEYS =
            Collections.unmodifiableSet(
                    new java.util.TreeSet<>(
                            List.of(
                                    SECURITY_PROTOCOL,
                                    SASL_MECHANISM,
                                    SASL_JAAS_CONFIG,
                                    "sasl.kerberos.service.name",
                                    "sasl.client.callback.handler.class",
                                    "sasl.login.callback.handler.class",
                                    "sasl.login.class",
                                    "sasl.login.connect.timeout.ms",
                                    "sasl.login.read.timeout.ms",
                                    "sasl.oauthbearer.token.endpoint.url",
                                    "sasl.oauthbearer.scope.claim.name",
                                    "sasl.oauthbearer.sub.claim.name",
                                    "ssl.protocol",
                                    "ssl.enabled.protocols",
                                    "ssl.provider",
                                    "ssl.cipher.suites",
                                    "ssl.endpoint.identification.algorithm",
                                    "ssl.truststore.type",
                                    "ssl.truststore.location",
                                    "ssl.truststore.password",
                                    "ssl.truststore.certificates",
                                    "ssl.keystore.type",
                                    "ssl.keystore.location",
                                    "ssl.keystore.password",
                                    "ssl.keystore.key",
                                    "ssl.keystore.certificate.chain",
                                    "ssl.key.password",
                                    "ssl.keymanager.algorithm",
                                    "ssl.trustmanager.algorithm",
                                    "ssl.secure.random.implementation",
                                    "ssl.engine.factory.class")));

    /** Keys whose value is a file that must exist when the settings are loaded. */
    private static final Set<String> FILE_KEYS =
            Set.of("ssl.truststore.location", "ssl.keystore.location");

    private static final Pattern JAAS_USERNAME =
            Pattern.compile("username\\s*=\\s*\"([^\"]*)\"", Pattern.CASE_INSENSITIVE);

    private static final KafkaClientSecurity NONE = new KafkaClientSecurity(new TreeMap<>(), null);

    private final TreeMap<String, String> settings;

    /** Where the settings came from, named in messages (a file, or the configuration keys). */
    private final String origin;

    private KafkaClientSecurity(TreeMap<String, String> settings, String origin) {
        this.settings = settings;
        this.origin = origin;
    }

    /** No settings: plaintext, unauthenticated clients (Kafka's defaults). */
    public static KafkaClientSecurity none() {
        return NONE;
    }

    /**
     * Validated settings.
     *
     * @param origin where they came from, e.g. the file name; named in every error
     * @throws IllegalArgumentException naming an unknown key (and the closest allowed one), a bad
     *     {@code security.protocol}, a SASL setting without a SASL protocol, or a missing key or
     *     trust store file
     */
    public static KafkaClientSecurity of(Map<String, String> settings, String origin) {
        TreeMap<String, String> checked = new TreeMap<>();
        String from = origin == null || origin.isBlank() ? "the Kafka client settings" : origin;
        for (Map.Entry<String, String> entry : settings.entrySet()) {
            String key = entry.getKey().trim();
            String value = entry.getValue() == null ? "" : entry.getValue().trim();
            if (!ALLOWED_KEYS.contains(key)) {
                throw new IllegalArgumentException(
                        "unknown Kafka client setting '"
                                + key
                                + "' in "
                                + from
                                + DidYouMean.hint(key, ALLOWED_KEYS)
                                + "; accepted are the security settings "
                                + String.join(", ", ALLOWED_KEYS));
            }
            if (value.isEmpty()) {
                throw new IllegalArgumentException(
                        "Kafka client setting '" + key + "' in " + from + " has no value");
            }
            checked.put(key, value);
        }
        String protocol = checked.get(SECURITY_PROTOCOL);
        if (protocol != null) {
            String upper = protocol.toUpperCase(Locale.ROOT);
            if (!PROTOCOLS.contains(upper)) {
                throw new IllegalArgumentException(
                        SECURITY_PROTOCOL
                                + " in "
                                + from
                                + " is '"
                                + protocol
                                + "'; use one of "
                                + String.join(", ", PROTOCOLS));
            }
            checked.put(SECURITY_PROTOCOL, upper);
        }
        boolean sasl = protocol != null && checked.get(SECURITY_PROTOCOL).startsWith("SASL_");
        for (String key : checked.keySet()) {
            if (key.startsWith("sasl.") && !sasl) {
                throw new IllegalArgumentException(
                        key
                                + " is set in "
                                + from
                                + " but "
                                + SECURITY_PROTOCOL
                                + " is "
                                + (protocol == null ? "not set (PLAINTEXT)" : protocol)
                                + ", so it would be ignored; set "
                                + SECURITY_PROTOCOL
                                + "=SASL_SSL (or SASL_PLAINTEXT)");
            }
        }
        if (sasl && !checked.containsKey(SASL_JAAS_CONFIG)) {
            throw new IllegalArgumentException(
                    SECURITY_PROTOCOL
                            + "="
                            + checked.get(SECURITY_PROTOCOL)
                            + " in "
                            + from
                            + " needs "
                            + SASL_JAAS_CONFIG
                            + " (the client's login), e.g. "
                            + "org.apache.kafka.common.security.scram.ScramLoginModule required"
                            + " username=\"fleet\" password=\"...\";");
        }
        for (String key : FILE_KEYS) {
            String file = checked.get(key);
            if (file != null && !Files.isReadable(Path.of(file))) {
                throw new IllegalArgumentException(
                        key
                                + " in "
                                + from
                                + " names "
                                + file
                                + ", which does not exist or cannot be read");
            }
        }
        return checked.isEmpty() ? NONE : new KafkaClientSecurity(checked, from);
    }

    /**
     * The settings of a Java properties file.
     *
     * @throws IllegalArgumentException when the file cannot be read, or as {@link #of}
     */
    public static KafkaClientSecurity load(Path file) {
        return of(read(file), file.toString());
    }

    /** The key-value pairs of a properties file, unchecked. */
    private static Map<String, String> read(Path file) {
        Properties properties = new Properties();
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            properties.load(reader);
        } catch (IOException e) {
            throw new IllegalArgumentException(
                    "cannot read the Kafka client properties file "
                            + file
                            + ": "
                            + e.getClass().getSimpleName()
                            + " "
                            + e.getMessage(),
                    e);
        }
        Map<String, String> settings = new LinkedHashMap<>();
        properties.stringPropertyNames().forEach(k -> settings.put(k, properties.getProperty(k)));
        return settings;
    }

    /**
     * The settings of a job configuration's flat map: a properties file named by {@code fileKey},
     * then every {@code kafka.client.<name>} key on top of it.
     */
    public static KafkaClientSecurity fromConfig(Map<String, String> config, String fileKey) {
        Map<String, String> merged = new LinkedHashMap<>();
        String file = config.get(fileKey);
        String origin = "the job configuration (" + CONFIG_PREFIX + "*)";
        if (file != null && !file.isBlank()) {
            // Checked once merged: the keys may complete the file (a login kept out of it).
            merged.putAll(read(Path.of(file.trim())));
            origin = file.trim() + " (" + fileKey + ") and " + CONFIG_PREFIX + "* keys";
        }
        config.forEach(
                (key, value) -> {
                    if (key.startsWith(CONFIG_PREFIX)) {
                        merged.put(key.substring(CONFIG_PREFIX.length()), value);
                    }
                });
        return of(merged, origin);
    }

    /** Whether no setting is given (Kafka's plaintext defaults). */
    public boolean isEmpty() {
        return settings.isEmpty();
    }

    /** The settings, unmasked, for building clients; never print this map. */
    public Map<String, String> settings() {
        return Collections.unmodifiableMap(settings);
    }

    /** Puts every setting into a client's configuration, over what it had. */
    public <M extends Map<String, Object>> M applyTo(M clientConfig) {
        clientConfig.putAll(settings);
        return clientConfig;
    }

    /** Puts every setting into a client's properties, over what they had. */
    public Properties applyTo(Properties clientProperties) {
        settings.forEach(clientProperties::setProperty);
        return clientProperties;
    }

    /** A copy of {@code clientConfig} with every setting applied. */
    public Map<String, Object> with(Map<String, ?> clientConfig) {
        return applyTo(new LinkedHashMap<>(clientConfig));
    }

    /** {@code security.protocol}, PLAINTEXT when not set. */
    public String protocol() {
        return settings.getOrDefault(SECURITY_PROTOCOL, "PLAINTEXT");
    }

    /**
     * The principal the broker will see, as far as the settings say: {@code User:<name>} from the
     * JAAS login's {@code username} for SASL, else empty (TLS client certificates and Kerberos are
     * named by the broker's principal mapping).
     */
    public Optional<String> principal() {
        String jaas = settings.get(SASL_JAAS_CONFIG);
        if (jaas == null) {
            return Optional.empty();
        }
        Matcher m = JAAS_USERNAME.matcher(jaas);
        return m.find() ? Optional.of("User:" + m.group(1)) : Optional.empty();
    }

    /** Whether a setting's value is a secret, shown only as {@value #MASK}. */
    public static boolean isSecret(String key) {
        String k = key.toLowerCase(Locale.ROOT);
        return k.contains("password")
                || k.contains("jaas")
                || k.contains("secret")
                || k.contains("token.value")
                || k.endsWith(".key")
                || k.endsWith("apikey");
    }

    /** A value as it may be shown: masked when its key is a secret. */
    public static String shown(String key, String value) {
        return isSecret(key) ? MASK : value;
    }

    /** The settings as they may be shown, secrets masked, in key order. */
    public Map<String, String> masked() {
        Map<String, String> shown = new LinkedHashMap<>();
        settings.forEach((k, v) -> shown.put(k, shown(k, v)));
        return shown;
    }

    /** One line for logs and start-up banners, secrets masked. */
    public String describe() {
        if (settings.isEmpty()) {
            return "PLAINTEXT (no Kafka client security settings)";
        }
        StringBuilder line = new StringBuilder();
        masked().forEach(
                        (k, v) -> {
                            if (line.length() > 0) {
                                line.append(", ");
                            }
                            line.append(k).append('=').append(v);
                        });
        return line.append(" (from ").append(origin).append(')').toString();
    }

    @Override
    public String toString() {
        return "KafkaClientSecurity{" + masked() + "}";
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof KafkaClientSecurity that && settings.equals(that.settings);
    }

    @Override
    public int hashCode() {
        return settings.hashCode();
    }
}
