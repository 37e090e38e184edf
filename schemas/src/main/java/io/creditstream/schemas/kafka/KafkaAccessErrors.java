package io.creditstream.schemas.kafka;

import java.util.Optional;
import java.util.Set;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.ClusterAuthorizationException;
import org.apache.kafka.common.errors.GroupAuthorizationException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.errors.TransactionalIdAuthorizationException;

/**
 * Turns Kafka's authentication and authorization failures into one sentence that names the setting
 * or the ACL and the fix. Kafka's own messages name neither the principal nor the operation ("Not
 * authorized to access topics: [agent.steps]"), and a client that retries them looks like a hang;
 * these are non-retriable, so every client stops on the first one.
 */
public final class KafkaAccessErrors {
    private KafkaAccessErrors() {}

    /** The operation a client needs on a resource, in {@code kafka-acls.sh} spelling. */
    public enum Operation {
        READ("Read"),
        WRITE("Write"),
        DESCRIBE("Describe"),
        CREATE("Create"),
        IDEMPOTENT_WRITE("IdempotentWrite");

        private final String aclName;

        Operation(String aclName) {
            this.aclName = aclName;
        }

        /** The name {@code kafka-acls.sh --operation} takes. */
        public String aclName() {
            return aclName;
        }
    }

    /**
     * The sentence for a missing ACL: who lacks what on which resource, and the {@code
     * kafka-acls.sh} call that grants it.
     *
     * @param resourceType {@code topic}, {@code group}, {@code transactional-id} or {@code cluster}
     * @param prefixed whether the grant should be for every name starting with {@code name}
     */
    public static String missingAcl(
            String principal,
            Operation operation,
            String resourceType,
            String name,
            boolean prefixed) {
        String who = principal == null ? "this client's principal" : "principal " + principal;
        String resource =
                resourceType.equals("cluster")
                        ? "the cluster"
                        : resourceType + " " + name + (prefixed ? "*" : "");
        String grant =
                "kafka-acls.sh --bootstrap-server <brokers> --command-config <admin.properties>"
                        + " --add --allow-principal "
                        + (principal == null ? "User:<name>" : principal)
                        + " --operation "
                        + operation.aclName()
                        + (resourceType.equals("cluster")
                                ? " --cluster"
                                : " --" + resourceType + " " + name)
                        + (prefixed ? " --resource-pattern-type prefixed" : "");
        return who + " lacks " + operation.name() + " on " + resource + ": grant it with " + grant;
    }

    /**
     * A message for {@code failure} when it (or a cause) is an authentication or authorization
     * failure, else empty.
     *
     * @param security the settings the failing client used (its principal is named)
     * @param operation what the client was doing to the resource the failure names: {@code READ}
     *     for consumers, {@code WRITE} for producers
     * @param bootstrapServers where the client connected, named in the message
     */
    public static Optional<String> explain(
            Throwable failure,
            KafkaClientSecurity security,
            Operation operation,
            String bootstrapServers) {
        return explain(failure, security, topic -> operation, bootstrapServers);
    }

    /**
     * As above, for a client that reads some topics and writes others: {@code operationOnTopic}
     * says which it does to the topic a denial names.
     */
    public static Optional<String> explain(
            Throwable failure,
            KafkaClientSecurity security,
            java.util.function.Function<String, Operation> operationOnTopic,
            String bootstrapServers) {
        String principal = security.principal().orElse(null);
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof AuthenticationException) {
                return Optional.of(
                        "Kafka at "
                                + bootstrapServers
                                + " refused the login"
                                + (principal == null ? "" : " of " + principal)
                                + " ("
                                + KafkaClientSecurity.SECURITY_PROTOCOL
                                + "="
                                + security.protocol()
                                + security.settings().keySet().stream()
                                        .filter(KafkaClientSecurity.SASL_MECHANISM::equals)
                                        .map(k -> ", " + k + "=" + security.settings().get(k))
                                        .findFirst()
                                        .orElse("")
                                + "): "
                                + t.getMessage()
                                + ". Check the user name and password in "
                                + KafkaClientSecurity.SASL_JAAS_CONFIG
                                + " (and the trust store for TLS) in the Kafka client properties.");
            }
            if (t instanceof TopicAuthorizationException topics) {
                Set<String> names = topics.unauthorizedTopics();
                String name = names.isEmpty() ? "<topic>" : String.join(",", names);
                return Optional.of(
                        missingAcl(principal, operationOnTopic.apply(name), "topic", name, false));
            }
            if (t instanceof GroupAuthorizationException group) {
                String name = group.groupId() == null ? "<group>" : group.groupId();
                return Optional.of(missingAcl(principal, Operation.READ, "group", name, false));
            }
            if (t instanceof TransactionalIdAuthorizationException) {
                return Optional.of(
                        missingAcl(
                                        principal,
                                        Operation.WRITE,
                                        "transactional-id",
                                        "<transactional-id-prefix>",
                                        true)
                                + " ("
                                + t.getMessage()
                                + ")");
            }
            if (t instanceof ClusterAuthorizationException) {
                return Optional.of(
                        missingAcl(principal, Operation.IDEMPOTENT_WRITE, "cluster", null, false)
                                + " ("
                                + t.getMessage()
                                + ")");
            }
            if (t instanceof AuthorizationException) {
                return Optional.of(
                        (principal == null ? "this client's principal" : principal)
                                + " is not authorized: "
                                + t.getMessage()
                                + "; grant the ACL with kafka-acls.sh (docs/SECURITY.md lists"
                                + " what each component needs)");
            }
        }
        return Optional.empty();
    }
}
