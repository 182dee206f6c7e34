package dev.lethe.perf;

import java.util.function.Consumer;

/**
 * Times several tasks side by side: every repetition runs each task once, in turn, so that slow
 * phases of a shared machine hit all tasks alike and per-repetition ratios cancel most of the
 * noise. Warm-up repetitions are run and discarded first (JIT, engine caches, allocator).
 */
public final class Timer {

    private Timer() {
    }

    /** Seconds per task (outer index) and repetition (inner index). */
    public static double[][] interleaved(int warmup, int repetitions, Runnable... tasks) {
        for (int r = 0; r < warmup; r++) {
            for (Runnable t : tasks) {
                t.run();
            }
        }
        double[][] seconds = new double[tasks.length][repetitions];
        for (int r = 0; r < repetitions; r++) {
            for (int i = 0; i < tasks.length; i++) {
                long start = System.nanoTime();
                tasks[i].run();
                seconds[i][r] = (System.nanoTime() - start) / 1e9;
            }
        }
        return seconds;
    }

    /** Per-repetition ratios a[r] / b[r]. */
    public static double[] ratios(double[] a, double[] b) {
        if (a.length != b.length) {
            throw new IllegalArgumentException("different repetition counts");
        }
        double[] r = new double[a.length];
        for (int i = 0; i < r.length; i++) {
            r[i] = a[i] / b[i];
        }
        return r;
    }

    /** Seconds one run of {@code task} takes. */
    public static double seconds(Runnable task) {
        long start = System.nanoTime();
        task.run();
        return (System.nanoTime() - start) / 1e9;
    }

    /** Progress lines go here; a no-op sink for tests. */
    public static Consumer<String> quiet() {
        return line -> {
        };
    }
}
