package dev.lethe.core.gradients;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * A dense layer's per-sample weight gradients kept as outer-product factors behave exactly like
 * the rows they stand for: same Gram matrix, dot products, combinations, mean and projection.
 */
class TensorGradientsTest {

    private static final int B = 12;
    private static final int OUT = 7;
    private static final int IN = 40;
    private final SplittableRandom rng = new SplittableRandom(5);
    private final float[] delta = random(B * OUT);
    private final float[] input = random(B * IN);
    private final TensorGradients.OuterProducts factors = new TensorGradients.OuterProducts(delta, input, B, OUT, IN);
    /** The same gradients written out: row b, entry o·IN + i = δ_b[o]·a_b[i], in float64. */
    private final double[][] explicit = new double[B][OUT * IN];

    TensorGradientsTest() {
        for (int b = 0; b < B; b++) {
            for (int o = 0; o < OUT; o++) {
                for (int i = 0; i < IN; i++) {
                    explicit[b][o * IN + i] = (double) delta[b * OUT + o] * input[b * IN + i];
                }
            }
        }
    }

    @Test
    void theGramMatrixIsThatOfTheOuterProducts() {
        double[][] g = factors.gram();
        for (int i = 0; i < B; i++) {
            for (int j = 0; j < B; j++) {
                double expected = dot(explicit[i], explicit[j]);
                assertThat(g[i][j]).isCloseTo(expected, within(1e-12 * (1 + Math.abs(expected))));
            }
        }
    }

    @Test
    void dotsAndSubtractionActOnTheVectorAtItsOffset() {
        double[] v = new double[3 + OUT * IN];
        for (int k = 0; k < v.length; k++) {
            v[k] = rng.nextDouble(-1, 1);
        }
        double[] dots = new double[B];
        factors.addDots(v, 3, dots);
        double[] c = new double[B];
        double[] expected = v.clone();
        for (int b = 0; b < B; b++) {
            double d = 0;
            for (int k = 0; k < OUT * IN; k++) {
                d += explicit[b][k] * v[3 + k];
            }
            assertThat(dots[b]).isCloseTo(d, within(1e-12));
            c[b] = rng.nextDouble(-1, 1);
            for (int k = 0; k < OUT * IN; k++) {
                expected[3 + k] -= c[b] * explicit[b][k];
            }
        }
        factors.subtract(c, v, 3);
        for (int k = 0; k < v.length; k++) {
            assertThat(v[k]).isCloseTo(expected[k], within(1e-12));
        }
    }

    @Test
    void rowsAndMeanAreTheOuterProducts() {
        float[] row = new float[OUT * IN + 2];
        float[] mean = new float[OUT * IN + 2];
        factors.copyRow(4, row, 2);
        factors.addMean(mean, 2);
        for (int k = 0; k < OUT * IN; k++) {
            assertThat((double) row[2 + k]).isCloseTo(explicit[4][k], within(1e-6 * Math.abs(explicit[4][k]) + 1e-12));
            double m = 0;
            for (double[] r : explicit) {
                m += r[k] / B;
            }
            assertThat((double) mean[2 + k]).isCloseTo(m, within(1e-6));
        }
    }

    @Test
    void projectingWithFactorsIsProjectingWithTheirRowsAndIsOrthogonalToEachGradient() {
        // A bias part as rows next to the weight factors, as a dense layer delivers them.
        float[][] biasRows = new float[B][];
        for (int b = 0; b < B; b++) {
            biasRows[b] = java.util.Arrays.copyOfRange(delta, b * OUT, (b + 1) * OUT);
        }
        PerSampleGradients parts = new PerSampleGradients(List.of(factors, new TensorGradients.Rows(biasRows, 0, OUT)));
        float[][] rows = parts.rows(null);
        float[] g = random(OUT * IN + OUT);

        for (boolean global : new boolean[]{true, false}) {
            OrthogonalProjection fromFactors = global
                    ? OrthogonalProjection.global(parts, OrthogonalProjection.DEFAULT_RANK_TOLERANCE)
                    : OrthogonalProjection.perTensor(parts, OrthogonalProjection.DEFAULT_RANK_TOLERANCE);
            OrthogonalProjection fromRows = global
                    ? OrthogonalProjection.global(rows, OrthogonalProjection.DEFAULT_RANK_TOLERANCE)
                    : OrthogonalProjection.perTensor(rows, List.of(
                    new dev.lethe.core.model.Network.ParameterSlice("w", 0, OUT * IN),
                    new dev.lethe.core.model.Network.ParameterSlice("b", OUT * IN, OUT)),
                    OrthogonalProjection.DEFAULT_RANK_TOLERANCE);
            float[] a = fromFactors.project(g);
            float[] r = fromRows.project(g);

            assertThat(fromFactors.rank()).isEqualTo(fromRows.rank());
            assertThat(Vectors.norm(Vectors.combine(1, a, -1, r)) / Vectors.norm(r)).isLessThan(1e-5);
            for (float[] row : rows) {
                float[] weightPart = java.util.Arrays.copyOf(row, OUT * IN);
                float[] projected = java.util.Arrays.copyOf(a, OUT * IN);
                double cos = global ? Vectors.cosine(a, row) : Vectors.cosine(projected, weightPart);
                assertThat(Math.abs(cos)).isLessThanOrEqualTo(1e-6);
            }
        }
    }

    @Test
    void factorsThatDoNotMakeTheStatedShapeAreRejected() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new TensorGradients.OuterProducts(delta, input, B, OUT, IN + 1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("do not make");
    }

    private float[] random(int n) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) rng.nextDouble(-1, 1);
        }
        return x;
    }

    private static double dot(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += a[i] * b[i];
        }
        return s;
    }
}
