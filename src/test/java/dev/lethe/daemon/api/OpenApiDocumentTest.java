package dev.lethe.daemon.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@code /q/openapi} describes every API endpoint, its key and its problem responses. */
@QuarkusTest
class OpenApiDocumentTest {

    @TestHTTPResource("/q/openapi?format=json")
    URI openapi;

    @Test
    void theDocumentListsEveryEndpointWithTheApiKeySchemeAndProblemResponses() throws Exception {
        HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(openapi).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(200);
        JsonNode doc = new ObjectMapper().readTree(response.body());

        List<String> operations = new ArrayList<>();
        doc.get("paths").fields().forEachRemaining(p -> p.getValue().fieldNames()
                .forEachRemaining(method -> operations.add(method.toUpperCase() + " " + p.getKey())));
        assertThat(operations).contains("POST /deletion-requests", "GET /deletion-requests/{requestId}",
                "GET /models/current", "GET /models/versions");

        assertThat(doc.at("/components/securitySchemes/apiKey/name").asText()).isEqualTo("X-API-Key");
        assertThat(doc.at("/paths/~1deletion-requests/post/security/0").has("apiKey")).isTrue();
        assertThat(doc.at("/paths/~1models~1current/get/security/0").has("apiKey")).isTrue();
        assertThat(doc.at("/components/responses/badRequest/content").has("application/problem+json")).isTrue();
        assertThat(doc.at("/components/schemas/Submission/required").toString()).contains("subjectId");
        assertThat(doc.at("/components/schemas/Submission/properties/subjectId/maxLength").asInt()).isPositive();
    }
}
