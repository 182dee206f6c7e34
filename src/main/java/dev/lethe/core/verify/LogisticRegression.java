package dev.lethe.core.verify;

/**
 * Small binary logistic regression, fitted by Newton's method (IRLS) with a backtracking line
 * search, for the few-feature attack models used in membership inference. Kept dependency-free so
 * the verification code does not pull in a numerics library for a problem with 2–3 parameters.
 *
 * <p>Features are standardised internally with the training data's mean and standard deviation,
 * so the L2 penalty acts on comparable scales; {@link #coefficients()} are reported back in the
 * original feature units. The L2 term (not applied to the intercept) keeps the optimum finite,
 * so perfectly separable data yields large but finite coefficients instead of NaN/∞.
 *
 * <p>Minimises {@code Σ wᵢ·logloss(yᵢ, σ(b + β·zᵢ)) + (l2/2)·‖β‖²}.
 */
public final class LogisticRegression {

    /** Default L2 strength on standardised coefficients. */
    public static final double DEFAULT_L2 = 1e-3;

    private static final int MAX_ITERATIONS = 100;
    private static final double TOLERANCE = 1e-10;

    private final double[] mean;
    private final double[] scale;
    /** Standardised-space coefficients; index 0 is the intercept. */
    private final double[] theta;

    private LogisticRegression(double[] mean, double[] scale, double[] theta) {
        this.mean = mean;
        this.scale = scale;
        this.theta = theta;
    }

    /** Fits with unit sample weights and {@link #DEFAULT_L2}. Labels must be 0 or 1. */
    public static LogisticRegression fit(double[][] x, int[] y) {
        double[] w = new double[y == null ? 0 : y.length];
        java.util.Arrays.fill(w, 1.0);
        return fit(x, y, w, DEFAULT_L2);
    }

    /**
     * Fits with per-sample weights (e.g. {@link #balancedWeights(int[])}) and L2 strength
     * {@code l2 > 0} on standardised coefficients.
     *
     * @throws IllegalArgumentException on empty or ragged input, non-finite values, labels other
     *     than 0/1, negative weights or a non-positive {@code l2}
     */
    public static LogisticRegression fit(double[][] x, int[] y, double[] sampleWeights, double l2) {
        if (x == null || y == null || sampleWeights == null || x.length == 0) {
            throw new IllegalArgumentException("x, y and sampleWeights must be non-empty");
        }
        int n = x.length;
        if (y.length != n || sampleWeights.length != n) {
            throw new IllegalArgumentException("x, y and sampleWeights must have the same length");
        }
        if (!(l2 > 0.0) || Double.isInfinite(l2)) {
            throw new IllegalArgumentException("l2 must be finite and > 0, got " + l2);
        }
        int d = x[0].length;
        if (d == 0) {
            throw new IllegalArgumentException("x must have at least one feature");
        }
        for (int i = 0; i < n; i++) {
            if (x[i].length != d) {
                throw new IllegalArgumentException("row " + i + " has " + x[i].length + " features, expected " + d);
            }
            for (double v : x[i]) {
                if (!Double.isFinite(v)) {
                    throw new IllegalArgumentException("x must be finite (row " + i + ")");
                }
            }
            if (y[i] != 0 && y[i] != 1) {
                throw new IllegalArgumentException("labels must be 0 or 1, got " + y[i]);
            }
            if (!(sampleWeights[i] >= 0.0) || Double.isInfinite(sampleWeights[i])) {
                throw new IllegalArgumentException("weights must be finite and >= 0");
            }
        }

        // Standardisation from the training data (plain, unweighted moments).
        double[] mean = new double[d];
        double[] scale = new double[d];
        for (int j = 0; j < d; j++) {
            double s = 0.0;
            for (double[] row : x) {
                s += row[j];
            }
            mean[j] = s / n;
            double ss = 0.0;
            for (double[] row : x) {
                double c = row[j] - mean[j];
                ss += c * c;
            }
            double sd = Math.sqrt(ss / n);
            scale[j] = sd > 1e-12 * Math.max(1.0, Math.abs(mean[j])) ? sd : 1.0;
        }
        int p = d + 1;
        double[][] z = new double[n][p];
        for (int i = 0; i < n; i++) {
            z[i][0] = 1.0;
            for (int j = 0; j < d; j++) {
                z[i][j + 1] = (x[i][j] - mean[j]) / scale[j];
            }
        }

        double[] theta = new double[p];
        double loss = objective(z, y, sampleWeights, l2, theta);
        for (int iter = 0; iter < MAX_ITERATIONS; iter++) {
            double[] grad = new double[p];
            double[][] hess = new double[p][p];
            for (int i = 0; i < n; i++) {
                double prob = sigmoid(dot(theta, z[i]));
                double r = sampleWeights[i] * (prob - y[i]);
                double h = sampleWeights[i] * prob * (1.0 - prob);
                for (int a = 0; a < p; a++) {
                    grad[a] += r * z[i][a];
                    for (int b = 0; b <= a; b++) {
                        hess[a][b] += h * z[i][a] * z[i][b];
                    }
                }
            }
            for (int a = 1; a < p; a++) {
                grad[a] += l2 * theta[a];
                hess[a][a] += l2;
            }
            // Tiny ridge on the intercept too, so an all-one-class fit stays solvable.
            hess[0][0] += 1e-12;
            for (int a = 0; a < p; a++) {
                for (int b = a + 1; b < p; b++) {
                    hess[a][b] = hess[b][a];
                }
            }
            double[] step = solve(hess, grad);
            double decrement = dot(step, grad);
            if (!(decrement > 2 * TOLERANCE)) {
                break;
            }
            double t = 1.0;
            double[] candidate = new double[p];
            double candidateLoss;
            while (true) {
                for (int a = 0; a < p; a++) {
                    candidate[a] = theta[a] - t * step[a];
                }
                candidateLoss = objective(z, y, sampleWeights, l2, candidate);
                if (candidateLoss <= loss - 0.25 * t * decrement || t < 1e-10) {
                    break;
                }
                t *= 0.5;
            }
            if (!(candidateLoss <= loss)) {
                break;
            }
            theta = candidate.clone();
            boolean converged = loss - candidateLoss < TOLERANCE * Math.max(1.0, Math.abs(loss));
            loss = candidateLoss;
            if (converged) {
                break;
            }
        }
        return new LogisticRegression(mean, scale, theta);
    }

