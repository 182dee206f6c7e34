package dev.lethe.core.model;

/**
 * Adam's normalisation of a stream of flat gradient vectors (Kingma & Ba, 2015): returns the
 * bias-corrected m̂/(√v̂+ε), to be scaled by a learning rate by the caller. Keeping the
 * direction separate from the step lets unlearning methods normalise each of their terms.
 */
public final class Adam {

    private final double beta1;
    private final double beta2;
    private final double epsilon;
    private final double[] m;
    private final double[] v;
    private int t;

    public Adam(int size) {
        this(size, 0.9, 0.999, 1e-8);
    }

    public Adam(int size, double beta1, double beta2, double epsilon) {
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.epsilon = epsilon;
        this.m = new double[size];
        this.v = new double[size];
    }

    public float[] direction(float[] gradient) {
        if (gradient.length != m.length) {
            throw new IllegalArgumentException("gradient has " + gradient.length + " entries, expected " + m.length);
        }
        t++;
        double c1 = 1 - Math.pow(beta1, t);
        double c2 = 1 - Math.pow(beta2, t);
        float[] d = new float[gradient.length];
        for (int i = 0; i < d.length; i++) {
            double g = gradient[i];
            m[i] = beta1 * m[i] + (1 - beta1) * g;
            v[i] = beta2 * v[i] + (1 - beta2) * g * g;
            d[i] = (float) ((m[i] / c1) / (Math.sqrt(v[i] / c2) + epsilon));
        }
        return d;
    }
}
