package dev.lethe.bench;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.Shape;
import java.awt.Stroke;
import java.awt.geom.Ellipse2D;
import java.awt.geom.Line2D;
import java.awt.geom.Path2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/**
 * Draws the unlearning trajectories of a {@link BenchmarkReport} as a PNG with plain Java2D:
 * three panels (forget accuracy, test accuracy, MIA AUC) over the unlearning step, one line per
 * method from its {@link MethodResult#trace()}. Methods without a trace of at least two points
 * (the retrain oracle, typically) are drawn as labelled dashed horizontal reference lines at their
 * final value. Works headless.
 */
public final class PlotRenderer {

    /** Image width in pixels. */
    public static final int WIDTH = 1500;
    /** Image height in pixels. */
    public static final int HEIGHT = 500;

    private static final Color TEXT = new Color(0x22, 0x22, 0x22);
    private static final Color MUTED = new Color(0x66, 0x66, 0x66);
    private static final Color GRID = new Color(0xE8, 0xE8, 0xE8);
    private static final Color FRAME = new Color(0x99, 0x99, 0x99);

    private static final Map<String, Color> KNOWN = Map.of(
            "orthograd", new Color(0x1F, 0x77, 0xB4),
            "orthograd-global", new Color(0x94, 0x67, 0xBD),
            "ga", new Color(0xD6, 0x27, 0x28),
            "neggrad-plus", new Color(0xFF, 0x7F, 0x0E),
            "finetune", new Color(0x2C, 0xA0, 0x2C),
            "retrain", new Color(0x33, 0x33, 0x33));
    private static final Color[] FALLBACK = {
        new Color(0x8C, 0x56, 0x4B), new Color(0xE3, 0x77, 0xC2), new Color(0x17, 0xBE, 0xCF),
        new Color(0xBC, 0xBD, 0x22), new Color(0x7F, 0x7F, 0x7F)
    };

    // layout
    private static final int OUTER_LEFT = 10;
    private static final int OUTER_RIGHT = 10;
    private static final int PANEL_LEFT = 62;
    private static final int PANEL_RIGHT = 22;
    private static final int PLOT_TOP = 88;
    private static final int PLOT_BOTTOM = HEIGHT - 96;
    private static final int LEGEND_Y = HEIGHT - 22;

    private PlotRenderer() {
    }

    /** One panel: its title, how to read a value off a trace point and off the final metrics. */
    private record Panel(String title, ToDoubleFunction<StepMetrics> fromStep,
                         ToDoubleFunction<ModelMetrics> fromMetrics, boolean chanceLine) {
    }

    private static final List<Panel> PANELS = List.of(
            new Panel("Forget accuracy", StepMetrics::forgetAcc, ModelMetrics::forgetAcc, false),
            new Panel("Test accuracy", StepMetrics::testAcc, ModelMetrics::testAcc, false),
            new Panel("MIA AUC (forget vs holdout)", StepMetrics::miaAuc, ModelMetrics::miaAuc, true));

    /** Renders the plot and writes it to {@code png}, replacing it atomically where possible. */
    public static void render(BenchmarkReport report, Path png) throws IOException {
        PlotCanvas.writePng(draw(report), png);
    }

    /** Renders the plot into an image of {@link #WIDTH} × {@link #HEIGHT} pixels. */
    public static BufferedImage draw(BenchmarkReport report) {
        return PlotCanvas.paint(WIDTH, HEIGHT, g -> {
            g.setRenderingHint(RenderingHints.KEY_STROKE_CONTROL, RenderingHints.VALUE_STROKE_PURE);
            g.setRenderingHint(RenderingHints.KEY_RENDERING, RenderingHints.VALUE_RENDER_QUALITY);
            List<MethodResult> methods = report.results() == null ? List.of() : report.results();
            drawTitle(g, report);
            int maxStep = 1;
            for (MethodResult m : methods) {
                if (hasCurve(m)) {
                    for (StepMetrics s : m.trace()) {
                        maxStep = Math.max(maxStep, s.step());
                    }
                }
            }
            int panelWidth = (WIDTH - OUTER_LEFT - OUTER_RIGHT) / PANELS.size();
            for (int i = 0; i < PANELS.size(); i++) {
                int x0 = OUTER_LEFT + i * panelWidth;
                drawPanel(g, PANELS.get(i), methods, maxStep,
                        x0 + PANEL_LEFT, PLOT_TOP, panelWidth - PANEL_LEFT - PANEL_RIGHT, PLOT_BOTTOM - PLOT_TOP);
            }
            drawLegend(g, methods);
        });
    }

