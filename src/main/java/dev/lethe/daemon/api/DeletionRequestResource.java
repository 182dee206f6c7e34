package dev.lethe.daemon.api;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lethe.core.events.DeletionRequestReader;
import dev.lethe.daemon.DaemonHolder;
import dev.lethe.daemon.LetheDaemon;
import dev.lethe.daemon.observe.DaemonState;
import jakarta.inject.Inject;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Optional;
import java.util.SortedMap;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/**
 * {@code POST /deletion-requests} puts a request on the requests topic (the daemon then handles it
 * like any other) and answers 202 with its id; {@code GET /deletion-requests/{id}} tells its state
 * from the audit trail. Both need the configured API key when one is set ({@link ApiKeyFilter}).
 */
@Path("/deletion-requests")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "deletion requests", description = "Ask for a subject's data to be unlearned, and follow the request")
@SecurityRequirement(name = "apiKey")
public class DeletionRequestResource {

    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * The body of {@code POST /deletion-requests}.
     *
     * @param subjectId whose data is to be forgotten (never logged; audit events carry a pseudonym)
     * @param requestId an id of the caller's choosing for deduplication; generated when absent
     */
    public record Submission(
            @NotBlank @Size(max = DeletionRequestReader.MAX_ID_LENGTH)
            @Schema(description = "whose data is to be forgotten", maxLength = DeletionRequestReader.MAX_ID_LENGTH)
            String subjectId,
            @Pattern(regexp = "(?s).*\\S.*", message = "must not be blank") @Size(max = DeletionRequestReader.MAX_ID_LENGTH)
            @Schema(description = "the caller's id for deduplication; generated when absent", nullable = true)
            String requestId) {
    }

    /**
     * The answer to an accepted request.
     *
     * @param requestId the request's id
     * @param status    always {@code accepted}
     * @param statusUrl where to follow it
     */
    public record Accepted(String requestId, String status, String statusUrl) {
    }

    @Inject
    DaemonHolder holder;

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Submit a deletion request", description = "Puts the request on the deletion-requests topic.")
    @APIResponse(responseCode = "202", description = "accepted; follow statusUrl",
            content = @Content(schema = @Schema(implementation = Accepted.class)))
    @APIResponse(responseCode = "400", ref = "badRequest")
    @APIResponse(responseCode = "401", ref = "unauthorized")
    @APIResponse(responseCode = "403", ref = "forbidden")
    @APIResponse(responseCode = "503", ref = "notServing")
    public Response submit(@Valid @NotNull Submission body) throws Exception {
        Optional<LetheDaemon> daemon = holder.daemon();
        if (daemon.isEmpty()) {
            return Problems.of(Response.Status.SERVICE_UNAVAILABLE, "this process is not serving");
        }
        String requestId = body.requestId() == null ? UUID.randomUUID().toString() : body.requestId();
        ObjectNode request = JSON.createObjectNode();
        request.put("requestId", requestId);
        request.put("subjectId", body.subjectId());
        request.put("requestedAt", Instant.now().toString());
        String topic = daemon.get().config().topics().deletionRequests();
        holder.requestProducer().send(new ProducerRecord<>(topic, body.subjectId().getBytes(StandardCharsets.UTF_8),
                JSON.writeValueAsBytes(request))).get(30, TimeUnit.SECONDS);
        return Response.accepted(new Accepted(requestId, "accepted", "/deletion-requests/" + requestId)).build();
    }

    @GET
    @Path("/{requestId}")
    @Operation(summary = "A request's state", description = "From the audit trail: received, completed, escalated, "
            + "rejected or retrain required, with the membership check and the model version, for this daemon's model "
            + "(`model`; `not_received` while only other models have seen the request), and under `models` for every "
            + "model sharing the audit topic.")
    @APIResponse(responseCode = "200", description = "the request's latest state")
    @APIResponse(responseCode = "401", ref = "unauthorized")
    @APIResponse(responseCode = "403", ref = "forbidden")
    @APIResponse(responseCode = "404", ref = "notFound")
    @APIResponse(responseCode = "503", ref = "notServing")
    public Response status(@PathParam("requestId") String requestId) {
        Optional<LetheDaemon> daemon = holder.daemon();
        if (daemon.isEmpty()) {
            return Problems.of(Response.Status.SERVICE_UNAVAILABLE, "this process is not serving");
        }
        DaemonState state = daemon.get().state();
        SortedMap<String, DaemonState.RequestStatus> everyModel = state.requestInEveryModel(requestId);
        if (everyModel.isEmpty()) {
            return Problems.of(Response.Status.NOT_FOUND, "no audit event for this request id (yet)");
        }
        return Response.ok(toJson(requestId, state.model(), everyModel)).build();
    }

    /**
     * This daemon's model's state at the top level ({@code status} {@code not_received} while only
     * other models have seen the request), and every model's under {@code models}: every model
     * sharing the topics carries out every request.
     */
    static ObjectNode toJson(String requestId, String model, SortedMap<String, DaemonState.RequestStatus> everyModel) {
        DaemonState.RequestStatus own = everyModel.get(model);
        ObjectNode json;
        if (own != null) {
            json = toJson(own);
        } else {
            json = JSON.createObjectNode();
            json.put("requestId", requestId);
            json.put("status", "not_received");
        }
        json.put("model", model);
        ObjectNode models = json.putObject("models");
        everyModel.forEach((name, status) -> {
            ObjectNode one = toJson(status);
            one.remove("requestId");
            one.remove("subjectRef"); // each model's daemon has its own pseudonymisation key
            models.set(name, one);
        });
        return json;
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
