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

/**
 * The REST API's protection and input checks (no broker needed: all answer before Kafka). Every
 * error is RFC 9457 problem details.
 */
@QuarkusTest
class DeletionRequestResourceTest {

    private static final String KEY = "s3cret-api-key-for-tests";
    private final HttpClient http = HttpClient.newHttpClient();

    @Inject
    DaemonHolder holder;

    @TestHTTPResource("/deletion-requests")
    URI requests;

    @TestHTTPResource("/models")
    URI models;

    @AfterEach
    void stopServing() {
        holder.set(null);
    }

    private void serving(Map<String, String> config) {
        holder.set(new LetheDaemon(LetheConfigs.of(config), new SimpleMeterRegistry(), Clock.systemUTC()));
    }

    private HttpResponse<String> post(String body, String... headers) throws Exception {
        return send(HttpRequest.newBuilder(requests).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)), headers);
    }

    private HttpResponse<String> get(URI uri, String... headers) throws Exception {
        return send(HttpRequest.newBuilder(uri).GET(), headers);
    }

    private HttpResponse<String> send(HttpRequest.Builder b, String... headers) throws Exception {
        for (int i = 0; i < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** Asserts an RFC 9457 body with this status and returns the body. */
    private static String problem(HttpResponse<String> response, int status) {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
        assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(
                t -> assertThat(t).startsWith("application/problem+json"));
        assertThat(response.body()).contains("\"type\":\"about:blank\"").contains("\"status\":" + status)
                .contains("\"title\":").contains("\"detail\":");
        return response.body();
    }

    @Test
    void withoutAnApiKeyTheWriteEndpointAnswers401AndSaysHowToAuthenticate() throws Exception {
        serving(Map.of("lethe.api.key", KEY));

        HttpResponse<String> response = post("{\"subjectId\":\"alice\"}");

        assertThat(problem(response, 401)).contains("API key is required");
        assertThat(response.headers().firstValue("WWW-Authenticate")).contains("Bearer");
    }

    @Test
    void aWrongApiKeyOrBearerTokenIsForbidden() throws Exception {
        serving(Map.of("lethe.api.key", KEY));

        problem(post("{\"subjectId\":\"alice\"}", "X-API-Key", "guess"), 403);
        problem(post("{\"subjectId\":\"alice\"}", "Authorization", "Bearer guess"), 403);
    }

    @Test
    void everyEndpointThatRevealsStateNeedsTheKeyWhenOneIsSet() throws Exception {
        serving(Map.of("lethe.api.key", KEY));

        problem(get(URI.create(requests + "/some-request")), 401);
        problem(get(URI.create(models + "/current")), 401);
        problem(get(URI.create(models + "/versions"), "X-API-Key", "guess"), 403);
        // With the key they get through to the state (none here).
        problem(get(URI.create(requests + "/some-request"), "X-API-Key", KEY), 404);
        problem(get(URI.create(models + "/current"), "Authorization", "Bearer " + KEY), 503);
    }

    @Test
    void invalidBodiesAre400WithOneEntryPerField() throws Exception {
        serving(Map.of("lethe.api.key", KEY));

        String missing = problem(post("{\"requestId\":\"r1\"}", "X-API-Key", KEY), 400);
        String blank = problem(post("{\"subjectId\":\" \",\"requestId\":\"  \"}", "X-API-Key", KEY), 400);
        String tooLong = problem(post("{\"subjectId\":\"" + "x".repeat(300) + "\"}", "X-API-Key", KEY), 400);
        String wrongType = problem(post("{\"subjectId\":42}", "Authorization", "Bearer " + KEY), 400);
        String notJson = problem(post("{\"subjectId\":", "X-API-Key", KEY), 400);
        String noBody = problem(post("", "X-API-Key", KEY), 400);

        assertThat(missing).contains("\"errors\":[{\"field\":\"subjectId\",\"message\":\"must not be blank\"}]");
        assertThat(blank).contains("\"field\":\"requestId\"").contains("\"field\":\"subjectId\"");
        assertThat(tooLong).contains("\"field\":\"subjectId\"").contains("size must be between");
        assertThat(wrongType).contains("subjectId has the wrong JSON type").doesNotContain("42");
        assertThat(notJson).contains("not valid JSON");
        assertThat(noBody).contains("\"status\":400");
    }

    @Test
    void theFrameworksOwnErrorsAreProblemDetailsToo() throws Exception {
        serving(Map.of());

        problem(send(HttpRequest.newBuilder(requests).header("Content-Type", "text/plain")
                .POST(HttpRequest.BodyPublishers.ofString("alice"))), 415);
        problem(send(HttpRequest.newBuilder(requests).DELETE()), 405);
        problem(get(URI.create(models + "/no-such-thing")), 404);
    }

    @TestHTTPResource("/test-only/failure")
    URI failure;

    @Test
    void anUnexpectedFailureIsA500ProblemThatKeepsItsDetailsInTheLog() throws Exception {
        assertThat(problem(get(failure), 500)).contains("server log").doesNotContain("internal detail");
    }

    @Test
    void anUnknownRequestIdIs404AndAProcessThatDoesNotServeIs503() throws Exception {
        serving(Map.of());
        assertThat(problem(get(URI.create(requests + "/no-such-request")), 404)).contains("no audit event");

        holder.set(null);
        problem(post("{\"subjectId\":\"alice\"}"), 503);
        problem(get(URI.create(models + "/versions")), 503);
    }
}
