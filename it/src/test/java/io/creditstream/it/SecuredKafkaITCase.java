package io.creditstream.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.creditstream.broker.EmbeddedKafkaBroker;
import io.creditstream.broker.SelfSignedKeyStore;
import io.creditstream.policy.cli.PolicyCli;
import io.creditstream.policy.service.PolicySnapshotReader;
import io.creditstream.schemas.AdvantageBatch;
import io.creditstream.schemas.PolicySnapshot;
import io.creditstream.schemas.contract.PolicyProcess;
import io.creditstream.schemas.contract.Topics;
import io.creditstream.schemas.kafka.KafkaClientSecurity;
import io.creditstream.schemas.preflight.PreflightException;
import io.creditstream.streams.JobEnvironment;
import io.creditstream.streams.JobPreflight;
import io.creditstream.streams.RunJob;
import io.creditstream.streams.kafka.KafkaIo;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.resource.ResourceType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The job, the learner and the fleet on a broker that wants SASL_SSL (SCRAM-SHA-512, a self-signed
 * certificate this test makes) and authorizes with KRaft's StandardAuthorizer, each as its own
 * least-privileged principal with its settings in a {@code --kafka-properties} / {@code
 * kafka.properties-file}: steps flow fleet → job → learner → snapshot. A wrong password and a
 * missing ACL end a command at its start with a message naming the setting or the grant, and never
 * the password.
 */
class SecuredKafkaITCase {
    private static final String ADMIN_PASSWORD = "admin-secret-4711";
    private static final String STORE_PASSWORD = "store-secret-4711";
    private static final String GROUP = "creditstream";
    private static final String TRANSACTIONAL_PREFIX = "creditstream";

    /**
     * The start's connect timeout, only a hang guard: a TLS handshake and a SCRAM login (8,192 hash
     * iterations) beside a starting job on a busy 2-core machine took over the default 10 s once. A
     * refused login or grant ends the start as soon as the broker answers.
     */
    private static final String CONNECT_GUARD = HangGuard.EVENT.toSeconds() + "s";

    @TempDir static Path shared;

    private static EmbeddedKafkaBroker kafka;

    @TempDir Path dir;

    @BeforeAll
    static void startSecuredBroker() throws IOException {
        Path tlsDir = Files.createDirectories(shared.resolve("tls"));
        SelfSignedKeyStore tls = SelfSignedKeyStore.create(tlsDir, STORE_PASSWORD);
        kafka =
                EmbeddedKafkaBroker.builder()
                        .saslScram("admin", ADMIN_PASSWORD)
                        .tls(tls.keyStore(), tls.trustStore(), tls.password())
                        .build()
                        .start();
        // The admin (super user) creates the topics: none of the components may.
        kafka.createTopics(2, Topics.STEPS);
        kafka.createTopics(
                1,
                Topics.BATCHES,
                Topics.DEAD_LETTERS,
                Topics.SNAPSHOTS,
                Topics.BUDGET_REQUESTS,
                Topics.BUDGET_ANSWERS);
    }

    @AfterAll
    static void stopBroker() {
        if (kafka != null) {
            kafka.close();
        }
    }

