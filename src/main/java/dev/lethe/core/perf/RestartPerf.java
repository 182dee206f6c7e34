package dev.lethe.core.perf;

import dev.lethe.core.requests.RocksSubjectIndex;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;

/**
 * Time to ready after a restart with the index on disk: open RocksDB (WAL replay included), read
 * the sample count and the committed offsets of every samples partition, and answer a first
 * subject lookup; then, as the daemon's start-up does ({@code SampleIngestor.refillPools}), read
 * every sample once to refill the retain and holdout pools, skipping erased subjects.
 */
final class RestartPerf {

    static final double GOAL_SECONDS = 5;

    private RestartPerf() {
    }

    static List<Figure> run(PerfConfig config, Path indexDir, double buildSeconds, Consumer<String> progress,
                            List<String> notes) {
        String section = String.format(Locale.ROOT, "restart with %,d indexed samples (RocksDB)", config.indexSamples());
        int reps = 3;
        double[] open = new double[reps];
        double[] ready = new double[reps];
        long[] size = new long[1];
        long[] counts = new long[2];
        for (int r = 0; r < reps; r++) {
            long start = System.nanoTime();
            try (RocksSubjectIndex index = RocksSubjectIndex.open(indexDir)) {
                size[0] = index.size();
                for (int p = 0; p < IndexFixture.PARTITIONS; p++) {
                    index.committedOffset(p);
                }
                if (index.sampleCount(IndexFixture.subjectId(r)) < 1 || index.isErased(IndexFixture.subjectId(r))) {
                    throw new IllegalStateException("index does not hold the expected subjects");
                }
                open[r] = (System.nanoTime() - start) / 1e9;
                // What the daemon does next (SampleIngestor.refillPools): every sample, skipping erased subjects.
                counts[0] = 0;
                counts[1] = 0;
                index.forEachSample(s -> {
                    if (!index.isErased(s.subjectId())) {
                        counts[s.split().equals("train") ? 0 : 1]++;
                    }
                });
                ready[r] = (System.nanoTime() - start) / 1e9;
            }
            progress.accept(String.format(Locale.ROOT, "restart %d of %d: index ready in %.3f s, refilled in %.2f s",
                    r + 1, reps, open[r], ready[r]));
        }
        notes.add(String.format(Locale.ROOT, "restart: index of %,d samples (%,d train, %,d holdout), %.2f GB on disk, page cache warm "
                        + "(caches were not dropped: other work shares this machine)%s",
                size[0], counts[0], counts[1], directorySize(indexDir) / 1e9,
                Double.isNaN(buildSeconds) ? "; index reused from an earlier run"
                        : String.format(Locale.ROOT, "; built in %.0f s (%,.0f samples/s)", buildSeconds, size[0] / buildSeconds)));
        List<Figure> f = new ArrayList<>();
        f.add(new Figure(section, "restart.ready_s",
                "time to ready as the daemon restarts today: open + offsets + first lookup + refill of the pools by a full scan",
                Stats.of(ready), "s", Goal.atMost(GOAL_SECONDS)));
        f.add(new Figure(section, "restart.index_ready_s", "index part alone: open + size + offsets + first lookup",
                Stats.of(open), "s", Goal.atMost(GOAL_SECONDS)));
        return f;
    }

    static long directorySize(Path dir) {
        try (var paths = java.nio.file.Files.walk(dir)) {
            return paths.filter(java.nio.file.Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
        } catch (java.io.IOException e) {
            return -1;
        }
    }
}
