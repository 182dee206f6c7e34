package dev.lethe.perf;

import java.util.Locale;

/** A target a figure's median is held to, e.g. "≤ 3" for a ratio. */
public record Goal(boolean atMost, double bound) {

    public static Goal atMost(double bound) {
        return new Goal(true, bound);
    }

    public static Goal atLeast(double bound) {
        return new Goal(false, bound);
    }

    public boolean metBy(double value) {
        return atMost ? value <= bound : value >= bound;
    }

    public String text() {
        return (atMost ? "≤ " : "≥ ") + Figure.format(bound);
    }

    @Override
    public String toString() {
        return text().toLowerCase(Locale.ROOT);
    }
}
