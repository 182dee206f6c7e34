package dev.lethe.daemon.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.List;

/**
 * RFC 9457 problem details, the body of every 4xx/5xx the API answers ({@code application/problem+json}).
 * {@code type} is {@code about:blank}: the status and its title say what kind of problem it is, and
 * {@code detail} says what to fix.
 */
final class Problems {

    /** The media type of every error body. */
    static final String MEDIA_TYPE = "application/problem+json";
    static final MediaType PROBLEM_JSON = MediaType.valueOf(MEDIA_TYPE);

    private Problems() {
    }

    /**
     * A problem details object.
     *
     * @param type     {@code about:blank}
     * @param title    the status's reason phrase
     * @param status   the HTTP status code
     * @param detail   what went wrong with this request
     * @param instance the request path
     * @param errors   one entry per invalid field (validation failures only)
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record Problem(String type, String title, int status, String detail, String instance, List<FieldError> errors) {
    }

    /**
     * One invalid field.
     *
     * @param field   the field (e.g. {@code subjectId})
     * @param message what it must be
     */
    record FieldError(String field, String message) {
    }

    static Response of(Response.Status status, String detail) {
        return of(status.getStatusCode(), detail, null, null);
    }

    static Response of(int status, String detail, String instance, List<FieldError> errors) {
        Response.StatusType type = Response.Status.fromStatusCode(status);
        String title = type != null ? type.getReasonPhrase() : "HTTP " + status;
        return Response.status(status).type(PROBLEM_JSON)
                .entity(new Problem("about:blank", title, status, detail, instance, errors)).build();
    }
}
