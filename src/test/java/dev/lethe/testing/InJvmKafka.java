package dev.lethe.testing;

import dev.lethe.daemon.kafka.EmbeddedKafka;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The in-JVM KRaft broker of an IT class: started before its tests, in a fresh folder under
 * {@code target/reliability} (which also holds the test's own files, so a failed run leaves the
 * broker's log next to the daemon's), and closed after them. Register it as a static field:
 *
 * <pre>{@code @RegisterExtension static final InJvmKafka KAFKA = new InJvmKafka("fencing");}</pre>
 */
public final class InJvmKafka implements BeforeAllCallback, AfterAllCallback {

    /** Where every IT writes what it leaves behind. */
    public static final Path OUT = Path.of("target", "reliability");

    /** Held here: java.util.logging keeps loggers only weakly, and a collected one forgets its level. */
    private static final List<java.util.logging.Logger> QUIET = Stream.of("kafka", "org.apache.kafka",
            "state.change.logger").map(java.util.logging.Logger::getLogger).toList();

    private final String name;
    private final Map<String, String> brokerSettings;
    private Path dir;
    private EmbeddedKafka broker;

    public InJvmKafka(String name) {
        this(name, Map.of());
    }

    /** A broker with these {@code server.properties} settings (e.g. a log cleaner that runs every second). */
    public InJvmKafka(String name, Map<String, String> brokerSettings) {
        this.name = name;
        this.brokerSettings = Map.copyOf(brokerSettings);
    }

    /** Kafka's own loggers at WARNING: a broker in the test's JVM otherwise floods its output. */
    public static void quietBrokerLogs() {
        QUIET.forEach(l -> l.setLevel(Level.WARNING));
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        quietBrokerLogs();
        try {
            dir = Files.createDirectories(OUT.resolve(name + "-" + System.currentTimeMillis()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        broker = EmbeddedKafka.start(0, dir.resolve("kafka"), brokerSettings);
    }

    @Override
    public void afterAll(ExtensionContext context) {
        if (broker != null) {
            broker.close();
            broker = null;
        }
    }

    /** The folder of this test class's files; the broker's log is in {@code kafka/} under it. */
    public Path dir() {
        return dir;
    }

    public EmbeddedKafka broker() {
        return broker;
    }

    public String bootstrapServers() {
        return broker.bootstrapServers();
    }

    /** Stops the broker and starts it again on the same port and log directory (a broker restart). */
    public void restart() {
        int port = broker.port();
        Path logDir = broker.logDir();
        broker.close();
        broker = EmbeddedKafka.start(port, logDir, brokerSettings);
    }
}
