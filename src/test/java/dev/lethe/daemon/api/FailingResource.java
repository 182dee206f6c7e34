package dev.lethe.daemon.api;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;

/** Test-only endpoint whose failure shows what an unexpected exception turns into. */
@Path("/test-only/failure")
public class FailingResource {

    @GET
    public String fail() {
        throw new IllegalStateException("internal detail that must not reach the client");
    }
}
