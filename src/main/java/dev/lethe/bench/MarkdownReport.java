package dev.lethe.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.function.ToDoubleFunction;

/**
 * Renders a {@link BenchmarkReport} as GitHub-flavoured Markdown: the setting, the original model,
 * a comparison table (best avgGap among the approximate methods in bold) and, when a retain sweep
 * was run, avgGap / test accuracy / MIA AUC per method and retain size.
 */
public final class MarkdownReport {

    /** The method name of the exact-unlearning oracle that every other method is compared against. */
    static final String ORACLE = "retrain";

    private static final String MISSING = "–";

    private MarkdownReport() {
    }

    /** The report as Markdown. */
    public static String toMarkdown(BenchmarkReport r) {
        StringBuilder md = new StringBuilder();
        md.append("## Unlearning benchmark: ").append(text(r.dataset())).append(", seed ").append(r.seed())
                .append("\n\n");
        md.append(String.format(Locale.ROOT,
                "train %d · forget %d · retain %d · holdout %d · validation %d · %,d parameters",
                r.trainSize(), r.forgetSize(), r.retainSize(), r.holdoutSize(), r.validationSize(),
                r.parameters()));
        if (r.architecture() != null && !r.architecture().isBlank()) {
            md.append(" · ").append(text(r.architecture()));
        }
        if (r.device() != null && !r.device().isBlank()) {
            md.append(" · device ").append(text(r.device()));
        }
        if (r.unlearnedTensors() != null && !r.unlearnedTensors().isEmpty()) {
            md.append(String.format(Locale.ROOT, " · step-wise methods unlearn %,d parameters (%s)",
                    r.unlearnedParameters(), text(String.join(", ", r.unlearnedTensors()))));
        }
        md.append("\n\n");

        ModelMetrics o = r.original();
        if (o != null) {
            md.append("Original model: FA ").append(num(o.forgetAcc()))
                    .append(" · RA ").append(num(o.retainAcc()))
                    .append(" · TA ").append(num(o.testAcc()))
                    .append(" · MIA AUC ").append(auc(o))
                    .append(" · trained in ").append(seconds(r.originalSeconds())).append(" s\n\n");
        }

        List<MethodResult> results = nullSafe(r.results());
        md.append("| method | FA | RA | TA | MIA AUC [95 % CI] | UIS | avgGap | steps | seconds | stop |\n");
        md.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|---|\n");
        double best = bestGap(results);
        for (MethodResult m : results) {
            ModelMetrics x = m.metrics();
            md.append("| ").append(text(m.method()))
                    .append(" | ").append(x == null ? MISSING : num(x.forgetAcc()))
                    .append(" | ").append(x == null ? MISSING : num(x.retainAcc()))
                    .append(" | ").append(x == null ? MISSING : num(x.testAcc()))
                    .append(" | ").append(x == null ? MISSING : auc(x))
                    .append(" | ").append(num(m.uis()))
                    .append(" | ").append(gapCell(m, best))
                    .append(" | ").append(m.steps())
                    .append(" | ").append(seconds(m.seconds()))
                    .append(" | ").append(m.stopReason() == null ? MISSING : text(m.stopReason()))
                    .append(" |\n");
        }
        md.append("\nFA/RA/TA: accuracy on the forget, retain and test sets. MIA AUC: membership inference, "
                + "forget vs holdout (0.5 = indistinguishable). avgGap: mean |Δ| to `retrain` over FA, RA, TA "
                + "and MIA AUC; smallest among the approximate methods in bold.\n");

        List<BenchmarkReport.SweepPoint> sweep = nullSafe(r.retainSweep());
        if (!sweep.isEmpty()) {
            appendSweep(md, sweep);
        }
        return md.toString();
    }

    /** Writes {@link #toMarkdown} to {@code file}, replacing it atomically where the file system allows. */
    public static void write(BenchmarkReport report, Path file) throws IOException {
        JsonReport.writeAtomically(file, toMarkdown(report).getBytes(StandardCharsets.UTF_8));
    }

