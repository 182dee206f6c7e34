package dev.lethe.daemon.api;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lethe.core.events.CloudEventJson;
import dev.lethe.core.events.ModelVersionEvent;
import dev.lethe.daemon.DaemonHolder;
import dev.lethe.daemon.registry.ModelRegistry;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.List;
import java.util.Optional;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/**
 * The model's lineage as published on the model-versions topic: {@code /models/current},
 * {@code /models/versions}. Needs the API key when one is set ({@link ApiKeyFilter}).
 */
@Path("/models")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "models", description = "The published model versions")
@SecurityRequirement(name = "apiKey")
@APIResponse(responseCode = "401", ref = "unauthorized")
@APIResponse(responseCode = "403", ref = "forbidden")
@APIResponse(responseCode = "503", ref = "notServing")
public class ModelResource {

    @Inject
    DaemonHolder holder;

    private Optional<ModelRegistry> registry() {
        return holder.daemon().flatMap(d -> d.registry());
    }

    @GET
    @Path("/current")
    public Response current() {
        Optional<ModelVersionEvent> current = registry().flatMap(ModelRegistry::currentVersion);
        if (current.isEmpty()) {
            return Problems.of(Response.Status.SERVICE_UNAVAILABLE, "no model version is loaded yet");
        }
        return Response.ok(CloudEventJson.data(current.get())).build();
    }

    @GET
    @Path("/versions")
    public Response versions() {
        Optional<ModelRegistry> registry = registry();
        if (registry.isEmpty()) {
            return Problems.of(Response.Status.SERVICE_UNAVAILABLE, "no model version is loaded yet");
        }
        List<ObjectNode> versions = registry.get().versions().stream().map(CloudEventJson::data).toList();
        return Response.ok(versions).build();
    }
}
