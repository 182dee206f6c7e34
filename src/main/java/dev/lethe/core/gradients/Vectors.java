package dev.lethe.core.gradients;

/** The few dense-vector operations the unlearning methods need, accumulated in float64. */
public final class Vectors {

    private Vectors() {
    }

    public static double dot(float[] a, float[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += (double) a[i] * b[i];
        }
        return s;
    }

    public static double norm(float[] a) {
        return Math.sqrt(dot(a, a));
    }

    /** cos∠(a, b); 0 when either vector is zero. */
    public static double cosine(float[] a, float[] b) {
        double na = norm(a);
        double nb = norm(b);
        return na == 0 || nb == 0 ? 0 : dot(a, b) / (na * nb);
    }

    /** Column means of a matrix given as rows. */
    public static float[] mean(float[][] rows) {
        double[] s = new double[rows[0].length];
        for (float[] r : rows) {
            for (int i = 0; i < s.length; i++) {
                s[i] += r[i];
            }
        }
        float[] m = new float[s.length];
        for (int i = 0; i < s.length; i++) {
            m[i] = (float) (s[i] / rows.length);
        }
        return m;
    }

    /** a·x + b·y, element-wise. */
    public static float[] combine(double a, float[] x, double b, float[] y) {
        float[] out = new float[x.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = (float) (a * x[i] + b * y[i]);
        }
        return out;
    }

    public static float[] scale(double a, float[] x) {
        float[] out = new float[x.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = (float) (a * x[i]);
        }
        return out;
    }
}
