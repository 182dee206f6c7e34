package dev.lethe.daemon.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lethe.core.events.DeletionRequestReader;
import dev.lethe.daemon.DaemonHolder;
import dev.lethe.daemon.LetheDaemon;
import dev.lethe.daemon.observe.DaemonState;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * {@code POST /deletion-requests} puts a request on the requests topic (the daemon then handles it
 * like any other) and answers 202 with its id; {@code GET /deletion-requests/{id}} tells its state
 * from the audit trail. The write endpoint needs the configured API key when one is set.
 */
@Path("/deletion-requests")
@Produces(MediaType.APPLICATION_JSON)
public class DeletionRequestResource {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Inject
    DaemonHolder holder;

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    public Response submit(JsonNode body, @HeaderParam("X-API-Key") String apiKey,
            @HeaderParam("Authorization") String authorization) throws Exception {
        Optional<LetheDaemon> daemon = holder.daemon();
        if (daemon.isEmpty()) {
            return Problems.of(Response.Status.SERVICE_UNAVAILABLE, "this process is not serving");
        }
        Optional<String> required = daemon.get().config().api().key();
        if (required.isPresent()) {
            String presented = apiKey != null ? apiKey
                    : authorization != null && authorization.startsWith("Bearer ") ? authorization.substring(7) : null;
            if (presented == null) {
                return Response.status(Response.Status.UNAUTHORIZED).header("WWW-Authenticate", "Bearer")
                        .entity(Problems.body("an API key is required (X-API-Key or Authorization: Bearer)")).build();
            }
            if (!MessageDigest.isEqual(presented.getBytes(StandardCharsets.UTF_8),
                    required.get().getBytes(StandardCharsets.UTF_8))) {
                return Problems.of(Response.Status.FORBIDDEN, "the API key is not valid");
            }
        }
        if (body == null || !body.isObject()) {
            return Problems.of(Response.Status.BAD_REQUEST, "the body must be a JSON object with subjectId");
        }
        JsonNode subject = body.get("subjectId");
        if (subject == null || !subject.isTextual() || subject.asText().isBlank()
                || subject.asText().length() > DeletionRequestReader.MAX_ID_LENGTH) {
            return Problems.of(Response.Status.BAD_REQUEST, "subjectId must be a non-blank string of at most "
                    + DeletionRequestReader.MAX_ID_LENGTH + " characters");
        }
        JsonNode id = body.get("requestId");
        if (id != null && !id.isNull() && (!id.isTextual() || id.asText().isBlank()
                || id.asText().length() > DeletionRequestReader.MAX_ID_LENGTH)) {
            return Problems.of(Response.Status.BAD_REQUEST, "requestId, when given, must be a non-blank string");
        }
        String requestId = id == null || id.isNull() ? UUID.randomUUID().toString() : id.asText();
        ObjectNode request = JSON.createObjectNode();
        request.put("requestId", requestId);
        request.put("subjectId", subject.asText());
        request.put("requestedAt", Instant.now().toString());
        String topic = daemon.get().config().topics().deletionRequests();
        holder.requestProducer().send(new ProducerRecord<>(topic, subject.asText().getBytes(StandardCharsets.UTF_8),
                JSON.writeValueAsBytes(request))).get(30, TimeUnit.SECONDS);
        ObjectNode accepted = JSON.createObjectNode();
        accepted.put("requestId", requestId);
        accepted.put("status", "accepted");
        accepted.put("statusUrl", "/deletion-requests/" + requestId);
        return Response.accepted(accepted).build();
    }

    @GET
    @Path("/{requestId}")
    public Response status(@PathParam("requestId") String requestId) {
        Optional<LetheDaemon> daemon = holder.daemon();
        if (daemon.isEmpty()) {
            return Problems.of(Response.Status.SERVICE_UNAVAILABLE, "this process is not serving");
        }
        Optional<DaemonState.RequestStatus> status = daemon.get().state().request(requestId);
        if (status.isEmpty()) {
            return Problems.of(Response.Status.NOT_FOUND, "no audit event for this request id (yet)");
        }
        return Response.ok(toJson(status.get())).build();
    }

    /** The status as JSON; unmeasured numbers (NaN) are null. */
    static ObjectNode toJson(DaemonState.RequestStatus s) {
        ObjectNode json = JSON.createObjectNode();
        json.put("requestId", s.requestId());
        json.put("status", s.status());
        json.put("subjectRef", s.subjectRef());
        json.put("samplesForgotten", s.samplesForgotten());
        if (s.modelVersion() == null) {
            json.putNull("modelVersion");
        } else {
            json.put("modelVersion", s.modelVersion());
        }
        if (s.mia() == null) {
            json.putNull("mia");
        } else {
            ObjectNode mia = json.putObject("mia");
            number(mia, "auc", s.mia().auc());
            number(mia, "aucBefore", s.mia().aucBefore());
            number(mia, "threshold", s.mia().threshold());
            mia.put("passed", s.mia().passed());
        }
        if (s.reason() != null) {
            json.put("reason", s.reason());
        }
        json.put("updatedAt", s.updatedAt().toString());
        return json;
    }

    private static void number(ObjectNode node, String name, double value) {
        if (Double.isFinite(value)) {
            node.put(name, value);
        } else {
            node.putNull(name);
        }
    }
}
