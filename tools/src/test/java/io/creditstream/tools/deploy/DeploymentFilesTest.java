package io.creditstream.tools.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import io.creditstream.cluster.metrics.LoopbackPrometheusReporterFactory;
import io.creditstream.streams.options.ConfigLoader;
import io.creditstream.streams.options.CreditstreamOptions;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.GlobalConfiguration;
import org.apache.flink.container.entrypoint.StandaloneApplicationClusterConfigurationParserFactory;
import org.apache.flink.metrics.reporter.MetricReporterFactory;
import org.apache.flink.runtime.entrypoint.ClusterConfiguration;
import org.apache.flink.runtime.entrypoint.parser.CommandLineParser;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/**
 * The deployment files parse and say what they must: {@code flink-conf/config.yaml} as Flink itself
 * loads it, {@code docker/docker-compose.yml} as Compose reads it (anchors and merge keys resolved;
 * the JobManager's command parsed by the standalone-job entrypoint's own parser), and the
 * Kubernetes manifest. No Docker engine or Kubernetes cluster runs here; docs/CLUSTER-deploy.md
 * says what was not run.
 */
class DeploymentFilesTest {
    private static final Path ROOT = Path.of("..");
    private static final String JOB_CLASS = "io.creditstream.streams.RunJob";
    private static final String USRLIB_JAR = "/opt/flink/usrlib/creditstream-job.jar";
    private static final String REPORTER_JAR =
            "cluster/target/flink-lib/creditstream-cluster-0.1.0-SNAPSHOT-prometheus-reporter.jar";
    private static final String REPORTER_PLUGIN =
            "/opt/flink/plugins/metrics-prometheus/creditstream-prometheus-reporter.jar";

    @Test
    void flinkConfBindsEveryEndpointToLoopbackAndKeepsTheStateSettings() throws Exception {
        Configuration config =
                GlobalConfiguration.loadConfiguration(ROOT.resolve("flink-conf").toString());

        for (String key :
                List.of(
                        "rest.address",
                        "rest.bind-address",
                        "jobmanager.rpc.address",
                        "jobmanager.bind-host",
                        "taskmanager.bind-host",
                        "metrics.reporter.prom.host")) {
            String value = config.getString(key, null);
            assertThat(value).as(key).isNotNull();
            assertThat(InetAddress.getByName(value).isLoopbackAddress())
                    .as("%s=%s is loopback", key, value)
                    .isTrue();
        }
        assertThat(config.getString("taskmanager.host", null))
                .as("taskmanager.host stays unset, so a TaskManager advertises its own address")
                .isNull();
        assertThat(config.getString("state.backend.type", null)).isEqualTo("rocksdb");
        assertThat(config.getString("execution.checkpointing.incremental", null)).isEqualTo("true");
        assertThat(config.getString("execution.checkpointing.mode", null))
                .isEqualTo("EXACTLY_ONCE");
        // Flink's own reporter binds every interface whatever the config says.
        assertThat(config.getString("metrics.reporter.prom.factory.class", null))
                .isEqualTo(LoopbackPrometheusReporterFactory.class.getName());
        // Flink finds a reporter factory through the service loader, and only warns if it cannot.
        assertThat(ServiceLoader.load(MetricReporterFactory.class).stream())
                .anyMatch(p -> p.type() == LoopbackPrometheusReporterFactory.class);
        assertThat(ROOT.resolve(REPORTER_JAR))
                .as("the reporter jar the cluster build makes")
                .exists();
    }