    private static void appendSweep(StringBuilder md, List<BenchmarkReport.SweepPoint> sweep) {
        Set<String> methods = new LinkedHashSet<>();
        for (BenchmarkReport.SweepPoint p : sweep) {
            for (MethodResult m : nullSafe(p.results())) {
                methods.add(m.method());
            }
        }
        StringBuilder header = new StringBuilder("| method |");
        StringBuilder rule = new StringBuilder("|---|");
        for (BenchmarkReport.SweepPoint p : sweep) {
            header.append(' ').append(p.retainSize()).append(" (").append(percent(p.retainFraction())).append(") |");
            rule.append("---:|");
        }
        header.append('\n');
        rule.append('\n');

        md.append("\n### Retain-size sweep: avgGap to retrain\n\n");
        md.append("Columns: retain-buffer size (fraction of the training set). Best approximate method per "
                + "column in bold.\n\n");
        md.append(header).append(rule);
        List<Double> bests = new ArrayList<>();
        for (BenchmarkReport.SweepPoint p : sweep) {
            bests.add(bestGap(nullSafe(p.results())));
        }
        for (String method : methods) {
            md.append("| ").append(text(method)).append(" |");
            for (int i = 0; i < sweep.size(); i++) {
                MethodResult m = find(sweep.get(i), method);
                md.append(' ').append(m == null ? MISSING : gapCell(m, bests.get(i))).append(" |");
            }
            md.append('\n');
        }

        md.append("\n### Retain-size sweep: test accuracy / MIA AUC\n\n");
        md.append(header).append(rule);
        for (String method : methods) {
            md.append("| ").append(text(method)).append(" |");
            for (BenchmarkReport.SweepPoint p : sweep) {
                MethodResult m = find(p, method);
                String cell = m == null || m.metrics() == null ? MISSING
                        : num(m.metrics().testAcc()) + " / " + num(m.metrics().miaAuc());
                md.append(' ').append(cell).append(" |");
            }
            md.append('\n');
        }
    }

    private static MethodResult find(BenchmarkReport.SweepPoint p, String method) {
        for (MethodResult m : nullSafe(p.results())) {
            if (Objects.equals(m.method(), method)) {
                return m;
            }
        }
        return null;
    }

    /** The smallest finite avgGap among the non-oracle methods, or NaN if there is none. */
    static double bestGap(List<MethodResult> results) {
        return min(results, MethodResult::avgGap);
    }

    private static double min(List<MethodResult> results, ToDoubleFunction<MethodResult> f) {
        double best = Double.NaN;
        for (MethodResult m : results) {
            if (ORACLE.equals(m.method())) {
                continue;
            }
            double v = f.applyAsDouble(m);
            if (Double.isFinite(v) && (Double.isNaN(best) || v < best)) {
                best = v;
            }
        }
        return best;
    }

    private static String gapCell(MethodResult m, double best) {
        String cell = num(m.avgGap());
        boolean isBest = !ORACLE.equals(m.method()) && Double.isFinite(m.avgGap()) && m.avgGap() == best;
        return isBest ? "**" + cell + "**" : cell;
    }

    private static String auc(ModelMetrics m) {
        String s = num(m.miaAuc());
        if (Double.isFinite(m.miaAucLow()) && Double.isFinite(m.miaAucHigh())) {
            s += " [" + num(m.miaAucLow()) + ", " + num(m.miaAucHigh()) + "]";
        }
        return s;
    }

    private static String num(double v) {
        return Double.isFinite(v) ? String.format(Locale.ROOT, "%.4f", v) : MISSING;
    }

    private static String seconds(double v) {
        return Double.isFinite(v) ? String.format(Locale.ROOT, "%.2f", v) : MISSING;
    }

    /** A fraction as a compact percentage: 0.01 → "1 %", 0.005 → "0.5 %", 0.125 → "12.5 %". */
    static String percent(double fraction) {
        if (!Double.isFinite(fraction)) {
            return MISSING;
        }
        double pct = fraction * 100.0;
        String s = String.format(Locale.ROOT, pct < 1 ? "%.2f" : "%.1f", pct);
        if (s.contains(".")) {
            s = s.replaceAll("0+$", "").replaceAll("\\.$", "");
        }
        return s + " %";
    }

    /** Escapes the characters that would break a table cell. */
    private static String text(String s) {
        if (s == null) {
            return MISSING;
        }
        return s.replace("|", "\\|").replace("\n", " ");
    }

    private static <T> List<T> nullSafe(List<T> list) {
        return list == null ? List.of() : list;
    }
}
