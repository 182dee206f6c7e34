package dev.lethe.daemon.api;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lethe.core.events.CloudEventJson;
import dev.lethe.core.events.ModelVersionEvent;
import dev.lethe.daemon.DaemonHolder;
import dev.lethe.daemon.registry.ModelRegistry;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.io.IOException;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.jboss.logging.Logger;

/**
 * The model's lineage as published on the model-versions topic: {@code /models/current},
 * {@code /models/versions}, and each version's artifact for serving stacks that pull it. Needs
 * the API key when one is set ({@link ApiKeyFilter}).
 */
@Path("/models")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "models", description = "The published model versions")
@SecurityRequirement(name = "apiKey")
@APIResponse(responseCode = "401", ref = "unauthorized")
@APIResponse(responseCode = "403", ref = "forbidden")
@APIResponse(responseCode = "503", ref = "notServing")
public class ModelResource {

    private static final Logger LOG = Logger.getLogger(ModelResource.class);

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

    /**
     * The version's artifact, byte for byte as its version event's sha256 states (checked before
     * it is served): a plain TorchScript file for a team's model ({@code format} torchscript), a
     * Lethe artifact otherwise. {@code ETag} is the quoted sha256, {@code Repr-Digest} the RFC 9530
     * digest; a matching {@code If-None-Match} gets 304. A retired version (its artifact deleted
     * {@code lethe.registry.retire-after} after it was superseded) gets 410 Gone.
     */
    @GET
    @Path("/{version}/artifact")
    @Produces({MediaType.APPLICATION_OCTET_STREAM, MediaType.APPLICATION_JSON})
    public Response artifact(@PathParam("version") String version, @HeaderParam("If-None-Match") String ifNoneMatch) {
        Optional<ModelRegistry> registry = registry();
        if (registry.isEmpty()) {
            return Problems.of(Response.Status.SERVICE_UNAVAILABLE, "no model version is loaded yet");
        }
        long number;
        try {
            number = Long.parseLong(version);
        } catch (NumberFormatException e) {
            return Problems.of(Response.Status.BAD_REQUEST, "a version is a positive integer");
        }
        if (number >= 1 && registry.get().isRetired(number)) {
            return Problems.of(Response.Status.GONE, "version " + number + " was retired: its artifact is deleted"
                    + " (lethe.registry.retire-after)");
        }
        Optional<ModelRegistry.VersionArtifact> artifact;
        try {
            artifact = number < 1 ? Optional.empty() : registry.get().artifact(number);
        } catch (IOException e) {
            // A missing or altered file: never serve bytes that do not match the published sha256.
            LOG.errorf("cannot serve the artifact of version %d: %s", number, e.getMessage());
            return Problems.of(Response.Status.INTERNAL_SERVER_ERROR, "the artifact of version " + number
                    + " cannot be read or does not match its published sha256");
        }
        if (artifact.isEmpty()) {
            return Problems.of(Response.Status.NOT_FOUND, "no version " + version + " is published");
        }
        ModelVersionEvent event = artifact.get().event();
        String etag = "\"" + event.sha256() + "\"";
        if (ifNoneMatch != null && (ifNoneMatch.equals(etag) || ifNoneMatch.equals("*"))) {
            return Response.notModified().header("ETag", etag).build();
        }
        boolean torchScript = ModelVersionEvent.TORCHSCRIPT.equals(event.format());
        String file = event.model() + "-v" + event.version() + (torchScript ? ".pt" : ".lethe");
        return Response.ok(artifact.get().bytes(), MediaType.APPLICATION_OCTET_STREAM_TYPE)
                .header("ETag", etag)
                .header("Repr-Digest", "sha-256=:" + Base64.getEncoder().encodeToString(HexFormat.of().parseHex(event.sha256())) + ":")
                .header("Content-Disposition", "attachment; filename=\"" + file + "\"")
                .header("X-Lethe-Format", event.format())
                .header("X-Lethe-Model-Version", event.version())
                .build();
    }
}
