package dev.lethe;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The core must stay free of frameworks, Kafka and the rest of Lethe, so that it can be used and
 * tested alone. An allow-list: core may import the JDK, DJL, RocksDB, Jackson and itself, nothing
 * else — a new dependency fails here until someone decides it belongs in core.
 */
class ArchitectureTest {

    private static final Path CORE = Path.of("src", "main", "java", "dev", "lethe", "core");

    private static final Pattern IMPORT = Pattern.compile("^\\s*import\\s+(?:static\\s+)?([\\w.]+)");
    private static final Pattern ALLOWED = Pattern.compile(
            "^(java|javax\\.crypto|ai\\.djl|org\\.rocksdb|com\\.fasterxml\\.jackson|dev\\.lethe\\.core)\\..*");
    /** Fully qualified names in code, which an import check alone would miss. */
    private static final Pattern QUALIFIED = Pattern.compile(
            "\\b(dev\\.lethe\\.(?!core\\b)\\w+|io\\.quarkus|io\\.micrometer|io\\.smallrye|org\\.apache\\.kafka|jakarta"
                    + "|org\\.eclipse\\.microprofile|org\\.jboss|picocli)\\.");

    /** String literals: CloudEvent types such as "dev.lethe.deletion.received" are not code. */
    private static final Pattern STRING = Pattern.compile("\"(?:[^\"\\\\]|\\\\.)*\"");

    @Test
    void coreImportsOnlyTheJdkDjlRocksDbJacksonAndItself() throws IOException {
        assertThat(CORE).as("core source folder (tests run from the project root)").isDirectory();
        List<Path> sources;
        try (Stream<Path> walk = Files.walk(CORE)) {
            sources = walk.filter(p -> p.toString().endsWith(".java")).sorted().toList();
        }
        assertThat(sources).as("Java sources under %s", CORE).isNotEmpty();

        List<String> violations = new ArrayList<>();
        for (Path source : sources) {
            violations(Files.readAllLines(source)).forEach(v -> violations.add(source + ":" + v));
        }
        assertThat(violations)
                .as("imports in dev.lethe.core outside its allow-list:%n%s", String.join(System.lineSeparator(), violations))
                .isEmpty();
    }

    @Test
    void theScanCatchesWhatTheFormerDenyListMissed() {
        assertThat(violations(List.of(
                "import io.micrometer.core.instrument.Counter;",
                "import dev.lethe.daemon.observe.DaemonState;",
                "import static dev.lethe.cli.Main.run;",
                "import com.google.common.collect.Lists;",
                "    private final org.apache.kafka.clients.consumer.Consumer<?, ?> c = null;",
                "import java.util.List;",
                "    static final String TYPE = \"dev.lethe.deletion.received\";",
                "import dev.lethe.core.erasure.ErasureFlow;",
                " * {@link dev.lethe.daemon.requests.RequestCoordinator} (a comment may name the shell)")))
                .hasSize(5);
    }

    /** "line: text" for every import outside the allow-list and every qualified name outside core. */
    static List<String> violations(List<String> lines) {
        List<String> found = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            String trimmed = line.trim();
            if (trimmed.startsWith("*") || trimmed.startsWith("//") || trimmed.startsWith("/*")) {
                continue;
            }
            Matcher imported = IMPORT.matcher(line);
            boolean bad = imported.find() ? !ALLOWED.matcher(imported.group(1)).matches()
                    : QUALIFIED.matcher(STRING.matcher(line).replaceAll("\"\"")).find();
            if (bad) {
                found.add((i + 1) + ": " + trimmed);
            }
        }
        return found;
    }
}
