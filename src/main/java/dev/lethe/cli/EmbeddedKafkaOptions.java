package dev.lethe.cli;

import dev.lethe.daemon.kafka.EmbeddedKafka;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** The embedded broker's options, shared by the commands that can start one ({@code serve}, {@code demo}). */
public class EmbeddedKafkaOptions {

    @Option(names = "--kafka-port", defaultValue = "9092", description = "port of the embedded broker (default: ${DEFAULT-VALUE})")
    int port;

    @Option(names = "--kafka-dir", description = "log directory of the embedded broker (default: under the command's data directory)")
    Path dir;

    Path logDir(Path defaultDir) {
        return dir != null ? dir : defaultDir;
    }

    /** Starts the broker on the chosen port, in the chosen directory or else {@code defaultDir}. */
    EmbeddedKafka start(Path defaultDir) {
        return EmbeddedKafka.start(port, logDir(defaultDir));
    }
}
