package dev.lethe.perf;

import dev.lethe.core.requests.PersistedPools;
import dev.lethe.core.requests.RocksSubjectIndex;
import dev.lethe.core.requests.StoredSample;
import dev.lethe.core.requests.SubjectIndex;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;

/**
 * A RocksDB subject index holding a given number of samples (28×28 float32 features each, the
 * Fashion-MNIST images cycled), {@value #PER_SUBJECT} per subject, built once in a directory and
 * reused by later runs that ask for the same size. It is written as the daemon's ingest writes it:
 * per group, the samples, the sample pools' changes ({@link PersistedPools}, the daemon's default
 * sizes {@value #RETAIN_SIZE} and {@value #HOLDOUT_SIZE}) and an offset. An index of another size, or
 * one without persisted pools of those sizes (written before pools were persisted), is rebuilt.
 */
final class IndexFixture {

    static final int PER_SUBJECT = 10;
    static final int PARTITIONS = 6;
    private static final int GROUP = 5_000;
    /** The daemon's default {@code lethe.ingest.retain-size}. */
    static final int RETAIN_SIZE = 500;
    /** The daemon's default {@code lethe.ingest.holdout-size}. */
    static final int HOLDOUT_SIZE = 1000;
    /** The daemon's default {@code lethe.ingest.seed}. */
    static final long POOL_SEED = 1;

    private IndexFixture() {
    }

    static String subjectId(int s) {
        return String.format(Locale.ROOT, "subject-%07d", s);
    }

    static int subjects(int samples) {
        return (samples + PER_SUBJECT - 1) / PER_SUBJECT;
    }

    /**
     * The index directory for {@code samples}, built when missing or of another size. Returns the
     * seconds the build took, or NaN when an existing index was reused.
     */
    static double ensure(Path dir, int samples, float[][] images, int[] labels, Consumer<String> progress) {
        try (RocksSubjectIndex index = RocksSubjectIndex.open(dir, IngestPerf.PSEUDONYMIZER)) {
            String stale = staleness(index, samples);
            if (stale == null) {
                progress.accept(String.format(Locale.ROOT, "index: reusing %,d samples in %s", samples, dir));
                return Double.NaN;
            }
            progress.accept("index: building anew in " + dir + ": " + stale);
        }
        deleteRecursively(dir);
        long start = System.nanoTime();
        try (RocksSubjectIndex index = RocksSubjectIndex.open(dir, IngestPerf.PSEUDONYMIZER)) {
            PersistedPools pools = new PersistedPools(RETAIN_SIZE, HOLDOUT_SIZE, POOL_SEED, index::isErased);
            for (int from = 0; from < samples; from += GROUP) {
                int to = Math.min(samples, from + GROUP);
                List<StoredSample> group = new ArrayList<>(to - from);
                for (int i = from; i < to; i++) {
                    int image = i % images.length;
                    group.add(new StoredSample(String.format(Locale.ROOT, "sample-%08d", i), subjectId(i / PER_SUBJECT),
                            labels[image], i % 20 == 0 ? "holdout" : "train", images[image]));
                }
                long offset = to;
                index.apply(w -> {
                    for (StoredSample s : group) {
                        if (w.put(s)) {
                            pools.offer(s);
                        }
                    }
                    w.commitOffset((int) (offset / GROUP % PARTITIONS), offset);
                    pools.stage(w);
                });
                if (to % 100_000 == 0) {
                    progress.accept(String.format(Locale.ROOT, "index: %,d of %,d samples written", to, samples));
                }
            }
        }
        return (System.nanoTime() - start) / 1e9;
    }

    /** Why the index in {@code dir} cannot be reused, or null when it can. */
    private static String staleness(RocksSubjectIndex index, int samples) {
        if (index.size() == 0) {
            return "empty";
        }
        if (index.size() != samples) {
            return String.format(Locale.ROOT, "it holds %,d samples, not %,d", index.size(), samples);
        }
        var retain = index.pool(SubjectIndex.Pool.RETAIN);
        var holdout = index.pool(SubjectIndex.Pool.HOLDOUT);
        if (retain.isEmpty() || holdout.isEmpty()) {
            return "it has no persisted sample pools (an index format from before pools were persisted)";
        }
        if (retain.get().capacity() != RETAIN_SIZE || holdout.get().capacity() != HOLDOUT_SIZE) {
            return "its pools have other sizes";
        }
        return null;
    }

    static void deleteRecursively(Path dir) {
        if (!java.nio.file.Files.exists(dir)) {
            return;
        }
        try (var paths = java.nio.file.Files.walk(dir)) {
            paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
