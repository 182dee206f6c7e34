package dev.lethe.reliability;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A {@link KRaftNode} as its own OS process, so that a test can SIGKILL the broker (no controlled
 * shutdown, no flush) and start it again on the same log directory. Its output goes to a log file
 * kept across restarts.
 */
final class BrokerProcess implements AutoCloseable {

    private final Process process;

    private BrokerProcess(Process process) {
        this.process = process;
    }

    /** Starts the node with {@code properties}; the caller waits for its broker to answer. */
    static BrokerProcess start(Map<String, String> properties, String clusterId, Path log) {
        Path dir = Path.of(properties.get("log.dirs"));
        try {
            Files.createDirectories(dir);
            Path file = KRaftNode.write(properties, dir.getParent().resolve("node-" + properties.get("node.id")
                    + ".properties"));
            Process p = new ProcessBuilder(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-Xmx512m", "-XX:+UseSerialGC", "-cp", System.getProperty("java.class.path"),
                    KRaftNode.class.getName(), file.toString(), clusterId))
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
            return new BrokerProcess(p);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    long pid() {
        return process.pid();
    }

    boolean isAlive() {
        return process.isAlive();
    }

    /** SIGKILL, and wait until the process is gone. */
    void kill() {
        process.destroyForcibly();
        try {
            process.waitFor(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            kill();
        }
    }
}
