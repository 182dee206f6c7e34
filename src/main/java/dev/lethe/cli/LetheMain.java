package dev.lethe.cli;

import io.quarkus.picocli.runtime.PicocliRunner;
import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.annotations.QuarkusMain;
import java.util.Set;

/**
 * Entry point. Only the serving commands open the HTTP port (API, health, metrics): a
 * {@code bench} run next to a running daemon must not fail on a port that is taken.
 */
@QuarkusMain
public final class LetheMain {

    private static final Set<String> SERVING = Set.of("serve", "demo");
    private static final String HOST_ENABLED = "quarkus.http.host-enabled";

    private LetheMain() {
    }

    public static void main(String... args) {
        boolean serving = args.length > 0 && SERVING.contains(args[0]);
        if (!serving && System.getProperty(HOST_ENABLED) == null && System.getenv("QUARKUS_HTTP_HOST_ENABLED") == null) {
            System.setProperty(HOST_ENABLED, "false");
        }
        Quarkus.run(PicocliRunner.class, args);
    }
}