    @Test
    void composePassesTheJobItsArgumentsMountsOneJarAndPublishesOnlyOnLoopback() throws Exception {
        Map<String, Object> compose = yaml(ROOT.resolve("docker/docker-compose.yml"));
        Map<String, Object> services = map(compose.get("services"));

        // Published ports: host loopback only.
        services.forEach(
                (name, service) -> {
                    for (Object port : list(map(service).getOrDefault("ports", List.of()))) {
                        assertThat(port.toString())
                                .as("published port of %s", name)
                                .startsWith("127.0.0.1:");
                    }
                });

        Map<String, Object> jobmanager = map(services.get("jobmanager"));
        List<String> command = strings(jobmanager.get("command"));
        assertThat(command.get(0)).isEqualTo("standalone-job");
        // standalone-job.sh passes --configDir, then the rest of the command, to the entrypoint.
        List<String> entrypointArgs = new ArrayList<>(List.of("--configDir", "/opt/flink/conf"));
        entrypointArgs.addAll(command.subList(1, command.size()));
        ClusterConfiguration parsed = parseAsStandaloneJob(entrypointArgs);
        assertThat(command).containsSequence("--job-classname", JOB_CLASS);
        assertThat(parsed.getDynamicProperties())
                .as("no job option may end up as cluster configuration")
                .isEmpty();
        List<String> programArgs = List.of(parsed.getArgs());
        assertThat(programArgs)
                .contains(
                        "-Dkafka.bootstrap-servers=kafka-1:9092,kafka-2:9092,kafka-3:9092",
                        "-Dkafka.topic-replication-factor=3");
        // RunJob's main takes -Dkey=value; the job's own loader accepts every one of them.
        Map<String, String> overrides = new LinkedHashMap<>();
        for (String arg : programArgs) {
            assertThat(arg).as("program argument").startsWith("-D").contains("=");
            overrides.put(arg.substring(2, arg.indexOf('=')), arg.substring(arg.indexOf('=') + 1));
        }
        Configuration jobConfig = ConfigLoader.load(null, overrides);
        assertThat(jobConfig.get(CreditstreamOptions.TOPIC_REPLICATION_FACTOR)).isEqualTo(3);

        String jar = "../streams/target/creditstream-streams-" + projectVersion() + "-job.jar";
        for (String name : List.of("jobmanager", "taskmanager")) {
            Map<String, Object> service = map(services.get(name));
            List<String> volumes = strings(service.get("volumes"));
            List<String> userJars =
                    volumes.stream().filter(v -> v.contains(":/opt/flink/usrlib")).toList();
            assertThat(userJars)
                    .as("%s mounts exactly one jar on the user class path", name)
                    .containsExactly("${CREDITSTREAM_JOB_JAR:-" + jar + "}:" + USRLIB_JAR + ":ro");
            assertThat(volumes)
                    .as(
                            "%s: the image's entrypoint rewrites conf/, so nothing is mounted there",
                            name)
                    .noneMatch(v -> v.contains(":/opt/flink/conf"))
                    .contains("../flink-conf/config.yaml:/creditstream/config.yaml:ro");
            assertThat(String.join(" ", strings(service.get("entrypoint"))))
                    .contains("cp /creditstream/config.yaml \"$$FLINK_HOME/conf/config.yaml\"")
                    .contains("exec /docker-entrypoint.sh");
            Map<String, Object> environment = map(service.get("environment"));
            assertThat(environment)
                    .as("%s: the image ships the Prometheus reporter in plugins/ already", name)
                    .doesNotContainKey("ENABLE_BUILT_IN_PLUGINS");
            assertThat(environment.get("JOB_MANAGER_RPC_ADDRESS")).isEqualTo("jobmanager");
            for (String line :
                    environment.getOrDefault("FLINK_PROPERTIES", "").toString().split("\n")) {
                if (line.trim().startsWith("rest.")) {
                    assertThat(line).as("REST binding").doesNotContain("0.0.0.0");
                }
            }
            // Prometheus scrapes the reporter over the compose network (the port is unpublished).
            assertThat(environment.get("FLINK_PROPERTIES").toString())
                    .as("%s: the reporter's interface", name)
                    .contains("metrics.reporter.prom.host: 0.0.0.0");
            assertThat(volumes)
                    .as("%s: the reporter in Flink's plugin directory", name)
                    .contains(
                            "${CREDITSTREAM_REPORTER_JAR:-../"
                                    + REPORTER_JAR
                                    + "}:"
                                    + REPORTER_PLUGIN
                                    + ":ro");
        }
    }

    @Test
    void composeRunsThreeBrokersReplicatingEveryTopicThreeTimes() throws Exception {
        Map<String, Object> services =
                map(yaml(ROOT.resolve("docker/docker-compose.yml")).get("services"));
        List<String> voters = new ArrayList<>();
        for (int id = 1; id <= 3; id++) {
            Map<String, Object> environment =
                    map(map(services.get("kafka-" + id)).get("environment"));
            assertThat(environment.get("KAFKA_NODE_ID")).isEqualTo(id);
            assertThat(environment.get("KAFKA_DEFAULT_REPLICATION_FACTOR")).isEqualTo(3);
            assertThat(environment.get("KAFKA_MIN_INSYNC_REPLICAS")).isEqualTo(2);
            assertThat(environment.get("KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR")).isEqualTo(3);
            assertThat(environment.get("KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR"))
                    .isEqualTo(3);
            assertThat(environment.get("KAFKA_TRANSACTION_STATE_LOG_MIN_ISR")).isEqualTo(2);
            assertThat(environment.get("CLUSTER_ID"))
                    .isEqualTo(
                            map(map(services.get("kafka-1")).get("environment")).get("CLUSTER_ID"));
            voters.add(environment.get("KAFKA_CONTROLLER_QUORUM_VOTERS").toString());
            // The host listener advertises the port compose publishes.
            int hostPort = 29091 + id;
            assertThat(environment.get("KAFKA_ADVERTISED_LISTENERS").toString())
                    .contains("PLAINTEXT://kafka-" + id + ":9092")
                    .contains("HOST://127.0.0.1:" + hostPort);
            assertThat(environment.get("KAFKA_LISTENERS").toString())
                    .contains("HOST://:" + hostPort);
            assertThat(strings(map(services.get("kafka-" + id)).get("ports")))
                    .containsExactly("127.0.0.1:" + hostPort + ":" + hostPort);
        }
        assertThat(voters).containsOnly("1@kafka-1:9093,2@kafka-2:9093,3@kafka-3:9093");
    }

