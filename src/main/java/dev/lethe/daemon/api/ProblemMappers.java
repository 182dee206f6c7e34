package dev.lethe.daemon.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import jakarta.validation.ConstraintViolation;
import jakarta.validation.ConstraintViolationException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import java.util.Comparator;
import java.util.List;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/**
 * Turns every failure of the API into RFC 9457 problem details ({@link Problems}): invalid bodies
 * (400, one entry per field), JSON that does not parse or has the wrong types (400), the framework's
 * own 404/405/406/415 and anything unexpected (500, logged; the body says no more than that).
 */
public class ProblemMappers {

    private static final Logger LOG = Logger.getLogger(ProblemMappers.class);

    @ServerExceptionMapper
    public Response invalid(ConstraintViolationException e, UriInfo uri) {
        List<Problems.FieldError> errors = e.getConstraintViolations().stream()
                .map(v -> new Problems.FieldError(field(v), v.getMessage()))
                .sorted(Comparator.comparing(Problems.FieldError::field)).toList();
        String detail = errors.stream().map(f -> f.field() + " " + f.message()).reduce((a, b) -> a + "; " + b)
                .orElse("the request is not valid");
        return Problems.of(400, detail, path(uri), errors);
    }

    @ServerExceptionMapper(priority = 1)
    public Response unreadable(MismatchedInputException e, UriInfo uri) {
        return jsonProblem(e, uri);
    }

    @ServerExceptionMapper(priority = 1)
    public Response unparsable(JsonProcessingException e, UriInfo uri) {
        return jsonProblem(e, uri);
    }

    @ServerExceptionMapper
    public Response framework(WebApplicationException e, UriInfo uri) {
        int status = e.getResponse() == null ? 500 : e.getResponse().getStatus();
        if (status >= 500) {
            LOG.errorf(e, "request to %s failed", path(uri));
        }
        String detail = e.getCause() instanceof JsonProcessingException json ? jsonDetail(json) : e.getMessage();
        Response problem = Problems.of(status, detail, path(uri), null);
        if (e.getResponse() != null && e.getResponse().getHeaderString("Allow") != null) {
            return Response.fromResponse(problem).header("Allow", e.getResponse().getHeaderString("Allow")).build();
        }
        return problem;
    }

    @ServerExceptionMapper
    public Response unexpected(Exception e, UriInfo uri) {
        LOG.errorf(e, "request to %s failed", path(uri));
        return Problems.of(500, "internal error; the server log has the details", path(uri), null);
    }

    private static Response jsonProblem(JsonProcessingException e, UriInfo uri) {
        return Problems.of(400, jsonDetail(e), path(uri), null);
    }

    /** Names the field and the problem, never echoes the value (it may be a subject id). */
    private static String jsonDetail(JsonProcessingException e) {
        if (e instanceof MismatchedInputException m && !m.getPath().isEmpty()) {
            String field = m.getPath().get(m.getPath().size() - 1).getFieldName();
            return (field == null ? "a field" : field) + " has the wrong JSON type";
        }
        return "the body is not valid JSON";
    }

    private static String field(ConstraintViolation<?> v) {
        String path = v.getPropertyPath().toString();
        // submit.body.subjectId -> subjectId; submit.body -> body
        int dot = path.lastIndexOf('.');
        return dot < 0 ? path : path.substring(dot + 1);
    }

    private static String path(UriInfo uri) {
        return uri == null ? null : uri.getRequestUri().getRawPath();
    }
}
