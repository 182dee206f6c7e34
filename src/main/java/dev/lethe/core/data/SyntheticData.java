package dev.lethe.core.data;

import java.util.Random;

/**
 * A stand-in for Fashion-MNIST (same {1, 28, 28} shape, 10 balanced classes) that needs no files,
 * so tests and quick experiments can train small models anywhere.
 *
 * <p>Each class has a prototype image made of a few soft blobs on top of a shape shared by all
 * classes. A sample is its class prototype, randomly shifted by up to {@value #MAX_SHIFT} pixels,
 * rescaled in contrast, blended with a random other class's prototype and covered in gaussian
 * noise. The shared shape and the blending make classes overlap, so the problem is learnable
 * but not linearly trivial; a model that memorises individual samples scores noticeably better on
 * them than on fresh ones, which is what membership-inference style checks need.
 *
 * <p>Like a real dataset, the prototypes are fixed by the task seed and a sample seed only picks
 * samples: {@code generate(60_000, 1)} and {@code generate(10_000, 2)} are a train and test set of
 * the same problem. Output is deterministic for given seeds.
 */
public final class SyntheticData {

    public static final int SIDE = 28;
    public static final int NUM_CLASSES = 10;
    /** The task the static {@link #generate(int, long)} draws from. */
    public static final long DEFAULT_TASK_SEED = 0x4c65746865L;

    static final int MAX_SHIFT = 2;
    private static final double NOISE_SIGMA = 0.25;
    private static final double MAX_BLEND = 0.45;
    private static final double MIN_CONTRAST = 0.6;
    private static final double MAX_CONTRAST = 1.2;
    private static final int[] SHAPE = {1, SIDE, SIDE};

    private final float[][] prototypes;

    /** A task whose class prototypes are derived from {@code taskSeed}. */
    public SyntheticData(long taskSeed) {
        Random rng = new Random(taskSeed);
        float[] base = new float[SIDE * SIDE];
        addBlobs(base, rng, 3, 0.6);
        prototypes = new float[NUM_CLASSES][];
        for (int c = 0; c < NUM_CLASSES; c++) {
            float[] proto = base.clone();
            addBlobs(proto, rng, 3, 1.0);
            for (int p = 0; p < proto.length; p++) {
                proto[p] = Math.min(1f, proto[p]);
            }
            prototypes[c] = proto;
        }
    }

    /** {@code n} samples of the default task; see the class comment for what the seed chooses. */
    public static LabelledImages generate(int n, long seed) {
        return new SyntheticData(DEFAULT_TASK_SEED).sample(n, seed);
    }

    /**
     * {@code n} samples with balanced labels (every class present once {@code n >= 10}), in
     * random order.
     */
    public LabelledImages sample(int n, long seed) {
        if (n < 0) {
            throw new IllegalArgumentException("n must be >= 0, was " + n);
        }
        Random rng = new Random(seed);
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            labels[i] = i % NUM_CLASSES;
        }
        for (int i = n - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            int t = labels[i];
            labels[i] = labels[j];
            labels[j] = t;
        }
        float[][] images = new float[n][];
        for (int i = 0; i < n; i++) {
            images[i] = draw(labels[i], rng);
        }
        return new LabelledImages(images, labels, SHAPE, NUM_CLASSES);
    }

    /** The noiseless class templates, e.g. to check that a model learned them. */
    public float[] prototype(int label) {
        return prototypes[label].clone();
    }

    private float[] draw(int label, Random rng) {
        int other = (label + 1 + rng.nextInt(NUM_CLASSES - 1)) % NUM_CLASSES;
        double blend = rng.nextDouble() * MAX_BLEND;
        double contrast = MIN_CONTRAST + rng.nextDouble() * (MAX_CONTRAST - MIN_CONTRAST);
        int dx = rng.nextInt(2 * MAX_SHIFT + 1) - MAX_SHIFT;
        int dy = rng.nextInt(2 * MAX_SHIFT + 1) - MAX_SHIFT;
        float[] own = prototypes[label];
        float[] mix = prototypes[other];
        float[] out = new float[SIDE * SIDE];
        for (int y = 0; y < SIDE; y++) {
            int sy = y - dy;
            for (int x = 0; x < SIDE; x++) {
                int sx = x - dx;
                double v = 0;
                if (sy >= 0 && sy < SIDE && sx >= 0 && sx < SIDE) {
                    int s = sy * SIDE + sx;
                    v = contrast * ((1 - blend) * own[s] + blend * mix[s]);
                }
                v += rng.nextGaussian() * NOISE_SIGMA;
                out[y * SIDE + x] = (float) Math.max(0, Math.min(1, v));
            }
        }
        return out;
    }

    /** Adds {@code count} gaussian blobs, kept away from the border so shifts don't cut them. */
    private static void addBlobs(float[] canvas, Random rng, int count, double maxAmplitude) {
        for (int b = 0; b < count; b++) {
            double cx = 6 + rng.nextDouble() * (SIDE - 13);
            double cy = 6 + rng.nextDouble() * (SIDE - 13);
            double sx = 1.5 + rng.nextDouble() * 2.5;
            double sy = 1.5 + rng.nextDouble() * 2.5;
            double amp = maxAmplitude * (0.6 + 0.4 * rng.nextDouble());
            for (int y = 0; y < SIDE; y++) {
                for (int x = 0; x < SIDE; x++) {
                    double ex = (x - cx) / sx;
                    double ey = (y - cy) / sy;
                    canvas[y * SIDE + x] += (float) (amp * Math.exp(-0.5 * (ex * ex + ey * ey)));
                }
            }
        }
    }
}
