package dev.lethe.perf;

import dev.lethe.core.events.Pseudonymizer;
import dev.lethe.core.requests.PersistedPools;
import dev.lethe.core.requests.RocksSubjectIndex;
import dev.lethe.core.requests.SubjectIndex;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * Time to ready after a restart with the index on disk, as the daemon's start-up does it: open
 * RocksDB (WAL replay included), read the sample count and the committed offsets of every samples
 * partition, answer a first subject lookup, then restore the retain and holdout pools from their
 * persisted members ({@link PersistedPools#restore}, which {@code SamplePools.restore} calls in the
 * daemon). For comparison, each repetition also times the former start-up, which rebuilt the pools
 * by reading every sample of the index ({@link PersistedPools#rebuild}).
 *
 * <p>The erased-subject check is the daemon's ({@code ErasedSubjects}): the index's erased mark, and
 * the subject's audit pseudonym (an HMAC) looked up among the erasures read from the audit topic.
 */
final class RestartPerf {

    static final double GOAL_SECONDS = 5;

    private RestartPerf() {
    }

    static List<Figure> run(PerfConfig config, Path indexDir, double buildSeconds, Consumer<String> progress,
                            List<String> notes) {
        String section = String.format(Locale.ROOT, "restart with %,d indexed samples (RocksDB)", config.indexSamples());
        int reps = Math.max(3, config.repetitions() / 3);
        double[] open = new double[reps];
        double[] ready = new double[reps];
        double[] pools = new double[reps];
        double[] scanReady = new double[reps];
        long size = 0;
        int retain = 0;
        int holdout = 0;
        long[] seen = new long[2];
        Pseudonymizer pseudonymizer = IngestPerf.PSEUDONYMIZER;
        Set<String> erasedRefs = Set.of(); // as read from the audit topic: none in this index
        for (int r = 0; r < reps; r++) {
            // The daemon's start-up now: index, then the persisted pools.
            long start = System.nanoTime();
            try (RocksSubjectIndex index = RocksSubjectIndex.open(indexDir, IngestPerf.PSEUDONYMIZER)) {
                size = index.size();
                openIndex(index, r);
                open[r] = (System.nanoTime() - start) / 1e9;
                long poolsStart = System.nanoTime();
                PersistedPools.Restored restored = PersistedPools.restore(index, IndexFixture.RETAIN_SIZE,
                        IndexFixture.HOLDOUT_SIZE, IndexFixture.POOL_SEED, erased(index, pseudonymizer, erasedRefs));
                long end = System.nanoTime();
                if (restored.source() != PersistedPools.Source.PERSISTED) {
                    throw new IllegalStateException("the index has no persisted pools: " + restored.reason());
                }
                pools[r] = (end - poolsStart) / 1e9;
                ready[r] = (end - start) / 1e9;
                retain = restored.pools().retainSize();
                holdout = restored.pools().holdoutSize();
                seen[0] = restored.pools().seen(SubjectIndex.Pool.RETAIN);
                seen[1] = restored.pools().seen(SubjectIndex.Pool.HOLDOUT);
            }
            // The former start-up: the same, but the pools rebuilt by a full scan (nothing written).
            start = System.nanoTime();
            try (RocksSubjectIndex index = RocksSubjectIndex.open(indexDir, IngestPerf.PSEUDONYMIZER)) {
                openIndex(index, r);
                PersistedPools scanned = PersistedPools.rebuild(index, IndexFixture.RETAIN_SIZE,
                        IndexFixture.HOLDOUT_SIZE, IndexFixture.POOL_SEED, erased(index, pseudonymizer, erasedRefs));
                scanReady[r] = (System.nanoTime() - start) / 1e9;
                if (scanned.retainSize() != retain || scanned.holdoutSize() != holdout) {
                    throw new IllegalStateException("the scan filled other pool sizes");
                }
            }
            progress.accept(String.format(Locale.ROOT, "restart %d of %d: index ready in %.3f s, pools read in %.3f s "
                            + "(ready %.3f s); with a full scan instead %.2f s", r + 1, reps, open[r], pools[r], ready[r],
                    scanReady[r]));
        }
        notes.add(String.format(Locale.ROOT, "restart: index of %,d samples (%,d train, %,d holdout offered to the pools), "
                        + "%.2f GB on disk, page cache warm (caches were not dropped: other work shares this machine)%s; "
                        + "pools of the daemon's default sizes, restored with retain %d and holdout %d members",
                size, seen[0], seen[1], directorySize(indexDir) / 1e9,
                Double.isNaN(buildSeconds) ? "; index reused from an earlier run"
                        : String.format(Locale.ROOT, "; built in %.0f s (%,.0f samples/s, pools persisted as the ingest does)",
                                buildSeconds, size / buildSeconds), retain, holdout));
        List<Figure> f = new ArrayList<>();
        f.add(new Figure(section, "restart.ready_s",
                "time to ready as the daemon restarts: open + offsets + first lookup + pools read from their persisted members",
                Stats.of(ready), "s", Goal.atMost(GOAL_SECONDS)));
        f.add(new Figure(section, "restart.index_ready_s", "index part alone: open + size + offsets + first lookup",
                Stats.of(open), "s", null));
        f.add(new Figure(section, "restart.pools_s", String.format(Locale.ROOT,
                "pools part alone: %,d + %,d members read (PersistedPools.restore)", retain, holdout),
                Stats.of(pools), "s", null));
        f.add(new Figure(section, "restart.full_scan_ready_s",
                "for comparison, the former start-up: open + offsets + first lookup + pools rebuilt by a full scan of the index",
                Stats.of(scanReady), "s", Goal.atMost(GOAL_SECONDS)));
        return f;
    }

    /** What the daemon does before the pools: size, every partition's offset, a first lookup. */
    private static void openIndex(RocksSubjectIndex index, int r) {
        for (int p = 0; p < IndexFixture.PARTITIONS; p++) {
            index.committedOffset(p);
        }
        if (index.sampleCount(IndexFixture.subjectId(r)) < 1 || index.isErased(IndexFixture.subjectId(r))) {
            throw new IllegalStateException("index does not hold the expected subjects");
        }
    }

    /** The daemon's {@code ErasedSubjects.isErased}, less the batch in progress (none at start-up). */
    private static Predicate<String> erased(RocksSubjectIndex index, Pseudonymizer pseudonymizer, Set<String> refs) {
        return subject -> index.isErased(subject) || refs.contains(pseudonymizer.pseudonymize(subject));
    }

    static long directorySize(Path dir) {
        try (var paths = java.nio.file.Files.walk(dir)) {
            return paths.filter(java.nio.file.Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
        } catch (java.io.IOException e) {
            return -1;
        }
    }
}
