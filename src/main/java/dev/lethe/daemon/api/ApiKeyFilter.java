package dev.lethe.daemon.api;

import dev.lethe.daemon.DaemonHolder;
import jakarta.inject.Inject;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Optional;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

/**
 * When {@code lethe.api.key} is set, every API endpoint — the write endpoint and every one that
 * reveals state (request status, model lineage) — needs it, as {@code X-API-Key} or
 * {@code Authorization: Bearer}. Health, metrics and the OpenAPI document under {@code /q} are not
 * API endpoints and stay open (probes and scrapers do not carry keys).
 */
public class ApiKeyFilter {

    static final String HEADER = "X-API-Key";
    private static final String BEARER = "Bearer ";

    @Inject
    DaemonHolder holder;

    @ServerRequestFilter
    public Optional<Response> requireKey(ContainerRequestContext request) {
        Optional<String> required = holder.daemon().flatMap(d -> d.config().api().key());
        if (required.isEmpty()) {
            return Optional.empty(); // no key configured (dev), or not serving: the resource answers 503
        }
        String presented = request.getHeaderString(HEADER);
        String authorization = request.getHeaderString(HttpHeaders.AUTHORIZATION);
        if (presented == null && authorization != null && authorization.startsWith(BEARER)) {
            presented = authorization.substring(BEARER.length());
        }
        String path = request.getUriInfo().getRequestUri().getRawPath();
        if (presented == null) {
            Response problem = Problems.of(401, "an API key is required (X-API-Key or Authorization: Bearer)", path,
                    null);
            return Optional.of(Response.fromResponse(problem).header(HttpHeaders.WWW_AUTHENTICATE, "Bearer").build());
        }
        if (!MessageDigest.isEqual(presented.getBytes(StandardCharsets.UTF_8),
                required.get().getBytes(StandardCharsets.UTF_8))) {
            return Optional.of(Problems.of(403, "the API key is not valid", path, null));
        }
        return Optional.empty();
    }
}
