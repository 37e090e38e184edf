package io.creditstream.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real Prometheus server (the {@code prometheus} binary on the PATH, Debian's package) on a free
 * loopback port with its storage in a temporary directory, and the parts of its HTTP API the tests
 * use. Scrape targets come from file-based service discovery, so a test can point a job at new
 * endpoints without a restart.
 */
final class PrometheusServer implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Process process;
    private final Path log;
    private final URI api;
    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private PrometheusServer(Process process, Path log, URI api) {
        this.process = process;
        this.log = log;
        this.api = api;
    }

    /**
     * Writes a configuration that scrapes every {@code jobs} name from {@code <dir>/<job>.json}
     * (file service discovery) every second and evaluates {@code ruleFiles} every second, and
     * starts Prometheus on it.
     */
    static PrometheusServer start(Path dir, List<String> jobs, List<Path> ruleFiles)
            throws IOException {
        StringBuilder config =
                new StringBuilder(
                        "global:\n  scrape_interval: 1s\n  scrape_timeout: 1s\n"
                                + "  evaluation_interval: 1s\n");
        if (!ruleFiles.isEmpty()) {
            config.append("rule_files:\n");
            for (Path rules : ruleFiles) {
                config.append("  - ").append(rules.toAbsolutePath()).append('\n');
            }
        }
        config.append("scrape_configs:\n");
        for (String job : jobs) {
            Path targets = dir.resolve(job + ".json");
            Files.writeString(targets, "[]");
            config.append("  - job_name: ")
                    .append(job)
                    .append("\n    file_sd_configs:\n      - files: [")
                    .append(targets.toAbsolutePath())
                    .append("]\n        refresh_interval: 1s\n");
        }
        Path configFile = dir.resolve("prometheus.yml");
        Files.writeString(configFile, config.toString());
        int port = freePort();
        Path log = dir.resolve("prometheus.log");
        Process process =
                new ProcessBuilder(
                                "prometheus",
                                "--config.file=" + configFile,
                                "--storage.tsdb.path=" + dir.resolve("data"),
                                "--storage.tsdb.retention.time=1h",
                                "--web.listen-address=127.0.0.1:" + port)
                        .redirectErrorStream(true)
                        .redirectOutput(log.toFile())
                        .start();
        return new PrometheusServer(process, log, URI.create("http://127.0.0.1:" + port + "/"));
    }

    /** Points {@code job} at {@code urls} (each http://host:port/metrics). */
    void setTargets(Path dir, String job, List<String> urls) throws IOException {
        List<String> hosts = new ArrayList<>();
        for (String url : urls) {
            URI uri = URI.create(url);
            hosts.add("\"" + uri.getHost() + ":" + uri.getPort() + "\"");
        }
        Path file = dir.resolve(job + ".json");
        Path next = dir.resolve(job + ".json.next");
        Files.writeString(next, "[{\"targets\": [" + String.join(", ", hosts) + "]}]");
        Files.move(next, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }

    /** Whether the server answers that it is ready; false while it starts. */
    boolean ready() {
        try {
            return http.send(
                                    HttpRequest.newBuilder(api.resolve("-/ready"))
                                            .timeout(Duration.ofSeconds(2))
                                            .build(),
                                    HttpResponse.BodyHandlers.discarding())
                            .statusCode()
                    == 200;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** The result vector (or matrix) of an instant query; fails on an API error. */
    JsonNode query(String promql) throws IOException, InterruptedException {
        JsonNode data =
                get("api/v1/query?query=" + URLEncoder.encode(promql, StandardCharsets.UTF_8));
        return data.get("result");
    }

    /** The largest sample value of an instant query's result, or NaN when it is empty. */
    double max(String promql) throws IOException, InterruptedException {
        double max = Double.NaN;
        for (JsonNode sample : query(promql)) {
            double value = value(sample);
            if (Double.isNaN(max) || value > max) {
                max = value;
            }
        }
        return max;
    }

    /** The value of a sample of an instant query's vector ("NaN", "+Inf" and "-Inf" included). */
    static double value(JsonNode sample) {
        String text = sample.get("value").get(1).asText();
        return switch (text) {
            case "+Inf" -> Double.POSITIVE_INFINITY;
            case "-Inf" -> Double.NEGATIVE_INFINITY;
            default -> Double.parseDouble(text);
        };
    }

    /** Every metric name Prometheus holds. */
    List<String> metricNames() throws IOException, InterruptedException {
        List<String> names = new ArrayList<>();
        get("api/v1/label/__name__/values").forEach(name -> names.add(name.asText()));
        return names;
    }

    /** The active targets: job, scrape URL, health and last error. */
    JsonNode activeTargets() throws IOException, InterruptedException {
        return get("api/v1/targets?state=active").get("activeTargets");
    }

    /** The rule groups loaded, each with its rules' health and last evaluation. */
    JsonNode ruleGroups() throws IOException, InterruptedException {
        return get("api/v1/rules").get("groups");
    }

    private JsonNode get(String path) throws IOException, InterruptedException {
        HttpResponse<String> response =
                http.send(
                        HttpRequest.newBuilder(api.resolve(path))
                                .timeout(Duration.ofSeconds(10))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
        JsonNode body = JSON.readTree(response.body());
        if (!"success".equals(body.path("status").asText())) {
            throw new IllegalStateException(
                    "Prometheus answered " + response.statusCode() + " to " + path + ": " + body);
        }
        return body.get("data");
    }

    boolean isAlive() {
        return process.isAlive();
    }

    /** The end of the server's log, for a failure message. */
    String logTail() {
        try {
            List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(20, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
