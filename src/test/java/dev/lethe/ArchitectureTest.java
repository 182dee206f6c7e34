package dev.lethe;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The core must stay free of the framework and of Kafka, so that it can be used and tested alone. */
class ArchitectureTest {

    private static final Path CORE = Path.of("src", "main", "java", "dev", "lethe", "core");

    private static final Pattern FORBIDDEN_IMPORT = Pattern.compile(
            "^\\s*import\\s+(static\\s+)?(io\\.quarkus|org\\.apache\\.kafka|jakarta\\.|io\\.smallrye"
                    + "|org\\.eclipse\\.microprofile)");

    @Test
    void coreImportsNoFrameworkOrKafkaClasses() throws IOException {
        assertThat(CORE).as("core source folder (tests run from the project root)").isDirectory();
        List<Path> sources;
        try (Stream<Path> walk = Files.walk(CORE)) {
            sources = walk.filter(p -> p.toString().endsWith(".java")).sorted().toList();
        }
        assertThat(sources).as("Java sources under %s", CORE).isNotEmpty();

        List<String> violations = new ArrayList<>();
        for (Path source : sources) {
            List<String> lines = Files.readAllLines(source);
            for (int i = 0; i < lines.size(); i++) {
                if (FORBIDDEN_IMPORT.matcher(lines.get(i)).find()) {
                    violations.add(source + ":" + (i + 1) + ": " + lines.get(i).trim());
                }
            }
        }
        assertThat(violations)
                .as("imports of Quarkus, Kafka, Jakarta, SmallRye or MicroProfile in dev.lethe.core:%n%s",
                        String.join(System.lineSeparator(), violations))
                .isEmpty();
    }
}