    /**
     * Class-balanced weights {@code n / (2·n_c)}: each class carries half the total weight, so a
     * minority class (e.g. 100 members vs 1000 non-members) is not ignored.
     */
    public static double[] balancedWeights(int[] y) {
        int ones = 0;
        for (int label : y) {
            if (label != 0 && label != 1) {
                throw new IllegalArgumentException("labels must be 0 or 1, got " + label);
            }
            ones += label;
        }
        int zeros = y.length - ones;
        double[] w = new double[y.length];
        for (int i = 0; i < y.length; i++) {
            int count = y[i] == 1 ? ones : zeros;
            w[i] = y.length / (2.0 * count);
        }
        return w;
    }

    /** Log-odds b + β·x of class 1; unlike {@link #probability} it does not saturate into ties. */
    public double decisionFunction(double[] x) {
        if (x.length != mean.length) {
            throw new IllegalArgumentException("expected " + mean.length + " features, got " + x.length);
        }
        double s = theta[0];
        for (int j = 0; j < mean.length; j++) {
            s += theta[j + 1] * (x[j] - mean[j]) / scale[j];
        }
        return s;
    }

    /** P(y = 1 | x). */
    public double probability(double[] x) {
        return sigmoid(decisionFunction(x));
    }

    /** Coefficients β in the original (unstandardised) feature units. */
    public double[] coefficients() {
        double[] beta = new double[mean.length];
        for (int j = 0; j < mean.length; j++) {
            beta[j] = theta[j + 1] / scale[j];
        }
        return beta;
    }

    /** Intercept b in the original feature units. */
    public double intercept() {
        double b = theta[0];
        for (int j = 0; j < mean.length; j++) {
            b -= theta[j + 1] * mean[j] / scale[j];
        }
        return b;
    }

    private static double objective(double[][] z, int[] y, double[] w, double l2, double[] theta) {
        double total = 0.0;
        for (int i = 0; i < z.length; i++) {
            double m = dot(theta, z[i]);
            // log(1 + e^m) − y·m, computed stably.
            double softplus = m > 0 ? m + Math.log1p(Math.exp(-m)) : Math.log1p(Math.exp(m));
            total += w[i] * (softplus - y[i] * m);
        }
        double penalty = 0.0;
        for (int a = 1; a < theta.length; a++) {
            penalty += theta[a] * theta[a];
        }
        return total + 0.5 * l2 * penalty;
    }

    private static double sigmoid(double m) {
        if (m >= 0) {
            return 1.0 / (1.0 + Math.exp(-m));
        }
        double e = Math.exp(m);
        return e / (1.0 + e);
    }

    private static double dot(double[] a, double[] b) {
        double s = 0.0;
        for (int i = 0; i < a.length; i++) {
            s += a[i] * b[i];
        }
        return s;
    }

    /** Solves A·s = g by Gaussian elimination with partial pivoting (A is small and SPD). */
    private static double[] solve(double[][] a, double[] g) {
        int p = g.length;
        double[][] m = new double[p][p + 1];
        for (int i = 0; i < p; i++) {
            System.arraycopy(a[i], 0, m[i], 0, p);
            m[i][p] = g[i];
        }
        for (int col = 0; col < p; col++) {
            int pivot = col;
            for (int r = col + 1; r < p; r++) {
                if (Math.abs(m[r][col]) > Math.abs(m[pivot][col])) {
                    pivot = r;
                }
            }
            double[] tmp = m[col];
            m[col] = m[pivot];
            m[pivot] = tmp;
            double diag = m[col][col];
            if (diag == 0.0) {
                return new double[p];
            }
            for (int r = col + 1; r < p; r++) {
                double f = m[r][col] / diag;
                for (int c = col; c <= p; c++) {
                    m[r][c] -= f * m[col][c];
                }
            }
        }
        double[] s = new double[p];
        for (int r = p - 1; r >= 0; r--) {
            double v = m[r][p];
            for (int c = r + 1; c < p; c++) {
                v -= m[r][c] * s[c];
            }
            s[r] = v / m[r][r];
        }
        return s;
    }
}
