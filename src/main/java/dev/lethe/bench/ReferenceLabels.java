package dev.lethe.bench;

import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.geom.Path2D;
import java.awt.geom.PathIterator;
import java.awt.geom.Rectangle2D;
import java.util.ArrayList;
import java.util.List;

/**
 * The labels of {@link PlotRenderer}'s dashed reference lines, placed at the end, middle or start
 * of their line, above or below it, wherever they cross the fewest curve segments and no other
 * label.
 */
final class ReferenceLabels {

    /** A reference line's label: its text and colour, and the line's height in pixels. */
    record Label(String text, Color colour, double lineY) {
    }

    private ReferenceLabels() {
    }

    /** Draws {@code labels} inside the panel at ({@code px}, {@code py}) of {@code pw} × {@code ph}. */
    static void place(Graphics2D g, List<Label> labels, List<Path2D.Double> curves, int px, int py, int pw, int ph) {
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 12));
        FontMetrics lfm = g.getFontMetrics();
        List<Rectangle2D> taken = new ArrayList<>();
        for (Label label : labels) {
            int w = lfm.stringWidth(label.text()) + 6;
            int h = lfm.getAscent() + 4;
            Rectangle2D best = null;
            int bestCost = Integer.MAX_VALUE;
            double room = pw - 12 - w;
            double[] xs = {px + 6 + room, px + 6 + room * 0.75, px + 6 + room * 0.5, px + 6 + room * 0.25, px + 6};
            double[] ys = {label.lineY() - 4 - h, label.lineY() + 4};
            for (double x : xs) {
                for (double y : ys) {
                    if (y < py + 2 || y + h > py + ph - 2) {
                        continue;
                    }
                    Rectangle2D box = new Rectangle2D.Double(x, y, w, h);
                    Rectangle2D padded = new Rectangle2D.Double(x - 4, y - 4, w + 8, h + 8); // markers
                    int cost = 0;
                    for (Path2D.Double curve : curves) {
                        cost += crossings(curve, padded);
                    }
                    for (Rectangle2D other : taken) {
                        if (other.intersects(box)) {
                            cost += 1000;
                        }
                    }
                    if (cost < bestCost) {
                        bestCost = cost;
                        best = box;
                    }
                }
            }
            if (best == null) {
                best = new Rectangle2D.Double(px + pw - 6 - w, Math.max(py + 2, label.lineY() - 4 - h), w, h);
            }
            taken.add(best);
            g.setColor(new Color(255, 255, 255, 200));
            g.fill(best);
            g.setColor(label.colour());
            g.drawString(label.text(), (float) best.getX() + 3, (float) (best.getY() + lfm.getAscent() + 1));
        }
    }

    /** How many straight segments of {@code curve} pass through {@code box}. */
    private static int crossings(Path2D.Double curve, Rectangle2D box) {
        int n = 0;
        double[] c = new double[6];
        double lastX = Double.NaN;
        double lastY = Double.NaN;
        for (PathIterator it = curve.getPathIterator(null); !it.isDone(); it.next()) {
            int type = it.currentSegment(c);
            if (type == PathIterator.SEG_LINETO && box.intersectsLine(lastX, lastY, c[0], c[1])) {
                n++;
            } else if (type == PathIterator.SEG_MOVETO && box.contains(c[0], c[1])) {
                n++;
            }
            lastX = c[0];
            lastY = c[1];
        }
        return n;
    }
}
