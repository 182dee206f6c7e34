package dev.lethe.core.verify;

/**
 * Summary scores that compare an unlearned model with the original model and with the retrain
 * oracle (a model trained from scratch without the forget set, the gold standard of unlearning).
 */
public final class UnlearningImpact {

    private UnlearningImpact() {
    }

    /**
     * Unlearning Impact Score, as computed in the OrthoGrad paper's code:
     * {@code UIS = (|O_t − U_t| + |O_t − U_f|) / (2·O_t)}, where O_t is the original model's test
     * accuracy, U_t the unlearned model's test accuracy and U_f its forget-set accuracy. The first
     * term penalises lost utility, the second a forget accuracy unlike that on unseen data; 0 is
     * ideal, lower is better. Accuracies may be fractions or percentages, as long as all agree.
     *
     * @throws IllegalArgumentException if a value is not finite or {@code originalTestAcc <= 0}
     */
    public static double uis(double originalTestAcc, double unlearnedTestAcc, double unlearnedForgetAcc) {
        if (!Double.isFinite(originalTestAcc) || !Double.isFinite(unlearnedTestAcc)
                || !Double.isFinite(unlearnedForgetAcc)) {
            throw new IllegalArgumentException("accuracies must be finite");
        }
        if (!(originalTestAcc > 0.0)) {
            throw new IllegalArgumentException("originalTestAcc must be > 0, got " + originalTestAcc);
        }
        return (Math.abs(originalTestAcc - unlearnedTestAcc) + Math.abs(originalTestAcc - unlearnedForgetAcc))
                / (2.0 * originalTestAcc);
    }

    /**
     * Mean absolute difference {@code (1/n)·Σ|aᵢ − bᵢ|}; used as the average gap to the retrain
     * oracle over matching metrics (forget, retain and test accuracy, MIA AUC).
     *
     * @throws IllegalArgumentException if the arrays are empty, differ in length or hold NaN
     */
    public static double avgGap(double[] a, double[] b) {
        if (a == null || b == null || a.length == 0 || a.length != b.length) {
            throw new IllegalArgumentException("a and b must be non-empty and of equal length");
        }
        double sum = 0.0;
        for (int i = 0; i < a.length; i++) {
            if (Double.isNaN(a[i]) || Double.isNaN(b[i])) {
                throw new IllegalArgumentException("values must not be NaN");
            }
            sum += Math.abs(a[i] - b[i]);
        }
        return sum / a.length;
    }
}
