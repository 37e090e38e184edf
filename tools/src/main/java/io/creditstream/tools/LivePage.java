package io.creditstream.tools;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/**
 * The demo's live page on the loopback interface: a page, its script and style (served from this
 * jar, nothing fetched from elsewhere) and {@code data.json}, the figures the demo last published.
 * The page polls the figures every second and draws the learning curve and the credit figures.
 */
public final class LivePage implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String RESOURCES = "/io/creditstream/tools/live/";
    private static final Map<String, String> FILES =
            Map.of(
                    "/", "index.html",
                    "/index.html", "index.html",
                    "/live.js", "live.js",
                    "/live.css", "live.css");

    /**
     * What the page shows. {@code curve}: [episodes, success rate over the last 200]; {@code
     * credit}: [seconds, advantage std, zero-variance group ratio, anchor singleton ratio].
     */
    public record Figures(
            String estimator,
            double elapsedSeconds,
            long episodes,
            double successRate,
            double meanLength,
            long policyVersion,
            long snapshots,
            double advantageStd,
            double zeroVarianceRatio,
            double anchorSingletonRatio,
            double staleDropped,
            List<double[]> curve,
            List<double[]> credit) {}

    private final HttpServer server;
    private volatile byte[] data = "{}".getBytes(StandardCharsets.UTF_8);

    private LivePage(HttpServer server) {
        this.server = server;
    }

    /** Serves the page on 127.0.0.1 at a free port. */
    public static LivePage start() {
        try {
            HttpServer server =
                    HttpServer.create(
                            new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
            LivePage page = new LivePage(server);
            server.createContext("/", page::handle);
            server.start();
            return page;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot serve the live page on loopback", e);
        }
    }

    /** The page's address, e.g. {@code http://127.0.0.1:41234/}. */
    public String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/";
    }

    /** Publishes new figures; the page shows them at its next poll. */
    public void publish(Figures figures) {
        Map<String, Object> fields = new java.util.LinkedHashMap<>();
        fields.put("estimator", figures.estimator());
        fields.put("elapsed_seconds", Math.round(figures.elapsedSeconds()));
        fields.put("episodes", figures.episodes());
        fields.put("success_rate", finiteOrNull(figures.successRate()));
        fields.put("mean_length", finiteOrNull(figures.meanLength()));
        fields.put("policy_version", figures.policyVersion());
        fields.put("snapshots", figures.snapshots());
        fields.put("advantage_std", finiteOrNull(figures.advantageStd()));
        fields.put("zero_variance_ratio", finiteOrNull(figures.zeroVarianceRatio()));
        fields.put("anchor_singleton_ratio", finiteOrNull(figures.anchorSingletonRatio()));
        fields.put("stale_dropped", finiteOrNull(figures.staleDropped()));
        fields.put("curve", finitePoints(figures.curve()));
        fields.put("credit", finitePoints(figures.credit()));
        try {
            data = JSON.writeValueAsBytes(fields);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("numbers and strings always serialize", e);
        }
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String path = exchange.getRequestURI().getPath();
            byte[] body;
            String type;
            if (path.equals("/data.json")) {
                body = data;
                type = "application/json";
            } else if (FILES.containsKey(path)) {
                String file = FILES.get(path);
                try (InputStream in = LivePage.class.getResourceAsStream(RESOURCES + file)) {
                    if (in == null) {
                        throw new IllegalStateException(file + " is missing from the jar");
                    }
                    body = in.readAllBytes();
                }
                type =
                        file.endsWith(".html")
                                ? "text/html"
                                : file.endsWith(".js") ? "text/javascript" : "text/css";
            } else {
                exchange.sendResponseHeaders(404, -1);
                return;
            }
            exchange.getResponseHeaders().set("Content-Type", type + "; charset=utf-8");
            exchange.getResponseHeaders().set("Cache-Control", "no-store");
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        }
    }

    private static Double finiteOrNull(double value) {
        return Double.isFinite(value) ? value : null;
    }

    /** The points whose every coordinate is finite (JSON has no NaN). */
    private static List<double[]> finitePoints(List<double[]> points) {
        return points.stream()
                .filter(p -> java.util.Arrays.stream(p).allMatch(Double::isFinite))
                .toList();
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
