package dev.lethe.daemon.api;

import jakarta.ws.rs.core.Response;
import java.util.Map;

/** Error bodies: {@code {"error": "..."}} with the status. */
final class Problems {

    private Problems() {
    }

    static Map<String, String> body(String message) {
        return Map.of("error", message);
    }

    static Response of(Response.Status status, String message) {
        return Response.status(status).entity(body(message)).build();
    }
}
