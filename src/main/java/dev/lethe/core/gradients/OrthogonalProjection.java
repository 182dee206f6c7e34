package dev.lethe.core.gradients;

import dev.lethe.core.model.Network.ParameterSlice;

import java.util.ArrayList;
import java.util.List;

/**
 * Projection onto the orthogonal complement of the span of a set of retain gradients:
 * g⊥ = g − Q Qᵀ g, where Q is an orthonormal basis of those gradients.
 *
 * <p>The basis is found in Gram space: the retain gradients r_i are scaled to unit length, their
 * B×B Gram matrix K = U Uᵀ is accumulated in float64, and a pivoted Cholesky factorisation
 * K = L Lᵀ picks, greedily, the gradient with the largest remainder after projection onto those
 * picked before. A pivot's Schur-complement diagonal <em>is</em> that squared remainder, so the
 * rank rule is Gram–Schmidt's: a gradient whose remainder is below the relative rank tolerance is
 * dependent and dropped, and duplicates shrink the basis instead of producing NaN. Scaling first
 * matters: per-sample gradients of memorised samples are orders of magnitude smaller than the
 * rest, and without it their directions would fall below any absolute tolerance.
 *
 * <p>Projecting is then g − Uₖᵀ (Kₖ⁻¹ Uₖ g) with two triangular solves, done twice: the second
 * pass removes what the conditioning of Kₖ (up to 1/tolerance²) left of the first. This costs
 * B²·P/2 flops per step for K instead of the 2·B²·P of Gram–Schmidt with re-orthogonalisation,
 * whose two passes over a float64 basis of B×P (12 MB at B = 32, P ≈ 47k) were memory bound and
 * took 28 ms of a 100-ms OrthoGrad step (docs/performance.md).
 *
 * <p>Two modes: {@link #global} uses one basis over all parameters; {@link #perTensor} builds one
 * basis per parameter tensor, as the OrthoGrad paper's code does with a reduced QR per tensor.
 * Per tensor, every tensor with no more elements than retain samples is spanned completely and
 * its forget update becomes zero (all biases and small kernels, typically).
 *
 * <p>A projection reads the gradient arrays it was built from (no copy of B×P floats per step):
 * leave them unchanged while it is in use.
 */
public final class OrthogonalProjection {

    /** Relative remainder below which a gradient counts as dependent on the basis so far. */
    public static final double DEFAULT_RANK_TOLERANCE = 1e-6;

    /** Coordinates per cache block when accumulating the Gram matrix (B rows × 2048 doubles ≈ 0.5 MB). */
    private static final int CHUNK = 2048;

    private final List<Block> blocks;

    /**
     * The basis of one contiguous range of the flat parameter vector: the chosen gradients in
     * pivot order with their 1/‖r‖ scales, and the lower-triangular Cholesky factor of their Gram
     * matrix (row t holds L[t][0..t]).
     */
    private record Block(int offset, int size, float[][] rows, double[] scales, double[][] factor) {
        int rank() {
            return rows.length;
        }
    }

    private OrthogonalProjection(List<Block> blocks) {
        this.blocks = blocks;
    }

    /** One basis over all P coordinates. */
    public static OrthogonalProjection global(float[][] retainGradients, double rankTolerance) {
        int p = width(retainGradients);
        return new OrthogonalProjection(List.of(block(retainGradients, 0, p, rankTolerance)));
    }

    /** One basis per parameter tensor of the given layout. */
    public static OrthogonalProjection perTensor(float[][] retainGradients, List<ParameterSlice> layout,
                                                 double rankTolerance) {
        int p = width(retainGradients);
        List<Block> blocks = new ArrayList<>();
        int covered = 0;
        for (ParameterSlice s : layout) {
            if (s.offset() != covered) {
                throw new IllegalArgumentException("layout must tile the parameter vector; gap at " + covered);
            }
            blocks.add(block(retainGradients, s.offset(), s.size(), rankTolerance));
            covered += s.size();
        }
        if (covered != p) {
            throw new IllegalArgumentException("layout covers " + covered + " of " + p + " parameters");
        }
        return new OrthogonalProjection(blocks);
    }

    /** Total number of basis vectors kept, summed over blocks. */
    public int rank() {
        return blocks.stream().mapToInt(Block::rank).sum();
    }

