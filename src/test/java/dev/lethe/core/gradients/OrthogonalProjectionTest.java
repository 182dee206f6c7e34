package dev.lethe.core.gradients;

import dev.lethe.core.model.Network.ParameterSlice;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The projection is the orthogonal projector onto the complement of the rows' span: what it
 * returns is orthogonal to every row, it leaves vectors already orthogonal unchanged and removes
 * vectors inside the span — also for rows whose norms differ by orders of magnitude (memorised
 * samples) and for dependent rows.
 */
class OrthogonalProjectionTest {

    private static final int P = 5000;

    @Test
    void resultIsOrthogonalToEveryRowEvenWhenRowNormsSpanSixOrdersOfMagnitude() {
        SplittableRandom rng = new SplittableRandom(1);
        float[][] rows = new float[32][];
        for (int i = 0; i < rows.length; i++) {
            rows[i] = random(rng, P, Math.pow(10, -6.0 * i / (rows.length - 1)));
        }
        OrthogonalProjection projection = OrthogonalProjection.global(rows, OrthogonalProjection.DEFAULT_RANK_TOLERANCE);
        assertThat(projection.rank()).isEqualTo(32);
        float[] g = random(rng, P, 1.0);
        float[] out = projection.project(g);
        for (float[] r : rows) {
            assertThat(Math.abs(Vectors.cosine(out, r))).isLessThanOrEqualTo(1e-6);
        }
    }

    @Test
    void vectorsInTheSpanVanishAndOrthogonalVectorsStay() {
        SplittableRandom rng = new SplittableRandom(2);
        float[][] rows = new float[8][];
        for (int i = 0; i < rows.length; i++) {
            rows[i] = random(rng, P, 1.0);
        }
        OrthogonalProjection projection = OrthogonalProjection.global(rows, OrthogonalProjection.DEFAULT_RANK_TOLERANCE);
        float[] inSpan = new float[P];
        for (int i = 0; i < rows.length; i++) {
            double c = rng.nextDouble(-1, 1);
            for (int j = 0; j < P; j++) {
                inSpan[j] += (float) (c * rows[i][j]);
            }
        }
        assertThat(Vectors.norm(projection.project(inSpan)) / Vectors.norm(inSpan)).isLessThan(1e-6);

        float[] orthogonal = projection.project(random(rng, P, 1.0));
        float[] again = projection.project(orthogonal);
        double diff = 0;
        for (int j = 0; j < P; j++) {
            diff += (again[j] - orthogonal[j]) * (double) (again[j] - orthogonal[j]);
        }
        assertThat(Math.sqrt(diff) / Vectors.norm(orthogonal)).isLessThan(1e-6);
    }

    @Test
    void duplicateAndDependentRowsShrinkTheRankInsteadOfGivingNaN() {
        SplittableRandom rng = new SplittableRandom(3);
        float[] a = random(rng, P, 1.0);
        float[] b = random(rng, P, 1e-3);
        float[] sum = new float[P];
        for (int j = 0; j < P; j++) {
            sum[j] = a[j] + 1000 * b[j];
        }
        float[][] rows = {a, a.clone(), b, sum, new float[P]};
        OrthogonalProjection projection = OrthogonalProjection.global(rows, OrthogonalProjection.DEFAULT_RANK_TOLERANCE);
        assertThat(projection.rank()).isEqualTo(2);
        float[] out = projection.project(random(rng, P, 1.0));
        for (float v : out) {
            assertThat(Float.isFinite(v)).isTrue();
        }
        assertThat(Math.abs(Vectors.cosine(out, a))).isLessThanOrEqualTo(1e-6);
        assertThat(Math.abs(Vectors.cosine(out, b))).isLessThanOrEqualTo(1e-6);
    }

    @Test
    void perTensorBlocksAreProjectedSeparatelyAndSmallTensorsVanish() {
        SplittableRandom rng = new SplittableRandom(4);
        List<ParameterSlice> layout = List.of(new ParameterSlice("weight", 0, P - 4), new ParameterSlice("bias", P - 4, 4));
        float[][] rows = new float[6][];
        for (int i = 0; i < rows.length; i++) {
            rows[i] = random(rng, P, 1.0);
        }
        OrthogonalProjection projection = OrthogonalProjection.perTensor(rows, layout, OrthogonalProjection.DEFAULT_RANK_TOLERANCE);
        assertThat(projection.rank()).isEqualTo(6 + 4);
        float[] out = projection.project(random(rng, P, 1.0));
        for (float[] r : rows) {
            double dot = 0;
            double rr = 0;
            double oo = 0;
            for (int j = 0; j < P - 4; j++) {
                dot += out[j] * (double) r[j];
                rr += r[j] * (double) r[j];
                oo += out[j] * (double) out[j];
            }
            assertThat(Math.abs(dot) / Math.sqrt(rr * oo)).isLessThanOrEqualTo(1e-6);
        }
        for (int j = P - 4; j < P; j++) {
            assertThat(Math.abs(out[j])).isLessThan(1e-6f);
        }
    }

    private static float[] random(SplittableRandom rng, int n, double scale) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) (scale * rng.nextGaussian());
        }
        return v;
    }
}
