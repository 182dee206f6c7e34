package dev.lethe.perf;

import java.util.Arrays;

/**
 * Summary of repeated measurements: the median and the spread around it (quartiles and range).
 *
 * @param median the middle value (mean of the two middle values for an even count)
 * @param p25    first quartile (linear interpolation)
 * @param p75    third quartile
 * @param min    smallest value
 * @param max    largest value
 * @param n      number of values
 */
public record Stats(double median, double p25, double p75, double min, double max, int n) {

    public static Stats of(double... values) {
        if (values.length == 0) {
            throw new IllegalArgumentException("no values");
        }
        double[] v = values.clone();
        Arrays.sort(v);
        return new Stats(quantile(v, 0.5), quantile(v, 0.25), quantile(v, 0.75), v[0], v[v.length - 1], v.length);
    }

    /** A single value measured once (no spread). */
    public static Stats once(double value) {
        return of(value);
    }

    /** Quantile of sorted values by linear interpolation between closest ranks. */
    static double quantile(double[] sorted, double q) {
        double pos = q * (sorted.length - 1);
        int lo = (int) Math.floor(pos);
        int hi = (int) Math.ceil(pos);
        return sorted[lo] + (pos - lo) * (sorted[hi] - sorted[lo]);
    }

    /** Each value transformed, e.g. seconds to milliseconds. */
    public Stats scale(double factor) {
        return new Stats(median * factor, p25 * factor, p75 * factor, min * factor, max * factor, n);
    }
}