    /** g − Q Qᵀ g, blockwise; the input is not modified. */
    public float[] project(float[] g) {
        float[] out = g.clone();
        for (Block b : blocks) {
            if (b.rank() == 0) {
                continue;
            }
            if (b.rank() == b.size()) {
                // Spanned completely: the complement is {0}, not the rounding noise a solve leaves.
                java.util.Arrays.fill(out, b.offset(), b.offset() + b.size(), 0f);
                continue;
            }
            double[] v = new double[b.size()];
            for (int i = 0; i < v.length; i++) {
                v[i] = g[b.offset() + i];
            }
            // Two passes: the second removes what rounding and Kₖ's conditioning left of the first.
            removeSpan(v, b);
            removeSpan(v, b);
            for (int i = 0; i < v.length; i++) {
                out[b.offset() + i] = (float) v[i];
            }
        }
        return out;
    }

    /** v ← v − Uₖᵀ Kₖ⁻¹ Uₖ v, with Kₖ = L Lᵀ. */
    private static void removeSpan(double[] v, Block b) {
        int k = b.rank();
        double[] c = new double[k];
        for (int t = 0; t < k; t++) {
            c[t] = b.scales()[t] * dot(b.rows()[t], b.offset(), v);
        }
        double[][] l = b.factor();
        // L y = c, then Lᵀ a = y.
        for (int t = 0; t < k; t++) {
            double s = c[t];
            for (int u = 0; u < t; u++) {
                s -= l[t][u] * c[u];
            }
            c[t] = s / l[t][t];
        }
        for (int t = k - 1; t >= 0; t--) {
            double s = c[t];
            for (int u = t + 1; u < k; u++) {
                s -= l[u][t] * c[u];
            }
            c[t] = s / l[t][t];
        }
        for (int t = 0; t < k; t++) {
            double a = c[t] * b.scales()[t];
            float[] r = b.rows()[t];
            int off = b.offset();
            for (int i = 0; i < v.length; i++) {
                v[i] -= a * r[off + i];
            }
        }
    }

    private static Block block(float[][] rows, int offset, int size, double tolerance) {
        // Unit scales; zero and non-finite gradients span nothing.
        List<float[]> usable = new ArrayList<>();
        List<Double> scaleList = new ArrayList<>();
        for (float[] row : rows) {
            double norm = Math.sqrt(selfDot(row, offset, size));
            if (norm > 0 && Double.isFinite(norm)) {
                usable.add(row);
                scaleList.add(1.0 / norm);
            }
        }
        int n = usable.size();
        double[] scale = scaleList.stream().mapToDouble(Double::doubleValue).toArray();
        double[][] gram = gram(usable, scale, offset, size);

        // Pivoted Cholesky; column t of L is kept for every candidate in col[t][·].
        double limit = tolerance * tolerance;
        double[] remainder = new double[n];
        for (int i = 0; i < n; i++) {
            remainder[i] = gram[i][i];
        }
        boolean[] chosen = new boolean[n];
        int[] order = new int[n];
        double[][] col = new double[Math.min(n, size)][];
        int k = 0;
        while (k < Math.min(n, size)) {
            int p = -1;
            for (int i = 0; i < n; i++) {
                if (!chosen[i] && (p < 0 || remainder[i] > remainder[p])) {
                    p = i;
                }
            }
            if (p < 0 || !(remainder[p] > limit)) {
                break;
            }
            chosen[p] = true;
            order[k] = p;
            double pivot = Math.sqrt(remainder[p]);
            double[] lk = new double[n];
            lk[p] = pivot;
            for (int i = 0; i < n; i++) {
                if (!chosen[i]) {
                    double s = gram[i][p];
                    for (int t = 0; t < k; t++) {
                        s -= col[t][i] * col[t][p];
                    }
                    lk[i] = s / pivot;
                    remainder[i] -= lk[i] * lk[i];
                }
            }
            col[k++] = lk;
        }
        float[][] basisRows = new float[k][];
        double[] basisScales = new double[k];
        double[][] factor = new double[k][];
        for (int t = 0; t < k; t++) {
            basisRows[t] = usable.get(order[t]);
            basisScales[t] = scale[order[t]];
            factor[t] = new double[t + 1];
            for (int u = 0; u <= t; u++) {
                factor[t][u] = col[u][order[t]];
            }
        }
        return new Block(offset, size, basisRows, basisScales, factor);
    }

