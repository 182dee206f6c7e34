package dev.lethe.core.gradients;

import dev.lethe.core.model.Network.ParameterSlice;

import java.util.ArrayList;
import java.util.List;

/**
 * Projection onto the orthogonal complement of the span of a set of retain gradients:
 * g⊥ = g − Q Qᵀ g, where Q is an orthonormal basis of those gradients.
 *
 * <p>The basis is built in float64 by Gram–Schmidt with re-orthogonalisation ("twice is
 * enough"), dropping any gradient whose remainder is below a relative rank tolerance, so
 * duplicate or dependent retain samples shrink the basis instead of producing NaN.
 *
 * <p>Gram–Schmidt on the gradients themselves, rather than a pseudo-inverse of the B×B Gram
 * matrix: the Gram matrix squares the condition number, and with nearly dead units (tiny but
 * non-zero gradient columns) its pseudo-inverse left forget directions measurably inside the
 * retain span (|cos| ≈ 0.2 in a 16-element bias tensor). The cost here is B²·P flops per step.
 *
 * <p>Two modes: {@link #global} uses one basis over all parameters; {@link #perTensor} builds one
 * basis per parameter tensor, as the OrthoGrad paper's code does with a reduced QR per tensor.
 * Per tensor, every tensor with no more elements than retain samples is spanned completely and
 * its forget update becomes zero (all biases and small kernels, typically).
 */
public final class OrthogonalProjection {

    /** Relative remainder below which a gradient counts as dependent on the basis so far. */
    public static final double DEFAULT_RANK_TOLERANCE = 1e-6;

    private final List<Block> blocks;

    /** The basis of one contiguous range of the flat parameter vector. */
    private record Block(int offset, int size, List<double[]> basis) {
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
        return blocks.stream().mapToInt(b -> b.basis().size()).sum();
    }

    /** g − Q Qᵀ g, blockwise; the input is not modified. */
    public float[] project(float[] g) {
        float[] out = new float[g.length];
        for (Block b : blocks) {
            double[] v = new double[b.size()];
            for (int i = 0; i < v.length; i++) {
                v[i] = g[b.offset() + i];
            }
            // Two passes: the second removes what rounding left of the first.
            removeComponents(v, b.basis());
            removeComponents(v, b.basis());
            for (int i = 0; i < v.length; i++) {
                out[b.offset() + i] = (float) v[i];
            }
        }
        return out;
    }

    private static Block block(float[][] rows, int offset, int size, double tolerance) {
        List<double[]> basis = new ArrayList<>();
        for (float[] row : rows) {
            if (basis.size() == size) {
                break; // the block is spanned completely
            }
            double[] v = new double[size];
            for (int i = 0; i < size; i++) {
                v[i] = row[offset + i];
            }
            double original = norm(v);
            if (original == 0 || !Double.isFinite(original)) {
                continue;
            }
            removeComponents(v, basis);
            removeComponents(v, basis);
            double remainder = norm(v);
            if (remainder > tolerance * original) {
                for (int i = 0; i < size; i++) {
                    v[i] /= remainder;
                }
                basis.add(v);
            }
        }
        return new Block(offset, size, basis);
    }

    private static void removeComponents(double[] v, List<double[]> basis) {
        for (double[] q : basis) {
            double dot = dot(q, v);
            for (int i = 0; i < v.length; i++) {
                v[i] -= dot * q[i];
            }
        }
    }

    /** Four independent partial sums: the JIT cannot reorder one float64 sum, but can run four. */
    private static double dot(double[] a, double[] b) {
        double s0 = 0;
        double s1 = 0;
        double s2 = 0;
        double s3 = 0;
        int n = a.length;
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

    private static double norm(double[] v) {
        return Math.sqrt(dot(v, v));
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
