package dev.lethe.core.gradients;

/**
 * The B per-sample gradients r_1 … r_B of a batch over one parameter tensor, as the orthogonal
 * projection uses them: their Gram matrix, their dot products with a vector, and a combination of
 * them subtracted from a vector. Vectors are float64 and cover the tensor from {@code offset}.
 *
 * <p>Two forms. {@link Rows} holds each gradient as a float32 row. {@link OuterProducts} holds a
 * dense layer's weight gradients as the factors they are made of, r_b = δ_b ⊗ a_b (the gradient at
 * the layer's output times its input): B·(in + out) numbers instead of B·in·out, a Gram matrix
 * from ⟨δ_i, δ_j⟩·⟨a_i, a_j⟩ in B²·(in + out) operations instead of B²·in·out, and every product
 * exact in float64 — the basis and the vectors it is applied to are the same gradients.
 */
public sealed interface TensorGradients permits TensorGradients.Rows, TensorGradients.OuterProducts {

    /** B. */
    int count();

    /** Elements of the tensor. */
    int size();

    /** G_ij = ⟨r_i, r_j⟩, B×B in float64. */
    double[][] gram();

    /** out[b] += ⟨r_b, v[offset, offset + size)⟩ for every b. */
    void addDots(double[] v, int offset, double[] out);

    /** v[offset, offset + size) −= Σ_b c_b·r_b. */
    void subtract(double[] c, double[] v, int offset);

    /** r_b as float32, written into {@code row} from {@code offset}. */
    void copyRow(int b, float[] row, int offset);

    /** (1/B)·Σ_b r_b, written into {@code out} from {@code offset}. */
    void addMean(float[] out, int offset);

    /** Gradients stored row by row: {@code rows[b][from … from + size)} is r_b (the arrays are read, not copied). */
    final class Rows implements TensorGradients {
        /** Coordinates per cache block when accumulating the Gram matrix (B rows × 2048 doubles ≈ 0.5 MB). */
        private static final int CHUNK = 2048;

        private final float[][] rows;
        private final int from;
        private final int size;

        public Rows(float[][] rows, int from, int size) {
            if (rows.length == 0) {
                throw new IllegalArgumentException("at least one gradient is needed");
            }
            for (float[] r : rows) {
                if (r.length < from + size) {
                    throw new IllegalArgumentException("a row holds " + r.length + " entries, " + (from + size) + " needed");
                }
            }
            this.rows = rows;
            this.from = from;
            this.size = size;
        }

        @Override
        public int count() {
            return rows.length;
        }

        @Override
        public int size() {
            return size;
        }

