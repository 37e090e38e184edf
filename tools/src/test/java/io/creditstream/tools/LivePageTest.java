package io.creditstream.tools;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The live page serves its own files and the figures last published, on loopback only. */
class LivePageTest {
    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void servesThePageItsScriptAndTheFiguresLastPublished() throws Exception {
        try (LivePage page = LivePage.start()) {
            assertThat(page.url()).startsWith("http://127.0.0.1:").endsWith("/");

            HttpResponse<String> index = get(page.url());
            assertThat(index.statusCode()).isEqualTo(200);
            assertThat(index.body())
                    .contains("<canvas id=\"curve\"")
                    .contains("<canvas id=\"credit\"")
                    .contains("src=\"live.js\"")
                    .doesNotContain("http://", "https://");
            assertThat(get(page.url() + "live.js").body()).contains("fetch(\"data.json\"");
            assertThat(get(page.url() + "live.css").statusCode()).isEqualTo(200);
            assertThat(get(page.url() + "elsewhere").statusCode()).isEqualTo(404);

            page.publish(
                    new LivePage.Figures(
                            "gigpo",
                            12.4,
                            150,
                            0.05,
                            40.2,
                            3,
                            4,
                            1.2,
                            Double.NaN,
                            0.01,
                            0,
                            List.of(new double[] {50, 0.02}, new double[] {100, 0.04}),
                            List.of(
                                    new double[] {5, 1.1, 0.7, 0.01},
                                    new double[] {6, 1.2, Double.NaN, 0.02})));
            JsonNode data = new ObjectMapper().readTree(get(page.url() + "data.json").body());
            assertThat(data.get("estimator").asText()).isEqualTo("gigpo");
            assertThat(data.get("episodes").asLong()).isEqualTo(150);
            assertThat(data.get("elapsed_seconds").asLong()).isEqualTo(12);
            assertThat(data.get("zero_variance_ratio").isNull()).isTrue();
            assertThat(data.get("curve")).hasSize(2);
            // A point with a NaN coordinate is left out: JSON has no NaN.
            assertThat(data.get("credit")).hasSize(1);
        }
    }

    private HttpResponse<String> get(String url) throws Exception {
        return http.send(
                HttpRequest.newBuilder(URI.create(url)).build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