    private static void drawTitle(Graphics2D g, BenchmarkReport r) {
        g.setColor(TEXT);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 19));
        String title = "Unlearning trajectories: " + (r.dataset() == null ? "?" : r.dataset()) + ", seed " + r.seed();
        PlotCanvas.centered(g, title, WIDTH / 2, 28);
        g.setColor(MUTED);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));
        StringBuilder sub = new StringBuilder(String.format(Locale.ROOT,
                "train %d · forget %d · retain %d · holdout %d · %,d parameters",
                r.trainSize(), r.forgetSize(), r.retainSize(), r.holdoutSize(), r.parameters()));
        if (r.architecture() != null && !r.architecture().isBlank()) {
            sub.append(" · ").append(r.architecture());
        }
        if (r.device() != null && !r.device().isBlank()) {
            sub.append(" · ").append(r.device());
        }
        PlotCanvas.centered(g, sub.toString(), WIDTH / 2, 48);
    }

    private static void drawPanel(Graphics2D g, Panel panel, List<MethodResult> methods, int maxStep,
                                  int px, int py, int pw, int ph) {
        // value range: all data, snapped outward to tenths, at least 0.2 wide, within [0, 1]
        double lo = Double.POSITIVE_INFINITY;
        double hi = Double.NEGATIVE_INFINITY;
        for (MethodResult m : methods) {
            for (double v : values(m, panel)) {
                lo = Math.min(lo, v);
                hi = Math.max(hi, v);
            }
        }
        if (panel.chanceLine()) {
            lo = Math.min(lo, 0.5);
            hi = Math.max(hi, 0.5);
        }
        if (lo > hi) {
            lo = 0;
            hi = 1;
        }
        lo = Math.max(0, Math.floor((lo - 0.02) * 10 + 1e-9) / 10);
        hi = Math.min(1, Math.ceil((hi + 0.02) * 10 - 1e-9) / 10);
        if (hi - lo < 0.2) {
            if (hi + 0.1 <= 1) {
                hi += 0.1;
            }
            if (hi - lo < 0.2) {
                lo = Math.max(0, hi - 0.2);
            }
        }
        Scale sx = new Scale(0, maxStep, px, px + pw);
        Scale sy = new Scale(lo, hi, py + ph, py);

        // panel title
        g.setColor(TEXT);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 15));
        PlotCanvas.centered(g, panel.title(), px + pw / 2, py - 12);

        // grid and ticks
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        FontMetrics fm = g.getFontMetrics();
        double span = hi - lo;
        double yStep = span <= 0.3 + 1e-9 ? 0.05 : span <= 0.6 + 1e-9 ? 0.1 : 0.2;
        String yFormat = yStep < 0.1 ? "%.2f" : "%.1f";
        g.setStroke(new BasicStroke(1f));
        for (double v = Math.ceil(lo / yStep - 1e-9) * yStep; v <= hi + 1e-9; v += yStep) {
            int y = (int) Math.round(sy.map(v));
            g.setColor(GRID);
            g.drawLine(px, y, px + pw, y);
            g.setColor(FRAME);
            g.drawLine(px - 5, y, px, y);
            g.setColor(MUTED);
            String label = String.format(Locale.ROOT, yFormat, v);
            g.drawString(label, px - 8 - fm.stringWidth(label), y + fm.getAscent() / 2 - 1);
        }
        int xStep = niceStep(maxStep / 6.0);
        for (int s = 0; s <= maxStep; s += xStep) {
            int x = (int) Math.round(sx.map(s));
            g.setColor(GRID);
            g.drawLine(x, py, x, py + ph);
            g.setColor(FRAME);
            g.drawLine(x, py + ph, x, py + ph + 5);
            g.setColor(MUTED);
            PlotCanvas.centered(g, Integer.toString(s), x, py + ph + 7 + fm.getAscent());
        }
        g.setColor(TEXT);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));
        PlotCanvas.centered(g, "unlearning step", px + pw / 2, py + ph + 40);

        Shape oldClip = g.getClip();
        g.clipRect(px - 4, py - 4, pw + 8, ph + 8);

        if (panel.chanceLine() && lo <= 0.5 && hi >= 0.5) {
            int y = (int) Math.round(sy.map(0.5));
            g.setColor(new Color(0xB0, 0xB0, 0xB0));
            g.setStroke(new BasicStroke(1.2f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f,
                    new float[] {2f, 4f}, 0f));
            g.drawLine(px, y, px + pw, y);
            g.setFont(new Font(Font.SANS_SERIF, Font.ITALIC, 11));
            g.drawString("chance", px + 6, y - 4);
        }

        // reference lines first, so that the curves are drawn on top of them
        List<ReferenceLabels.Label> labels = new ArrayList<>();
        for (int i = 0; i < methods.size(); i++) {
            MethodResult m = methods.get(i);
            if (hasCurve(m)) {
                continue;
            }
            double v = finalValue(m, panel);
            if (!Double.isFinite(v)) {
                continue;
            }
            double y = sy.map(v);
            g.setColor(colour(m.method(), i));
            g.setStroke(dashed(2f));
            g.draw(new Line2D.Double(px, y, px + pw, y));
            labels.add(new ReferenceLabels.Label(m.method() + String.format(Locale.ROOT, " %.3f", v), colour(m.method(), i), y));
        }

        List<Path2D.Double> curves = new ArrayList<>();
        for (int i = 0; i < methods.size(); i++) {
            MethodResult m = methods.get(i);
            if (!hasCurve(m)) {
                continue;
            }
            Color c = colour(m.method(), i);
            float width = m.method() != null && m.method().equals("orthograd") ? 3f : 2.2f;
            g.setColor(c);
            g.setStroke(new BasicStroke(width, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND));
            Path2D.Double path = new Path2D.Double();
            boolean open = false;
            List<StepMetrics> trace = m.trace();
            for (StepMetrics s : trace) {
                double v = panel.fromStep().applyAsDouble(s);
                if (!Double.isFinite(v)) {
                    open = false;
                    continue;
                }
                double x = sx.map(s.step());
                double y = sy.map(v);
                if (open) {
                    path.lineTo(x, y);
                } else {
                    path.moveTo(x, y);
                    open = true;
                }
            }
            g.draw(path);
            curves.add(path);
            if (trace.size() <= 40) {
                double r = width + 0.8;
                for (StepMetrics s : trace) {
                    double v = panel.fromStep().applyAsDouble(s);
                    if (Double.isFinite(v)) {
                        g.fill(new Ellipse2D.Double(sx.map(s.step()) - r, sy.map(v) - r, 2 * r, 2 * r));
                    }
                }
            }
        }

        ReferenceLabels.place(g, labels, curves, px, py, pw, ph);

        g.setClip(oldClip);
        g.setColor(FRAME);
        g.setStroke(new BasicStroke(1f));
        g.drawRect(px, py, pw, ph);
    }

    private static void drawLegend(Graphics2D g, List<MethodResult> methods) {
        if (methods.isEmpty()) {
            return;
        }
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 14));
        FontMetrics fm = g.getFontMetrics();
        int sample = 30;
        int gap = 8;
        int spacing = 34;
        int total = 0;
        List<String> names = new ArrayList<>();
        for (MethodResult m : methods) {
            String name = m.method() == null ? "?" : m.method();
            if (!hasCurve(m)) {
                name += " (final)";
            }
            names.add(name);
            total += sample + gap + fm.stringWidth(name);
        }
        total += spacing * (methods.size() - 1);
        int x = Math.max(OUTER_LEFT, (WIDTH - total) / 2);
        int y = LEGEND_Y;
        for (int i = 0; i < methods.size(); i++) {
            MethodResult m = methods.get(i);
            Color c = colour(m.method(), i);
            g.setColor(c);
            int mid = y - fm.getAscent() / 2 + 2;
            if (hasCurve(m)) {
                g.setStroke(new BasicStroke(3f, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND));
                g.drawLine(x, mid, x + sample, mid);
                g.fill(new Ellipse2D.Double(x + sample / 2.0 - 3.5, mid - 3.5, 7, 7));
            } else {
                g.setStroke(dashed(2.5f));
                g.drawLine(x, mid, x + sample, mid);
            }
            g.setColor(TEXT);
            g.drawString(names.get(i), x + sample + gap, y);
            x += sample + gap + fm.stringWidth(names.get(i)) + spacing;
        }
    }

    private record Scale(double d0, double d1, double p0, double p1) {
        double map(double v) {
            return p0 + (v - d0) / (d1 - d0) * (p1 - p0);
        }
    }

    /** Whether the method has a trajectory (at least two points) rather than a single final value. */
    private static boolean hasCurve(MethodResult m) {
        return m.trace() != null && m.trace().size() >= 2;
    }

    private static double finalValue(MethodResult m, Panel panel) {
        if (m.metrics() != null) {
            double v = panel.fromMetrics().applyAsDouble(m.metrics());
            if (Double.isFinite(v)) {
                return v;
            }
        }
        if (m.trace() != null && !m.trace().isEmpty()) {
            return panel.fromStep().applyAsDouble(m.trace().get(m.trace().size() - 1));
        }
        return Double.NaN;
    }

    private static List<Double> values(MethodResult m, Panel panel) {
        List<Double> out = new ArrayList<>();
        if (hasCurve(m)) {
            for (StepMetrics s : m.trace()) {
                double v = panel.fromStep().applyAsDouble(s);
                if (Double.isFinite(v)) {
                    out.add(v);
                }
            }
        } else {
            double v = finalValue(m, panel);
            if (Double.isFinite(v)) {
                out.add(v);
            }
        }
        return out;
    }

    private static Color colour(String method, int index) {
        Color c = method == null ? null : KNOWN.get(method);
        return c != null ? c : FALLBACK[Math.floorMod(index, FALLBACK.length)];
    }

    private static Stroke dashed(float width) {
        return new BasicStroke(width, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f, new float[] {9f, 6f}, 0f);
    }

    /** 1, 2, 5, 10, 20, 50, … : the smallest such step not below {@code raw}. */
    private static int niceStep(double raw) {
        if (raw <= 1) {
            return 1;
        }
        double magnitude = Math.pow(10, Math.floor(Math.log10(raw)));
        for (double f : new double[] {1, 2, 5, 10}) {
            if (f * magnitude >= raw - 1e-9) {
                return (int) Math.max(1, Math.round(f * magnitude));
            }
        }
        return (int) Math.round(10 * magnitude);
    }
}
