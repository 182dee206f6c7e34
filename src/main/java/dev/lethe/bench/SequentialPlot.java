package dev.lethe.bench;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.geom.Path2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.function.ToDoubleFunction;

/**
 * The sequential benchmark as a PNG: per checkpoint (x = batches), TA, the attack on every erased
 * sample, and the attack on the earliest erased ones, each for the deployed model, the retrain
 * oracle and the never-unlearned original.
 */
public final class SequentialPlot {

    public static final int WIDTH = 1500;
    public static final int HEIGHT = 480;
    private static final int TOP = 70;
    private static final int BOTTOM = HEIGHT - 70;
    private static final Color MODEL = new Color(0x1f, 0x77, 0xb4);
    private static final Color ORACLE = new Color(0x2c, 0xa0, 0x2c);
    private static final Color ORIGINAL = new Color(0x99, 0x99, 0x99);

    private record Series(String name, Color colour, ToDoubleFunction<SequentialReport.Checkpoint> value) {
    }

    private record Panel(String title, List<Series> series) {
    }

    private static final List<Panel> PANELS = List.of(
            new Panel("TA (holdout accuracy)", List.of(
                    new Series("deployed", MODEL, c -> c.model().testAcc()),
                    new Series("retrain", ORACLE, c -> c.oracle().testAcc()),
                    new Series("original", ORIGINAL, c -> c.original().testAcc()))),
            new Panel("MIA AUC, all erased samples", List.of(
                    new Series("deployed", MODEL, c -> c.model().miaAuc()),
                    new Series("retrain", ORACLE, c -> c.oracle().miaAuc()),
                    new Series("original", ORIGINAL, c -> c.original().miaAuc()))),
            new Panel("MIA AUC, earliest 10 % erased", List.of(
                    new Series("deployed", MODEL, SequentialReport.Checkpoint::earliestMia),
                    new Series("retrain", ORACLE, SequentialReport.Checkpoint::earliestOracleMia),
                    new Series("original", ORIGINAL, SequentialReport.Checkpoint::earliestOriginalMia))));

    private SequentialPlot() {
    }

    public static void render(SequentialReport report, Path png) throws IOException {
        PlotCanvas.writePng(draw(report), png);
    }

    public static BufferedImage draw(SequentialReport report) {
        return PlotCanvas.paint(WIDTH, HEIGHT, g -> {
            g.setColor(Color.DARK_GRAY);
            g.drawString(String.format(Locale.ROOT, "Sequential erasure, %s, %d batches, %d training samples: "
                            + "deployed model vs a retrain without everything erased so far",
                    report.dataset(), report.batchSamples().size(), report.trainSize()), 20, 25);
            int width = WIDTH / PANELS.size();
            for (int i = 0; i < PANELS.size(); i++) {
                panel(g, PANELS.get(i), report.checkpoints(), i * width + 60, width - 90);
            }
            int x = 60;
            for (Series s : PANELS.get(0).series()) {
                g.setColor(s.colour());
                g.fillRect(x, HEIGHT - 28, 24, 4);
                g.setColor(Color.DARK_GRAY);
                g.drawString(s.name(), x + 30, HEIGHT - 22);
                x += 130;
            }
        });
    }

    private static void panel(Graphics2D g, Panel panel, List<SequentialReport.Checkpoint> points, int x0, int w) {
        int h = BOTTOM - TOP;
        double lo = Double.POSITIVE_INFINITY;
        double hi = Double.NEGATIVE_INFINITY;
        int maxBatches = 1;
        for (SequentialReport.Checkpoint c : points) {
            maxBatches = Math.max(maxBatches, c.batches());
            for (Series s : panel.series()) {
                double v = s.value().applyAsDouble(c);
                if (Double.isFinite(v)) {
                    lo = Math.min(lo, v);
                    hi = Math.max(hi, v);
                }
            }
        }
        if (!(hi > lo)) {
            lo = Double.isFinite(lo) ? lo - 0.05 : 0;
            hi = lo + 0.1;
        }
        double pad = 0.08 * (hi - lo);
        lo -= pad;
        hi += pad;
        g.setColor(Color.DARK_GRAY);
        g.drawString(panel.title(), x0, TOP - 12);
        g.setColor(new Color(0x99, 0x99, 0x99));
        g.drawRect(x0, TOP, w, h);
        for (int t = 0; t <= 4; t++) {
            double v = lo + t * (hi - lo) / 4;
            int y = BOTTOM - (int) Math.round(t * h / 4.0);
            g.setColor(new Color(0xE8, 0xE8, 0xE8));
            g.drawLine(x0 + 1, y, x0 + w - 1, y);
            g.setColor(Color.GRAY);
            g.drawString(String.format(Locale.ROOT, "%.3f", v), x0 - 48, y + 4);
        }
        g.drawString("0", x0 - 3, BOTTOM + 16);
        g.drawString(maxBatches + " batches", x0 + w - 60, BOTTOM + 16);
        final double low = lo;
        final double range = hi - lo;
        final int maxB = maxBatches;
        for (Series s : panel.series()) {
            Path2D.Double curve = new Path2D.Double();
            boolean started = false;
            for (SequentialReport.Checkpoint c : points) {
                double v = s.value().applyAsDouble(c);
                if (!Double.isFinite(v)) {
                    continue;
                }
                double px = x0 + w * (double) c.batches() / maxB;
                double py = BOTTOM - h * (v - low) / range;
                if (started) {
                    curve.lineTo(px, py);
                } else {
                    curve.moveTo(px, py);
                    started = true;
                }
                g.setColor(s.colour());
                g.fillOval((int) px - 3, (int) py - 3, 6, 6);
            }
            g.setStroke(new BasicStroke(2f));
            g.draw(curve);
            g.setStroke(new BasicStroke(1f));
        }
    }
}
