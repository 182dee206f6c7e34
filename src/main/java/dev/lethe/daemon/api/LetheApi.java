package dev.lethe.daemon.api;

import jakarta.ws.rs.core.Application;
import org.eclipse.microprofile.openapi.annotations.Components;
import org.eclipse.microprofile.openapi.annotations.OpenAPIDefinition;
import org.eclipse.microprofile.openapi.annotations.enums.SecuritySchemeIn;
import org.eclipse.microprofile.openapi.annotations.enums.SecuritySchemeType;
import org.eclipse.microprofile.openapi.annotations.info.Info;
import org.eclipse.microprofile.openapi.annotations.info.License;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.security.SecurityScheme;

/**
 * The API's OpenAPI description (served at {@code /q/openapi}; Swagger UI at {@code /q/swagger-ui}
 * in dev mode): the API key scheme and the problem responses every endpoint shares.
 */
@OpenAPIDefinition(
        info = @Info(title = "Lethe", version = "0.1.0",
                description = "Deletion requests in, unlearned model versions and an audit trail out.",
                license = @License(name = "Apache-2.0")),
        components = @Components(
                securitySchemes = @SecurityScheme(securitySchemeName = "apiKey", type = SecuritySchemeType.APIKEY,
                        in = SecuritySchemeIn.HEADER, apiKeyName = ApiKeyFilter.HEADER,
                        description = "lethe.api.key; also accepted as Authorization: Bearer <key>. "
                                + "Required on every endpoint when set."),
                responses = {
                        @APIResponse(name = "badRequest", responseCode = "400", description = "the body is not valid",
                                content = @Content(mediaType = Problems.MEDIA_TYPE,
                                        schema = @Schema(implementation = Problems.Problem.class))),
                        @APIResponse(name = "unauthorized", responseCode = "401", description = "no API key",
                                content = @Content(mediaType = Problems.MEDIA_TYPE,
                                        schema = @Schema(implementation = Problems.Problem.class))),
                        @APIResponse(name = "forbidden", responseCode = "403", description = "a wrong API key",
                                content = @Content(mediaType = Problems.MEDIA_TYPE,
                                        schema = @Schema(implementation = Problems.Problem.class))),
                        @APIResponse(name = "notFound", responseCode = "404", description = "no such request",
                                content = @Content(mediaType = Problems.MEDIA_TYPE,
                                        schema = @Schema(implementation = Problems.Problem.class))),
                        @APIResponse(name = "notServing", responseCode = "503",
                                description = "this process is not serving, or no model is loaded yet",
                                content = @Content(mediaType = Problems.MEDIA_TYPE,
                                        schema = @Schema(implementation = Problems.Problem.class)))}))
public class LetheApi extends Application {
}
