package dev.lethe.reliability;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Collection;
import java.util.Map;
import org.awaitility.Awaitility;

/**
 * The daemon as an orchestrator runs it: whenever it has exited or stays not live, it is started
 * again on the same data directory.
 */
final class SupervisedDaemon implements AutoCloseable {

    private final Path log;
    private final Map<String, String> properties;
    private LetheProcess current;
    private int restarts;
    private int notLive;

    SupervisedDaemon(Path log, Map<String, String> properties) {
        this.log = log;
        this.properties = Map.copyOf(properties);
        this.current = LetheProcess.start(log, this.properties, "serve");
    }

    /**
     * The running daemon, started again first if it has exited or failed its liveness probe three
     * times in a row (as Kubernetes does with a {@code failureThreshold} of 3).
     */
    synchronized LetheProcess current() {
        var live = current.isAlive() ? current.get("/q/health/live") : null;
        notLive = live != null && live.statusCode() != 200 ? notLive + 1 : 0;
        if (notLive >= 3) {
            current.kill();
            notLive = 0;
        }
        if (!current.isAlive()) {
            restarts++;
            current = LetheProcess.start(log, properties, "serve");
        }
        return current;
    }

    synchronized int restarts() {
        return restarts;
    }

    /**
     * Waits for {@code seen}, a line awaited from {@code process}, restarting the daemon whenever it
     * exits meanwhile; false when {@code process} was replaced before the line came.
     */
    boolean awaitLine(java.util.concurrent.Future<?> seen, LetheProcess process, Duration timeout) {
        Awaitility.await().atMost(timeout).pollInterval(Duration.ofMillis(200))
                .until(() -> seen.isDone() || current() != process);
        return seen.isDone();
    }

    /** Waits until every id has a terminal audit event, restarting the daemon whenever it exits. */
    void awaitTerminal(String bootstrap, Collection<String> requestIds, Duration timeout) {
        Awaitility.await().atMost(timeout).pollInterval(Duration.ofSeconds(1)).until(() -> {
            current();
            return ExactlyOnceVerdict.terminalCounts(ExactlyOnceVerdict.audit(bootstrap)).keySet()
                    .containsAll(requestIds);
        });
    }

    @Override
    public synchronized void close() {
        current.close();
    }
}
