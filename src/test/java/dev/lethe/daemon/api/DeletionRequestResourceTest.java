package dev.lethe.daemon.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lethe.daemon.DaemonHolder;
import dev.lethe.daemon.LetheDaemon;
import dev.lethe.daemon.config.LetheConfigs;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The REST write endpoint's protection and input checks (no broker needed: all answer before Kafka). */
@QuarkusTest
class DeletionRequestResourceTest {

    private static final String KEY = "s3cret-api-key-for-tests";
    private final HttpClient http = HttpClient.newHttpClient();

    @Inject
    DaemonHolder holder;

    @TestHTTPResource("/deletion-requests")
    URI requests;

    @AfterEach
    void stopServing() {
        holder.set(null);
    }

    private void serving(Map<String, String> config) {
        holder.set(new LetheDaemon(LetheConfigs.of(config), new SimpleMeterRegistry(), Clock.systemUTC()));
    }

    private HttpResponse<String> post(String body, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(requests).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        for (int i = 0; i < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void withoutAnApiKeyTheWriteEndpointAnswers401AndSaysHowToAuthenticate() throws Exception {
        serving(Map.of("lethe.api.key", KEY));

        HttpResponse<String> response = post("{\"subjectId\":\"alice\"}");

        assertThat(response.statusCode()).isEqualTo(401);
        assertThat(response.headers().firstValue("WWW-Authenticate")).contains("Bearer");
        assertThat(response.body()).contains("API key is required");
    }

    @Test
    void aWrongApiKeyOrBearerTokenIsForbidden() throws Exception {
        serving(Map.of("lethe.api.key", KEY));

        assertThat(post("{\"subjectId\":\"alice\"}", "X-API-Key", "guess").statusCode()).isEqualTo(403);
        assertThat(post("{\"subjectId\":\"alice\"}", "Authorization", "Bearer guess").statusCode()).isEqualTo(403);
    }

    @Test
    void theRightKeyGetsPastAuthenticationToInputValidation() throws Exception {
        serving(Map.of("lethe.api.key", KEY));

        HttpResponse<String> missing = post("{\"requestId\":\"r1\"}", "X-API-Key", KEY);
        HttpResponse<String> wrongType = post("{\"subjectId\":42}", "Authorization", "Bearer " + KEY);

        assertThat(missing.statusCode()).isEqualTo(400);
        assertThat(missing.body()).contains("subjectId must be a non-blank string");
        assertThat(wrongType.statusCode()).isEqualTo(400);
    }

    @Test
    void anUnknownRequestIdIs404AndAProcessThatDoesNotServeIs503() throws Exception {
        serving(Map.of());
        HttpResponse<String> unknown = http.send(HttpRequest.newBuilder(URI.create(requests + "/no-such-request")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(unknown.statusCode()).isEqualTo(404);

        holder.set(null);
        assertThat(post("{\"subjectId\":\"alice\"}").statusCode()).isEqualTo(503);
    }
}