    /** K_ij = s_i s_j ⟨r_i, r_j⟩ over [offset, offset+size), accumulated chunk by chunk in float64. */
    private static double[][] gram(List<float[]> rows, double[] scale, int offset, int size) {
        int n = rows.size();
        double[][] k = new double[n][n];
        double[][] chunk = new double[n][Math.min(CHUNK, Math.max(size, 1))];
        for (int start = 0; start < size; start += CHUNK) {
            int len = Math.min(CHUNK, size - start);
            for (int i = 0; i < n; i++) {
                float[] r = rows.get(i);
                double s = scale[i];
                double[] c = chunk[i];
                for (int j = 0; j < len; j++) {
                    c[j] = s * r[offset + start + j];
                }
            }
            // Two rows against two rows per sweep: four products per four loads instead of one
            // per two, and four independent sums for the JIT to run side by side.
            int i = 0;
            for (; i + 1 < n; i += 2) {
                for (int j = 0; j <= i; j += 2) {
                    accumulate2x2(k, chunk, i, j, len);
                }
            }
            if (i < n) {
                for (int j = 0; j <= i; j++) {
                    k[i][j] += dot(chunk[i], chunk[j], len);
                }
            }
        }
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < i; j++) {
                k[j][i] = k[i][j];
            }
        }
        return k;
    }

    /** K[i..i+1][j..j+1] += the four dot products of rows i, i+1 with rows j, j+1 (j ≤ i, both even). */
    private static void accumulate2x2(double[][] k, double[][] rows, int i, int j, int len) {
        double[] a0 = rows[i];
        double[] a1 = rows[i + 1];
        double[] b0 = rows[j];
        double[] b1 = rows[j + 1];
        double s00 = 0;
        double s01 = 0;
        double s10 = 0;
        double s11 = 0;
        for (int t = 0; t < len; t++) {
            double x0 = a0[t];
            double x1 = a1[t];
            double y0 = b0[t];
            double y1 = b1[t];
            s00 += x0 * y0;
            s01 += x0 * y1;
            s10 += x1 * y0;
            s11 += x1 * y1;
        }
        k[i][j] += s00;
        k[i + 1][j] += s10;
        k[i + 1][j + 1] += s11;
        if (j != i) {
            k[i][j + 1] += s01;
        }
    }

    /** Four independent partial sums: the JIT cannot reorder one float64 sum, but can run four. */
    private static double dot(double[] a, double[] b, int n) {
        double s0 = 0;
        double s1 = 0;
        double s2 = 0;
        double s3 = 0;
        int i = 0;
        for (; i + 3 < n; i += 4) {
            s0 += a[i] * b[i];
            s1 += a[i + 1] * b[i + 1];
            s2 += a[i + 2] * b[i + 2];
            s3 += a[i + 3] * b[i + 3];
        }
        for (; i < n; i++) {
            s0 += a[i] * b[i];
        }
        return (s0 + s1) + (s2 + s3);
    }

    /** ⟨r[offset..offset+n), v⟩ in float64. */
    private static double dot(float[] r, int offset, double[] v) {
        double s0 = 0;
        double s1 = 0;
        double s2 = 0;
        double s3 = 0;
        int n = v.length;
        int i = 0;
        for (; i + 3 < n; i += 4) {
            s0 += r[offset + i] * v[i];
            s1 += r[offset + i + 1] * v[i + 1];
            s2 += r[offset + i + 2] * v[i + 2];
            s3 += r[offset + i + 3] * v[i + 3];
        }
        for (; i < n; i++) {
            s0 += r[offset + i] * v[i];
        }
        return (s0 + s1) + (s2 + s3);
    }

    private static double selfDot(float[] r, int offset, int n) {
        double s = 0;
        for (int i = 0; i < n; i++) {
            double x = r[offset + i];
            s += x * x;
        }
        return s;
    }

    private static int width(float[][] rows) {
        if (rows.length == 0) {
            throw new IllegalArgumentException("at least one retain gradient is needed");
        }
        int p = rows[0].length;
        for (float[] r : rows) {
            if (r.length != p) {
                throw new IllegalArgumentException("retain gradients differ in length");
            }
        }
        return p;
    }
}
