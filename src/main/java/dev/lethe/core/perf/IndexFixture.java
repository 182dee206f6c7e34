package dev.lethe.core.perf;

import dev.lethe.core.requests.RocksSubjectIndex;
import dev.lethe.core.requests.StoredSample;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;

/**
 * A RocksDB subject index holding a given number of samples (28×28 float32 features each, the
 * Fashion-MNIST images cycled), {@value #PER_SUBJECT} per subject, built once in a directory and
 * reused by later runs that ask for the same size.
 */
final class IndexFixture {

    static final int PER_SUBJECT = 10;
    static final int PARTITIONS = 6;
    private static final int GROUP = 5_000;

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
        try (RocksSubjectIndex index = RocksSubjectIndex.open(dir)) {
            if (index.size() == samples) {
                progress.accept(String.format(Locale.ROOT, "index: reusing %,d samples in %s", samples, dir));
                return Double.NaN;
            }
        }
        deleteRecursively(dir);
        long start = System.nanoTime();
        try (RocksSubjectIndex index = RocksSubjectIndex.open(dir)) {
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
                    w.putAll(group);
                    w.commitOffset((int) (offset / GROUP % PARTITIONS), offset);
                });
                if (to % 100_000 == 0) {
                    progress.accept(String.format(Locale.ROOT, "index: %,d of %,d samples written", to, samples));
                }
            }
        }
        return (System.nanoTime() - start) / 1e9;
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
