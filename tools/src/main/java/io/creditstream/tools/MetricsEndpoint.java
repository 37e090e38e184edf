package io.creditstream.tools;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Optional;

/** The job's Prometheus endpoint, as the demos and the soak read it. */
public final class MetricsEndpoint {
    private final HttpClient http = HttpClient.newHttpClient();
    private final URI uri;

    public MetricsEndpoint(String url) {
        this.uri = URI.create(url);
    }

    public String url() {
        return uri.toString();
    }

    /**
     * The current exposition (text format), or empty when the endpoint does not answer within 2 s:
     * the reporter starts with the job, and a reader keeps its last figures until then. An
     * interrupt is kept on the thread and also gives empty.
     */
    public Optional<String> scrape() {
        try {
            return Optional.of(
                    http.send(
                                    HttpRequest.newBuilder(uri)
                                            .timeout(Duration.ofSeconds(2))
                                            .build(),
                                    HttpResponse.BodyHandlers.ofString())
                            .body());
        } catch (IOException e) {
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }
}
