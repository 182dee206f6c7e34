package dev.lethe.daemon.observe;

import dev.lethe.daemon.DaemonHolder;
import dev.lethe.daemon.LetheDaemon;
import dev.lethe.core.events.ModelVersionEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.Optional;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Liveness;
import org.eclipse.microprofile.health.Readiness;

/** {@code /q/health/live} and {@code /q/health/ready}. */
public final class HealthChecks {

    private HealthChecks() {
    }

    /** Live while the daemon thread runs (a dead one needs a restart); always live when not serving. */
    @Liveness
    @ApplicationScoped
    public static class Live implements HealthCheck {
        @Inject
        DaemonHolder holder;

        @Override
        public HealthCheckResponse call() {
            Optional<LetheDaemon> daemon = holder.daemon();
            HealthCheckResponseBuilder b = HealthCheckResponse.named("lethe-daemon");
            if (daemon.isEmpty()) {
                return b.up().withData("serving", false).build();
            }
            b.status(daemon.get().isLive());
            daemon.get().state().failure().ifPresent(f -> b.withData("failure", f));
            return b.build();
        }
    }

    /** Ready once the model is loaded and verified, the loops run, and Kafka answered recently. */
    @Readiness
    @ApplicationScoped
    public static class Ready implements HealthCheck {
        @Inject
        DaemonHolder holder;

        @Override
        public HealthCheckResponse call() {
            Optional<LetheDaemon> daemon = holder.daemon();
            HealthCheckResponseBuilder b = HealthCheckResponse.named("lethe-daemon");
            if (daemon.isEmpty()) {
                return b.down().withData("serving", false).build();
            }
            LetheDaemon d = daemon.get();
            b.status(d.isReady());
            b.withData("modelLoaded", d.state().modelLoaded());
            d.registry().flatMap(r -> r.currentVersion()).map(ModelVersionEvent::version)
                    .ifPresent(v -> b.withData("modelVersion", v));
            d.state().lastKafkaContact().ifPresent(t -> b.withData("lastKafkaContact", t.toString()));
            d.state().failure().ifPresent(f -> b.withData("failure", f));
            return b.build();
        }
    }
}
