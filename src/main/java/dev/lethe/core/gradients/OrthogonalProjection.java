package dev.lethe.core.gradients;

import dev.lethe.core.model.Network.ParameterSlice;

import java.util.ArrayList;
import java.util.Arrays;
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
 * <p>The gradients come as {@link PerSampleGradients}: rows, or for dense layers the factors of
 * their outer products, whose Gram matrix costs B²·(in + out) instead of B²·in·out
 * ({@link TensorGradients.OuterProducts}). A projection reads the gradients it was built from (no
 * copy of B×P floats per step): leave them unchanged while it is in use.
 */
public final class OrthogonalProjection {

    /** Relative remainder below which a gradient counts as dependent on the basis so far. */
    public static final double DEFAULT_RANK_TOLERANCE = 1e-6;

    private final List<Block> blocks;

    /** One tensor's gradients, at {@code offset} within its block. */
    private record Part(TensorGradients gradients, int offset) {
    }

    /**
     * The basis of one contiguous range of the flat parameter vector: the indices of the chosen
     * gradients in pivot order with their 1/‖r‖ scales, and the lower-triangular Cholesky factor
     * of their Gram matrix (row t holds L[t][0..t]).
     */
    private record Block(int offset, int size, List<Part> parts, int count, int[] chosen, double[] scales,
                         double[][] factor) {
        int rank() {
            return chosen.length;
        }
    }

    private OrthogonalProjection(List<Block> blocks) {
        this.blocks = blocks;
    }

    /** One basis over all P coordinates of the rows. */
    public static OrthogonalProjection global(float[][] retainGradients, double rankTolerance) {
        int p = width(retainGradients);
        return global(new PerSampleGradients(List.of(new TensorGradients.Rows(retainGradients, 0, p))), rankTolerance);
    }

    /** One basis per parameter tensor of the given layout. */
    public static OrthogonalProjection perTensor(float[][] retainGradients, List<ParameterSlice> layout,
                                                 double rankTolerance) {
        int p = width(retainGradients);
        int[] sizes = new int[layout.size()];
        int covered = 0;
        for (int t = 0; t < sizes.length; t++) {
            ParameterSlice s = layout.get(t);
            if (s.offset() != covered) {
                throw new IllegalArgumentException("layout must tile the parameter vector; gap at " + covered);
            }
            sizes[t] = s.size();
            covered += s.size();
        }
        if (covered != p) {
            throw new IllegalArgumentException("layout covers " + covered + " of " + p + " parameters");
        }
        return perTensor(PerSampleGradients.ofRows(retainGradients, sizes), rankTolerance);
    }

    /** One basis over all tensors together. */
    public static OrthogonalProjection global(PerSampleGradients gradients, double rankTolerance) {
        List<Part> parts = new ArrayList<>();
        int offset = 0;
        for (TensorGradients t : gradients.tensors()) {
            parts.add(new Part(t, offset));
            offset += t.size();
        }
        return new OrthogonalProjection(List.of(block(0, offset, parts, gradients.count(), rankTolerance)));
    }

    /** One basis per tensor. */
    public static OrthogonalProjection perTensor(PerSampleGradients gradients, double rankTolerance) {
        List<Block> blocks = new ArrayList<>();
        int offset = 0;
        for (TensorGradients t : gradients.tensors()) {
            blocks.add(block(offset, t.size(), List.of(new Part(t, 0)), gradients.count(), rankTolerance));
            offset += t.size();
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
                Arrays.fill(out, b.offset(), b.offset() + b.size(), 0f);
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

    /** v ← v − Uₖᵀ Kₖ⁻¹ Uₖ v, with Kₖ = L Lᵀ and U the unit-scaled chosen gradients. */
    private static void removeSpan(double[] v, Block b) {
        double[] dots = new double[b.count()];
        for (Part p : b.parts()) {
            p.gradients().addDots(v, p.offset(), dots);
        }
        int k = b.rank();
        double[] c = new double[k];
        for (int t = 0; t < k; t++) {
            c[t] = b.scales()[t] * dots[b.chosen()[t]];
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
        double[] coefficients = new double[b.count()];
        for (int t = 0; t < k; t++) {
            coefficients[b.chosen()[t]] = c[t] * b.scales()[t];
        }
        for (Part p : b.parts()) {
            p.gradients().subtract(coefficients, v, p.offset());
        }
    }

    private static Block block(int offset, int size, List<Part> parts, int count, double tolerance) {
        double[][] raw = new double[count][count];
        for (Part p : parts) {
            double[][] g = p.gradients().gram();
            for (int i = 0; i < count; i++) {
                for (int j = 0; j < count; j++) {
                    raw[i][j] += g[i][j];
                }
            }
        }
        // Unit scales; zero and non-finite gradients span nothing.
        int[] usable = new int[count];
        double[] scale = new double[count];
        int n = 0;
        for (int i = 0; i < count; i++) {
            double norm = Math.sqrt(raw[i][i]);
            if (norm > 0 && Double.isFinite(norm)) {
                usable[n] = i;
                scale[n++] = 1.0 / norm;
            }
        }
        double[][] gram = new double[n][n];
        for (int u = 0; u < n; u++) {
            for (int w = 0; w < n; w++) {
                gram[u][w] = raw[usable[u]][usable[w]] * scale[u] * scale[w];
            }
        }

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
        int[] basis = new int[k];
        double[] basisScales = new double[k];
        double[][] factor = new double[k][];
        for (int t = 0; t < k; t++) {
            basis[t] = usable[order[t]];
            basisScales[t] = scale[order[t]];
            factor[t] = new double[t + 1];
            for (int u = 0; u <= t; u++) {
                factor[t][u] = col[u][order[t]];
            }
        }
        return new Block(offset, size, parts, count, basis, basisScales, factor);
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