        @Override
        public double[][] gram() {
            int n = rows.length;
            double[][] k = new double[n][n];
            double[][] chunk = new double[n][Math.min(CHUNK, Math.max(size, 1))];
            for (int start = 0; start < size; start += CHUNK) {
                int len = Math.min(CHUNK, size - start);
                for (int i = 0; i < n; i++) {
                    float[] r = rows[i];
                    double[] c = chunk[i];
                    for (int j = 0; j < len; j++) {
                        c[j] = r[from + start + j];
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

        @Override
        public void addDots(double[] v, int offset, double[] out) {
            for (int b = 0; b < rows.length; b++) {
                out[b] += dot(rows[b], from, v, offset, size);
            }
        }

        @Override
        public void subtract(double[] c, double[] v, int offset) {
            for (int b = 0; b < rows.length; b++) {
                double a = c[b];
                if (a == 0) {
                    continue;
                }
                float[] r = rows[b];
                for (int i = 0; i < size; i++) {
                    v[offset + i] -= a * r[from + i];
                }
            }
        }

        @Override
        public void copyRow(int b, float[] row, int offset) {
            System.arraycopy(rows[b], from, row, offset, size);
        }

        @Override
        public void addMean(float[] out, int offset) {
            double[] sum = new double[size];
            for (float[] r : rows) {
                for (int i = 0; i < size; i++) {
                    sum[i] += r[from + i];
                }
            }
            for (int i = 0; i < size; i++) {
                out[offset + i] += (float) (sum[i] / rows.length);
            }
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
    }

    /**
     * A dense layer's weight gradients, r_b = δ_b ⊗ a_b: entry (o, i) of r_b, at o·in + i, is
     * δ_b[o]·a_b[i]. {@code delta} is B×out and {@code input} B×in, both row-major.
     */
    final class OuterProducts implements TensorGradients {
        private final float[] delta;
        private final float[] input;
        private final int count;
        private final int out;
        private final int in;

        public OuterProducts(float[] delta, float[] input, int count, int out, int in) {
            if (delta.length != count * out || input.length != count * in) {
                throw new IllegalArgumentException("factors of " + delta.length + " and " + input.length
                        + " entries do not make " + count + " gradients of " + out + "×" + in);
            }
            this.delta = delta;
            this.input = input;
            this.count = count;
            this.out = out;
            this.in = in;
        }

        @Override
        public int count() {
            return count;
        }

        @Override
        public int size() {
            return out * in;
        }

        @Override
        public double[][] gram() {
            double[][] dd = selfGram(delta, count, out);
            double[][] aa = selfGram(input, count, in);
            double[][] k = new double[count][count];
            for (int i = 0; i < count; i++) {
                for (int j = 0; j < count; j++) {
                    k[i][j] = dd[i][j] * aa[i][j];
                }
            }
            return k;
        }

        /** ⟨r_b, V⟩ = Σ_o δ_b[o]·(V_o · a_b), row o of V at a time so that V is read once. */
        @Override
        public void addDots(double[] v, int offset, double[] outDots) {
            for (int o = 0; o < out; o++) {
                int row = offset + o * in;
                for (int b = 0; b < count; b++) {
                    double d = delta[b * out + o];
                    if (d == 0) {
                        continue;
                    }
                    outDots[b] += d * dot(input, b * in, v, row, in);
                }
            }
        }

        /** V_o −= Σ_b (c_b·δ_b[o])·a_b, row o of V at a time. */
        @Override
        public void subtract(double[] c, double[] v, int offset) {
            for (int o = 0; o < out; o++) {
                int row = offset + o * in;
                for (int b = 0; b < count; b++) {
                    double w = c[b] * delta[b * out + o];
                    if (w == 0) {
                        continue;
                    }
                    int a = b * in;
                    for (int i = 0; i < in; i++) {
                        v[row + i] -= w * input[a + i];
                    }
                }
            }
        }

        @Override
        public void copyRow(int b, float[] row, int offset) {
            for (int o = 0; o < out; o++) {
                float d = delta[b * out + o];
                int base = offset + o * in;
                int a = b * in;
                for (int i = 0; i < in; i++) {
                    row[base + i] = d * input[a + i];
                }
            }
        }

        @Override
        public void addMean(float[] outVector, int offset) {
            double[] row = new double[in];
            for (int o = 0; o < out; o++) {
                java.util.Arrays.fill(row, 0);
                for (int b = 0; b < count; b++) {
                    double d = delta[b * out + o];
                    int a = b * in;
                    for (int i = 0; i < in; i++) {
                        row[i] += d * input[a + i];
                    }
                }
                int base = offset + o * in;
                for (int i = 0; i < in; i++) {
                    outVector[base + i] += (float) (row[i] / count);
                }
            }
        }

        /** ⟨x_i, x_j⟩ of the B rows of a row-major B×n matrix, in float64. */
        private static double[][] selfGram(float[] x, int count, int n) {
            double[][] g = new double[count][count];
            for (int i = 0; i < count; i++) {
                for (int j = 0; j <= i; j++) {
                    double s = 0;
                    for (int t = 0; t < n; t++) {
                        s += (double) x[i * n + t] * x[j * n + t];
                    }
                    g[i][j] = s;
                    g[j][i] = s;
                }
            }
            return g;
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

    /** ⟨r[from, from + n), v[offset, offset + n)⟩ in float64, four partial sums. */
    private static double dot(float[] r, int from, double[] v, int offset, int n) {
        double s0 = 0;
        double s1 = 0;
        double s2 = 0;
        double s3 = 0;
        int i = 0;
        for (; i + 3 < n; i += 4) {
            s0 += r[from + i] * v[offset + i];
            s1 += r[from + i + 1] * v[offset + i + 1];
            s2 += r[from + i + 2] * v[offset + i + 2];
            s3 += r[from + i + 3] * v[offset + i + 3];
        }
        for (; i < n; i++) {
            s0 += r[from + i] * v[offset + i];
        }
        return (s0 + s1) + (s2 + s3);
    }
}
