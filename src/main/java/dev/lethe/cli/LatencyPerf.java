package dev.lethe.cli;

import dev.lethe.perf.Figure;
import dev.lethe.perf.PerfRunner;
import dev.lethe.perf.Stats;
import dev.lethe.daemon.demo.RequestLatencyProbe;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * The {@code latency} section of {@code lethe perf}: {@link RequestLatencyProbe} — a real in-JVM
 * KRaft broker, the real daemon, a CNN trained on Fashion-MNIST (generated data when it is not
 * installed) — under a steady stream of deletion requests, one per subject, each timed from its
 * send to its terminal audit event read {@code read_committed}. Lives outside the core because it
 * needs Kafka and the daemon.
 */
final class LatencyPerf {

    /** What the section runs with. */
    record Settings(int requests, double ratePerSecond, Duration linger, int maxSamples, int trainSize,
                    int holdoutSize, int epochs) {
    }

    private LatencyPerf() {
    }

    static List<Figure> run(Settings settings, Path workDir, Consumer<String> progress, List<String> notes)
            throws Exception {
        Path dir = Files.createDirectories(workDir).resolve("latency-" + System.currentTimeMillis());
        Files.createDirectories(dir);
        long start = System.nanoTime();
        try {
            RequestLatencyProbe.Result result = RequestLatencyProbe.run(dir, settings.trainSize(), settings.holdoutSize(),
                    settings.epochs(), settings.requests(), settings.ratePerSecond(),
                    Map.of("lethe.batch.linger", settings.linger().toMillis() + "ms",
                            "lethe.batch.max-samples", Integer.toString(settings.maxSamples())),
                    progress);
            notes.add(String.format(Locale.ROOT, "latency: CNN trained %d epochs on %,d images, %,d train + %,d holdout "
                            + "samples indexed, %d requests (one per subject of 10 samples) sent at %s/s; batch linger "
                            + "%s s, max %d samples; default unlearning; broker, daemon and probe share the JVM and the "
                            + "cores; whole section %.0f s",
                    settings.epochs(), settings.trainSize(), settings.trainSize(), settings.holdoutSize(),
                    settings.requests(), plain(settings.ratePerSecond()), plain(settings.linger().toMillis() / 1000.0),
                    settings.maxSamples(), (System.nanoTime() - start) / 1e9));
            return figures(result);
        } finally {
            deleteRecursively(dir);
        }
    }

    private static String plain(double v) {
        return java.math.BigDecimal.valueOf(v).stripTrailingZeros().toPlainString();
    }

    /** The probe's result as report figures; the spread is over the requests of the one run. */
    static List<Figure> figures(RequestLatencyProbe.Result r) {
        String section = PerfRunner.LATENCY_SECTION;
        List<Figure> f = new ArrayList<>();
        if (r.latenciesSeconds().length > 0) {
            f.add(new Figure(section, "latency.request_to_audit_s", String.format(Locale.ROOT,
                    "request → terminal audit event (spread over the %d requests of one run)", r.latenciesSeconds().length),
                    Stats.of(r.latenciesSeconds()), "s", null));
        }
        f.add(new Figure(section, "latency.p50_s", "p50 (nearest rank)", Stats.once(r.p50Seconds()), "s", null));
        f.add(new Figure(section, "latency.p95_s", "p95 (nearest rank)", Stats.once(r.p95Seconds()), "s", null));
        f.add(new Figure(section, "latency.max_s", "slowest request", Stats.once(r.maxSeconds()), "s", null));
        f.add(new Figure(section, "latency.requests", String.format(Locale.ROOT,
                "requests sent (%d reached a terminal event)", r.completed()), Stats.once(r.requests()), "requests", null));
        f.add(new Figure(section, "latency.rate_per_s", "request rate", Stats.once(r.ratePerSecond()), "requests/s", null));
        f.add(new Figure(section, "latency.versions", "model versions published", Stats.once(r.versions()), "versions", null));
        f.add(new Figure(section, "latency.linger_s", String.format(Locale.ROOT, "batch linger (max %d samples a batch)",
                r.maxSamples()), Stats.once(r.linger().toMillis() / 1000.0), "s", null));
        return f;
    }

    private static void deleteRecursively(Path dir) {
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
