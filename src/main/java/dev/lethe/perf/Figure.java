package dev.lethe.perf;

import java.util.Locale;
import java.util.Objects;

/**
 * One measured figure of the performance report.
 *
 * @param section what it belongs to, e.g. "per-sample gradients"
 * @param name    stable identifier for JSON readers, e.g. {@code gradients.cnn-small.fast_over_batched}
 * @param label   human description
 * @param stats   median and spread over the repetitions
 * @param unit    "×", "ms", "s", "requests/s", "MiB", …
 * @param goal    the target the median is held to, or null for context figures
 */
public record Figure(String section, String name, String label, Stats stats, String unit, Goal goal) {

    public Figure {
        Objects.requireNonNull(section, "section");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(label, "label");
        Objects.requireNonNull(stats, "stats");
        Objects.requireNonNull(unit, "unit");
    }

    /** Whether the median meets the goal; null when there is no goal. */
    public Boolean met() {
        return goal == null ? null : goal.metBy(stats.median());
    }

    /** Three significant digits, or an integer for large values. */
    static String format(double v) {
        if (Double.isNaN(v) || Double.isInfinite(v)) {
            return "–";
        }
        double a = Math.abs(v);
        if (a >= 1000) {
            return String.format(Locale.ROOT, "%,.0f", v);
        }
        if (a >= 100) {
            return String.format(Locale.ROOT, "%.0f", v);
        }
        if (a >= 10) {
            return String.format(Locale.ROOT, "%.1f", v);
        }
        if (a >= 1) {
            return String.format(Locale.ROOT, "%.2f", v);
        }
        if (a >= 0.01) {
            return String.format(Locale.ROOT, "%.3f", v);
        }
        return String.format(Locale.ROOT, "%.2g", v);
    }
}