    @Test
    void stepsFlowFromFleetThroughJobAndLearnerToASnapshotUnderLeastPrivilege() throws Exception {
        grantJob("job");
        grantLearner("learner");
        grantFleet("fleet");
        Configuration config = jobConfig(propertiesFile("job", "job-secret"));
        // The preflight connects as the job and finds every grant it needs.
        assertThat(JobPreflight.check(config, 1)).isEmpty();

        JobClient job = RunJob.environment(config).executeAsync("secured-kafka-itcase");
        try (ChildProcess learner =
                        ChildProcess.start(
                                dir.resolve("learner.log"),
                                PolicyProcess.LEARNER,
                                PolicyProcess.BOOTSTRAP_SERVERS,
                                kafka.bootstrapServers(),
                                PolicyProcess.KAFKA_PROPERTIES,
                                propertiesFile("learner", "learner-secret").toString(),
                                PolicyProcess.KAFKA_CONNECT_TIMEOUT,
                                CONNECT_GUARD,
                                PolicyProcess.KAFKA_TIMEOUT,
                                CONNECT_GUARD,
                                PolicyProcess.MAZE,
                                PolicyProcess.MAZE_SMALL,
                                PolicyProcess.STORE,
                                dir.resolve("store").toString(),
                                "--hidden",
                                "16",
                                "--batch-records",
                                "64");
                ChildProcess fleet =
                        ChildProcess.start(
                                dir.resolve("fleet.log"),
                                PolicyProcess.FLEET,
                                PolicyProcess.BOOTSTRAP_SERVERS,
                                kafka.bootstrapServers(),
                                // The fleet loads weights only from the learner's store.
                                PolicyProcess.STORE,
                                dir.resolve("store").toString(),
                                PolicyProcess.KAFKA_PROPERTIES,
                                propertiesFile("fleet", "fleet-secret").toString(),
                                PolicyProcess.KAFKA_CONNECT_TIMEOUT,
                                CONNECT_GUARD,
                                PolicyProcess.KAFKA_TIMEOUT,
                                CONNECT_GUARD,
                                PolicyProcess.MAZE,
                                PolicyProcess.MAZE_SMALL,
                                PolicyProcess.TASKS,
                                "1",
                                PolicyProcess.GROUP_SIZE,
                                "8",
                                // Only a hang guard: the learner's JVM may start slowly.
                                "--snapshot-wait",
                                HangGuard.EVENT.toSeconds() + "s")) {
            // A snapshot after version 0 exists only once the learner trained on a batch the job
            // made from the fleet's steps: every hop of the loop ran under its own principal.
            PolicySnapshot trained = awaitTrainedSnapshot(learner, fleet);
            assertThat(trained.getVersion()).isGreaterThanOrEqualTo(1);
            assertThat(
                            KafkaTestSupport.readCommitted(
                                    kafka,
                                    Topics.BATCHES,
                                    AdvantageBatch.class,
                                    batches -> !batches.isEmpty(),
                                    HangGuard.EVENT))
                    .isNotEmpty();
            assertThat(learner.output() + fleet.output())
                    .doesNotContain("learner-secret")
                    .doesNotContain("fleet-secret");
        } finally {
            job.cancel().get(HangGuard.EVENT.toMillis(), TimeUnit.MILLISECONDS);
            // cancel() returns once the cancel is accepted, while a task may still write its last
            // checkpoint files into dir, which JUnit deletes next (it failed so once): wait for
            // the job's end, which a cancelled job reaches as an exceptional result.
            job.getJobExecutionResult()
                    .handle((result, error) -> null)
                    .get(HangGuard.EVENT.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    @Test
    void aWrongPasswordEndsTheStartNamingTheSettingButNotThePassword() throws Exception {
        kafka.createScramUser("fleet-wrong", "the-right-one");
        Path wrong = propertiesFile("fleet-wrong", "not-the-password-9");

        Result fleet = runPolicyCli(fleetArgs(wrong));
        assertThat(fleet.status()).as(fleet.text()).isEqualTo(4);
        assertThat(fleet.text())
                .contains("refused the connection")
                .contains("sasl.jaas.config")
                .doesNotContain("not-the-password-9");

        Configuration config = jobConfig(wrong);
        assertThatThrownBy(() -> JobPreflight.check(config, 1))
                .isInstanceOf(PreflightException.class)
                .hasMessageContaining("sasl.jaas.config")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("not-the-password-9"));
    }

    @Test
    void aMissingAclEndsTheStartNamingTheGrantAndHowToGiveIt() throws Exception {
        // May read the snapshots, but was never granted Write on the steps.
        kafka.createScramUser("fleet-readonly", "readonly-secret");
        kafka.allow(
                "User:fleet-readonly",
                AclOperation.READ,
                ResourceType.TOPIC,
                Topics.SNAPSHOTS,
                false);
        Result fleet = runPolicyCli(fleetArgs(propertiesFile("fleet-readonly", "readonly-secret")));
        assertThat(fleet.status()).as(fleet.text()).isEqualTo(4);
        assertThat(fleet.text())
                .contains("principal User:fleet-readonly lacks WRITE on topic " + Topics.STEPS)
                .contains(
                        "--allow-principal User:fleet-readonly --operation Write --topic "
                                + Topics.STEPS);

        // The job's principal with every grant but its transactional ids.
        kafka.createScramUser("job-notx", "notx-secret");
        grantJobTopicsAndGroups("job-notx");
        Configuration config = jobConfig(propertiesFile("job-notx", "notx-secret"));
        assertThatThrownBy(() -> JobPreflight.check(config, 1))
                .isInstanceOf(PreflightException.class)
                .hasMessageContaining(
                        "principal User:job-notx lacks WRITE on transactional-id "
                                + TRANSACTIONAL_PREFIX
                                + "*")
                .hasMessageContaining("--resource-pattern-type prefixed");
    }

    // ---- grants: what docs/SECURITY.md lists per component ----------------------------

    private static void grantJob(String user) {
        kafka.createScramUser(user, user + "-secret");
        grantJobTopicsAndGroups(user);
        kafka.allow(
                "User:" + user,
                AclOperation.WRITE,
                ResourceType.TRANSACTIONAL_ID,
                TRANSACTIONAL_PREFIX,
                true);
    }

    private static void grantJobTopicsAndGroups(String user) {
        String principal = "User:" + user;
        kafka.allow(principal, AclOperation.READ, ResourceType.TOPIC, Topics.STEPS, false);
        kafka.allow(principal, AclOperation.READ, ResourceType.TOPIC, Topics.SNAPSHOTS, false);
        kafka.allow(principal, AclOperation.WRITE, ResourceType.TOPIC, Topics.BATCHES, false);
        kafka.allow(principal, AclOperation.WRITE, ResourceType.TOPIC, Topics.DEAD_LETTERS, false);
        // The exactly-once sinks describe the producers open on their topics when they start.
        kafka.allow(principal, AclOperation.READ, ResourceType.TOPIC, Topics.BATCHES, false);
        kafka.allow(principal, AclOperation.READ, ResourceType.TOPIC, Topics.DEAD_LETTERS, false);
        // Budgets are on by default: the job answers the fleets' rounds.
        kafka.allow(
                principal, AclOperation.READ, ResourceType.TOPIC, Topics.BUDGET_REQUESTS, false);
        kafka.allow(
                principal, AclOperation.WRITE, ResourceType.TOPIC, Topics.BUDGET_ANSWERS, false);
        kafka.allow(principal, AclOperation.READ, ResourceType.GROUP, GROUP, true);
    }

    private static void grantLearner(String user) {
        kafka.createScramUser(user, user + "-secret");
        String principal = "User:" + user;
        kafka.allow(principal, AclOperation.READ, ResourceType.TOPIC, Topics.BATCHES, false);
        kafka.allow(principal, AclOperation.READ, ResourceType.TOPIC, Topics.SNAPSHOTS, false);
        kafka.allow(principal, AclOperation.WRITE, ResourceType.TOPIC, Topics.SNAPSHOTS, false);
    }

    private static void grantFleet(String user) {
        kafka.createScramUser(user, user + "-secret");
        String principal = "User:" + user;
        kafka.allow(principal, AclOperation.WRITE, ResourceType.TOPIC, Topics.STEPS, false);
        kafka.allow(principal, AclOperation.READ, ResourceType.TOPIC, Topics.SNAPSHOTS, false);
    }

    // ---- helpers -----------------------------------------------------------------------------

    /** A {@code --kafka-properties} file for {@code user}, as an operator would write it. */
    private Path propertiesFile(String user, String password) throws IOException {
        Properties properties = new Properties();
        properties.putAll(kafka.clientProperties(user, password));
        Path file = dir.resolve(user + ".properties");
        try (OutputStream out = Files.newOutputStream(file)) {
            properties.store(out, "Kafka client settings of " + user);
        }
        return file;
    }

    private Configuration jobConfig(Path propertiesFile) {
        Map<String, String> options = new LinkedHashMap<>();
        options.put("kafka.bootstrap-servers", kafka.bootstrapServers());
        options.put("kafka.properties-file", propertiesFile.toString());
        options.put("kafka.create-topics", "false");
        options.put("kafka.group-id", GROUP);
        options.put("kafka.transactional-id-prefix", TRANSACTIONAL_PREFIX);
        // Without Describe Configs on the cluster the job cannot read the brokers' maximum.
        options.put("kafka.transaction-timeout", "15 min");
        options.put("kafka.connect-timeout", CONNECT_GUARD);
        options.put("batch.max-records", "64");
        options.put("batch.linger", "100 ms");
        options.put("execution.checkpointing.interval", "500 ms");
        options.put("parallelism.default", "1");
        Configuration config =
                JobEnvironment.withDefaults(
                        Configuration.fromMap(options), dir.resolve("checkpoints"));
        assertThat(KafkaIo.clientSecurity(config).protocol()).isEqualTo("SASL_SSL");
        return config;
    }

    private static List<String> fleetArgs(Path properties) {
        return List.of(
                PolicyProcess.FLEET,
                PolicyProcess.BOOTSTRAP_SERVERS,
                kafka.bootstrapServers(),
                PolicyProcess.KAFKA_PROPERTIES,
                properties.toString(),
                PolicyProcess.KAFKA_CONNECT_TIMEOUT,
                CONNECT_GUARD,
                PolicyProcess.MAZE,
                PolicyProcess.MAZE_SMALL);
    }

    private PolicySnapshot awaitTrainedSnapshot(ChildProcess learner, ChildProcess fleet) {
        KafkaClientSecurity admin =
                KafkaClientSecurity.of(kafka.adminClientProperties(), "the admin's settings");
        long deadline = System.nanoTime() + HangGuard.EVENT.toNanos();
        try (PolicySnapshotReader reader =
                new PolicySnapshotReader(
                        kafka.bootstrapServers(),
                        Topics.SNAPSHOTS,
                        HangGuard.EVENT,
                        "secured-itcase",
                        admin)) {
            while (System.nanoTime() < deadline) {
                assertThat(learner.isAlive()).as(learner.output()).isTrue();
                assertThat(fleet.isAlive()).as(fleet.output()).isTrue();
                if (!reader.assignIfPresent()) {
                    continue;
                }
                for (PolicySnapshot snapshot : reader.poll(java.time.Duration.ofMillis(500))) {
                    if (snapshot.getVersion() >= 1) {
                        return snapshot;
                    }
                }
            }
        }
        throw new AssertionError(
                "no trained snapshot within "
                        + HangGuard.EVENT
                        + "\nlearner:\n"
                        + learner.output()
                        + "\nfleet:\n"
                        + fleet.output());
    }

    private static Result runPolicyCli(List<String> args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int status =
                PolicyCli.execute(
                        new PrintWriter(out, true),
                        new PrintWriter(err, true),
                        args.toArray(new String[0]));
        return new Result(status, out + "\n" + err);
    }

    private record Result(int status, String text) {}

    /** The policy module's command line in a child JVM, as the demo starts it. */
    private static final class ChildProcess implements AutoCloseable {
        private final Process process;
        private final Path log;

        private ChildProcess(Process process, Path log) {
            this.process = process;
            this.log = log;
        }

        static ChildProcess start(Path log, String... args) throws IOException {
            List<String> command = new ArrayList<>();
            command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
            command.addAll(PolicyProcess.JVM_OPTIONS);
            command.add("-cp");
            command.add(System.getProperty("java.class.path"));
            command.add(PolicyProcess.MAIN_CLASS);
            command.addAll(List.of(args));
            // A test JVM that dies must not leave it running (one filled the disk with steps).
            command.add(PolicyProcess.EXIT_WITH_PARENT);
            Process process =
                    new ProcessBuilder(command)
                            .redirectErrorStream(true)
                            .redirectOutput(log.toFile())
                            .start();
            return new ChildProcess(process, log);
        }

        boolean isAlive() {
            return process.isAlive();
        }

        String output() {
            try {
                return Files.readString(log, StandardCharsets.UTF_8);
            } catch (IOException e) {
                return "(no output: " + e + ")";
            }
        }

        @Override
        public void close() throws InterruptedException {
            process.destroy();
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
            }
        }
    }
}