    @Test
    void theKubernetesManifestRunsTheJarWithRocksDbCheckpointsAndSavepointUpgrades()
            throws Exception {
        Map<String, Object> deployment = null;
        for (Object document :
                new Yaml()
                        .loadAll(
                                Files.readString(
                                        ROOT.resolve("deploy/k8s/flinkdeployment.yaml"),
                                        StandardCharsets.UTF_8))) {
            if ("FlinkDeployment".equals(map(document).get("kind"))) {
                deployment = map(document);
            }
        }
        assertThat(deployment).as("a FlinkDeployment").isNotNull();
        assertThat(deployment.get("apiVersion")).isEqualTo("flink.apache.org/v1beta1");
        Map<String, Object> spec = map(deployment.get("spec"));
        assertThat(spec.get("flinkVersion")).isEqualTo("v2_2");
        Map<String, Object> flink = map(spec.get("flinkConfiguration"));
        assertThat(flink.get("state.backend.type")).isEqualTo("rocksdb");
        assertThat(flink.get("execution.checkpointing.incremental")).isEqualTo("true");
        assertThat(flink.get("execution.checkpointing.mode")).isEqualTo("EXACTLY_ONCE");
        assertThat(flink)
                .containsKeys(
                        "execution.checkpointing.interval",
                        "execution.checkpointing.dir",
                        "execution.checkpointing.savepoint-dir");
        Map<String, Object> job = map(spec.get("job"));
        assertThat(job.get("jarURI")).isEqualTo("local://" + USRLIB_JAR);
        assertThat(job.get("entryClass")).isEqualTo(JOB_CLASS);
        assertThat(job.get("upgradeMode")).isEqualTo("savepoint");
        assertThat(strings(job.get("args")))
                .anyMatch(a -> a.startsWith("-Dkafka.bootstrap-servers="))
                .contains("-Dkafka.topic-replication-factor=3");
        assertThat(flink.get("metrics.reporter.prom.factory.class"))
                .isEqualTo(LoopbackPrometheusReporterFactory.class.getName());
        assertThat(flink.get("metrics.reporter.prom.host")).isEqualTo("0.0.0.0");
        // The image the manifest names puts the job jar where jarURI points, and the reporter
        // where Flink loads plugins.
        assertThat(Files.readString(ROOT.resolve("deploy/k8s/Dockerfile"), StandardCharsets.UTF_8))
                .contains(
                        "streams/target/creditstream-streams-"
                                + projectVersion()
                                + "-job.jar "
                                + USRLIB_JAR)
                .contains(REPORTER_JAR + " " + REPORTER_PLUGIN);
    }

    /**
     * What the standalone-job entrypoint makes of its arguments; its result class is package
     * private, hence the raw parser and the public supertype.
     */
    @SuppressWarnings({"rawtypes", "unchecked"})
    private static ClusterConfiguration parseAsStandaloneJob(List<String> args) throws Exception {
        CommandLineParser parser =
                new CommandLineParser(new StandaloneApplicationClusterConfigurationParserFactory());
        return (ClusterConfiguration) parser.parse(args.toArray(String[]::new));
    }

    private static String projectVersion() throws Exception {
        String pom = Files.readString(ROOT.resolve("pom.xml"), StandardCharsets.UTF_8);
        Matcher version =
                Pattern.compile(
                                "<artifactId>creditstream-parent</artifactId>\\s*<version>([^<]+)</version>")
                        .matcher(pom);
        assertThat(version.find()).as("the parent pom's version").isTrue();
        return version.group(1);
    }

    private static Map<String, Object> yaml(Path file) throws Exception {
        return map(new Yaml().load(Files.readString(file, StandardCharsets.UTF_8)));
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object value) {
        assertThat(value).isInstanceOf(Map.class);
        return (Map<String, Object>) value;
    }

    private static List<?> list(Object value) {
        assertThat(value).isInstanceOf(List.class);
        return (List<?>) value;
    }

    private static List<String> strings(Object value) {
        return list(value).stream().map(String::valueOf).toList();
    }
}
